// Per-document calibration of the abstention threshold: the folds over the labeled lines, the
// threshold from their held-out scores, and held-out scoring itself on synthetic clusters.
import assert from 'node:assert/strict';
import { type AbstainParams, outOfScopeProbability, AbstainFeatures } from '../../../src/engine/abstention/abstainer';
import {
  CALIBRATION_FOLDS,
  IN_SCOPE_KEPT,
  calibratedThreshold,
  calibrationFolds,
  heldOutLogits,
} from '../../../src/engine/abstention/calibrate';
import { HAND_SET, LogregMethod } from '../../../src/engine/learners/adaptation';
import { selectRows } from '../../../src/engine/learners/featureView';
import { clusteredLines, repeatLabels } from '../learners/synthetic';

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

describe('abstention: per-document calibration', () => {
  it('deals each label round-robin over the folds, the background in none', () => {
    // Labels 0 and 1 with three lines each, the background (2) with two.
    const labels = Int32Array.from([0, 1, 2, 0, 1, 2, 0, 1]);
    const folds = calibrationFolds(labels, 2);
    assert.ok(folds);
    assert.equal(folds.length, CALIBRATION_FOLDS);
    assert.deepEqual(
      folds.map((f) => [...f]),
      [
        [0, 1],
        [3, 4],
        [6, 7],
      ],
    );
  });

  it('uses as many folds as the fewest lines of a label allow, none below two', () => {
    assert.equal(calibrationFolds(Int32Array.from([0, 0, 1, 1, 0, 0]), undefined)?.length, 2);
    // A label with one line cannot be held out: no calibration.
    assert.equal(calibrationFolds(Int32Array.from([0, 0, 1]), undefined), undefined);
    assert.equal(calibrationFolds(Int32Array.from([2, 2]), 2), undefined);
  });

  it('raises the trained threshold to keep IN_SCOPE_KEPT of the held-out lines, never lowers it', () => {
    // Held-out labeled lines that read high (text unlike the training queries).
    const heldOut = Float64Array.from({ length: 50 }, (_, i) => -1 + i * 0.1);
    const raised = calibratedThreshold(0.3, heldOut);
    const kept = [...heldOut].filter((z) => sigmoid(z) < raised).length / heldOut.length;
    assert.ok(kept >= IN_SCOPE_KEPT - 1 / heldOut.length && kept < 1, `kept ${kept} at ${raised}`);
    assert.ok(raised > 0.3);
    // Lines that read low leave the trained threshold as it is; no lines, too.
    assert.equal(calibratedThreshold(0.6, Float64Array.from([-3, -2.5, -2])), 0.6);
    assert.equal(calibratedThreshold(0.6, new Float64Array(0)), 0.6);
  });

  describe('held-out scores of the labeled lines', () => {
    // Three labels, six lines each, as synthetic clusters; the queries of the same clusters are in scope.
    const C = 3;
    const all = clusteredLines(repeatLabels(C, 6), C, 1, 0.6);
    const supportLabels = repeatLabels(C, 6);
    const queries = clusteredLines(repeatLabels(C, 30), C, 2, 0.6);
    const centre = { word: new Float32Array(all.wordDim), char: new Float32Array(all.charDim) };
    const method = new LogregMethod('logreg', { ...HAND_SET, rounds: [] }, false, centre);
    const classifier = method.adapt(all, supportLabels, C);
    const input = { classifier, support: all, supportLabels, nClasses: C };
    // A rule that reads the classifier's confidence and the nearest labeled line.
    const params: AbstainParams = {
      features: ['maxProb', 'nearestWord'],
      mean: [0, 0],
      scale: [1, 1],
      weights: [-4, -4],
      bias: 0,
      threshold: 0.5,
    };
    const refit = (keep: Int32Array, held: Int32Array) => {
      const classifier = method.adapt(
        selectRows(all, keep),
        Int32Array.from(keep, (i) => supportLabels[i]!),
        C,
      );
      return { classifier, heldProbs: classifier.predictProbs(selectRows(all, held)) };
    };

    it('scores every in-scope labeled line once, each by a classifier fitted without it', () => {
      let refits = 0;
      const heldOut = heldOutLogits(params, input, centre, (keep, held) => {
        refits++;
        assert.equal(keep.length, all.n - all.n / CALIBRATION_FOLDS);
        assert.equal(held.length, all.n / CALIBRATION_FOLDS);
        return refit(keep, held);
      });
      assert.equal(heldOut.length, all.n);
      assert.equal(refits, CALIBRATION_FOLDS);
    });

    it('reads like unseen in-scope lines, where the labeled lines themselves read inflated', () => {
      const features = new AbstainFeatures(input, centre);
      const pOf = (lines: typeof all) => outOfScopeProbability(params, features.compute(lines), lines.n);
      const median = (xs: ArrayLike<number>) => Float64Array.from(xs).sort()[Math.floor(xs.length / 2)]!;
      const onQueries = median(pOf(queries));
      const onTrained = median(pOf(all));
      const heldOut = median(Float64Array.from(heldOutLogits(params, input, centre, refit), sigmoid));
      // Trained-on lines look more in scope than unseen ones; held out, they are scored like the unseen.
      assert.ok(onTrained < onQueries, `trained ${onTrained} vs queries ${onQueries}`);
      assert.ok(
        Math.abs(heldOut - onQueries) < Math.abs(onTrained - onQueries),
        `held out ${heldOut}, queries ${onQueries}, trained ${onTrained}`,
      );
    });
  });
});
