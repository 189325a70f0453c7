// Multinomial logistic regression by full-batch gradient descent in the primal, on rows kept in the
// FeatureView's own form: the word block dense (already transformed), the char block sparse with a
// per-row scale and the document centre subtracted implicitly (x_char = s_i (c_i - mu)).
// One step costs O(classes * (n * (wordDim + nnz/row) + dim)) time and the rows take
// O(n * (wordDim + nnz/row)) memory: linear in the labeled lines, with no n x n or n x dim blow-up.
// Its iterates are those of kernelLogreg's dual form (W = A X) for the same start; only the cost differs.
import type { EncodedLines } from '../types';
import type { FeatureView } from './featureView';
import type { LinearHead, LogregHyper } from './kernelLogreg';

const EPS = 1e-8;
/** Residuals (probability minus target) smaller than this are skipped in the backward pass. */
const NEGLIGIBLE = 1e-6;

/** Transformed training rows: dense word block, sparse scaled char block. */
export interface SparseRows {
  n: number;
  wordDim: number;
  charDim: number;
  /** n x wordDim, re-centred, common component removed, scaled to s_word / |.| (as FeatureView.dense). */
  word: Float32Array;
  charOffsets: Int32Array;
  charIndex: Int32Array;
  /** Raw char values times the row's char scale. */
  charValue: Float32Array;
  /** Per row char scale s_char / |c_i - mu|: the row's char block is charScale_i * c_i - charScale_i * mu. */
  charScale: Float32Array;
  /** The char centre mu (the view's). */
  charMean: Float32Array;
}

/** Pieces of encoded batches (with optional row selections) turned into one SparseRows. */
export function sparseRows(view: FeatureView, pieces: Array<{ lines: EncodedLines; rows?: ArrayLike<number> }>): SparseRows {
  const first = pieces[0];
  if (!first) throw new Error('sparseRows: no pieces');
  const wd = first.lines.wordDim;
  const cd = first.lines.charDim;
  let n = 0;
  let nnz = 0;
  for (const { lines, rows } of pieces) {
    const count = rows ? rows.length : lines.n;
    n += count;
    for (let r = 0; r < count; r++) {
      const i = rows ? rows[r] : r;
      nnz += lines.charOffsets[i + 1] - lines.charOffsets[i];
    }
  }
  const word = new Float32Array(n * wd);
  const charOffsets = new Int32Array(n + 1);
  const charIndex = new Int32Array(nnz);
  const charValue = new Float32Array(nnz);
  const charScale = new Float32Array(n);
  const mu = view.centre.char;
  let muSq = 0;
  for (let k = 0; k < mu.length; k++) muSq += mu[k] * mu[k];
  let o = 0;
  let p = 0;
  for (const { lines, rows } of pieces) {
    const count = rows ? rows.length : lines.n;
    for (let r = 0; r < count; r++, o++) {
      const i = rows ? rows[r] : r;
      view.writeWord(lines, i, word, o * wd);
      const start = lines.charOffsets[i];
      const end = lines.charOffsets[i + 1];
      let xsq = 0;
      let xmu = 0;
      for (let q = start; q < end; q++) {
        const v = lines.charValue[q];
        const k = lines.charIndex[q];
        xsq += v * v;
        xmu += v * mu[k];
      }
      const sc = view.scales.char / Math.sqrt(Math.max(xsq - 2 * xmu + muSq, 0) + EPS);
      charScale[o] = sc;
      for (let q = start; q < end; q++, p++) {
        charIndex[p] = lines.charIndex[q];
        charValue[p] = sc * lines.charValue[q];
      }
      charOffsets[o + 1] = p;
    }
  }
  return { n, wordDim: wd, charDim: cd, word, charOffsets, charIndex, charValue, charScale, charMean: mu };
}

/** Rows a and b, one after the other (pseudo-labels appended to the support). */
export function concatRows(a: SparseRows, b: SparseRows): SparseRows {
  const n = a.n + b.n;
  const nnzA = a.charOffsets[a.n];
  const charOffsets = new Int32Array(n + 1);
  charOffsets.set(a.charOffsets);
  for (let i = 1; i <= b.n; i++) charOffsets[a.n + i] = nnzA + b.charOffsets[i];
  const join = <T extends Float32Array | Int32Array>(x: T, y: T, make: (len: number) => T): T => {
    const out = make(x.length + y.length);
    out.set(x);
    out.set(y, x.length);
    return out;
  };
  return {
    n,
    wordDim: a.wordDim,
    charDim: a.charDim,
    word: join(a.word, b.word, (l) => new Float32Array(l)),
    charOffsets,
    charIndex: join(a.charIndex.subarray(0, nnzA), b.charIndex.subarray(0, b.charOffsets[b.n]), (l) => new Int32Array(l)),
    charValue: join(a.charValue.subarray(0, nnzA), b.charValue.subarray(0, b.charOffsets[b.n]), (l) => new Float32Array(l)),
    charScale: join(a.charScale, b.charScale, (l) => new Float32Array(l)),
    charMean: a.charMean,
  };
}

/** Mean stored char entries per row: with wordDim, the per-row cost of one step. */
export function meanNnz(rows: SparseRows): number {
  return rows.n === 0 ? 0 : rows.charOffsets[rows.n] / rows.n;
}

/**
 * Gradient descent on the weighted softmax cross-entropy with weight decay, from `init` (or zero).
 * W is kept as a dense word part (C x wordDim) and a transposed char part (charDim x C), so the
 * sparse loops read C contiguous values per stored n-gram. `shouldStop` is polled once per step.
 */
export function fitPrimal(
  rows: SparseRows,
  labels: Int32Array,
  weights: Float32Array,
  nClasses: number,
  hp: LogregHyper,
  init?: LinearHead,
  shouldStop?: () => boolean,
): LinearHead {
  const { n, wordDim: wd, charDim: cd, word, charOffsets, charIndex, charValue, charScale, charMean } = rows;
  const C = nClasses;
  const dim = wd + cd;
  // Float32 weights and gradients: the char block's C x 2048 tables then stay in cache.
  const Ww = new Float32Array(C * wd);
  const WcT = new Float32Array(cd * C);
  const b = new Float64Array(C);
  if (init) {
    for (let c = 0; c < C; c++) {
      for (let j = 0; j < wd; j++) Ww[c * wd + j] = init.W[c * dim + j];
      for (let k = 0; k < cd; k++) WcT[k * C + c] = init.W[c * dim + wd + k];
      b[c] = init.b[c];
    }
  }
  const logits = new Float64Array(C);
  const active = new Int32Array(C);
  const gW = new Float64Array(C * wd);
  const gCT = new Float32Array(cd * C);
  const gMu = new Float64Array(C);
  const gB = new Float64Array(C);
  const wMu = new Float64Array(C);
  let wsum = 0;
  for (let i = 0; i < n; i++) wsum += weights[i];
  const norm = wsum > 0 ? 1 / wsum : 0;
  const decay = 1 - hp.lr * hp.weightDecay;
  for (let step = 0; step < hp.steps; step++) {
    if (shouldStop?.()) break;
    // W_char . mu per class: the centring term of every row's char block.
    wMu.fill(0);
    for (let k = 0; k < cd; k++) {
      const m = charMean[k];
      if (m === 0) continue;
      const o = k * C;
      for (let c = 0; c < C; c++) wMu[c] = wMu[c] + WcT[o + c] * m;
    }
    gW.fill(0);
    gCT.fill(0);
    gMu.fill(0);
    gB.fill(0);
    for (let i = 0; i < n; i++) {
      const xo = i * wd;
      const sc = charScale[i];
      for (let c = 0; c < C; c++) {
        let s = b[c] - sc * wMu[c];
        const wo = c * wd;
        for (let j = 0; j < wd; j++) s += Ww[wo + j] * word[xo + j];
        logits[c] = s;
      }
      const end = charOffsets[i + 1];
      for (let p = charOffsets[i]; p < end; p++) {
        const o = charIndex[p] * C;
        const v = charValue[p];
        for (let c = 0; c < C; c++) logits[c] = logits[c] + WcT[o + c] * v;
      }
      let max = -Infinity;
      for (let c = 0; c < C; c++) max = Math.max(max, logits[c]);
      let sum = 0;
      for (let c = 0; c < C; c++) {
        const e = Math.exp(logits[c] - max);
        logits[c] = e;
        sum += e;
      }
      const wi = weights[i] * norm;
      const yi = labels[i];
      // logits now holds the residual g_ic = w_i (p_ic - [y_i = c]) / sum(w). Classes whose residual
      // is below NEGLIGIBLE (probability within 1e-6 of its target) are left out of the backward
      // pass: with many labels most of a row's classes are, and they would change W by < 1e-6.
      let nActive = 0;
      for (let c = 0; c < C; c++) {
        const r = logits[c] / sum - (yi === c ? 1 : 0);
        logits[c] = wi * r;
        if (r > NEGLIGIBLE || r < -NEGLIGIBLE) active[nActive++] = c;
      }
      for (let a = 0; a < nActive; a++) {
        const c = active[a];
        const g = logits[c];
        const wo = c * wd;
        for (let j = 0; j < wd; j++) gW[wo + j] = gW[wo + j] + g * word[xo + j];
        gMu[c] = gMu[c] + g * sc;
        gB[c] = gB[c] + g;
      }
      if (nActive === C) {
        for (let p = charOffsets[i]; p < end; p++) {
          const o = charIndex[p] * C;
          const v = charValue[p];
          for (let c = 0; c < C; c++) gCT[o + c] = gCT[o + c] + logits[c] * v;
        }
      } else {
        for (let p = charOffsets[i]; p < end; p++) {
          const o = charIndex[p] * C;
          const v = charValue[p];
          for (let a = 0; a < nActive; a++) {
            const c = active[a];
            gCT[o + c] = gCT[o + c] + logits[c] * v;
          }
        }
      }
    }
    for (let q = 0; q < Ww.length; q++) Ww[q] = decay * Ww[q] - hp.lr * gW[q];
    for (let k = 0; k < cd; k++) {
      const m = charMean[k];
      const o = k * C;
      for (let c = 0; c < C; c++) WcT[o + c] = decay * WcT[o + c] - hp.lr * (gCT[o + c] - gMu[c] * m);
    }
    for (let c = 0; c < C; c++) b[c] = b[c] - hp.lr * gB[c];
  }
  const W = new Float32Array(C * dim);
  for (let c = 0; c < C; c++) {
    for (let j = 0; j < wd; j++) W[c * dim + j] = Ww[c * wd + j];
    for (let k = 0; k < cd; k++) W[c * dim + wd + k] = WcT[k * C + c];
  }
  return { W, b: Float32Array.from(b), nClasses: C };
}
