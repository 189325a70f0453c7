// Functional models: parameters are a flat tf.Tensor[] and the forward pass is a pure function
// of (params, x), so fast weights in MAML are just another list of tensors.
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../random';

export type Activation = 'relu' | 'tanh';

export interface MlpSpec {
  inputDim: number;
  hidden: number[];
  /** Width of the last (linear) layer; 0 for a body only (every layer followed by the activation). */
  outputDim: number;
  activation: Activation;
}

/** Shapes of the flat parameter list: [W1, b1, W2, b2, ...], W as (fanIn x fanOut). */
export function mlpShapes(spec: MlpSpec): number[][] {
  const widths = [spec.inputDim, ...spec.hidden, ...(spec.outputDim > 0 ? [spec.outputDim] : [])];
  for (const w of widths) {
    if (!Number.isInteger(w) || w <= 0) throw new Error(`layer widths must be positive integers, got [${widths.join(', ')}]`);
  }
  const shapes: number[][] = [];
  for (let i = 0; i + 1 < widths.length; i++) shapes.push([widths[i], widths[i + 1]], [widths[i + 1]]);
  return shapes;
}

/** Glorot-uniform weights and zero biases, deterministic for a seed. */
export function glorotInit(shapes: number[][], seed: number): Float32Array[] {
  const rng = new Rng(seed);
  return shapes.map((shape) => {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    if (shape.length === 2) {
      const limit = Math.sqrt(6 / (shape[0] + shape[1]));
      for (let i = 0; i < data.length; i++) data[i] = rng.uniform(-limit, limit);
    }
    return data;
  });
}

function activate(x: tf.Tensor, activation: Activation): tf.Tensor {
  return activation === 'relu' ? tf.relu(x) : tf.tanh(x);
}

/** x W + b. */
export function linear(w: tf.Tensor, b: tf.Tensor, x: tf.Tensor): tf.Tensor2D {
  return tf.add(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), b) as tf.Tensor2D;
}

/** Every layer followed by the activation except the last, which is linear (logits). */
export function mlpForward(params: tf.Tensor[], x: tf.Tensor, activation: Activation): tf.Tensor2D {
  let h = x as tf.Tensor2D;
  for (let i = 0; i < params.length; i += 2) {
    h = linear(params[i], params[i + 1], h);
    if (i + 2 < params.length) h = activate(h, activation) as tf.Tensor2D;
  }
  return h;
}

/** Every layer followed by the activation: the embedding a head sits on. */
export function mlpEmbed(params: tf.Tensor[], x: tf.Tensor, activation: Activation): tf.Tensor2D {
  let h = x as tf.Tensor2D;
  for (let i = 0; i < params.length; i += 2) h = activate(linear(params[i], params[i + 1], h), activation) as tf.Tensor2D;
  return h;
}

export function paramsToArrays(params: tf.Tensor[]): Float32Array[] {
  return params.map((p) => new Float32Array(p.dataSync()));
}

export function arraysToParams(arrays: Float32Array[], shapes: number[][]): tf.Tensor[] {
  if (arrays.length !== shapes.length) {
    throw new Error(`expected ${shapes.length} parameter arrays, got ${arrays.length}`);
  }
  return arrays.map((a, i) => {
    const size = shapes[i].reduce((x, y) => x * y, 1);
    if (a.length !== size) {
      throw new Error(`parameter ${i} has ${a.length} values, expected ${size} for shape [${shapes[i].join(', ')}]`);
    }
    return tf.tensor(a, shapes[i], 'float32');
  });
}

/** Dense one-hot rows (n x nClasses) from class indices. */
export function oneHot(labels: Int32Array, nClasses: number): tf.Tensor2D {
  return tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), nClasses), 'float32') as tf.Tensor2D);
}
