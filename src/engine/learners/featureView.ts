// Per-document view of encoded lines: each feature block is re-centred on a reference mean
// (the document's lines when transductive, a corpus mean when not), L2-normalised and scaled.
// Learners see `[s_word * word', s_char * char']`; the char block stays sparse when scoring.
import type { EncodedLines } from '../types';

export interface BlockScales {
  word: number;
  char: number;
}

export interface Centre {
  word: Float32Array;
  char: Float32Array;
  /**
   * Unit vector removed from the word block (SIF's "common component": the first principal
   * direction of a corpus' sentence vectors, mostly frequent-word noise). Optional.
   */
  common?: Float32Array;
}

/** Mean of each block over the rows of one or more batches (zero rows count too). */
export function blockMeans(batches: EncodedLines[]): Centre {
  const first = batches[0];
  const word = new Float64Array(first.wordDim);
  const char = new Float64Array(first.charDim);
  let n = 0;
  for (const b of batches) {
    n += b.n;
    const wd = b.wordDim;
    for (let i = 0; i < b.n; i++) {
      for (let j = 0; j < wd; j++) word[j] += b.word[i * wd + j];
      for (let p = b.charOffsets[i]; p < b.charOffsets[i + 1]; p++) char[b.charIndex[p]] += b.charValue[p];
    }
  }
  const inv = n > 0 ? 1 / n : 0;
  return { word: Float32Array.from(word, (v) => v * inv), char: Float32Array.from(char, (v) => v * inv) };
}

/** First principal direction (uncentred) of the word block, by power iteration; deterministic. */
export function commonComponent(lines: EncodedLines, iterations = 60): Float32Array {
  const d = lines.wordDim;
  let u = new Float64Array(d).fill(1 / Math.sqrt(d));
  for (let it = 0; it < iterations; it++) {
    const next = new Float64Array(d);
    for (let i = 0; i < lines.n; i++) {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += lines.word[i * d + j] * u[j];
      for (let j = 0; j < d; j++) next[j] += dot * lines.word[i * d + j];
    }
    let norm = 0;
    for (const v of next) norm += v * v;
    norm = Math.sqrt(norm);
    if (norm === 0) break;
    u = next.map((v) => v / norm);
  }
  return Float32Array.from(u);
}

const EPS = 1e-8;

export class FeatureView {
  readonly dim: number;
  private readonly charMeanSq: number;

  constructor(
    readonly centre: Centre,
    readonly scales: BlockScales,
  ) {
    this.dim = centre.word.length + centre.char.length;
    let s = 0;
    for (const v of centre.char) s += v * v;
    this.charMeanSq = s;
  }

  /** Writes line i's transformed word block (re-centred, common component removed, scaled to s_word) at out[o..]. */
  writeWord(lines: EncodedLines, i: number, out: Float32Array, o: number): void {
    const wd = lines.wordDim;
    const cw = this.centre.word;
    for (let j = 0; j < wd; j++) out[o + j] = lines.word[i * wd + j] - cw[j];
    const sw = this.scales.word / Math.sqrt(this.removeCommon(out, o, wd) + EPS);
    for (let j = 0; j < wd; j++) out[o + j] *= sw;
  }

  /** Projects the common component out of v[o..o+n) in place; returns the squared norm left. */
  private removeCommon(v: Float32Array | Float64Array, o: number, n: number): number {
    const u = this.centre.common;
    if (u) {
      let dot = 0;
      for (let j = 0; j < n; j++) dot += v[o + j] * u[j];
      for (let j = 0; j < n; j++) v[o + j] -= dot * u[j];
    }
    let sq = 0;
    for (let j = 0; j < n; j++) sq += v[o + j] * v[o + j];
    return sq;
  }

  /** Dense transformed rows (n x dim): for the few lines a learner trains on. */
  dense(lines: EncodedLines, rows?: ArrayLike<number>): Float32Array {
    const idx = rows ?? range(lines.n);
    const wd = lines.wordDim;
    const cd = lines.charDim;
    const out = new Float32Array(idx.length * this.dim);
    const cc = this.centre.char;
    for (let r = 0; r < idx.length; r++) {
      const i = idx[r];
      const o = r * this.dim;
      this.writeWord(lines, i, out, o);
      const oc = o + wd;
      for (let j = 0; j < cd; j++) out[oc + j] = -cc[j];
      for (let p = lines.charOffsets[i]; p < lines.charOffsets[i + 1]; p++) out[oc + lines.charIndex[p]] += lines.charValue[p];
      let nc = 0;
      for (let j = 0; j < cd; j++) nc += out[oc + j] * out[oc + j];
      const sc = this.scales.char / Math.sqrt(nc + EPS);
      for (let j = 0; j < cd; j++) out[oc + j] *= sc;
    }
    return out;
  }

  /**
   * Linear scores `W x + b` for every line without densifying the char block:
   * W.(x - mu)/|x - mu| = (W.x - W.mu) / sqrt(|x|^2 - 2 x.mu + |mu|^2).
   * W is nOut x dim (row-major). Returns n x nOut.
   */
  scores(lines: EncodedLines, W: Float32Array, b: Float32Array, nOut: number): Float32Array {
    const wd = lines.wordDim;
    const dim = this.dim;
    const cw = this.centre.word;
    const cc = this.centre.char;
    const cd = cc.length;
    const { word, charOffsets, charIndex, charValue } = lines;
    // W . mu of the char block per output (the word block is centred densely below).
    const wMuC = new Float64Array(nOut);
    for (let c = 0; c < nOut; c++) {
      let s = 0;
      for (let j = 0; j < cd; j++) s += W[c * dim + wd + j] * cc[j];
      wMuC[c] = s;
    }
    // The char block of W transposed (charDim x nOut): the sparse loop then reads one short
    // contiguous row per n-gram instead of nOut values a whole row of W apart.
    const wChar = new Float32Array(cd * nOut);
    for (let c = 0; c < nOut; c++) for (let k = 0; k < cd; k++) wChar[k * nOut + c] = W[c * dim + wd + k];
    const out = new Float32Array(lines.n * nOut);
    const xw = new Float64Array(wd);
    const dotC = new Float64Array(nOut);
    const sWord = this.scales.word;
    const sChar = this.scales.char;
    const charMeanSq = this.charMeanSq;
    for (let i = 0; i < lines.n; i++) {
      const wo = i * wd;
      for (let j = 0; j < wd; j++) xw[j] = word[wo + j] - cw[j];
      const nw = this.removeCommon(xw, 0, wd);
      dotC.fill(0);
      let xsq = 0;
      let xmu = 0;
      const end = charOffsets[i + 1];
      for (let p = charOffsets[i]; p < end; p++) {
        const k = charIndex[p];
        const v = charValue[p];
        xsq += v * v;
        xmu += v * cc[k];
        const row = k * nOut;
        for (let c = 0; c < nOut; c++) dotC[c] += wChar[row + c] * v;
      }
      const sw = sWord / Math.sqrt(nw + EPS);
      const nc = xsq - 2 * xmu + charMeanSq;
      const sc = sChar / Math.sqrt(Math.max(nc, 0) + EPS);
      const o = i * nOut;
      // Two outputs per pass over the word block share its loads; each sum keeps its order.
      let c = 0;
      for (; c + 1 < nOut; c += 2) {
        const b0 = c * dim;
        const b1 = b0 + dim;
        let a0 = 0;
        let a1 = 0;
        for (let j = 0; j < wd; j++) {
          const x = xw[j];
          a0 += W[b0 + j] * x;
          a1 += W[b1 + j] * x;
        }
        out[o + c] = sw * a0 + sc * (dotC[c] - wMuC[c]) + b[c];
        out[o + c + 1] = sw * a1 + sc * (dotC[c + 1] - wMuC[c + 1]) + b[c + 1];
      }
      for (; c < nOut; c++) {
        const b0 = c * dim;
        let a = 0;
        for (let j = 0; j < wd; j++) a += W[b0 + j] * xw[j];
        out[o + c] = sw * a + sc * (dotC[c] - wMuC[c]) + b[c];
      }
    }
    return out;
  }
}

export function range(n: number): Int32Array {
  const r = new Int32Array(n);
  for (let i = 0; i < n; i++) r[i] = i;
  return r;
}

/** The given rows of a batch, as a batch of their own. */
export function selectRows(lines: EncodedLines, rows: ArrayLike<number>): EncodedLines {
  const wd = lines.wordDim;
  const word = new Float32Array(rows.length * wd);
  const offsets = new Int32Array(rows.length + 1);
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r];
    word.set(lines.word.subarray(i * wd, (i + 1) * wd), r * wd);
    offsets[r + 1] = offsets[r] + lines.charOffsets[i + 1] - lines.charOffsets[i];
  }
  const charIndex = new Int32Array(offsets[rows.length]);
  const charValue = new Float32Array(offsets[rows.length]);
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r];
    charIndex.set(lines.charIndex.subarray(lines.charOffsets[i], lines.charOffsets[i + 1]), offsets[r]);
    charValue.set(lines.charValue.subarray(lines.charOffsets[i], lines.charOffsets[i + 1]), offsets[r]);
  }
  return { n: rows.length, wordDim: wd, word, charDim: lines.charDim, charOffsets: offsets, charIndex, charValue };
}

/** `count` row indices spread evenly over 0..n-1. */
export function evenRows(n: number, count: number): Int32Array {
  if (count >= n) return range(n);
  const step = n / count;
  return Int32Array.from({ length: count }, (_, i) => Math.floor(i * step));
}
