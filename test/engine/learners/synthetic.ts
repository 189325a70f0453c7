// Synthetic encoded lines for learner tests: classes are clusters in both feature blocks.
import type { EncodedLines } from '../../../src/engine/types';
import type { LabelSets } from '../../../src/engine/learners/multiLabel';

export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** n lines; line i belongs to class labels[i]; `noise` blurs the clusters. */
export function clusteredLines(
  labels: ArrayLike<number>,
  nClasses: number,
  seed: number,
  noise = 0.6,
  wordDim = 6,
  charDim = 32,
): EncodedLines {
  const rnd = lcg(seed);
  const centres = lcg(99);
  const wordCentres = Array.from({ length: nClasses }, () => Array.from({ length: wordDim }, () => centres() * 2 - 1));
  const n = labels.length;
  const word = new Float32Array(n * wordDim);
  const offsets = new Int32Array(n + 1);
  const index: number[] = [];
  const value: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    for (let j = 0; j < wordDim; j++) word[i * wordDim + j] = wordCentres[c][j] + noise * (rnd() * 2 - 1);
    // Each class owns a few char buckets; noise adds random others.
    const buckets = new Map<number, number>();
    for (let k = 0; k < 3; k++) buckets.set((c * 5 + k) % charDim, 1 + rnd());
    for (let k = 0; k < 3; k++) if (rnd() < noise) buckets.set(Math.floor(rnd() * charDim), rnd());
    const sorted = [...buckets.entries()].sort((a, b) => a[0] - b[0]);
    const norm = Math.sqrt(sorted.reduce((s, [, v]) => s + v * v, 0));
    for (const [k, v] of sorted) {
      index.push(k);
      value.push(v / norm);
    }
    offsets[i + 1] = index.length;
  }
  return { n, wordDim, word, charDim, charOffsets: offsets, charIndex: Int32Array.from(index), charValue: Float32Array.from(value) };
}

export const repeatLabels = (nClasses: number, perClass: number) =>
  Int32Array.from({ length: nClasses * perClass }, (_, i) => i % nClasses);

/** Lines from their word blocks (n x wordDim) and each line's char buckets, each bucket 1/sqrt(count) (unit length). */
export function withCharBuckets(word: Float32Array, wordDim: number, charDim: number, buckets: number[][]): EncodedLines {
  const offsets = new Int32Array(buckets.length + 1);
  const index: number[] = [];
  const value: number[] = [];
  buckets.forEach((line, i) => {
    const sorted = [...new Set(line)].sort((a, b) => a - b);
    for (const k of sorted) {
      index.push(k);
      value.push(1 / Math.sqrt(sorted.length));
    }
    offsets[i + 1] = index.length;
  });
  return {
    n: buckets.length,
    wordDim,
    word,
    charDim,
    charOffsets: offsets,
    charIndex: Int32Array.from(index),
    charValue: Float32Array.from(value),
  };
}

/** Multi-label sets (row-major lines x L) from each line's label indices. */
export function labelSets(sets: number[][], L: number): LabelSets {
  const member = new Uint8Array(sets.length * L);
  sets.forEach((set, i) => {
    for (const l of set) member[i * L + l] = 1;
  });
  return { n: sets.length, nLabels: L, member };
}
