import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../../src/engine/tf/backend';
import { MamlLearner, MAML_KINDS, type DenseTask, type MamlConfig } from '../../../src/engine/meta/learner';
import { Rng } from '../../../src/engine/random';
import { D, sampleTask } from './tasks';

const config = (kind: MamlConfig['kind']): MamlConfig => ({ kind, inputDim: D, hidden: [12], steps: 2, innerLr: 0.3, seed: 3 });

function meanLoss(learner: MamlLearner, tasks: DenseTask[]): number {
  let total = 0;
  for (const t of tasks) {
    const probs = learner.adaptAndPredict(t.xs, t.ys, t.nClasses, t.xq);
    t.yq.forEach((y, r) => {
      total -= Math.log(probs[r * t.nClasses + y] + 1e-12);
    });
  }
  return total / tasks.reduce((a, t) => a + t.yq.length, 0);
}

describe('MamlLearner', () => {
  before(async () => {
    await selectBackend('wasm');
  });

  for (const kind of MAML_KINDS) {
    it(`${kind}: meta-training lowers the adapted query loss on held-out tasks, without leaking tensors`, () => {
      const learner = new MamlLearner(config(kind));
      const heldOut = Array.from({ length: 10 }, (_, i) => sampleTask(new Rng(1000 + i)));
      const before = meanLoss(learner, heldOut);
      const rng = new Rng(7);
      const tensors = tf.memory().numTensors;
      for (let s = 0; s < 40; s++) learner.metaTrainStep([sampleTask(rng), sampleTask(rng)], 0.01);
      assert.equal(tf.memory().numTensors, tensors, 'tensors leaked');
      const after = meanLoss(learner, heldOut);
      assert.ok(after < before * 0.9, `${kind}: loss ${before.toFixed(4)} -> ${after.toFixed(4)}`);
      learner.dispose();
    });
  }

  it('returns probability rows that sum to 1, and the same ones after a parameter round trip', () => {
    const a = new MamlLearner(config('metasgd'));
    const t = sampleTask(new Rng(5));
    a.metaTrainStep([t], 0.01);
    const probs = a.adaptAndPredict(t.xs, t.ys, 3, t.xq);
    assert.equal(probs.length, t.yq.length * 3);
    for (let r = 0; r < t.yq.length; r++) assert.ok(Math.abs(probs[3 * r] + probs[3 * r + 1] + probs[3 * r + 2] - 1) < 1e-5);
    const b = new MamlLearner(config('metasgd'), a.getParams());
    assert.deepEqual(Array.from(b.adaptAndPredict(t.xs, t.ys, 3, t.xq)), Array.from(probs));
    assert.deepEqual(b.paramShapes(), [[6, 12], [12], [6, 12], [12], [12, 1], [1]]);
    a.dispose();
    b.dispose();
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const p = (seed: number) => new MamlLearner({ ...config('maml'), seed }).getParams()[0];
    assert.deepEqual(Array.from(p(1)), Array.from(p(1)));
    assert.notDeepEqual(Array.from(p(1)), Array.from(p(2)));
  });

  it('rejects bad input with clear messages', () => {
    assert.throws(() => new MamlLearner({ ...config('maml'), hidden: [] }), /hidden needs at least one layer width/);
    assert.throws(() => new MamlLearner({ ...config('maml'), kind: 'reptile' as never }), /unknown MAML kind 'reptile'/);
    assert.throws(() => new MamlLearner(config('maml'), [new Float32Array(3)]), /expected 2 parameter arrays, got 1/);
    const l = new MamlLearner(config('protomaml'));
    const t = sampleTask(new Rng(1));
    assert.throws(() => l.adaptAndPredict(t.xs, t.ys, 1, t.xq), /need at least 2 classes/);
    assert.throws(() => l.adaptAndPredict(t.xs.subarray(1), t.ys, 3, t.xq), /support has 53 values for 9 rows of 6/);
    assert.throws(
      () =>
        l.adaptAndPredict(
          t.xs,
          Int32Array.from(t.ys, () => 7),
          3,
          t.xq,
        ),
      /label 7 outside 0\.\.2/,
    );
    assert.throws(
      () =>
        l.adaptAndPredict(
          t.xs,
          Int32Array.from(t.ys, (y) => (y === 2 ? 0 : y)),
          3,
          t.xq,
        ),
      /at least one support example per class/,
    );
    const nan = t.xs.slice();
    nan[4] = NaN;
    assert.throws(() => l.adaptAndPredict(nan, t.ys, 3, t.xq), /non-finite feature value at 4/);
    l.dispose();
  });
});
