// The meta-learned adaptation: the differentiable (tfjs) inner loop must be the same procedure as
// the fast one the engine runs, and its meta-gradient must be exact (second-order, through every
// inner step): checked against central finite differences of a float64 reference.
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { type AdaptHyper, HAND_SET, LogregMethod } from '../../../src/engine/learners/adaptation';
import { blockMeans } from '../../../src/engine/learners/featureView';
import { fitDual } from '../../../src/engine/learners/kernelLogreg';
import {
  episodeLoss,
  type HyperEpisode,
  hyperFromTheta,
  initialMetaState,
  metaStep,
  prepareHyperEpisode,
  SENTENCE_THETA_KEYS,
  type SentenceRows,
  sentenceWeightOf,
  THETA_KEYS,
  thetaFromHyper,
  unrolledAdaptation,
} from '../../../src/engine/training/metaHyper';
import { augmentLines, SentenceBlockMethod } from '../../../src/engine/learners/sentenceBlock';
import type { EncodedLines } from '../../../src/engine/types';
import { pseudoQuota, topKPerClass } from '../../../src/engine/learners/adaptation';
import { selectBackend } from '../../../src/engine/tf/backend';
import { clusteredLines, repeatLabels } from '../learners/synthetic';

const C = 3;
const BASE = { steps: 8, rounds: [2, 4] };

/** Sentence vectors of lines: their own clusters (another seed, another width than the word block). */
const SENTENCE_DIM = 10;
const sentenceOf = (labels: Int32Array, seed: number): Float32Array => clusteredLines(labels, C, seed, 1.1, SENTENCE_DIM).word;

function episode(seed: number, withSentence = false): HyperEpisode {
  const supportLabels = repeatLabels(C, 1);
  const poolLabels = repeatLabels(C, 6);
  const support = clusteredLines(supportLabels, C, seed, 0.9);
  const pool = clusteredLines(poolLabels, C, seed + 1, 0.9);
  // Label names play one more (noisier) example per class.
  const names = clusteredLines(repeatLabels(C, 1), C, seed + 2, 1.2);
  const sentence: SentenceRows | undefined = withSentence
    ? {
        dim: SENTENCE_DIM,
        support: sentenceOf(supportLabels, seed + 3),
        pool: sentenceOf(poolLabels, seed + 4),
        names: sentenceOf(repeatLabels(C, 1), seed + 5),
      }
    : undefined;
  // Queries are the first 9 pool lines; the rest play the unlabeled remainder.
  return prepareHyperEpisode(
    support,
    supportLabels,
    C,
    pool,
    Int32Array.from({ length: 9 }, (_, i) => i),
    poolLabels.slice(0, 9),
    undefined,
    names,
    sentence,
  );
}

/** One example per class and 6 unlabeled lines per class, every pool line a query (seeds 21-23). */
function wholePoolEpisode(sentence?: SentenceRows) {
  const supportLabels = repeatLabels(C, 1);
  const poolLabels = repeatLabels(C, 6);
  const support = clusteredLines(supportLabels, C, 21, 0.9);
  const pool = clusteredLines(poolLabels, C, 22, 0.9);
  const names = clusteredLines(repeatLabels(C, 1), C, 23, 1.2);
  const queries = Int32Array.from({ length: pool.n }, (_, i) => i);
  const ep = prepareHyperEpisode(support, supportLabels, C, pool, queries, poolLabels, undefined, names, sentence);
  return { supportLabels, poolLabels, support, pool, names, ep };
}

/** The same procedure in float64 plain JS, from the Grams: the finite-difference reference. */
function referenceLoss(theta: number[], ep: HyperEpisode): number {
  const h = hyperFromTheta(Object.fromEntries(THETA_KEYS.map((k, i) => [k, theta[i]])) as never, BASE);
  // The sentence block's scale is the eighth meta-parameter, when the episode has the block.
  const ss2 = ep.Ks ? Math.exp(2 * (theta[7] as number)) : 0;
  const nHead = ep.nSupport + ep.nNames;
  const N = nHead + ep.nPool;
  const K = new Float64Array(N * N);
  for (let i = 0; i < K.length; i++) K[i] = h.scales.word ** 2 * ep.Kw[i] + h.scales.char ** 2 * ep.Kc[i] + (ep.Ks ? ss2 * ep.Ks[i] : 0);
  const sub = (rows: number[], cols: number[]) => {
    const out = new Float64Array(rows.length * cols.length);
    rows.forEach((r, i) => {
      cols.forEach((c, j) => {
        out[i * cols.length + j] = K[r * N + c];
      });
    });
    return out;
  };
  const poolRows = Array.from({ length: ep.nPool }, (_, i) => nHead + i);
  const fitModel = (rows: number[], labels: number[]) => {
    const w = Float32Array.from(rows, (r) => (r < ep.nSupport ? 1 : r < nHead ? h.nameWeight : h.pseudoWeight));
    return { rows, ...fitDual(sub(rows, rows), Int32Array.from(labels), w, C, h) };
  };
  const scorePool = (m: { rows: number[]; A: Float64Array; b: Float64Array }) => {
    const Kp = sub(poolRows, m.rows);
    const n = m.rows.length;
    return Float64Array.from({ length: ep.nPool * C }, (_, idx) => {
      const i = Math.floor(idx / C);
      const c = idx % C;
      let s = m.b[c];
      for (let j = 0; j < n; j++) s += m.A[c * n + j] * Kp[i * n + j];
      return s;
    });
  };
  const sRows = Array.from({ length: nHead }, (_, i) => i);
  const sLabels = [...ep.supportLabels, ...ep.nameLabels];
  let model = fitModel(sRows, sLabels);
  for (const k of h.rounds) {
    if (pseudoQuota(k, ep.nPool, C) === 0) break;
    const z = scorePool(model);
    const p = new Float32Array(z.length);
    for (let i = 0; i < ep.nPool; i++) {
      const m = Math.max(...z.subarray(i * C, (i + 1) * C));
      let s = 0;
      for (let c = 0; c < C; c++) s += p[i * C + c] = Math.exp(z[i * C + c] - m);
      for (let c = 0; c < C; c++) p[i * C + c] /= s;
    }
    const picked = topKPerClass(p, ep.nPool, C, pseudoQuota(k, ep.nPool, C));
    model = fitModel([...sRows, ...Array.from(picked.rows, (r) => r + nHead)], [...sLabels, ...picked.labels]);
  }
  const z = scorePool(model);
  let loss = 0;
  ep.queryRows.forEach((r, q) => {
    const row = Array.from(z.subarray(r * C, (r + 1) * C), (v) => v * h.temperature);
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
    loss += lse - row[ep.queryLabels[q]];
  });
  return loss / ep.queryRows.length;
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`meta-learned adaptation on ${backend}`, () => {
    before(async () => {
      const got = await selectBackend(backend);
      assert.equal(got.name, backend);
    });

    const hyper: AdaptHyper = {
      ...HAND_SET,
      ...BASE,
      lr: 3,
      weightDecay: 0.01,
      temperature: 2,
      pseudoWeight: 0.4,
      nameWeight: 0.7,
      scales: { word: 1.2, char: 0.8 },
    };
    const theta = THETA_KEYS.map((k) => thetaFromHyper(hyper)[k] as number);
    const sentenceWeight = 1.7;
    const sentenceTheta = SENTENCE_THETA_KEYS.map((k) => thetaFromHyper(hyper, sentenceWeight)[k] as number);

    it('runs the same procedure as the engine (self-training included)', () => {
      const { supportLabels, support, pool, names, ep } = wholePoolEpisode();
      assert.equal(ep.nNames, C);
      const fast = new LogregMethod('t', hyper, true, blockMeans([support]))
        .adapt(support, supportLabels, C, pool, names)
        .predictProbs(pool);
      const slow = tf.tidy(() =>
        tf
          .softmax(
            unrolledAdaptation(
              theta.map((t) => tf.scalar(t)),
              ep,
              BASE,
            ),
          )
          .dataSync(),
      );
      for (let i = 0; i < fast.length; i++) assert.ok(Math.abs(fast[i] - slow[i]) < 2e-3, `prob ${i}: ${fast[i]} vs ${slow[i]}`);
    });

    it('with the sentence block, runs the same procedure as the engine does with it (SentenceBlockMethod at the learned weight)', () => {
      const { supportLabels, poolLabels, support, pool, names, ep } = wholePoolEpisode({
        dim: SENTENCE_DIM,
        support: sentenceOf(repeatLabels(C, 1), 24),
        pool: sentenceOf(repeatLabels(C, 6), 25),
        names: sentenceOf(repeatLabels(C, 1), 26),
      });
      const withBlock = (lines: EncodedLines, labels: Int32Array, seed: number) =>
        augmentLines(lines, sentenceOf(labels, seed), SENTENCE_DIM);
      const weight = sentenceWeightOf(thetaFromHyper(hyper, sentenceWeight));
      assert.ok(Math.abs(weight - sentenceWeight) < 1e-9, 'the weight round-trips through the meta-parameters');
      const fullPool = withBlock(pool, poolLabels, 25);
      const fast = new SentenceBlockMethod({
        name: 't',
        hyper,
        transductive: true,
        corpusCentre: blockMeans([support]),
        layout: { wordDim: support.wordDim, sentenceDim: SENTENCE_DIM },
        sentence: weight,
      })
        .adapt(withBlock(support, supportLabels, 24), supportLabels, C, fullPool, withBlock(names, repeatLabels(C, 1), 26))
        .predictProbs(fullPool);
      const run = (t: number[], e: HyperEpisode) =>
        tf.tidy(() =>
          tf
            .softmax(
              unrolledAdaptation(
                t.map((x) => tf.scalar(x)),
                e,
                BASE,
              ),
            )
            .dataSync(),
        );
      const slow = run(sentenceTheta, ep);
      for (let i = 0; i < fast.length; i++) assert.ok(Math.abs(fast[i] - slow[i]) < 2e-3, `prob ${i}: ${fast[i]} vs ${slow[i]}`);
      // The block matters here: without it the same procedure predicts otherwise.
      const without = run(theta, { ...ep, Ks: undefined });
      assert.ok(
        without.some((p, i) => Math.abs(p - slow[i]) > 0.05),
        'the sentence block changes the probabilities',
      );
    });

    it('meta-gradient matches float64 central finite differences, with and without the sentence block', () => {
      for (const [seed, withSentence] of [
        [31, false],
        [47, false],
        [31, true],
        [47, true],
      ] as const) {
        const ep = episode(seed, withSentence);
        const keys = withSentence ? SENTENCE_THETA_KEYS : THETA_KEYS;
        const at = withSentence ? sentenceTheta : theta;
        const analytic = tf.tidy(() => {
          const { grads, value } = tf.valueAndGrads((...t: tf.Tensor[]) => episodeLoss(t as tf.Scalar[], ep, BASE).loss)(
            at.map((t) => tf.scalar(t)),
          );
          assert.ok(Math.abs(value.dataSync()[0] - referenceLoss(at, ep)) < 1e-4, 'same loss as the reference');
          return grads.map((g) => g.dataSync()[0]);
        });
        assert.equal(analytic.length, keys.length);
        const eps = 1e-4;
        keys.forEach((key, i) => {
          const plus = [...at];
          const minus = [...at];
          plus[i] += eps;
          minus[i] -= eps;
          const numeric = (referenceLoss(plus, ep) - referenceLoss(minus, ep)) / (2 * eps);
          const err = Math.abs(analytic[i] - numeric) / Math.max(1e-3, Math.abs(numeric));
          assert.ok(
            err < 2e-2,
            `${key}${withSentence ? ' (sentence block)' : ''}: analytic ${analytic[i]} vs numeric ${numeric} (relative error ${err})`,
          );
        });
      }
    });

    it('the meta-gradient is not the first-order one: inner steps carry second-order terms', () => {
      // Dropping the inner loop's dependence on the step size (first-order MAML's approximation)
      // would zero d loss / d log lr; the true gradient through the unrolled steps is far from zero.
      const ep = episode(31);
      const g = tf.tidy(() =>
        tf
          .grads((...t: tf.Tensor[]) => episodeLoss(t as tf.Scalar[], ep, BASE).loss)(theta.map((t) => tf.scalar(t)))
          .map((x) => x.dataSync()[0]),
      );
      assert.ok(Math.abs(g[THETA_KEYS.indexOf('logLr')]) > 1e-3, `d loss / d log lr = ${g[2]}`);
    });

    it('leaks no tensors', () => {
      const ep = episode(5);
      // metaStep runs the whole meta-gradient and the Adam step with no tidy around it: whatever
      // it leaked would stay alive.
      const state = initialMetaState(HAND_SET);
      const before = tf.memory().numTensors;
      metaStep(state, [ep, episode(6)], BASE, 0.01);
      assert.equal(tf.memory().numTensors, before);
      assert.equal(state.step, 1, 'the step ran');
    });
  });
}
