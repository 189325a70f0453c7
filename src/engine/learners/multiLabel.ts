// Multi-label lines: a line carries zero or more labels. One head per label (one-vs-rest, a sigmoid
// of a linear score) on the same per-document features as the single-label path (FeatureView), and
// a threshold per label fitted on the labeled lines alone: the heads are refitted without a fold of
// them, the fold is scored, and each label's threshold is the one that gives the best F1 on those
// held-out scores (shrunk towards the threshold all labels share, since a label has few lines).
// The fits run in the Gram form (kernelLogreg.ts): a Gram matrix of the labeled rows serves every
// head and every fold, so cross-validation costs no feature products.
import type { EncodedLines, LinearHead } from '../types';
import { blockMeans, type BlockScales, type Centre, FeatureView } from './featureView';
import { fitDual, gram, type LogregHyper, primal } from './kernelLogreg';
import { meaningfulNames } from './adaptation';

/** Which labels each line carries: row-major n x nLabels, 1 where line i carries label l. */
export interface LabelSets {
  n: number;
  nLabels: number;
  member: Uint8Array;
}

export interface MultiLabelHyper extends LogregHyper {
  scales: BlockScales;
  /** Multiplies the scores before the sigmoid. */
  temperature: number;
  /** Loss weight of each label's name as one more line carrying that label alone (0: names unused). */
  nameWeight: number;
}

/** How the thresholds are set: fitted by cross-validation on the labeled lines, or one fixed value. */
export type ThresholdRule = ({ kind: 'cv'; folds: number; prior: number; committee?: boolean } | { kind: 'fixed'; value: number }) & {
  /**
   * Keep each predicted set within the labeled lines' range of set sizes (the most probable labels
   * added, the least probable dropped). Used on clauses (multiLabelClauses.ts), where a clause
   * carries one label when every labeled clause does; whole lines leave it off.
   */
  sizes?: boolean;
};

/** Threshold of a label with nothing to fit it on (no held-out line carries it, or every one does). */
export const DEFAULT_THRESHOLD = 0.5;

/**
 * Cross-validated thresholds: 10 folds (each labeled line is scored once by heads that never saw
 * it), and the heads used are the folds' committee, whose held-out probabilities the thresholds
 * were fitted on; a label's own threshold counts as `prior` lines against the one shared by all
 * labels, so a label with 2 lines mostly keeps the shared one and a label with 20 mostly its own.
 * Chosen on the SNIPS validation split (docs/multilabel.md: prior 4 over 0 and over the shared
 * threshold alone; the committee and 10 folds as good as 5 folds and a refit on every line).
 */
export const CV_THRESHOLDS: ThresholdRule = { kind: 'cv', folds: 10, prior: 4, committee: true };

/**
 * A head fitter in the Gram form: from the Gram matrix of n training rows, each label's score as
 * coefficients over those rows (D: nLabels x n, score_l(x) = sum_i D[l,i] <x_i, x> + d[l]).
 */
export type DualFit = (K: Float64Array, n: number, member: Uint8Array, nLabels: number, weights: Float32Array) => DualHeads;

interface DualHeads {
  D: Float64Array;
  d: Float64Array;
}

/** Logistic regression per label: a two-class fit (carries / does not carry), whose score difference is the sigmoid's logit. */
export function logregHeads(hp: LogregHyper): DualFit {
  return (K, n, member, nLabels, weights) => {
    const D = new Float64Array(nLabels * n);
    const d = new Float64Array(nLabels);
    const y = new Int32Array(n);
    for (let l = 0; l < nLabels; l++) {
      for (let i = 0; i < n; i++) y[i] = member[i * nLabels + l];
      const { A, b } = fitDual(K, y, weights, 2, hp);
      for (let i = 0; i < n; i++) D[l * n + i] = A[n + i] - A[i];
      d[l] = b[1] - b[0];
    }
    return { D, d };
  };
}

/** Each label's prototype: the unit-length weighted mean of the rows carrying it; the score is the cosine with it. */
export function prototypeHeads(): DualFit {
  return (K, n, member, nLabels, weights) => {
    const D = new Float64Array(nLabels * n);
    for (let l = 0; l < nLabels; l++) {
      for (let i = 0; i < n; i++) D[l * n + i] = member[i * nLabels + l] ? weights[i] : 0;
      let sq = 0;
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) sq += D[l * n + i] * D[l * n + j] * K[i * n + j];
      const inv = sq > 0 ? 1 / Math.sqrt(sq) : 0;
      for (let i = 0; i < n; i++) D[l * n + i] *= inv;
    }
    return { D, d: new Float64Array(nLabels) };
  };
}

export class MultiLabelClassifier {
  constructor(
    readonly view: FeatureView,
    /** One row per label; its sigmoid is the label's probability. */
    readonly head: LinearHead,
    readonly temperature: number,
    readonly thresholds: Float32Array,
    readonly sizes?: { min: number; max: number },
  ) {}

  /** Row-major n x nLabels probabilities, each label on its own (they need not sum to 1). */
  predictProbs(lines: EncodedLines): Float32Array {
    const z = this.view.scores(lines, this.head.W, this.head.b, this.head.nClasses);
    for (let k = 0; k < z.length; k++) z[k] = sigmoid(this.temperature * z[k]);
    return z;
  }

  /** The probabilities and each line's set: label l where its probability reaches its threshold (possibly none). */
  predictSets(lines: EncodedLines): { probs: Float32Array; sets: Uint8Array } {
    const probs = this.predictProbs(lines);
    const sets = setsOf(probs, this.thresholds);
    if (this.sizes) clipSizes(probs, sets, this.thresholds.length, this.sizes.min, this.sizes.max);
    return { probs, sets };
  }
}

/** 1 where a probability reaches its label's threshold; a NaN probability is never a label. */
export function setsOf(probs: Float32Array, thresholds: Float32Array): Uint8Array {
  const L = thresholds.length;
  return Uint8Array.from(probs, (p, k) => (p >= thresholds[k % L] ? 1 : 0));
}

/** Each line's set brought within [min, max] labels: the most probable labels added, the least probable dropped. */
function clipSizes(probs: Float32Array, sets: Uint8Array, L: number, min: number, max: number): void {
  const n = sets.length / L;
  for (let i = 0; i < n; i++) {
    const order = Array.from({ length: L }, (_, l) => l).sort((a, b) => probs[i * L + b] - probs[i * L + a]);
    let size = 0;
    for (let l = 0; l < L; l++) size += sets[i * L + l];
    for (let k = 0; size < min && k < L; k++) {
      if (!sets[i * L + order[k]]) {
        sets[i * L + order[k]] = 1;
        size++;
      }
    }
    for (let k = L - 1; size > max && k >= 0; k--) {
      if (sets[i * L + order[k]]) {
        sets[i * L + order[k]] = 0;
        size--;
      }
    }
  }
}

function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

export interface MultiLabelInput {
  support: EncodedLines;
  sets: LabelSets;
  /** Unlabeled lines of the document: the features are re-centred on them and the support together. */
  pool?: EncodedLines;
  /** The label names encoded as lines, one row per label. */
  names?: EncodedLines;
}

/**
 * Fits one head per label on the support (label names as weighted one-label lines), and the
 * thresholds by `rule` on the support lines alone.
 */
export function adaptMultiLabel(
  input: MultiLabelInput,
  corpusCentre: Centre,
  hp: MultiLabelHyper,
  fitHeads: DualFit,
  rule: ThresholdRule,
): MultiLabelClassifier {
  const { support, sets, pool, names } = input;
  const L = sets.nLabels;
  const centre = pool && pool.n > 0 ? { ...blockMeans([support, pool]), common: corpusCentre.common } : corpusCentre;
  const view = new FeatureView(centre, hp.scales);
  const nameRows = names && hp.nameWeight > 0 ? meaningfulNames(names) : [];
  const n = support.n + nameRows.length;
  const X = new Float32Array(n * view.dim);
  X.set(view.dense(support));
  if (names && nameRows.length > 0) X.set(view.dense(names, nameRows), support.n * view.dim);
  const member = new Uint8Array(n * L);
  member.set(sets.member.subarray(0, support.n * L));
  nameRows.forEach((l, r) => {
    member[(support.n + r) * L + l] = 1;
  });
  const weights = Float32Array.from({ length: n }, (_, i) => (i < support.n ? 1 : hp.nameWeight));
  const K = gram(X, n, view.dim);
  const cv =
    rule.kind === 'cv' && support.n >= 2
      ? crossValidate(K, n, member, L, weights, support.n, fitHeads, hp.temperature, rule.folds)
      : undefined;
  const heads = cv && rule.kind === 'cv' && rule.committee ? cv.committee : fitHeads(K, n, member, L, weights);
  const thresholds =
    rule.kind === 'fixed'
      ? new Float32Array(L).fill(rule.value)
      : cv
        ? fitThresholds(cv.probs, member.subarray(0, support.n * L), L, rule.prior)
        : // Fewer than two lines: nothing can be held out and still leave something to fit.
          new Float32Array(L).fill(DEFAULT_THRESHOLD);
  const W = primal(heads.D, X, n, view.dim, L);
  const sizes = rule.sizes && support.n > 0 ? sizeRange(sets) : undefined;
  return new MultiLabelClassifier(view, { W, b: Float32Array.from(heads.d), nClasses: L }, hp.temperature, thresholds, sizes);
}

/** The fewest and the most labels a line of `sets` carries. */
function sizeRange(sets: LabelSets): { min: number; max: number } {
  const L = sets.nLabels;
  let min = L;
  let max = 0;
  for (let i = 0; i < sets.n; i++) {
    let k = 0;
    for (let l = 0; l < L; l++) k += sets.member[i * L + l];
    min = Math.min(min, k);
    max = Math.max(max, k);
  }
  return { min, max };
}

/**
 * Held-out probabilities of the first `lines` rows (the support; the rows after them, the names,
 * always train): fold f holds out the lines i with i mod folds = f. Also the committee of the fold
 * heads (their mean, a linear head itself): the heads whose held-out probabilities the thresholds
 * are fitted on, where a head fitted on every line would be surer than they were.
 */
export function crossValidate(
  K: Float64Array,
  n: number,
  member: Uint8Array,
  L: number,
  weights: Float32Array,
  lines: number,
  fitHeads: DualFit,
  temperature: number,
  folds: number,
): { probs: Float32Array; committee: DualHeads } {
  const out = new Float32Array(lines * L);
  const F = Math.min(folds, lines);
  const committee = { D: new Float64Array(L * n), d: new Float64Array(L) };
  for (let f = 0; f < F; f++) {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < n; i++) (i < lines && i % F === f ? test : train).push(i);
    const m = train.length;
    const Ks = new Float64Array(m * m);
    for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) Ks[a * m + b] = K[train[a] * n + train[b]];
    const ms = new Uint8Array(m * L);
    train.forEach((i, a) => {
      ms.set(member.subarray(i * L, (i + 1) * L), a * L);
    });
    const { D, d } = fitHeads(
      Ks,
      m,
      ms,
      L,
      Float32Array.from(train, (i) => weights[i]),
    );
    for (let l = 0; l < L; l++) {
      committee.d[l] += d[l] / F;
      train.forEach((i, a) => {
        committee.D[l * n + i] += D[l * m + a] / F;
      });
    }
    for (const t of test) {
      for (let l = 0; l < L; l++) {
        let s = d[l];
        for (let a = 0; a < m; a++) s += D[l * m + a] * K[t * n + train[a]];
        out[t * L + l] = sigmoid(temperature * s);
      }
    }
  }
  return { probs: out, committee };
}

/**
 * Per-label thresholds from held-out probabilities and the truth (both lines x L): each label's
 * F1-best threshold, weighted by its positive lines against `prior` lines of the threshold that is
 * F1-best over all labels pooled (micro). A label no line carries, or every line does, takes the
 * shared one; when no line carries any label, DEFAULT_THRESHOLD.
 */
export function fitThresholds(probs: Float32Array, truth: Uint8Array, L: number, prior: number): Float32Array {
  const lines = probs.length / L;
  const shared = bestF1Threshold(probs, truth) ?? DEFAULT_THRESHOLD;
  const out = new Float32Array(L);
  for (let l = 0; l < L; l++) {
    const p = Float32Array.from({ length: lines }, (_, i) => probs[i * L + l]);
    const y = Uint8Array.from({ length: lines }, (_, i) => truth[i * L + l]);
    const positives = y.reduce((s, v) => s + v, 0);
    const own = positives > 0 && positives < lines ? bestF1Threshold(p, y) : undefined;
    out[l] = own === undefined ? shared : (positives * own + prior * shared) / (positives + prior);
  }
  return out;
}

/**
 * The threshold with the best F1 on (score, truth) pairs: the midpoint of the widest-margin gap
 * among the best cuts (the middle of the best run of cuts), so that it does not sit on a labeled
 * line's score. Undefined without a positive.
 */
export function bestF1Threshold(scores: ArrayLike<number>, truth: ArrayLike<number>): number | undefined {
  const order = Array.from({ length: scores.length }, (_, i) => i)
    .filter((i) => Number.isFinite(scores[i]))
    .sort((a, b) => scores[b] - scores[a]);
  let positives = 0;
  for (const i of order) positives += truth[i] ? 1 : 0;
  if (positives === 0) return undefined;
  // Cut k: the k highest-scored lines are predicted positive (ties stay together).
  let tp = 0;
  let best = -1;
  let bestCuts: number[] = [];
  for (let k = 1; k <= order.length; k++) {
    tp += truth[order[k - 1]] ? 1 : 0;
    if (k < order.length && scores[order[k]] === scores[order[k - 1]]) continue;
    const f1 = (2 * tp) / (k + positives);
    if (f1 > best + 1e-12) {
      best = f1;
      bestCuts = [k];
    } else if (f1 > best - 1e-12) bestCuts.push(k);
  }
  const k = bestCuts[Math.floor((bestCuts.length - 1) / 2)];
  const above = scores[order[k - 1]];
  const below = k < order.length ? scores[order[k]] : 0;
  return (above + below) / 2;
}
