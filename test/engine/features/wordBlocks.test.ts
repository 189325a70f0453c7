import assert from 'node:assert/strict';
import fc from 'fast-check';
import { WordBlocks } from '../../../src/engine/features/wordBlocks';
import { serializeVectorTable } from '../../../src/engine/text/vectorTable';
import { WordVectors } from '../../../src/engine/text/wordVectors';

/** Word vectors of `size` made-up words (the table as stored: int8-quantised). */
function vectorsOf(size: number, dim: number, value: (i: number) => number): WordVectors {
  const words = Array.from({ length: size }, (_, i) => `w${i}`);
  return WordVectors.fromBuffer(
    serializeVectorTable(
      words,
      dim,
      Float32Array.from({ length: size * dim }, (_, i) => value(i)),
    ),
  );
}

describe('WordBlocks', () => {
  it('runs in WebAssembly SIMD in Node, for a batch of 256 lines or more', () => {
    const blocks = new WordBlocks(vectorsOf(2, 4, (i) => i));
    assert.equal(blocks.kind(256), 'wasm-simd');
    assert.equal(blocks.kind(255), 'js');
    assert.equal(
      new WordBlocks(
        vectorsOf(2, 4, (i) => i),
        false,
      ).kind(1000),
      'js',
    );
  });

  it('gives the same floats in WebAssembly and in JS: the SIF-weighted mean of known words, zeros for none', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }).map((k) => 4 * k),
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.array(fc.nat(), { maxLength: 9 }), { minLength: 256, maxLength: 300 }),
        fc.integer(),
        (dim, size, lines, seed) => {
          let state = seed >>> 0;
          const rand = () => {
            state = (Math.imul(state, 1103515245) + 12345) >>> 0;
            return state / 4294967296;
          };
          const vectors = vectorsOf(size, dim, () => 4 * rand() - 2);
          const table = Float32Array.from(vectors.vectors);
          const offsets = new Int32Array(lines.length + 1);
          lines.forEach((l, i) => {
            offsets[i + 1] = offsets[i] + l.length;
          });
          const rows = Int32Array.from(lines.flat(), (r) => r % size);
          const weights = Float32Array.from(rows, () => rand());
          const tokens = { n: lines.length, offsets, rows, weights };
          const a = new Float32Array(3 + lines.length * dim);
          const b = new Float32Array(3 + lines.length * dim);
          new WordBlocks(vectors).compute(tokens, a, 3);
          new WordBlocks(vectors, false).compute(tokens, b, 3);
          assert.deepEqual(Float32Array.from(vectors.vectors), table, 'the vectors read the same from the module memory');
          assert.deepEqual(a, b);
          // Line by line, what the mean is.
          lines.forEach((l, i) => {
            for (let j = 0; j < dim; j++) {
              let s = 0;
              for (let t = offsets[i]; t < offsets[i + 1]; t++) s += weights[t] * table[rows[t] * dim + j];
              assert.equal(a[3 + i * dim + j], Math.fround(l.length > 0 ? s / l.length : 0));
            }
          });
          return a[0] === 0 && a[1] === 0 && a[2] === 0;
        },
      ),
      { numRuns: 60 },
    );
  });

  it('handles more lines than one WebAssembly call takes', () => {
    const dim = 8;
    const vectors = vectorsOf(3, dim, (i) => i / 7);
    const n = 10_000;
    const offsets = Int32Array.from({ length: n + 1 }, (_, i) => 2 * i);
    const rows = Int32Array.from({ length: 2 * n }, (_, t) => t % 3);
    const weights = Float32Array.from({ length: 2 * n }, (_, t) => 1 + (t % 5));
    const a = new Float32Array(n * dim);
    const b = new Float32Array(n * dim);
    new WordBlocks(vectors).compute({ n, offsets, rows, weights }, a, 0);
    new WordBlocks(vectors, false).compute({ n, offsets, rows, weights }, b, 0);
    assert.deepEqual(a, b);
  });
});
