// Float64 reference for the MAML tests: a tanh MLP, its analytic gradient and the inner SGD
// loop written out in plain JS, so meta-gradients can be checked by central finite differences.
import { Rng } from '../../../src/engine/random';

export type Params = Float64Array[]; // [W1 (in x h) row-major, b1, W2, b2, ...]

export interface RefTask {
  xs: Float64Array;
  ys: Int32Array;
  xq: Float64Array;
  yq: Int32Array;
  inputDim: number;
  nClasses: number;
}

function layerDims(params: Params, inputDim: number): Array<[number, number]> {
  const dims: Array<[number, number]> = [];
  let fanIn = inputDim;
  for (let l = 0; l < params.length; l += 2) {
    const fanOut = params[l + 1].length;
    dims.push([fanIn, fanOut]);
    fanIn = fanOut;
  }
  return dims;
}

/** Activations of every layer (tanh on all but the last when `lastLinear`). */
function forwardAll(params: Params, x: Float64Array, n: number, inputDim: number, lastLinear: boolean): Float64Array[] {
  const outs: Float64Array[] = [x];
  const dims = layerDims(params, inputDim);
  let h = x;
  dims.forEach(([fi, fo], l) => {
    const w = params[2 * l],
      b = params[2 * l + 1];
    const z = new Float64Array(n * fo);
    for (let r = 0; r < n; r++)
      for (let j = 0; j < fo; j++) {
        let s = b[j];
        for (let i = 0; i < fi; i++) s += h[r * fi + i] * w[i * fo + j];
        z[r * fo + j] = lastLinear && l === dims.length - 1 ? s : Math.tanh(s);
      }
    outs.push(z);
    h = z;
  });
  return outs;
}

export function embed(body: Params, x: Float64Array, n: number, inputDim: number): Float64Array {
  const outs = forwardAll(body, x, n, inputDim, false);
  return outs[outs.length - 1];
}

/** Mean cross-entropy and its gradient with respect to every parameter. */
export function lossAndGrad(params: Params, x: Float64Array, y: Int32Array, inputDim: number): { loss: number; grads: Params } {
  const n = y.length;
  const outs = forwardAll(params, x, n, inputDim, true);
  const dims = layerDims(params, inputDim);
  const c = dims[dims.length - 1][1];
  const logits = outs[outs.length - 1];
  let loss = 0;
  let delta = new Float64Array(n * c);
  for (let r = 0; r < n; r++) {
    let m = -Infinity;
    for (let j = 0; j < c; j++) m = Math.max(m, logits[r * c + j]);
    let s = 0;
    for (let j = 0; j < c; j++) s += Math.exp(logits[r * c + j] - m);
    loss += -(logits[r * c + y[r]] - m - Math.log(s)) / n;
    for (let j = 0; j < c; j++) delta[r * c + j] = (Math.exp(logits[r * c + j] - m) / s - (j === y[r] ? 1 : 0)) / n;
  }
  const grads: Params = params.map((p) => new Float64Array(p.length));
  for (let l = dims.length - 1; l >= 0; l--) {
    const [fi, fo] = dims[l];
    const h = outs[l];
    const w = params[2 * l];
    for (let r = 0; r < n; r++)
      for (let j = 0; j < fo; j++) {
        const d = delta[r * fo + j];
        grads[2 * l + 1][j] += d;
        for (let i = 0; i < fi; i++) grads[2 * l][i * fo + j] += h[r * fi + i] * d;
      }
    if (l === 0) break;
    const prev = new Float64Array(n * fi);
    for (let r = 0; r < n; r++)
      for (let i = 0; i < fi; i++) {
        let s = 0;
        for (let j = 0; j < fo; j++) s += delta[r * fo + j] * w[i * fo + j];
        const a = h[r * fi + i];
        prev[r * fi + i] = s * (1 - a * a);
      }
    delta = prev;
  }
  return { loss, grads };
}

export type RefHead = 'none' | 'zero' | 'proto';

export function initialFast(params: Params, task: RefTask, head: RefHead): Params {
  if (head === 'none') return params;
  const n = task.ys.length,
    c = task.nClasses;
  const width = params[params.length - 1].length;
  if (head === 'zero') return [...params, new Float64Array(width * c), new Float64Array(c)];
  const e = embed(params, task.xs, n, task.inputDim);
  const proto = new Float64Array(c * width);
  const counts = new Float64Array(c);
  for (let r = 0; r < n; r++) {
    counts[task.ys[r]]++;
    for (let k = 0; k < width; k++) proto[task.ys[r] * width + k] += e[r * width + k];
  }
  const w = new Float64Array(width * c),
    b = new Float64Array(c);
  for (let j = 0; j < c; j++)
    for (let k = 0; k < width; k++) {
      const p = proto[j * width + k] / counts[j];
      w[k * c + j] = 2 * p;
      b[j] -= p * p;
    }
  return [...params, w, b];
}

/** Fast weights after `steps` SGD steps; `lrs` (Meta-SGD, same shapes as the fast weights) or a scalar rate. */
export function adaptRef(params: Params, task: RefTask, steps: number, lr: number | Params, head: RefHead): Params {
  let fast = initialFast(params, task, head);
  for (let s = 0; s < steps; s++) {
    const { grads } = lossAndGrad(fast, task.xs, task.ys, task.inputDim);
    fast = fast.map((p, i) => p.map((v, k) => v - (typeof lr === 'number' ? lr : lr[i][k]) * grads[i][k]));
  }
  return fast;
}

export function metaLossRef(params: Params, task: RefTask, steps: number, lr: number | Params, head: RefHead): number {
  return lossAndGrad(adaptRef(params, task, steps, lr, head), task.xq, task.yq, task.inputDim).loss;
}

/** Central finite differences of `f` with respect to every entry of `xs`. */
export function finiteDifferences(xs: Params, f: (xs: Params) => number, eps = 1e-6): Params {
  return xs.map((x, i) =>
    x.map((_, k) => {
      const plus = xs.map((a) => a.slice()),
        minus = xs.map((a) => a.slice());
      plus[i][k] += eps;
      minus[i][k] -= eps;
      return (f(plus) - f(minus)) / (2 * eps);
    }),
  );
}

export function relativeError(a: ArrayLike<number>[], b: ArrayLike<number>[]): number {
  let diff = 0,
    norm = 0;
  a.forEach((x, i) => {
    for (let k = 0; k < x.length; k++) {
      diff += (x[k] - b[i][k]) ** 2;
      norm += b[i][k] ** 2;
    }
  });
  return Math.sqrt(diff / norm);
}

export function randomParams(shapes: number[][], seed: number, scale = 0.8): Params {
  const rng = new Rng(seed);
  return shapes.map((s) => Float64Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => rng.uniform(-scale, scale)));
}

export function randomTask(inputDim: number, nClasses: number, shots: number, queries: number, seed: number): RefTask {
  const rng = new Rng(seed);
  const centres = Array.from({ length: nClasses }, () => Array.from({ length: inputDim }, () => rng.uniform(-1, 1)));
  const sample = (count: number) => {
    const x = new Float64Array(count * nClasses * inputDim);
    const y = new Int32Array(count * nClasses);
    for (let r = 0; r < y.length; r++) {
      y[r] = r % nClasses;
      for (let k = 0; k < inputDim; k++) x[r * inputDim + k] = centres[y[r]][k] + rng.uniform(-0.7, 0.7);
    }
    return { x, y };
  };
  const s = sample(shots),
    q = sample(queries);
  return { xs: s.x, ys: s.y, xq: q.x, yq: q.y, inputDim, nClasses };
}
