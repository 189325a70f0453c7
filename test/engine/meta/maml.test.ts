import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../../src/engine/tf/backend';
import { installSecondOrderGradients, restoreDefaultGradients } from '../../../src/engine/tf/gradients';
import { mlpModel, metaGradient, type MetaGradientOptions, type Task } from '../../../src/engine/meta/maml';
import {
  adaptRef,
  finiteDifferences,
  lossAndGrad,
  metaLossRef,
  randomParams,
  randomTask,
  relativeError,
  type Params,
  type RefHead,
  type RefTask,
} from './reference';

const model = mlpModel('tanh');
// A 4-5-3 tanh network, 3 inner steps: tanh and exp are exactly the kernels whose stock
// gradients cannot be differentiated twice.
const FULL_SHAPES = [[4, 5], [5], [5, 3], [3]];
const BODY_SHAPES = [[4, 5], [5]];
const STEPS = 3;
const LR = 0.6;

function toTensors(params: Params, shapes: number[][]): tf.Tensor[] {
  return params.map((p, i) => tf.tensor(Float32Array.from(p), shapes[i]));
}

function toTask(t: RefTask): Task {
  const oneHot = (y: Int32Array) => tf.cast(tf.oneHot(tf.tensor1d(y, 'int32'), t.nClasses), 'float32') as tf.Tensor2D;
  return {
    xs: tf.tensor2d(Float32Array.from(t.xs), [t.ys.length, t.inputDim]),
    ys: oneHot(t.ys),
    xq: tf.tensor2d(Float32Array.from(t.xq), [t.yq.length, t.inputDim]),
    yq: oneHot(t.yq),
  };
}

function arrays(ts: tf.Tensor[]): Float32Array[] {
  return ts.map((t) => t.dataSync() as Float32Array);
}

/** Runs metaGradient on tensors made from float64 values and returns plain arrays, leaving no tensor behind. */
function tfMetaGradient(params: Params, shapes: number[][], task: RefTask, opts: MetaGradientOptions, lrs?: Params) {
  const p = toTensors(params, shapes);
  const rates = lrs
    ? toTensors(
        lrs,
        lrs.map((l, i) => (i < shapes.length ? shapes[i] : [l.length])),
      )
    : undefined;
  const t = toTask(task);
  try {
    const g = metaGradient(model, p, [t], { ...opts, perParamLrs: rates });
    const out = { loss: g.loss, grads: arrays(g.grads), lrGrads: g.lrGrads ? arrays(g.lrGrads) : undefined };
    tf.dispose([...g.grads, ...(g.lrGrads ?? [])]);
    return out;
  } finally {
    tf.dispose([...p, ...(rates ?? []), t.xs, t.ys, t.xq, t.yq]);
  }
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`MAML meta-gradients against float64 finite differences (${backend})`, () => {
    const task = randomTask(4, 3, 2, 3, 11);
    const params = randomParams(FULL_SHAPES, 5);
    const fdSecondOrder = finiteDifferences(params, (p) => metaLossRef(p, task, STEPS, LR, 'none'));

    before(async () => {
      assert.equal((await selectBackend(backend)).name, backend);
      installSecondOrderGradients();
    });

    it('second-order MAML matches finite differences', () => {
      const got = tfMetaGradient(params, FULL_SHAPES, task, { steps: STEPS, innerLr: LR });
      assert.ok(Math.abs(got.loss - metaLossRef(params, task, STEPS, LR, 'none')) < 1e-5, `loss ${got.loss}`);
      const err = relativeError(got.grads, fdSecondOrder);
      assert.ok(err < 1e-5, `relative error ${err}`);
    });

    it('first-order MAML is the query gradient at the adapted weights, measurably unlike second order', () => {
      const got = tfMetaGradient(params, FULL_SHAPES, task, { steps: STEPS, innerLr: LR, firstOrder: true });
      const fast = adaptRef(params, task, STEPS, LR, 'none');
      const expected = lossAndGrad(fast, task.xq, task.yq, task.inputDim).grads;
      assert.ok(relativeError(got.grads, expected) < 1e-5, `first-order error ${relativeError(got.grads, expected)}`);
      const gap = relativeError(got.grads, fdSecondOrder);
      assert.ok(gap > 0.2, `first- and second-order differ by only ${gap}`);
    });

    it('Meta-SGD: gradients of the weights and of the per-parameter rates match finite differences', () => {
      const lrs = randomParams(FULL_SHAPES, 9, 0.3).map((l) => l.map((v) => 0.5 + v));
      const got = tfMetaGradient(params, FULL_SHAPES, task, { steps: STEPS, learnLrs: true }, lrs);
      const all = finiteDifferences([...params, ...lrs], (x) => metaLossRef(x.slice(0, 4), task, STEPS, x.slice(4), 'none'));
      assert.ok(relativeError(got.grads, all.slice(0, 4)) < 1e-5, 'weights');
      const lrErr = relativeError(got.lrGrads ?? [], all.slice(4));
      assert.ok(lrErr < 1e-5, `rate gradient error ${lrErr}`);
    });

    for (const head of ['proto', 'zero'] as const) {
      it(`second-order with a ${head}-initialised head matches finite differences`, () => {
        const body = randomParams(BODY_SHAPES, 21);
        const got = tfMetaGradient(body, BODY_SHAPES, task, { steps: STEPS, innerLr: LR, headInit: head });
        const fd = finiteDifferences(body, (p) => metaLossRef(p, task, STEPS, LR, head as RefHead));
        const err = relativeError(got.grads, fd);
        assert.ok(err < 1e-5, `relative error ${err}`);
      });
    }

    it('leaves no tensor behind', () => {
      const p = toTensors(params, FULL_SHAPES);
      const t = toTask(task);
      const before = tf.memory().numTensors;
      for (const firstOrder of [false, true]) {
        const g = metaGradient(model, p, [t, t], { steps: STEPS, innerLr: LR, firstOrder, headInit: 'proto' });
        tf.dispose(g.grads);
      }
      assert.equal(tf.memory().numTensors, before);
      tf.dispose([...p, t.xs, t.ys, t.xq, t.yq]);
    });

    describe('without installSecondOrderGradients', () => {
      after(() => installSecondOrderGradients());

      it('the stock tfjs gradients give a wrong second-order meta-gradient (or throw)', () => {
        restoreDefaultGradients();
        let err: number;
        try {
          const got = tfMetaGradient(params, FULL_SHAPES, task, { steps: STEPS, innerLr: LR, ensureSecondOrderGradients: false });
          err = relativeError(got.grads, fdSecondOrder);
        } catch (e) {
          assert.match(String(e), /Cannot compute gradient|gradient/i);
          return;
        }
        assert.ok(err > 1e-2, `stock gradients were right to ${err}: the fix would be unnecessary`);
      });
    });
  });
}
