// The adaptation procedures the engine offers. All work on the same per-document features
// (FeatureView) so that comparisons between them are about the procedure, not the representation.
import type { Classifier, EncodedLines, FewShotMethod } from '../types';
import { blockMeans, type BlockScales, type Centre, evenRows, FeatureView, selectRows } from './featureView';
import { fitLogreg, type LinearHead, type LogregHyper } from './kernelLogreg';
import { argmaxRow, softmaxRows } from './probs';

/** Everything that shapes an adaptation; the meta-learned default and the hand-set one differ only here. */
export interface AdaptHyper extends LogregHyper {
  scales: BlockScales;
  /** Multiplies the scores before the softmax that produces user-facing probabilities. */
  temperature: number;
  /** Pseudo-labels taken per class in each self-training round, e.g. [5, 10]. Empty: no self-training. */
  rounds: number[];
  /** Loss weight of a pseudo-labeled line relative to a user's label. */
  pseudoWeight: number;
  /** Loss weight of each label's name, used as one more example of its label (0: names unused). */
  nameWeight: number;
}

/** The procedure measured best by hand in notes/fewshot-findings.md. */
export const HAND_SET: AdaptHyper = {
  scales: { word: 1, char: 1 },
  steps: 50,
  lr: 5,
  weightDecay: 1e-3,
  temperature: 1,
  rounds: [5, 10],
  pseudoWeight: 0.5,
  nameWeight: 1,
};

export class LinearClassifier implements Classifier {
  constructor(
    readonly view: FeatureView,
    readonly head: LinearHead,
    readonly temperature: number,
    readonly heldOut?: ReadonlyMap<number, Float32Array>,
  ) {}

  scores(lines: EncodedLines): Float32Array {
    return this.view.scores(lines, this.head.W, this.head.b, this.head.nClasses);
  }

  predictProbs(lines: EncodedLines): Float32Array {
    return softmaxRows(this.scores(lines), this.head.nClasses, this.temperature);
  }
}

/**
 * Pseudo-labels per class in a round: the schedule's k, but at most half the pool's share per
 * class. A short document is not swamped by its own guesses (which would also make the lines that
 * were guessed look certain); one with fewer than two lines per class gets none.
 */
export function pseudoQuota(k: number, poolSize: number, nClasses: number): number {
  return Math.min(k, Math.floor(poolSize / (2 * nClasses)));
}

/**
 * Top-k lines per class among the lines predicted as that class, most confident first.
 * A per-class quota holds up when most of the pool belongs to no class; a threshold does not.
 */
export function topKPerClass(probs: Float32Array, n: number, nClasses: number, k: number): { rows: Int32Array; labels: Int32Array } {
  const byClass: number[][] = Array.from({ length: nClasses }, () => []);
  for (let i = 0; i < n; i++) byClass[argmaxRow(probs, i, nClasses)].push(i);
  const rows: number[] = [];
  const labels: number[] = [];
  byClass.forEach((members, c) => {
    members.sort((a, b) => probs[b * nClasses + c] - probs[a * nClasses + c] || a - b);
    for (const i of members.slice(0, k)) {
      rows.push(i);
      labels.push(c);
    }
  });
  return { rows: Int32Array.from(rows), labels: Int32Array.from(labels) };
}

function concat(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * Most pool lines scored when choosing pseudo-labels: a few thousand hold plenty of top-k
 * candidates, and scoring all of a 100,000-line document every round would dominate the time.
 */
export const MAX_PSEUDO_CANDIDATES = 1024;

/**
 * Rows of `names` that can say something: a name with no known word (`P1`, `x`) has an empty word
 * block, and as an example it would only pull its label towards the document's centre.
 */
export function meaningfulNames(names: EncodedLines): number[] {
  const rows: number[] = [];
  for (let i = 0; i < names.n; i++) {
    let norm = 0;
    for (let j = 0; j < names.wordDim; j++) norm += names.word[i * names.wordDim + j] ** 2;
    if (norm > 0) rows.push(i);
  }
  return rows;
}

/**
 * Logistic regression on the support set (and the label names as weighted examples), then
 * self-training rounds on the unlabeled pool.
 */
export function adaptLogreg(
  view: FeatureView,
  support: EncodedLines,
  supportLabels: Int32Array,
  nClasses: number,
  hp: AdaptHyper,
  pool?: EncodedLines,
  names?: EncodedLines,
): LinearClassifier {
  let Xs = view.dense(support);
  let labels = supportLabels;
  let weights = new Float32Array(labels.length).fill(1);
  const nameRows = names && hp.nameWeight > 0 ? meaningfulNames(names) : [];
  if (names && nameRows.length > 0) {
    Xs = concat(Xs, view.dense(names, nameRows));
    labels = Int32Array.from([...supportLabels, ...nameRows]);
    weights = Float32Array.from(labels, (_, i) => (i < supportLabels.length ? 1 : hp.nameWeight));
  }
  let head = fitLogreg(Xs, view.dim, labels, weights, nClasses, hp);
  const heldOut = new Map<number, Float32Array>();
  if (pool && pool.n > 0) {
    const candidateRows = evenRows(pool.n, Math.min(pool.n, MAX_PSEUDO_CANDIDATES));
    const candidates = pool.n > MAX_PSEUDO_CANDIDATES ? selectRows(pool, candidateRows) : pool;
    for (const k of hp.rounds) {
      const quota = pseudoQuota(k, pool.n, nClasses);
      if (quota === 0) break;
      const scores = view.scores(candidates, head.W, head.b, nClasses);
      const probs = softmaxRows(Float32Array.from(scores), nClasses);
      const picked = topKPerClass(probs, candidates.n, nClasses, quota);
      for (const r of picked.rows) {
        const row = candidateRows[r];
        if (!heldOut.has(row)) heldOut.set(row, softmaxRows(scores.slice(r * nClasses, (r + 1) * nClasses), nClasses, hp.temperature));
      }
      const X = concat(Xs, view.dense(candidates, picked.rows));
      const y = new Int32Array(labels.length + picked.labels.length);
      y.set(labels);
      y.set(picked.labels, labels.length);
      const w = new Float32Array(y.length);
      w.set(weights);
      w.fill(hp.pseudoWeight, labels.length);
      head = fitLogreg(X, view.dim, y, w, nClasses, hp);
    }
  }
  return new LinearClassifier(view, head, hp.temperature, heldOut.size > 0 ? heldOut : undefined);
}

/**
 * Logistic regression with self-training. Transductive: features are re-centred on the support and
 * the pool together. Inductive: on a fixed corpus centre, and the pool is ignored.
 */
export class LogregMethod implements FewShotMethod {
  constructor(
    readonly name: string,
    readonly hyper: AdaptHyper,
    readonly transductive: boolean,
    private readonly corpusCentre: Centre,
  ) {}

  adapt(support: EncodedLines, labels: Int32Array, nClasses: number, pool?: EncodedLines, labelNames?: EncodedLines): Classifier {
    const usePool = this.transductive && pool !== undefined && pool.n > 0;
    const centre = usePool ? { ...blockMeans([support, pool]), common: this.corpusCentre.common } : this.corpusCentre;
    const view = new FeatureView(centre, this.hyper.scales);
    return adaptLogreg(view, support, labels, nClasses, this.hyper, usePool ? pool : undefined, labelNames);
  }
}

/** Nearest class mean (cosine): the untrained baseline every learned method must beat. */
export class PrototypeMethod implements FewShotMethod {
  readonly transductive: boolean;
  constructor(
    readonly name: string,
    private readonly corpusCentre: Centre,
    options: { transductive?: boolean; scales?: BlockScales; temperature?: number } = {},
  ) {
    this.transductive = options.transductive ?? false;
    this.scales = options.scales ?? { word: 1, char: 1 };
    this.temperature = options.temperature ?? 10;
  }
  private readonly scales: BlockScales;
  private readonly temperature: number;

  adapt(support: EncodedLines, labels: Int32Array, nClasses: number, pool?: EncodedLines): Classifier {
    const usePool = this.transductive && pool !== undefined && pool.n > 0;
    const view = new FeatureView(
      usePool ? { ...blockMeans([support, pool]), common: this.corpusCentre.common } : this.corpusCentre,
      this.scales,
    );
    const X = view.dense(support);
    const dim = view.dim;
    const W = new Float32Array(nClasses * dim);
    for (let i = 0; i < labels.length; i++) {
      for (let k = 0; k < dim; k++) W[labels[i] * dim + k] += X[i * dim + k];
    }
    for (let c = 0; c < nClasses; c++) {
      let s = 0;
      for (let k = 0; k < dim; k++) s += W[c * dim + k] ** 2;
      const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
      for (let k = 0; k < dim; k++) W[c * dim + k] *= inv;
    }
    return new LinearClassifier(view, { W, b: new Float32Array(nClasses), nClasses }, this.temperature);
  }
}
