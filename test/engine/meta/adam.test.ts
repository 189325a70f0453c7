// The one Adam helper. Its arithmetic must be exactly the meta-training's earlier inline update
// (float64, same order of operations), or `npm run train-model` would stop reproducing the
// shipped checkpoint bit for bit; checked against that formula, written out, over many steps.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { adamStep } from '../../../src/engine/meta/adam';

/** The update as metaHyper.ts wrote it inline before the helper existed. */
function inlineAdam(theta: number[], m: number[], v: number[], grads: number[], step: number, lr: number): void {
  const b1 = 0.9;
  const b2 = 0.999;
  theta.forEach((_, i) => {
    const g = Number.isFinite(grads[i]!) ? grads[i]! : 0;
    m[i] = b1 * m[i]! + (1 - b1) * g;
    v[i] = b2 * v[i]! + (1 - b2) * g * g;
    const mh = m[i]! / (1 - b1 ** step);
    const vh = v[i]! / (1 - b2 ** step);
    theta[i]! -= (lr * mh) / (Math.sqrt(vh) + 1e-8);
  });
}

describe('adamStep', () => {
  it('is bit for bit the inline update the shipped checkpoint was trained with', () => {
    const gradient = fc.oneof(fc.double({ min: -10, max: 10, noNaN: true }), fc.constant(Number.NaN));
    fc.assert(
      fc.property(fc.array(fc.array(gradient, { minLength: 7, maxLength: 7 }), { minLength: 1, maxLength: 60 }), (steps) => {
        const a = { theta: [0.1, -2, 3, 0, 1e-3, 5, -0.5], m: new Array(7).fill(0), v: new Array(7).fill(0) };
        const b = { theta: Float64Array.from(a.theta), m: new Array(7).fill(0), v: new Array(7).fill(0) };
        steps.forEach((g, s) => {
          inlineAdam(a.theta, a.m, a.v, g, s + 1, 0.03);
          adamStep(b.theta, b.m, b.v, g, s + 1, 0.03);
        });
        assert.deepEqual(Array.from(b.theta), a.theta);
        assert.deepEqual(b.m, a.m);
        assert.deepEqual(b.v, a.v);
      }),
      { seed: 7, numRuns: 200 },
    );
  });

  it('moves each parameter against its gradient, by about lr on the first step', () => {
    const p = Float32Array.of(1, 1);
    adamStep(p, new Float32Array(2), new Float32Array(2), [2, -0.5], 1, 0.1);
    assert.ok(Math.abs(p[0]! - 0.9) < 1e-6 && Math.abs(p[1]! - 1.1) < 1e-6, `${Array.from(p)}`);
  });
});
