// Multinomial logistic regression by full-batch gradient descent in the primal, on rows kept in the
// FeatureView's own form: the word block dense (already transformed), the char block sparse with a
// per-row scale and the document centre subtracted implicitly (x_char = s_i (c_i - mu)).
// One step costs O(classes * (n * (wordDim + nnz/row) + dim)) time and the rows take
// O(n * (wordDim + nnz/row)) memory: linear in the labeled lines, with no n x n or n x dim blow-up.
// Its iterates are those of kernelLogreg's dual form (W = A X) for the same start; only the cost differs.
import type { EncodedLines } from '../types';
import type { FeatureView } from './featureView';
import { PAD_BIAS, paddedClasses, withKernel } from './kernel/scope';
import type { LinearHead } from '../types';
import type { LogregHyper } from './kernelLogreg';

const EPS = 1e-8;

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
 * W lives in kernel memory transposed (dim x classes, padded), so both products read and write a
 * row of classes per feature; a step is the kernel's forward product, softmax residuals (those of
 * at most 1e-6 left out), backward product and descent (kernel/scope.ts). `shouldStop` is polled
 * once per step.
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
  const { n, wordDim: wd, charDim: cd, charScale, charMean } = rows;
  const C = nClasses;
  const cp = paddedClasses(C);
  const dim = wd + cd;
  return withKernel((kernel) => {
    const placed = kernel.rows(rows);
    const table = kernel.floats(dim * cp);
    const start = init ? kernel.copy(init.W) : undefined;
    if (start) kernel.transpose(start, dim, C, dim, table, cp);
    const grad = kernel.floats(dim * cp);
    // For a product split in two (kernel/scope.ts), the second part's sums.
    const spare = { grad: kernel.floats(dim * cp), softmax: kernel.floats(2 * cp) };
    // The rows' scores, then (in place) their residuals: the backward pass's input.
    const scores = kernel.floats(n * cp);
    const s = {
      bias: kernel.floats(cp),
      wMu: kernel.floats(cp),
      scale: kernel.floats(n),
      label: kernel.floats(n),
      weight: kernel.floats(n),
      gMu: kernel.floats(cp),
      gB: kernel.floats(cp),
      mu: kernel.floats(cd),
    };
    kernel.f32(s.mu).set(charMean);
    // W_char . mu per class (the centring term of every row's char block); descend keeps it current.
    if (start) kernel.rowDots(start, wd, dim, C, s.mu, s.wMu);
    const bias = kernel.f32(s.bias);
    const gB = kernel.f32(s.gB);
    kernel.f32(s.scale).set(charScale.subarray(0, n));
    kernel.i32(s.label).set(labels.subarray(0, n));
    let wsum = 0;
    for (let i = 0; i < n; i++) wsum += weights[i];
    const norm = wsum > 0 ? 1 / wsum : 0;
    const weight = kernel.f32(s.weight);
    for (let i = 0; i < n; i++) weight[i] = weights[i] * norm;
    const b = new Float64Array(C);
    if (init) for (let c = 0; c < C; c++) b[c] = init.b[c];
    bias.fill(PAD_BIAS);
    for (let c = 0; c < C; c++) bias[c] = b[c];
    const decay = 1 - hp.lr * hp.weightDecay;
    for (let step = 0; step < hp.steps; step++) {
      if (shouldStop?.()) break;
      kernel.spmm(placed, table, cp, scores);
      kernel.zero(s.gMu);
      kernel.zero(s.gB);
      kernel.softmaxResidual(n, cp, scores, { ...s, spare: spare.softmax });
      kernel.zero(grad);
      kernel.spmmT(placed, scores, cp, grad, spare.grad);
      kernel.descend(wd, cd, cp, { ...s, table, grad }, decay, hp.lr);
      for (let c = 0; c < C; c++) {
        b[c] -= hp.lr * gB[c];
        bias[c] = b[c];
      }
    }
    return { W: kernel.headOf(table, dim, C, cp), b: Float32Array.from(b), nClasses: C };
  });
}
