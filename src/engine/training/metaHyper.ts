// Meta-learning the transductive adaptation itself (MAML with the adaptation's hyper-parameters as
// the meta-parameters, in the spirit of Meta-SGD): block scales, inner step size, weight decay,
// output temperature, pseudo-label weight and label-name weight. The inner loop (gradient descent of logistic
// regression in the span of the training rows, then self-training rounds) is unrolled in
// TensorFlow.js and the query loss is differentiated through every inner step, so the meta-gradient
// is exact and second-order. The inner gradient is written analytically from primitive ops,
// so no nested tf.grads (and none of tfjs's second-order pitfalls, see docs/tfjs.md) are involved.
// Pseudo-label selection is discrete; gradients flow through the refits, not the choice.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import type { EncodedLines } from '../types';
import type { Episode } from '../episodes/sampler';
import { type AdaptHyper, meaningfulNames, pseudoQuota, topKPerClass } from '../learners/adaptation';
import { adamStep } from '../meta/adam';
import { softmaxRows } from '../learners/probs';
import { blockMeans, FeatureView } from '../learners/featureView';

export interface HyperEpisode {
  nClasses: number;
  /**
   * Rows 0..nSupport-1 of the Grams are the support, then nNames label names (as examples of
   * nameLabels), then the unlabeled pool.
   */
  nSupport: number;
  supportLabels: Int32Array;
  nNames: number;
  nameLabels: Int32Array;
  nPool: number;
  /** Pool rows (0-based within the pool) that are queries, and their labels. */
  queryRows: Int32Array;
  queryLabels: Int32Array;
  /** (nSupport + nPool)^2 Grams of the re-centred, per-block normalised word and char features. */
  Kw: Float32Array;
  Kc: Float32Array;
  /**
   * The same Gram of the sentence block (re-centred on the support and pool, unit rows), when the
   * episode has one: its scale is then a meta-parameter too (SENTENCE_THETA_KEYS).
   */
  Ks?: Float32Array;
}

/** Raw sentence vectors (row-major, `dim` wide) of an episode's support, pool and label names. */
export interface SentenceRows {
  dim: number;
  support: Float32Array;
  pool: Float32Array;
  names?: Float32Array;
}

export function prepareHyperEpisode(
  support: EncodedLines,
  supportLabels: Int32Array,
  nClasses: number,
  pool: EncodedLines,
  queryRows: Int32Array,
  queryLabels: Int32Array,
  common?: Float32Array,
  names?: EncodedLines,
  sentence?: SentenceRows,
): HyperEpisode {
  const view = new FeatureView({ ...blockMeans([support, pool]), common }, { word: 1, char: 1 });
  const nameRows = names ? meaningfulNames(names) : [];
  // Support and names first, then the pool: the same rows in the same order as adaptLogreg.
  const Xs = names && nameRows.length ? concatRows(view.dense(support), view.dense(names, nameRows)) : view.dense(support);
  const Xp = view.dense(pool);
  const nHead = support.n + nameRows.length;
  const N = nHead + pool.n;
  const dim = view.dim;
  const wd = support.wordDim;
  const row = (i: number) => (i < nHead ? Xs.subarray(i * dim, (i + 1) * dim) : Xp.subarray((i - nHead) * dim, (i - nHead + 1) * dim));
  const Kw = new Float32Array(N * N);
  const Kc = new Float32Array(N * N);
  for (let i = 0; i < N; i++) {
    const a = row(i);
    for (let j = i; j < N; j++) {
      const b = row(j);
      let sw = 0;
      let sc = 0;
      for (let k = 0; k < wd; k++) sw += a[k] * b[k];
      for (let k = wd; k < dim; k++) sc += a[k] * b[k];
      Kw[i * N + j] = Kw[j * N + i] = sw;
      Kc[i * N + j] = Kc[j * N + i] = sc;
    }
  }
  return {
    ...(sentence ? { Ks: sentenceGram(sentence, nameRows, support.n, pool.n) } : {}),
    nClasses,
    nSupport: support.n,
    supportLabels,
    nNames: nameRows.length,
    nameLabels: Int32Array.from(nameRows),
    nPool: pool.n,
    queryRows,
    queryLabels,
    Kw,
    Kc,
  };
}

/**
 * The sentence block's Gram in the rows' order (support, meaningful names, pool): each vector
 * re-centred on the mean of the support and pool vectors and scaled to unit length, as
 * learners/sentenceBlock.ts reads the block with a pool (a zero row stays zero).
 */
function sentenceGram(s: SentenceRows, nameRows: number[], nSupport: number, nPool: number): Float32Array {
  const { dim } = s;
  const mean = new Float64Array(dim);
  for (const m of [s.support, s.pool]) for (let i = 0; i < m.length; i++) mean[i % dim] += m[i];
  for (let j = 0; j < dim; j++) mean[j] /= Math.max(1, nSupport + nPool);
  const rows: Float32Array[] = [];
  const take = (m: Float32Array, r: number) => {
    const v = Float32Array.from(m.subarray(r * dim, (r + 1) * dim), (x, j) => x - mean[j]);
    let sq = 0;
    for (const x of v) sq += x * x;
    const k = sq > 0 ? 1 / Math.sqrt(sq) : 0;
    rows.push(v.map((x) => x * k));
  };
  for (let r = 0; r < nSupport; r++) take(s.support, r);
  if (s.names) for (const r of nameRows) take(s.names, r);
  for (let r = 0; r < nPool; r++) take(s.pool, r);
  const N = rows.length;
  const K = new Float32Array(N * N);
  for (let i = 0; i < N; i++) {
    const a = rows[i];
    for (let j = i; j < N; j++) {
      const b = rows[j];
      let d = 0;
      for (let k = 0; k < dim; k++) d += a[k] * b[k];
      K[i * N + j] = K[j * N + i] = d;
    }
  }
  return K;
}

/**
 * A sampled episode as a meta-training task: its queries and distractors make the unlabeled pool,
 * queries first. With `sentence` (a line's sentence vector) the episode carries the sentence block.
 */
export function hyperEpisodeFrom(
  e: Episode,
  encode: (texts: string[]) => EncodedLines,
  common?: Float32Array,
  sentence?: { dim: number; embed: (texts: string[]) => Float32Array },
): HyperEpisode {
  const pool = [...e.query, ...e.distractors];
  const supportTexts = e.support.map((x) => x.text);
  const poolTexts = pool.map((x) => x.text);
  return prepareHyperEpisode(
    encode(supportTexts),
    e.supportLabels,
    e.labels.length,
    encode(poolTexts),
    Int32Array.from(e.query, (_, i) => i),
    e.queryLabels,
    common,
    encode(e.labels),
    sentence && {
      dim: sentence.dim,
      support: sentence.embed(supportTexts),
      pool: sentence.embed(poolTexts),
      names: sentence.embed(e.labels),
    },
  );
}

function concatRows(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Unconstrained meta-parameters; `hyperFromTheta` maps them to an AdaptHyper. */
export interface HyperTheta {
  logScaleWord: number;
  logScaleChar: number;
  logLr: number;
  logWeightDecay: number;
  logTemperature: number;
  logitPseudoWeight: number;
  logNameWeight: number;
  /** Log of the sentence block's scale (absolute, like the other two), when meta-learned with the block. */
  logScaleSentence?: number;
}

export const THETA_KEYS: (keyof HyperTheta)[] = [
  'logScaleWord',
  'logScaleChar',
  'logLr',
  'logWeightDecay',
  'logTemperature',
  'logitPseudoWeight',
  'logNameWeight',
];

/** The meta-parameters of the adaptation with the sentence block: the seven above and its scale. */
export const SENTENCE_THETA_KEYS: (keyof HyperTheta)[] = [...THETA_KEYS, 'logScaleSentence'];

/**
 * The sentence block's weight as the engine reads it (learners/sentenceBlock.ts: its scale relative
 * to the word block's) from the meta-parameters.
 */
export function sentenceWeightOf(t: HyperTheta): number {
  if (t.logScaleSentence === undefined) throw new Error('these meta-parameters have no sentence block');
  return Math.exp(t.logScaleSentence - t.logScaleWord);
}

/** The meta-parameters of a procedure; with `sentenceWeight`, of that procedure with the sentence block at that weight. */
export function thetaFromHyper(h: AdaptHyper, sentenceWeight?: number): HyperTheta {
  const p = Math.min(Math.max(h.pseudoWeight, 1e-4), 1 - 1e-4);
  return {
    logScaleWord: Math.log(h.scales.word),
    logScaleChar: Math.log(h.scales.char),
    logLr: Math.log(h.lr),
    logWeightDecay: Math.log(h.weightDecay),
    logTemperature: Math.log(h.temperature),
    logitPseudoWeight: Math.log(p / (1 - p)),
    logNameWeight: Math.log(Math.max(h.nameWeight, 1e-4)),
    ...(sentenceWeight !== undefined ? { logScaleSentence: Math.log(h.scales.word * sentenceWeight) } : {}),
  };
}

export function hyperFromTheta(t: HyperTheta, base: Pick<AdaptHyper, 'steps' | 'rounds'>): AdaptHyper {
  return {
    scales: { word: Math.exp(t.logScaleWord), char: Math.exp(t.logScaleChar) },
    steps: base.steps,
    rounds: [...base.rounds],
    lr: Math.exp(t.logLr),
    weightDecay: Math.exp(t.logWeightDecay),
    temperature: Math.exp(t.logTemperature),
    pseudoWeight: 1 / (1 + Math.exp(-t.logitPseudoWeight)),
    nameWeight: Math.exp(t.logNameWeight),
  };
}

/** max over the last axis with a zero gradient: the shift cancels in the softmax. */
const stopMax = tf.customGrad(((x: tf.Tensor) => ({
  value: tf.max(x, -1, true),
  gradFunc: () => [tf.zerosLike(x)],
})) as unknown as Parameters<typeof tf.customGrad>[0]);

function softmax(logits: tf.Tensor2D): tf.Tensor2D {
  const e = tf.exp(tf.sub(logits, stopMax(logits) as tf.Tensor));
  return tf.div(e, tf.sum(e, -1, true));
}

/**
 * The differentiable adaptation: returns the tempered query logits for a set of theta tensors
 * (scalars in THETA_KEYS order): for the episode's queries, or for every pool row.
 */
export function unrolledAdaptation(
  theta: tf.Scalar[],
  ep: HyperEpisode,
  base: Pick<AdaptHyper, 'steps' | 'rounds'>,
  onlyQueries = false,
): tf.Tensor2D {
  const [lsw, lsc, llr, lwd, ltau, lomega, lname, lss] = theta;
  if ((lss === undefined) !== (ep.Ks === undefined)) throw new Error('the sentence scale and the sentence Gram go together');
  const Ks = ep.Ks;
  const ss2 = lss && tf.exp(tf.mul(lss, 2));
  const nHead = ep.nSupport + ep.nNames;
  const N = nHead + ep.nPool;
  const C = ep.nClasses;
  const sw2 = tf.exp(tf.mul(lsw, 2));
  const sc2 = tf.exp(tf.mul(lsc, 2));
  // Sub-blocks of K = sw^2 Kw + sc^2 Kc, cut in plain JS (no gather: its gradient needs a kernel
  // the wasm backend lacks, and the Grams are constants anyway).
  const kBlock = (rows: number[], cols: number[]): tf.Tensor2D => {
    const w = new Float32Array(rows.length * cols.length);
    const c = new Float32Array(rows.length * cols.length);
    const s = Ks && new Float32Array(rows.length * cols.length);
    rows.forEach((r, i) => {
      cols.forEach((col, j) => {
        w[i * cols.length + j] = ep.Kw[r * N + col];
        c[i * cols.length + j] = ep.Kc[r * N + col];
        if (s && Ks) s[i * cols.length + j] = Ks[r * N + col];
      });
    });
    const shape: [number, number] = [rows.length, cols.length];
    const K = tf.add(tf.mul(sw2, tf.tensor2d(w, shape)), tf.mul(sc2, tf.tensor2d(c, shape)));
    return (s && ss2 ? tf.add(K, tf.mul(ss2, tf.tensor2d(s, shape))) : K) as tf.Tensor2D;
  };
  const lr = tf.exp(llr);
  const decay = tf.sub(1, tf.mul(lr, tf.exp(lwd)));
  const omega = tf.sigmoid(lomega);
  const nameWeight = tf.exp(lname);
  const poolRows = Array.from({ length: ep.nPool }, (_, i) => nHead + i);

  // Row weights: 1 for the user's labels, the name weight for names, omega for pseudo-labels.
  const fitHead = (rows: number[], labels: number[], pseudoFrom: number) => {
    const n = rows.length;
    const Ktt = kBlock(rows, rows);
    const Y = tf.oneHot(tf.tensor1d(labels, 'int32'), C);
    const isPseudo = tf.tensor2d(
      rows.map((_, i) => (i >= pseudoFrom ? 1 : 0)),
      [n, 1],
    );
    const isName = tf.tensor2d(
      rows.map((r, i) => (i < pseudoFrom && r >= ep.nSupport ? 1 : 0)),
      [n, 1],
    );
    const isUser = tf.sub(tf.sub(1, isPseudo), isName);
    const w = tf.add(tf.add(isUser, tf.mul(isName, nameWeight)), tf.mul(isPseudo, omega)) as tf.Tensor2D;
    const wNorm = tf.div(w, tf.sum(w));
    let A: tf.Tensor2D = tf.zeros([n, C]); // stored transposed: n x C
    let b: tf.Tensor = tf.zeros([1, C]);
    for (let s = 0; s < base.steps; s++) {
      const logits = tf.add(tf.matMul(Ktt, A), b) as tf.Tensor2D;
      const G = tf.mul(wNorm, tf.sub(softmax(logits), Y));
      A = tf.sub(tf.mul(decay, A), tf.mul(lr, G)) as tf.Tensor2D;
      b = tf.sub(b, tf.mul(lr, tf.sum(G, 0, true)));
    }
    return { rows, A, b };
  };
  const score = (m: { rows: number[]; A: tf.Tensor2D; b: tf.Tensor }, rows: number[]) =>
    tf.add(tf.matMul(kBlock(rows, m.rows), m.A), m.b) as tf.Tensor2D;

  const supportRows = Array.from({ length: nHead }, (_, i) => i);
  const supportLabels = [...ep.supportLabels, ...ep.nameLabels];
  let model = fitHead(supportRows, supportLabels, nHead);
  for (const k of base.rounds) {
    const quota = pseudoQuota(k, ep.nPool, C);
    if (quota === 0) break;
    const poolLogits = score(model, poolRows).dataSync() as Float32Array;
    // The same choice as adaptLogreg: softmax at temperature 1, top quota per predicted class.
    const picked = topKPerClass(softmaxRows(Float32Array.from(poolLogits), C), ep.nPool, C, quota);
    model = fitHead([...supportRows, ...Array.from(picked.rows, (r) => r + nHead)], [...supportLabels, ...picked.labels], nHead);
  }
  const outRows = onlyQueries ? Array.from(ep.queryRows, (r) => r + nHead) : poolRows;
  return tf.mul(tf.exp(ltau), score(model, outRows)) as tf.Tensor2D;
}

/** Mean query cross-entropy and accuracy of one episode. */
export function episodeLoss(
  theta: tf.Scalar[],
  ep: HyperEpisode,
  base: Pick<AdaptHyper, 'steps' | 'rounds'>,
): { loss: tf.Scalar; correct: () => number } {
  const logits = unrolledAdaptation(theta, ep, base, true);
  const Y = tf.oneHot(tf.tensor1d(ep.queryLabels, 'int32'), ep.nClasses);
  const shifted = tf.sub(logits, stopMax(logits) as tf.Tensor);
  const logZ = tf.log(tf.sum(tf.exp(shifted), -1));
  const loss = tf.mean(tf.sub(logZ, tf.sum(tf.mul(shifted, Y), -1))) as tf.Scalar;
  const pred = tf.argMax(logits, -1);
  return {
    loss,
    correct: () => {
      const p = pred.dataSync();
      let c = 0;
      for (let i = 0; i < p.length; i++) if (p[i] === ep.queryLabels[i]) c++;
      return c;
    },
  };
}

export interface HyperMetaState {
  theta: HyperTheta;
  m: number[];
  v: number[];
  step: number;
}

/** The meta-parameters a state trains: with the sentence block's scale when it has one. */
export function thetaKeys(state: Pick<HyperMetaState, 'theta'>): (keyof HyperTheta)[] {
  return state.theta.logScaleSentence === undefined ? THETA_KEYS : SENTENCE_THETA_KEYS;
}

/** One Adam step on a batch of episodes; returns the mean query loss and accuracy. */
export function metaStep(
  state: HyperMetaState,
  batch: HyperEpisode[],
  base: Pick<AdaptHyper, 'steps' | 'rounds'>,
  outerLr: number,
): { loss: number; acc: number } {
  const keys = thetaKeys(state);
  let lossSum = 0;
  let correct = 0;
  let total = 0;
  const gradSum = new Float64Array(keys.length);
  for (const ep of batch) {
    tf.tidy(() => {
      const theta = keys.map((k) => tf.scalar(state.theta[k] as number));
      let acc = 0;
      const { value, grads } = tf.valueAndGrads((...t: tf.Tensor[]) => {
        const r = episodeLoss(t as tf.Scalar[], ep, base);
        acc = r.correct();
        return r.loss;
      })(theta);
      lossSum += value.dataSync()[0];
      correct += acc;
      total += ep.queryLabels.length;
      grads.forEach((g, i) => {
        gradSum[i] += g.dataSync()[0] / batch.length;
      });
    });
  }
  // Adam on the unconstrained parameters.
  state.step++;
  const theta = Float64Array.from(keys, (k) => state.theta[k] as number);
  adamStep(theta, state.m, state.v, gradSum, state.step, outerLr);
  keys.forEach((k, i) => {
    state.theta[k] = theta[i];
  });
  return { loss: lossSum / batch.length, acc: correct / Math.max(total, 1) };
}

export function initialMetaState(h: AdaptHyper, sentenceWeight?: number): HyperMetaState {
  const theta = thetaFromHyper(h, sentenceWeight);
  const keys = thetaKeys({ theta });
  return { theta, m: keys.map(() => 0), v: keys.map(() => 0), step: 0 };
}
