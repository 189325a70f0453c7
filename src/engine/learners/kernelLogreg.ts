// Multinomial logistic regression fitted by full-batch gradient descent from zero, in the span of
// the training rows: W = A X, so each step costs O(classes * n^2) instead of O(classes * n * dim).
// Same iterates as plain gradient descent on W (weight decay included), far cheaper when n << dim.
import type { LinearHead } from '../types';

export interface LogregHyper {
  steps: number;
  lr: number;
  weightDecay: number;
}

/** Gram matrix X X^T of dense rows (n x dim). */
export function gram(X: Float32Array, n: number, dim: number): Float64Array {
  const K = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const oi = i * dim;
    let j = i;
    // Four rows j at a time share the loads of row i; each sum keeps its order (same result).
    for (; j + 3 < n; j += 4) {
      const o0 = j * dim;
      const o1 = o0 + dim;
      const o2 = o1 + dim;
      const o3 = o2 + dim;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let k = 0; k < dim; k++) {
        const x = X[oi + k];
        s0 += x * X[o0 + k];
        s1 += x * X[o1 + k];
        s2 += x * X[o2 + k];
        s3 += x * X[o3 + k];
      }
      K[i * n + j] = K[j * n + i] = s0;
      K[i * n + j + 1] = K[(j + 1) * n + i] = s1;
      K[i * n + j + 2] = K[(j + 2) * n + i] = s2;
      K[i * n + j + 3] = K[(j + 3) * n + i] = s3;
    }
    for (; j < n; j++) {
      const oj = j * dim;
      let s = 0;
      for (let k = 0; k < dim; k++) s += X[oi + k] * X[oj + k];
      K[i * n + j] = s;
      K[j * n + i] = s;
    }
  }
  return K;
}

/**
 * Fits coefficients A (nClasses x n) and bias b on a Gram matrix.
 * `weights` scales each row's loss (pseudo-labels count less than the user's labels).
 */
export function fitDual(
  K: Float64Array,
  labels: Int32Array,
  weights: Float32Array,
  nClasses: number,
  hp: LogregHyper,
): { A: Float64Array; b: Float64Array } {
  const n = labels.length;
  const C = nClasses;
  const A = new Float64Array(C * n);
  const b = new Float64Array(C);
  const logits = new Float64Array(n * C);
  let wsum = 0;
  for (let i = 0; i < n; i++) wsum += weights[i];
  const norm = wsum > 0 ? 1 / wsum : 0;
  const decay = 1 - hp.lr * hp.weightDecay;
  for (let step = 0; step < hp.steps; step++) {
    // logits = (A K)^T + b
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < C; c++) {
        let s = b[c];
        const ac = c * n;
        const ki = i * n;
        for (let j = 0; j < n; j++) s += A[ac + j] * K[ki + j];
        logits[i * C + c] = s;
      }
    }
    // residuals G = w (softmax - onehot) / sum(w); A <- decay A - lr G^T; b <- b - lr sum(G)
    for (let i = 0; i < n; i++) {
      let max = -Infinity;
      for (let c = 0; c < C; c++) max = Math.max(max, logits[i * C + c]);
      let sum = 0;
      for (let c = 0; c < C; c++) {
        const e = Math.exp(logits[i * C + c] - max);
        logits[i * C + c] = e;
        sum += e;
      }
      const wi = weights[i] * norm;
      for (let c = 0; c < C; c++) {
        const g = wi * (logits[i * C + c] / sum - (labels[i] === c ? 1 : 0));
        logits[i * C + c] = g;
      }
    }
    for (let c = 0; c < C; c++) {
      let gb = 0;
      for (let i = 0; i < n; i++) {
        const g = logits[i * C + c];
        A[c * n + i] = decay * A[c * n + i] - hp.lr * g;
        gb += g;
      }
      b[c] -= hp.lr * gb;
    }
  }
  return { A, b };
}

/** W = A X: the primal weights, for scoring many lines. */
export function primal(A: Float64Array, X: Float32Array, n: number, dim: number, nClasses: number): Float32Array {
  const W = new Float32Array(nClasses * dim);
  for (let c = 0; c < nClasses; c++) {
    const wc = c * dim;
    for (let i = 0; i < n; i++) {
      const a = A[c * n + i];
      if (a === 0) continue;
      const xi = i * dim;
      for (let k = 0; k < dim; k++) W[wc + k] += a * X[xi + k];
    }
  }
  return W;
}

export function fitLogreg(
  X: Float32Array,
  dim: number,
  labels: Int32Array,
  weights: Float32Array,
  nClasses: number,
  hp: LogregHyper,
): LinearHead {
  const n = labels.length;
  const { A, b } = fitDual(gram(X, n, dim), labels, weights, nClasses, hp);
  return { W: primal(A, X, n, dim, nClasses), b: Float32Array.from(b), nClasses };
}
