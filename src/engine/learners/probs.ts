// Turning scores into probabilities and uncertainty.
import type { LineSummaries } from '../types';

/** In-place row-wise softmax of `temperature * logits` (n x c). */
export function softmaxRows(logits: Float32Array, c: number, temperature = 1): Float32Array {
  for (let o = 0; o < logits.length; o += c) {
    let max = -Infinity;
    for (let j = 0; j < c; j++) max = Math.max(max, temperature * logits[o + j]);
    let sum = 0;
    for (let j = 0; j < c; j++) {
      const e = Math.exp(temperature * logits[o + j] - max);
      logits[o + j] = e;
      sum += e;
    }
    for (let j = 0; j < c; j++) logits[o + j] /= sum;
  }
  return logits;
}

/**
 * Index of the largest finite value in row `row` of a row-major n x c matrix, the first on ties;
 * -1 when no value of the row is finite (a broken row names no class rather than class 0).
 */
export function argmaxRow(p: Float32Array, row: number, c: number): number {
  let best = -1;
  let bestValue = -Infinity;
  for (let j = 0; j < c; j++) {
    const v = p[row * c + j];
    if (Number.isFinite(v) && v > bestValue) {
      bestValue = v;
      best = j;
    }
  }
  return best;
}

/** Normalised entropy: 0 when sure, 1 when uniform. */
export function normalisedEntropy(p: Float32Array, row: number, c: number): number {
  if (c < 2) return 0;
  let h = 0;
  for (let j = 0; j < c; j++) {
    const v = p[row * c + j];
    if (v > 0) h -= v * Math.log(v);
  }
  return h / Math.log(c);
}

/**
 * Each row's most probable class, its probability and normalised entropy; a row with a value
 * that is not finite gets best -1.
 */
export function summarizeProbs(p: Float32Array, c: number): LineSummaries {
  const n = c > 0 ? p.length / c : 0;
  const out = { best: new Int32Array(n), confidence: new Float32Array(n), uncertainty: new Float32Array(n) };
  for (let i = 0; i < n; i++) {
    let finite = true;
    for (let j = 0; j < c; j++) if (!Number.isFinite(p[i * c + j])) finite = false;
    const best = finite ? argmaxRow(p, i, c) : -1;
    out.best[i] = best;
    if (best < 0) continue;
    out.confidence[i] = p[i * c + best];
    out.uncertainty[i] = normalisedEntropy(p, i, c);
  }
  return out;
}
