import assert from 'node:assert/strict';
import { mean, pairedDifference, sampleSd, summarize } from '../../../src/engine/eval';

describe('eval: stats', () => {
  it('computes mean, sample sd and the 95% half-width on known values', () => {
    const xs = [2, 4, 4, 4, 5, 5, 7, 9];
    assert.equal(mean(xs), 5);
    assert.ok(Math.abs(sampleSd(xs) - Math.sqrt(32 / 7)) < 1e-12);
    const s = summarize(xs);
    assert.ok(Math.abs(s.ci95 - (1.96 * Math.sqrt(32 / 7)) / Math.sqrt(8)) < 1e-12);
    assert.equal(s.n, 8);
  });

  it('gives a zero-width interval for one value or constant values, never NaN', () => {
    assert.deepEqual(summarize([0.7]), { mean: 0.7, ci95: 0, n: 1 });
    assert.equal(summarize([0.5, 0.5, 0.5]).ci95, 0);
    assert.throws(() => mean([]), RangeError);
  });

  it('pairs differences episode by episode', () => {
    const d = pairedDifference([0.9, 0.8, 1.0], [0.7, 0.6, 0.8]);
    assert.ok(Math.abs(d.mean - 0.2) < 1e-12);
    assert.ok(d.ci95 < 1e-12, 'a constant paired gain has no spread');
    assert.throws(() => pairedDifference([1], [1, 2]), /differ in length/);
  });
});
