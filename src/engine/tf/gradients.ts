// Gradients that can be differentiated twice (for exact second-order MAML), and
// twice-differentiable loss helpers.
//
// tfjs registers for several kernels a gradient that reuses the kernel's saved OUTPUT. That
// output is not on the tape as a function of the input, so differentiating the gradient again
// gives a silently wrong answer or "Cannot compute gradient". The versions below save only the
// inputs and recompute what they need with ordinary (recorded) ops. See docs/tfjs.md.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs-core';

const MARK = Symbol.for('fewshot.secondOrderGradient');
type MarkedConfig = GradConfig & { [MARK]?: true };
type CustomGradientFunc = Parameters<typeof tf.customGrad>[0];

function reduceToShape(grad: Tensor, shape: number[], outShape: number[]): Tensor {
  const axes = tf.backend_util.getReductionAxes(shape, outShape);
  return tf.reshape(axes.length > 0 ? tf.sum(grad, axes) : grad, shape);
}

function zeroGradient(kernelName: string, inputs: string[]): GradConfig {
  return {
    kernelName,
    inputsToSave: inputs,
    gradFunc: (_dy: Tensor | Tensor[], saved: Tensor[]) =>
      Object.fromEntries(inputs.map((name, i) => [name, () => tf.zeros(saved[i].shape, 'float32')])),
  };
}

function minMaxGradient(kernelName: 'Max' | 'Min'): GradConfig {
  return {
    kernelName,
    inputsToSave: ['x'],
    gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
      const [x] = saved;
      const axes = tf.util.parseAxisParam(attrs.reductionIndices as number | number[], x.shape);
      const reduce = kernelName === 'Max' ? tf.max : tf.min;
      return {
        x: () => {
          const y = reduce(x, axes, true);
          const mask = tf.cast(tf.equal(x, y), 'float32');
          return tf.mul(tf.reshape(dy as Tensor, y.shape), mask);
        },
      };
    },
  };
}

/** Comparison kernels are piecewise constant: zero gradient, so gradients that use them can be differentiated. */
const COMPARISONS: Array<[string, string[]]> = [
  ['Equal', ['a', 'b']],
  ['NotEqual', ['a', 'b']],
  ['Greater', ['a', 'b']],
  ['GreaterEqual', ['a', 'b']],
  ['Less', ['a', 'b']],
  ['LessEqual', ['a', 'b']],
  ['LogicalNot', ['x']],
  ['LogicalAnd', ['a', 'b']],
  ['LogicalOr', ['a', 'b']],
];

function secondOrderConfigs(): GradConfig[] {
  const unary = (kernelName: string, derivative: (x: Tensor) => Tensor): GradConfig => ({
    kernelName,
    inputsToSave: ['x'],
    gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => ({ x: () => tf.mul(dy as Tensor, derivative(saved[0])) }),
  });
  return [
    unary('Exp', (x) => tf.exp(x)),
    unary('Tanh', (x) => tf.sub(1, tf.square(tf.tanh(x)))),
    unary('Sigmoid', (x) => {
      const s = tf.sigmoid(x);
      return tf.mul(s, tf.sub(1, s));
    }),
    unary('Elu', (x) => tf.where(tf.greater(x, 0), tf.onesLike(x), tf.exp(x))),
    {
      kernelName: 'Softmax',
      inputsToSave: ['logits'],
      gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => ({
        logits: () => {
          const dim = attrs.dim as number;
          const y = tf.softmax(saved[0], dim);
          const dyTimesY = tf.mul(dy as Tensor, y);
          return tf.sub(dyTimesY, tf.mul(tf.sum(dyTimesY, dim, true), y));
        },
      }),
    },
    {
      kernelName: 'LogSoftmax',
      inputsToSave: ['logits'],
      gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => ({
        logits: () => {
          const axis = attrs.axis as number;
          const d = dy as Tensor;
          return tf.sub(d, tf.mul(tf.sum(d, axis, true), tf.softmax(saved[0], axis)));
        },
      }),
    },
    minMaxGradient('Max'),
    minMaxGradient('Min'),
    {
      kernelName: 'Pow',
      inputsToSave: ['a', 'b'],
      gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
        const [a, b] = saved;
        const d = dy as Tensor;
        const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
        return {
          a: () => reduceToShape(tf.mul(d, tf.mul(b, tf.pow(a, tf.sub(b, 1)))), a.shape, outShape),
          b: () => {
            const logA = tf.where(tf.greater(a, 0), tf.log(a), tf.zerosLike(a));
            return reduceToShape(tf.mul(d, tf.mul(tf.pow(a, b), logA)), b.shape, outShape);
          },
        };
      },
    },
  ];
}

let originals: Map<string, GradConfig | undefined> | undefined;

/**
 * Makes the gradients of Exp, Tanh, Sigmoid, Elu, Softmax, LogSoftmax, Max, Min and Pow
 * differentiable twice, and gives comparison kernels a zero gradient. Idempotent; checks the
 * (process-wide) registry itself, since another bundle may have re-registered the defaults.
 */
export function installSecondOrderGradients(): void {
  const configs: GradConfig[] = [
    ...secondOrderConfigs(),
    ...COMPARISONS.filter(([name]) => tf.getGradient(name) == null).map(([name, inputs]) => zeroGradient(name, inputs)),
  ];
  for (const config of configs) {
    const current = tf.getGradient(config.kernelName) as MarkedConfig | undefined;
    if (current?.[MARK]) continue;
    originals ??= new Map();
    if (!originals.has(config.kernelName)) originals.set(config.kernelName, current);
    tf.registerGradient(Object.assign(config, { [MARK]: true as const }));
  }
}

/**
 * Puts back the gradients tfjs ships (only to demonstrate, in tests, why the fix exists).
 * Kernels that had none keep the zero gradient.
 */
export function restoreDefaultGradients(): void {
  for (const [, config] of originals ?? []) if (config) tf.registerGradient(config);
}

/** Row-wise max as a constant: the shift cancels in log-softmax, so its gradient is zero. */
const rowMaxConstant: (x: Tensor) => Tensor = tf.customGrad(((x: Tensor, save: (t: Tensor[]) => void) => {
  save([x]);
  return { value: tf.max(x, -1, true), gradFunc: (_dy: Tensor, saved: Tensor[]) => tf.zerosLike(saved[0]) };
}) as unknown as CustomGradientFunc) as (x: Tensor) => Tensor;

/** Row-wise log-softmax from primitive ops (tf.logSoftmax's forward is off the tape). */
export function logSoftmaxPrimitive(logits: Tensor): Tensor {
  const z = tf.sub(logits, rowMaxConstant(logits));
  return tf.sub(z, tf.log(tf.sum(tf.exp(z), -1, true)));
}

/**
 * Mean cross-entropy of `logits` (n x c) against one-hot (or soft) labels (n x c), optionally
 * weighted per row (mean weighted by `weights`). Differentiable twice.
 */
export function crossEntropy(logits: Tensor, labelsOneHot: Tensor, weights?: Tensor): tf.Scalar {
  const nll = tf.neg(tf.sum(tf.mul(labelsOneHot, logSoftmaxPrimitive(logits)), -1));
  if (!weights) return tf.mean(nll);
  return tf.div(tf.sum(tf.mul(nll, weights)), tf.sum(weights));
}
