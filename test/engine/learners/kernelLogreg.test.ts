import assert from 'node:assert/strict';
import { fitDual, fitLogreg, gram, primal } from '../../../src/engine/learners/kernelLogreg';
import { lcg } from './synthetic';

/** Plain gradient descent on W (nClasses x dim), the textbook form. */
function primalGd(
  X: Float32Array,
  n: number,
  dim: number,
  y: Int32Array,
  w: Float32Array,
  C: number,
  hp: { steps: number; lr: number; weightDecay: number },
) {
  const W = new Float64Array(C * dim);
  const b = new Float64Array(C);
  const wsum = w.reduce((s, v) => s + v, 0);
  for (let step = 0; step < hp.steps; step++) {
    const gW = new Float64Array(C * dim);
    const gb = new Float64Array(C);
    for (let i = 0; i < n; i++) {
      const z = Array.from(
        { length: C },
        (_, c) => b[c] + Array.from({ length: dim }, (_, k) => W[c * dim + k] * X[i * dim + k]).reduce((a, v) => a + v, 0),
      );
      const m = Math.max(...z);
      const e = z.map((v) => Math.exp(v - m));
      const s = e.reduce((a, v) => a + v, 0);
      for (let c = 0; c < C; c++) {
        const g = (w[i] / wsum) * (e[c] / s - (y[i] === c ? 1 : 0));
        gb[c] += g;
        for (let k = 0; k < dim; k++) gW[c * dim + k] += g * X[i * dim + k];
      }
    }
    for (let j = 0; j < W.length; j++) W[j] = W[j] * (1 - hp.lr * hp.weightDecay) - hp.lr * gW[j];
    for (let c = 0; c < C; c++) b[c] -= hp.lr * gb[c];
  }
  return { W, b };
}

describe('logistic regression in the span of the training rows', () => {
  const rnd = lcg(11);
  const n = 9;
  const dim = 7;
  const C = 3;
  const X = Float32Array.from({ length: n * dim }, () => rnd() * 2 - 1);
  const y = Int32Array.from({ length: n }, (_, i) => i % C);
  const w = Float32Array.from({ length: n }, (_, i) => (i < 6 ? 1 : 0.5));
  const hp = { steps: 30, lr: 2, weightDecay: 0.01 };

  it('follows exactly the iterates of plain gradient descent', () => {
    const ref = primalGd(X, n, dim, y, w, C, hp);
    const { A, b } = fitDual(gram(X, n, dim), y, w, C, hp);
    const W = primal(A, X, n, dim, C);
    for (let j = 0; j < W.length; j++) assert.ok(Math.abs(W[j] - ref.W[j]) < 1e-4, `W[${j}] ${W[j]} vs ${ref.W[j]}`);
    for (let c = 0; c < C; c++) assert.ok(Math.abs(b[c] - ref.b[c]) < 1e-6);
  });

  it('fits a separable training set', () => {
    const head = fitLogreg(X, dim, y, new Float32Array(n).fill(1), C, { steps: 200, lr: 5, weightDecay: 0 });
    for (let i = 0; i < n; i++) {
      const z = Array.from(
        { length: C },
        (_, c) => head.b[c] + Array.from({ length: dim }, (_, k) => head.W[c * dim + k] * X[i * dim + k]).reduce((a, v) => a + v, 0),
      );
      assert.equal(z.indexOf(Math.max(...z)), y[i]);
    }
  });
});
