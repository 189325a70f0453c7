// Open-set metrics: AUROC against a brute-force pairwise count, and the recall/precision/kept figures.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { auroc, NO_LABEL, openSetMetrics } from '../../../src/engine/eval/openSet';

/** The definition: P(score of a positive > score of a negative), ties count one half, over all pairs. */
function pairwiseAuroc(scores: number[], positive: boolean[]): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < scores.length; i++) {
    if (!positive[i]) continue;
    for (let j = 0; j < scores.length; j++) {
      if (positive[j]) continue;
      pairs++;
      if (scores[i]! > scores[j]!) wins += 1;
      else if (scores[i] === scores[j]) wins += 0.5;
    }
  }
  return wins / pairs;
}

describe('eval: open-set metrics', () => {
  it('AUROC equals the brute-force pairwise count, ties included', () => {
    fc.assert(
      fc.property(
        // Few distinct values, so that ties are common.
        fc.array(fc.record({ score: fc.integer({ min: 0, max: 6 }), positive: fc.boolean() }), { minLength: 2, maxLength: 60 }),
        (rows) => {
          const scores = rows.map((r) => r.score / 3);
          const positive = rows.map((r) => r.positive);
          const got = auroc(scores, positive);
          if (positive.every(Boolean) || !positive.some(Boolean)) return Number.isNaN(got);
          return Math.abs(got - pairwiseAuroc(scores, positive)) < 1e-12;
        },
      ),
      { numRuns: 300 },
    );
  });

  it('AUROC edge cases: perfect, reversed, all tied, one class only, length mismatch', () => {
    assert.equal(auroc([0.1, 0.2, 0.8, 0.9], [false, false, true, true]), 1);
    assert.equal(auroc([0.1, 0.2, 0.8, 0.9], [true, true, false, false]), 0);
    assert.equal(auroc([0.5, 0.5, 0.5, 0.5], [true, false, true, false]), 0.5);
    assert.ok(Number.isNaN(auroc([0.1, 0.2], [true, true])));
    assert.ok(Number.isNaN(auroc([0.1, 0.2], [false, false])));
    assert.ok(Number.isNaN(auroc([], [])));
    assert.throws(() => auroc([0.1], [true, false]), /1 scores but 2 labels/);
  });

  it('counts recall, precision, kept and accuracy on kept lines', () => {
    // 6 in-scope lines (classes 0..1), 4 out-of-scope ones.
    const truth = Int32Array.from([0, 0, 1, 1, 0, 1, NO_LABEL, NO_LABEL, NO_LABEL, NO_LABEL]);
    // In scope: one abstained (line 5), one wrong (line 3). Out of scope: three caught, one labeled.
    const predicted = Int32Array.from([0, 0, 1, 0, 0, NO_LABEL, NO_LABEL, NO_LABEL, NO_LABEL, 1]);
    const score = [0.1, 0.2, 0.1, 0.3, 0.2, 0.9, 0.8, 0.95, 0.7, 0.4];
    const m = openSetMetrics(truth, predicted, score);
    assert.equal(m.oos_recall, 3 / 4);
    assert.equal(m.oos_precision, 3 / 4);
    assert.equal(m.inscope_kept, 5 / 6);
    assert.equal(m.inscope_accuracy, 4 / 5);
    assert.equal(
      m.auroc,
      pairwiseAuroc(
        score,
        Array.from(truth, (t) => t === NO_LABEL),
      ),
    );
  });

  it('leaves undefined figures NaN instead of inventing them', () => {
    const none = openSetMetrics(Int32Array.from([0, NO_LABEL]), Int32Array.from([0, 1]), [0.2, 0.1]);
    assert.ok(Number.isNaN(none.oos_precision), 'nothing abstained: no precision');
    assert.equal(none.oos_recall, 0);
    assert.equal(none.auroc, 0);
    const all = openSetMetrics(Int32Array.from([0, 1]), Int32Array.from([NO_LABEL, NO_LABEL]), [0.5, 0.5]);
    assert.ok(Number.isNaN(all.inscope_accuracy), 'nothing kept: no accuracy');
    assert.equal(all.inscope_kept, 0);
    assert.ok(Number.isNaN(all.oos_recall), 'no out-of-scope line: no recall');
    assert.throws(() => openSetMetrics(Int32Array.from([0]), Int32Array.from([0, 1]), [0]), /1 truths, 2 predictions/);
  });
});
