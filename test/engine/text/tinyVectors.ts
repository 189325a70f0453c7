// A tiny, generated word-vector table for tests (no dependence on models/vectors.bin).
import { serializeVectorTable } from '../../../src/engine/text/vectorTable';
import { WordVectors } from '../../../src/engine/text/wordVectors';

export const TINY_WORDS = [
  'the',
  'to',
  'my',
  'card',
  'balance',
  'transfer',
  'money',
  'lost',
  'account',
  'flight',
  'book',
  'weather',
  'café',
];
export const TINY_DIM = 8;

/** Deterministic pseudo-random values in [-1, 1) (a small LCG; tests need no real semantics). */
export function tinyMatrix(rows: number, dim: number, seed = 7): Float32Array {
  const out = new Float32Array(rows * dim);
  let s = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

export function tinyTableBytes(): Uint8Array {
  return serializeVectorTable(TINY_WORDS, TINY_DIM, tinyMatrix(TINY_WORDS.length, TINY_DIM));
}

export function tinyVectors(): WordVectors {
  return WordVectors.fromBuffer(tinyTableBytes(), 'tiny table');
}
