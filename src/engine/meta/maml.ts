// The MAML family over functional models (learn2learn's split: `adapt` gives fast weights,
// the meta-gradient differentiates through it). Second order is exact: nested tf.grads through
// the inner SGD steps, with the gradients made twice-differentiable by installSecondOrderGradients.
import * as tf from '@tensorflow/tfjs-core';
import { crossEntropy, installSecondOrderGradients } from '../tf/gradients';
import { mlpEmbed, mlpForward, type Activation } from '../tf/functional';

/** A model as pure functions of a flat parameter list. */
export interface MetaModel {
  /** Logits from the full parameter list (body, then head when there is one). */
  forward(params: tf.Tensor[], x: tf.Tensor): tf.Tensor2D;
  /** The embedding a head sits on, from the body parameters (needed by `headInit`). */
  embed(body: tf.Tensor[], x: tf.Tensor): tf.Tensor2D;
}

export function mlpModel(activation: Activation): MetaModel {
  return {
    forward: (params, x) => mlpForward(params, x, activation),
    embed: (body, x) => mlpEmbed(body, x, activation),
  };
}

/**
 * How the N-way head is made for a task when `params` hold only the body:
 * `zero`: a zero linear head; `proto`: Proto-MAML, W = 2 * prototype, b = -|prototype|^2.
 */
export type HeadInit = 'zero' | 'proto';

/** How the inner loop adapts a task's fast weights. */
export interface InnerLoopOptions {
  steps: number;
  /** Plain SGD rate (used when `perParamLrs` is absent). */
  innerLr?: number;
  /** Meta-SGD: one rate tensor per fast parameter, broadcast against it. */
  perParamLrs?: tf.Tensor[];
  /** Treat the inner-loop gradients as constants (first-order MAML). */
  firstOrder?: boolean;
  headInit?: HeadInit;
}

export interface Task {
  xs: tf.Tensor2D;
  /** One-hot support labels (n x nClasses). */
  ys: tf.Tensor2D;
  xq: tf.Tensor2D;
  yq: tf.Tensor2D;
}

/** Body + head for the task; differentiable with respect to the body. */
export function initialFastWeights(
  model: MetaModel,
  params: tf.Tensor[],
  xs: tf.Tensor2D,
  ys: tf.Tensor2D,
  headInit?: HeadInit,
): tf.Tensor[] {
  if (!headInit) return params;
  const nClasses = ys.shape[1];
  if (headInit === 'zero') {
    const width = params.length > 0 ? params[params.length - 1].shape[0] : xs.shape[1];
    return [...params, tf.zeros([width, nClasses]), tf.zeros([nClasses])];
  }
  const embedding = model.embed(params, xs);
  const counts = tf.sum(ys, 0);
  if (tf.min(counts).dataSync()[0] <= 0) throw new Error('Proto-MAML needs at least one support example per class');
  const prototypes = tf.div(tf.matMul(ys, embedding, true, false), tf.reshape(counts, [nClasses, 1]));
  return [...params, tf.mul(2, tf.transpose(prototypes)), tf.neg(tf.sum(tf.square(prototypes), 1))];
}

/**
 * Gradient of the support loss with respect to each fast weight on its own. tfjs nests tapes
 * in one shared tape, so when one fast weight is computed from another (the Proto-MAML head from
 * the body) tf.grads would return total derivatives through that link. Identity copies are fresh
 * leaves for this gradient while staying connected for the outer one.
 */
function supportGradients(model: MetaModel, fast: tf.Tensor[], xs: tf.Tensor2D, ys: tf.Tensor2D): tf.Tensor[] {
  return tf.grads((...p: tf.Tensor[]) => crossEntropy(model.forward(p, xs), ys))(fast.map((p) => tf.clone(p)));
}

function rate(opts: InnerLoopOptions, i: number): tf.Tensor | number {
  if (opts.perParamLrs) return opts.perParamLrs[i];
  if (opts.innerLr === undefined) throw new Error('adapt needs innerLr or perParamLrs');
  return opts.innerLr;
}

/** A copy with no history: the tape cannot reach through it. */
function detach(t: tf.Tensor): tf.Tensor {
  return tf.tensor(t.dataSync(), t.shape, 'float32');
}

/**
 * The inner loop, the one place its steps are written: `steps` times, every fast weight minus its
 * rate times the support-loss gradient. `onTape`: the steps stay on the gradient tape, so an outer
 * gradient flows through every one of them (second order). Otherwise they run on detached copies,
 * each step in its own tf.tidy, disposing the weights it replaces; `gradientSum` then holds the
 * inner gradients summed over the steps (constants: what first order needs).
 */
function innerLoop(
  model: MetaModel,
  init: tf.Tensor[],
  xs: tf.Tensor2D,
  ys: tf.Tensor2D,
  opts: InnerLoopOptions,
  onTape: boolean,
): { fast: tf.Tensor[]; gradientSum: tf.Tensor[] } {
  let fast = onTape ? init : init.map(detach);
  let sums: tf.Tensor[] = onTape || !opts.firstOrder ? [] : fast.map((p) => tf.zerosLike(p));
  const step = (): tf.Tensor[][] => {
    const g = supportGradients(model, fast, xs, ys);
    return [fast.map((p, i) => tf.sub(p, tf.mul(rate(opts, i), g[i]))), sums.map((acc, i) => tf.add(acc, g[i]))];
  };
  for (let s = 0; s < opts.steps; s++) {
    if (onTape) {
      fast = step()[0];
      continue;
    }
    const [nextFast, nextSums] = tf.tidy(step);
    tf.dispose([...fast, ...sums]);
    fast = nextFast;
    sums = nextSums;
  }
  return { fast, gradientSum: sums };
}

/**
 * Fast weights after `steps` inner SGD steps on the support set. Called inside a gradient
 * scope, the result is differentiable with respect to `params` (and the rates): exactly for
 * second order; with the inner gradients held constant when `firstOrder`.
 */
export function adapt(model: MetaModel, params: tf.Tensor[], xs: tf.Tensor2D, ys: tf.Tensor2D, opts: InnerLoopOptions): tf.Tensor[] {
  const init = initialFastWeights(model, params, xs, ys, opts.headInit);
  if (opts.perParamLrs && opts.perParamLrs.length !== init.length) {
    throw new Error(`Meta-SGD needs ${init.length} rate tensors, got ${opts.perParamLrs.length}`);
  }
  if (!opts.firstOrder) return innerLoop(model, init, xs, ys, opts, true).fast;
  // Same values as the second-order path: init - rate * sum of (constant) inner gradients.
  const { fast, gradientSum } = innerLoop(model, init, xs, ys, opts, false);
  tf.dispose(fast);
  return init.map((p, i) => tf.sub(p, tf.mul(rate(opts, i), gradientSum[i])));
}

/**
 * Fast weights as plain values, for inference (no outer gradient): the same numbers as `adapt`,
 * computed off the tape and disposing as it goes.
 */
export function adaptForInference(
  model: MetaModel,
  params: tf.Tensor[],
  xs: tf.Tensor2D,
  ys: tf.Tensor2D,
  opts: InnerLoopOptions,
): tf.Tensor[] {
  const init = tf.tidy(() => initialFastWeights(model, params, xs, ys, opts.headInit));
  const { fast } = innerLoop(model, init, xs, ys, { ...opts, firstOrder: false }, false);
  tf.dispose(init.filter((t) => !params.includes(t)));
  return fast;
}

export interface MetaGradientOptions extends InnerLoopOptions {
  /** Also differentiate with respect to `perParamLrs` (Meta-SGD). */
  learnLrs?: boolean;
  /** Install the twice-differentiable gradients first (default true; false only to show why they exist). */
  ensureSecondOrderGradients?: boolean;
}

export interface MetaGradient {
  /** Mean query cross-entropy after adaptation. */
  loss: number;
  /** Query accuracy after adaptation. */
  acc: number;
  /** d loss / d params. */
  grads: tf.Tensor[];
  /** d loss / d perParamLrs, when `learnLrs`. */
  lrGrads?: tf.Tensor[];
}

function countCorrect(logits: tf.Tensor2D, labels: tf.Tensor2D): number {
  return tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(labels, 1)), 'float32')).dataSync()[0]);
}

/** Meta-gradient of the mean query loss over `tasks`; the caller disposes the returned tensors. */
export function metaGradient(model: MetaModel, params: tf.Tensor[], tasks: Task[], opts: MetaGradientOptions): MetaGradient {
  if (tasks.length === 0) throw new Error('metaGradient needs at least one task');
  if (opts.ensureSecondOrderGradients !== false) installSecondOrderGradients();
  const lrs = opts.perParamLrs ?? [];
  if (opts.learnLrs && lrs.length === 0) throw new Error('learnLrs needs perParamLrs');
  let correct = 0;
  let total = 0;
  const { value, grads } = tf.tidy(() =>
    tf.valueAndGrads((...all: tf.Tensor[]) => {
      const p = all.slice(0, params.length);
      const rates = opts.learnLrs ? all.slice(params.length) : opts.perParamLrs;
      const losses = tasks.map((task) => {
        const fast = adapt(model, p, task.xs, task.ys, { ...opts, perParamLrs: rates });
        const logits = model.forward(fast, task.xq);
        correct += countCorrect(logits, task.yq);
        total += task.yq.shape[0];
        return crossEntropy(logits, task.yq);
      });
      return tf.div(tf.addN(losses), tasks.length) as tf.Scalar;
    })(opts.learnLrs ? [...params, ...lrs] : params),
  );
  const loss = value.dataSync()[0];
  value.dispose();
  return {
    loss,
    acc: total > 0 ? correct / total : 0,
    grads: grads.slice(0, params.length),
    lrGrads: opts.learnLrs ? grads.slice(params.length) : undefined,
  };
}
