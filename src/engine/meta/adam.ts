// Adam, written once: the MAML learner's outer loop (meta/learner.ts) and the meta-training of
// the adaptation's hyper-parameters (training/metaHyper.ts) both step with it.

export interface AdamConfig {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/** A writable array of numbers (plain arrays and typed arrays alike). */
interface Numbers {
  [i: number]: number;
  readonly length: number;
}

/**
 * Adam step number `step` (1 for the first) in place: the moments `m` and `v` take in `grads`,
 * then params -= lr * m̂ / (sqrt(v̂) + epsilon) with the bias-corrected moments. The arithmetic is
 * in float64 whatever the arrays store. A non-finite gradient entry counts as 0, so one bad
 * episode cannot poison the moments for good.
 */
export function adamStep(
  params: Numbers,
  m: Numbers,
  v: Numbers,
  grads: ArrayLike<number>,
  step: number,
  lr: number,
  c: AdamConfig = {},
): void {
  const { beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8 } = c;
  for (let i = 0; i < params.length; i++) {
    const g = Number.isFinite(grads[i]) ? grads[i] : 0;
    m[i] = beta1 * m[i] + (1 - beta1) * g;
    v[i] = beta2 * v[i] + (1 - beta2) * g * g;
    const mh = m[i] / (1 - beta1 ** step);
    const vh = v[i] / (1 - beta2 ** step);
    params[i] -= (lr * mh) / (Math.sqrt(vh) + epsilon);
  }
}
