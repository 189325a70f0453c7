// A per-dimension weighting of the character block by inverse document frequency, computed
// transductively on the lines an adaptation sees (support, pool and label names). The encoder
// treats every hashed n-gram alike, so n-grams that most lines share (Chinese function characters
// 之 不 也 而, English "the ") dominate the cosine; TF-IDF, which weighs them down, beat the default
// on Chinese (docs/accuracy.md, zh-classics). Nothing here reads a query's label: the document
// frequencies count lines, never classes.
import type { EncodedLines } from '../types';

/** Lines each char bucket occurs in, over the given batches (linear in their entries). */
export function charDocumentFrequency(batches: readonly EncodedLines[], charDim: number): { df: Float64Array; lines: number } {
  const df = new Float64Array(charDim);
  let lines = 0;
  for (const b of batches) {
    const counts = countsOf(b);
    for (let k = 0; k < charDim; k++) df[k] += counts[k];
    lines += b.n;
  }
  return { df, lines };
}

/**
 * A batch's per-bucket line counts, kept for large batches while they live: the engine hands the
 * same encoded pool to every adaptation of an unchanged document (as featureView's block sums).
 */
const countsKept = new WeakMap<EncodedLines, Float64Array>();
const KEEP_COUNTS_ROWS = 256;

function countsOf(b: EncodedLines): Float64Array {
  const kept = countsKept.get(b);
  if (kept) return kept;
  const counts = new Float64Array(b.charDim);
  // The encoder merges duplicate buckets within a row, so each entry is one line's occurrence.
  for (let p = b.charOffsets[0]; p < b.charOffsets[b.n]; p++) if (b.charValue[p] !== 0) counts[b.charIndex[p]]++;
  if (b.n >= KEEP_COUNTS_ROWS) countsKept.set(b, counts);
  return counts;
}

/**
 * Weight of each bucket: the smoothed IDF of char-tfidf, log((1 + n) / (1 + df)) + 1, raised to
 * `power` (0: every weight 1; 1: plain IDF). A bucket in every line weighs 1, one in none the most.
 */
export function idfWeights(df: Float64Array, lines: number, power: number): Float32Array {
  return Float32Array.from(df, (d) => (Math.log((1 + lines) / (1 + d)) + 1) ** power);
}

/**
 * The lines with each char entry multiplied by its bucket's weight and each row L2-normalised again
 * (the encoder's rows are unit length, and the re-centring means assume so). The word block and the
 * char indices are shared with the input, not copied. Kept per input for the same weights, since
 * a classifier scores the pool it was adapted on again.
 */
export function weightChars(lines: EncodedLines, weights: Float32Array): EncodedLines {
  const kept = weightedKept.get(lines);
  if (kept && kept.weights === weights) return kept.out;
  const value = new Float32Array(lines.charValue.length);
  for (let i = 0; i < lines.n; i++) {
    const from = lines.charOffsets[i];
    const to = lines.charOffsets[i + 1];
    let sq = 0;
    for (let p = from; p < to; p++) {
      const v = lines.charValue[p] * weights[lines.charIndex[p]];
      value[p] = v;
      sq += v * v;
    }
    const inv = sq > 0 ? 1 / Math.sqrt(sq) : 0;
    for (let p = from; p < to; p++) value[p] *= inv;
  }
  const out = { ...lines, charValue: value };
  weightedKept.set(lines, { weights, out });
  return out;
}
const weightedKept = new WeakMap<EncodedLines, { weights: Float32Array; out: EncodedLines }>();
