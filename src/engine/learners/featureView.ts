// Per-document view of encoded lines: each feature block is re-centred on a reference mean
// (the document's lines when transductive, a corpus mean when not), L2-normalised and scaled.
// Learners see `[s_word * word', s_char * char']`; the char block stays sparse when scoring.
import type { EncodedLines, LineSummaries } from '../types';
import { selectSparseRows } from '../text/ideographs';
import { type KernelScope, PAD_BIAS, paddedClasses, type Slot, withKernel } from './kernel/scope';

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

/**
 * Mean of each block over the rows of one or more batches (zero rows count too); `wordDim` < the
 * batches' word width averages the first wordDim values of each row only (writeWord's prefix).
 */
export function blockMeans(batches: EncodedLines[], wordDim = batches[0].wordDim): Centre {
  const first = batches[0];
  const word = new Float64Array(wordDim);
  const char = new Float64Array(first.charDim);
  let n = 0;
  for (const b of batches) {
    n += b.n;
    const sums = blockSums(b, wordDim);
    for (let j = 0; j < word.length; j++) word[j] += sums.word[j];
    for (let k = 0; k < char.length; k++) char[k] += sums.char[k];
  }
  const inv = n > 0 ? 1 / n : 0;
  return { word: Float32Array.from(word, (v) => v * inv), char: Float32Array.from(char, (v) => v * inv) };
}

/**
 * A batch's sums per block, kept for large batches while they live: the engine hands the same
 * encoded pool to every adaptation of an unchanged document, and its sums are most of the centre's
 * cost (the support set changes, and is small).
 */
const sumsOf = new WeakMap<EncodedLines, { word: Float64Array; char: Float64Array }>();
const KEEP_SUMS_ROWS = 256;

/** Sums of the first `width` columns of the word block (all of them unless a caller reads a prefix) and of the char block. */
function blockSums(b: EncodedLines, width: number): { word: Float64Array; char: Float64Array } {
  const whole = width === b.wordDim;
  const kept = whole ? sumsOf.get(b) : undefined;
  if (kept) return kept;
  const wd = b.wordDim;
  const word = new Float64Array(width);
  const char = new Float64Array(b.charDim);
  for (let i = 0; i < b.n; i++) {
    for (let j = 0; j < width; j++) word[j] += b.word[i * wd + j];
    for (let p = b.charOffsets[i]; p < b.charOffsets[i + 1]; p++) char[b.charIndex[p]] += b.charValue[p];
  }
  const sums = { word, char };
  if (whole && b.n >= KEEP_SUMS_ROWS) sumsOf.set(b, sums);
  return sums;
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

  constructor(
    readonly centre: Centre,
    readonly scales: BlockScales,
  ) {
    this.dim = centre.word.length + centre.char.length;
  }

  /**
   * Writes line i's transformed word block (re-centred, common component removed, scaled to s_word)
   * at out[o..]; `wd` < lines.wordDim reads the first wd values of each row (today's word block of
   * lines that carry more after it: the sentence block, learners/sentenceBlock.ts).
   */
  writeWord(lines: EncodedLines, i: number, out: Float32Array, o: number, wd = lines.wordDim): void {
    const from = i * lines.wordDim;
    const cw = this.centre.word;
    for (let j = 0; j < wd; j++) out[o + j] = lines.word[from + j] - cw[j];
    const sw = this.scales.word / Math.sqrt(this.removeCommon(out, o, wd) + EPS);
    for (let j = 0; j < wd; j++) out[o + j] *= sw;
  }

  /** Projects the common component out of v[o..o+n) in place; returns the squared norm left. */
  private removeCommon(v: Float32Array, o: number, n: number): number {
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
   * Linear scores `W x + b` for every line (n x nOut), W nOut x dim row-major (see scoreChunks).
   */
  scores(lines: EncodedLines, W: Float32Array, b: Float32Array, nOut: number): Float32Array {
    const out = new Float32Array(lines.n * nOut);
    this.scoreChunks(lines, W, b, nOut, (chunk, Z, start, count, layout) => {
      const z = chunk.f32(Z);
      if (layout.length === 1 && layout[0].cp === nOut) {
        out.set(z.subarray(0, count * nOut), start * nOut);
        return;
      }
      for (const { from, count: width, column } of layout) {
        for (let r = 0; r < count; r++) {
          const o = (start + r) * nOut + from;
          const zr = r * layout.stride + column;
          for (let k = 0; k < width; k++) out[o + k] = z[zr + k];
        }
      }
    });
    return out;
  }

  /**
   * Each line's best output, its softmax probability and the normalised entropy of its softmax
   * (scores times `temperature`), from the scores without handing them out: with t_c = T (s_c - s_best)
   * and S = sum e^t, the probability is 1 / S and the entropy log S - sum e^t t / S. A line whose
   * scores have no finite maximum gets best -1; one with a NaN or infinite score, NaN.
   */
  summary(lines: EncodedLines, W: Float32Array, b: Float32Array, nOut: number, temperature: number): LineSummaries {
    const n = lines.n;
    const out = { best: new Int32Array(n), confidence: new Float32Array(n), uncertainty: new Float32Array(n) };
    const logC = Math.log(nOut);
    let outputOf: Int32Array | undefined;
    this.scoreChunks(lines, W, b, nOut, (chunk, Z, start, count, layout) => {
      // The kernel's index is a column of the padded layout: back to an output. A padding column
      // (PAD_BIAS) is the best only when no output has a finite score.
      if (!outputOf) {
        outputOf = new Int32Array(layout.stride).fill(-1);
        for (const { from, count: width, column } of layout) for (let k = 0; k < width; k++) outputOf[column + k] = from + k;
      }
      const slots = { best: chunk.scratch(count), sums: chunk.scratch(count), ents: chunk.scratch(count), temperature: chunk.floats(1) };
      chunk.f32(slots.temperature)[0] = temperature;
      chunk.summarize(count, layout.stride, Z, slots.temperature, slots);
      const best = chunk.i32(slots.best);
      const sums = chunk.f32(slots.sums);
      const ents = chunk.f32(slots.ents);
      for (let r = 0; r < count; r++) {
        const i = start + r;
        const c = best[r];
        const output = c < 0 ? -1 : outputOf[c];
        out.best[i] = output;
        if (output < 0) continue;
        const S = sums[r];
        out.confidence[i] = 1 / S;
        out.uncertainty[i] = nOut < 2 ? 0 : Math.max(0, Math.log(S) - ents[r] / S) / logC;
      }
    });
    return out;
  }

  /**
   * The kernel's scoreRows over the lines as encoded, a chunk of rows at a time: it centres each
   * row's word block before the product (a line at or near the document's centre has a large scale,
   * and centring after the product would multiply the product's rounding error by it), scales each
   * block by the row's own scale, and adds the rest of the transform as terms per row and output:
   *   word: s_w W.(d - a u) = s_w W.d - s_w a W.u,  d = x - cw, a = u.d
   *   char: s_c W.(x - mu)  = s_c W.x - s_c W.mu
   * `each` gets the chunk's scores Z in kernel memory: row r's outputs of a block start at
   * r * layout.stride + column, padding outputs score PAD_BIAS.
   */
  private scoreChunks(
    lines: EncodedLines,
    W: Float32Array,
    b: Float32Array,
    nOut: number,
    each: (chunk: KernelScope, Z: Slot, start: number, count: number, layout: ChunkLayout) => void,
  ): void {
    const wd = lines.wordDim;
    const dim = this.dim;
    const cw = this.centre.word;
    const cc = this.centre.char;
    const u = this.centre.common;
    const cd = cc.length;
    let muSq = 0;
    for (const v of cc) muSq += v * v;
    let uSq = 0;
    if (u) for (const v of u) uSq += v * v;
    withKernel((kernel) => {
      const centre = { cw: kernel.floats(wd), mu: kernel.floats(cd), u: u ? kernel.floats(wd) : undefined };
      // Outputs go in blocks of OUT_BLOCK: a block's table (dim x 128 floats, 1.1 MB) stays in the
      // core's cache while a row's entries stream past; one table of 1,500 outputs (the abstention
      // rule's nearest-neighbour rows) would be read from memory for every row.
      const blocks: Array<{ from: number; count: number; cp: number; column: number; table: Slot; constants: Slot }> = [];
      kernel.f32(centre.cw).set(cw);
      kernel.f32(centre.mu).set(cc);
      if (u && centre.u) kernel.f32(centre.u).set(u);
      let stride = 0;
      for (let from = 0; from < nOut; from += OUT_BLOCK) {
        const count = Math.min(OUT_BLOCK, nOut - from);
        const cp = paddedClasses(count);
        const terms = { wU: kernel.floats(cp), wMu: kernel.floats(cp), b: kernel.floats(cp) };
        const table = kernel.floats(dim * cp);
        const head = kernel.copy(W.subarray(from * dim, (from + count) * dim));
        kernel.transpose(head, dim, count, dim, table, cp);
        kernel.rowDots(head, wd, dim, count, centre.mu, terms.wMu);
        if (centre.u) kernel.rowDots(head, 0, dim, count, centre.u, terms.wU);
        const bias = kernel.f32(terms.b);
        bias.fill(PAD_BIAS);
        bias.set(b.subarray(from, from + count));
        const constants = kernel.viewConstants({ ...centre, ...terms, sWord: this.scales.word, sChar: this.scales.char, muSq, uSq });
        blocks.push({ from, count, cp, column: stride, table, constants });
        stride += cp;
      }
      const layout: ChunkLayout = Object.assign(
        blocks.map(({ from, count, cp, column }) => ({ from, count, cp, column })),
        { stride },
      );
      for (let start = 0; start < lines.n; start += SCORE_CHUNK) {
        const count = Math.min(SCORE_CHUNK, lines.n - start);
        withKernel((chunk) => {
          const placed = chunk.rows({
            n: count,
            wordDim: wd,
            word: lines.word.subarray(start * wd, (start + count) * wd),
            charOffsets: lines.charOffsets.subarray(start, start + count + 1),
            charIndex: lines.charIndex,
            charValue: lines.charValue,
          });
          const Z = chunk.scratch(count * stride);
          const scratch = chunk.floats(2 * wd);
          for (const block of blocks) {
            chunk.scoreRows(placed, block.table, block.cp, { slot: Z, column: block.column, stride }, block.constants, scratch);
          }
          each(chunk, Z, start, count, layout);
        });
      }
    });
  }
}

/** Where each block of outputs lies in a row of a chunk's scores (FeatureView.scoreChunks). */
type ChunkLayout = Array<{ from: number; count: number; cp: number; column: number }> & { stride: number };

/** Lines scored per kernel call: bounds the kernel memory a long document takes. */
const SCORE_CHUNK = 4096;
/** Outputs scored per pass over the lines (see scores). */
const OUT_BLOCK = 128;

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
  const out: EncodedLines = { n: rows.length, wordDim: wd, word, charDim: lines.charDim, charOffsets: offsets, charIndex, charValue };
  if (lines.ideo) out.ideo = selectSparseRows(lines.ideo, rows);
  return out;
}

/** `count` row indices spread evenly over 0..n-1. */
export function evenRows(n: number, count: number): Int32Array {
  if (count >= n) return range(n);
  const step = n / count;
  return Int32Array.from({ length: count }, (_, i) => Math.floor(i * step));
}
