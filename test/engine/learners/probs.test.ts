// The one argmaxRow of the engine: the largest finite value of a row, the first on ties, -1 for a
// row with nothing finite. Checked against a plain reading of that rule on arbitrary matrices.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { argmaxRow, normalisedEntropy, summarizeProbs } from '../../../src/engine/learners/probs';

function reference(row: number[]): number {
  const finite = row.filter(Number.isFinite);
  if (finite.length === 0) return -1;
  return row.indexOf(Math.max(...finite));
}

describe('argmaxRow', () => {
  it('is the first index of the largest finite value; -1 when the row has none', () => {
    const value = fc.oneof(
      fc.float({ noDefaultInfinity: false, noNaN: false }),
      fc.constantFrom(0, 1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 5 }), fc.infiniteStream(value), (c, n, values) => {
        const matrix = Float32Array.from(values.take(n * c));
        for (let r = 0; r < n; r++) {
          const row = Array.from(matrix.subarray(r * c, (r + 1) * c));
          assert.equal(argmaxRow(matrix, r, c), reference(row), `row ${row.join(', ')}`);
        }
      }),
      { seed: 1, numRuns: 500 },
    );
  });

  it('picks the first of equal maxima and skips NaN wherever it is', () => {
    assert.equal(argmaxRow(Float32Array.of(0.2, 0.4, 0.4), 0, 3), 1);
    assert.equal(argmaxRow(Float32Array.of(Number.NaN, 0.1, 0.3), 0, 3), 2);
    assert.equal(argmaxRow(Float32Array.of(Number.NaN, Number.NaN), 0, 2), -1);
    assert.equal(argmaxRow(Float32Array.of(9, 9, 0.1, 0.7), 1, 2), 1);
  });

  it('summarizeProbs gives each row its argmax, that probability and the normalised entropy; -1 for a row with a non-finite value', () => {
    const p = Float32Array.from([0.2, 0.7, 0.1, 1 / 3, 1 / 3, 1 / 3, 0.5, Number.NaN, 0.5]);
    const s = summarizeProbs(p, 3);
    assert.deepEqual([...s.best], [1, 0, -1]);
    assert.ok(Math.abs(s.confidence[0] - 0.7) < 1e-6);
    assert.ok(Math.abs(s.uncertainty[0] - normalisedEntropy(p, 0, 3)) < 1e-6);
    assert.ok(Math.abs(s.uncertainty[1] - 1) < 1e-6, 'uniform: entropy 1');
  });
});
