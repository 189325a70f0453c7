// The adaptation procedures the engine offers. All work on the same per-document features
// (FeatureView) so that comparisons between them are about the procedure, not the representation.
import { englishOf, type MessageTemplate, said } from '../messageTemplate';
import type { AdaptControl, AdaptPlan, Classifier, EncodedLines, FewShotMethod, LinearHead, LineSummaries } from '../types';
import { blockMeans, type BlockScales, type Centre, evenRows, FeatureView, selectRows } from './featureView';
import { fitLogreg, type LogregHyper } from './kernelLogreg';
import { MAX_PSEUDO_CANDIDATES } from '../pool';
import { concatRows, fitPrimal, meanNnz, type SparseRows, sparseRows } from './primalLogreg';
import { argmaxRow, softmaxRows } from './probs';
import { charDocumentFrequency, idfWeights, weightChars } from './charWeighting';

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
  /**
   * Length of the prototype rows the head starts from (0 or absent: from zero). Starting from the
   * prototypes keeps a large labeled set at least as good as the nearest-prototype classifier.
   */
  protoScale?: number;
  /**
   * Steps of each self-training refit when it continues from the previous round's head; absent:
   * every round refits from the first fit's start with `steps` steps (the meta-learned procedure).
   * Continuing costs a fraction of a refit, which matters when the labeled set is large.
   */
  roundSteps?: number;
  /**
   * The procedure for a large labeled set (LARGE_ROWS rows and more), used instead of the fields
   * above: a prototype start and rounds that continue. Measured on many-way episodes of training
   * domains (docs/accuracy.md): as accurate from 5 shots per label on, about a third of the cost; on
   * one-shot sets the meta-learned procedure is ahead.
   */
  large?: LargeSchedule;
  /**
   * Power of the IDF weighting of the char block (charWeighting.ts), its document frequencies
   * counted on the support, the pool and the label names. 0 or absent: no weighting. Transductive
   * only: without a pool the features are re-centred on a corpus centre of unweighted lines.
   */
  charIdf?: number;
}

export interface LargeSchedule {
  protoScale: number;
  steps: number;
  roundSteps: number;
}

/**
 * Gradient steps of a warm start's first fit, before its self-training round. Measured on the
 * 77 x 10 job (6 label sets, one label added): the document's lines labeled as a cold fit labels
 * them, 99.04% with one step, 99.07% with three, 98.91% with none; one step is a third of the cost.
 */
const WARM_FIRST_STEPS = 1;

/** The large-set schedule the shipped default uses (chosen on CLINC150 training domains, 45-way). */
export const LARGE_SCHEDULE: LargeSchedule = { protoScale: 5, steps: 15, roundSteps: 8 };

/**
 * Labeled rows (lines and label names) from which the large-set schedule takes over. Below it the
 * meta-learned procedure runs as it was trained (5-way episodes, up to 50 rows), so what was fitted
 * on its outputs, such as the abstention rule, sees the probabilities it was fitted on; above it
 * the cost of refitting every round starts to matter. 45-way 5-shot sets (270 rows) are large.
 */
export const LARGE_ROWS = 256;

/**
 * Power of the char block's IDF weighting in `default-idf` (see AdaptHyper.charIdf): the better of
 * 0.5 and 1 on CLINC150 validation intents of the domain auto_and_commute (classes the shipped
 * model never trained on; +0.2 / +0.2 points against +0.1 / +0.1 at 1 / 5 shots, both inside the
 * intervals). Not meta-learned: docs/accuracy.md says why.
 */
export const CHAR_IDF_POWER = 0.5;

/** The procedure measured best by hand (docs/findings.md). */
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
    readonly plan?: AdaptPlan,
    /** Char-block weights the lines were adapted with (charWeighting.ts); every scored line gets them too. */
    readonly charWeights?: Float32Array,
    /** What the lines the head was fitted on went through first (the ideograph block's appending); scored lines too. */
    readonly prepare?: (lines: EncodedLines) => EncodedLines,
  ) {}

  scores(lines: EncodedLines): Float32Array {
    return this.view.scores(this.input(lines), this.head.W, this.head.b, this.head.nClasses);
  }

  predictProbs(lines: EncodedLines): Float32Array {
    return softmaxRows(this.scores(lines), this.head.nClasses, this.temperature);
  }

  predictSummary(lines: EncodedLines): LineSummaries {
    return this.view.summary(this.input(lines), this.head.W, this.head.b, this.head.nClasses, this.temperature);
  }

  private input(lines: EncodedLines): EncodedLines {
    const prepared = this.prepare ? this.prepare(lines) : lines;
    return this.charWeights ? weightChars(prepared, this.charWeights) : prepared;
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
 * Multiply-adds (in planAdaptation's count) one adaptation may spend. In the WebAssembly kernel
 * (kernel/scope.ts) this is about half a second of fitting on the 2-core machine of
 * docs/bench.md. A larger labeled set is fitted on a per-class subsample (the prototypes still use
 * every line), and past that with fewer rounds, so one adaptation never stalls the worker.
 */
export const WORK_BUDGET = 2.5e9;

/** Multiply-adds of one primal fit and of one dual fit on n rows. */
export function fitCost(n: number, nnzPerRow: number, wordDim: number, dim: number, nClasses: number, steps: number) {
  const primal = steps * nClasses * (2 * n * (wordDim + nnzPerRow) + 3 * dim);
  const dual = (n * n * dim) / 2 + steps * n * n * nClasses + n * dim * nClasses;
  return { primal, dual };
}

/**
 * What a cut plan says (AdaptPlan.note), in English with `{0}` placeholders: the key of its
 * translation in the extension's l10n bundle (the extension says noteTemplate; see docs/l10n.md).
 */
export const ADAPTATION_NOTES = {
  capped:
    '{0} labeled lines over {1} labels are more than one adaptation fits in its time budget: the head starts from the prototypes of every labeled line and its gradient steps see at most {2} lines per label',
  cappedRounds:
    '{0} labeled lines over {1} labels are more than one adaptation fits in its time budget: the head starts from the prototypes of every labeled line and its gradient steps see at most {2} lines per label with {3} of {4} self-training rounds',
  prototypes:
    '{0} labeled lines over {1} labels are more than one adaptation fits in its time budget: predictions come from the prototype head of every labeled line, without gradient steps',
} as const;

const noted = (m: MessageTemplate) => ({ note: englishOf(m), noteTemplate: m });

/**
 * Chooses how much of the labeled set the gradient steps see so the adaptation fits the budget:
 * all of it when it does; otherwise a per-class cap, then fewer self-training rounds, then no
 * gradient steps at all (the prototype head alone, linear in the labeled lines).
 */
export function planAdaptation(
  classCounts: ArrayLike<number>,
  nameRows: number,
  nnzPerRow: number,
  wordDim: number,
  dim: number,
  hp: AdaptHyper,
  poolSize: number,
  steps: number,
  budget: number,
): AdaptPlan {
  const C = classCounts.length;
  const rowsAt = (cap: number) => {
    let n = nameRows;
    for (let c = 0; c < C; c++) n += Math.min(classCounts[c], cap);
    return n;
  };
  const workOf = (cap: number, rounds: number[]) => {
    let n = rowsAt(cap);
    const first = fitCost(n, nnzPerRow, wordDim, dim, C, steps);
    let work = Math.min(first.primal, first.dual);
    for (const k of rounds) {
      const quota = pseudoQuota(k, poolSize, C);
      if (quota === 0) break;
      n += quota * C;
      work +=
        fitCost(n, nnzPerRow, wordDim, dim, C, Math.min(steps, hp.roundSteps ?? steps)).primal +
        Math.min(poolSize, MAX_PSEUDO_CANDIDATES) * C * (wordDim + nnzPerRow);
    }
    return work;
  };
  const formOf = (cap: number) => {
    const cost = fitCost(rowsAt(cap), nnzPerRow, wordDim, dim, C, steps);
    return cost.dual <= cost.primal ? 'dual' : 'primal';
  };
  let max = 0;
  for (let c = 0; c < C; c++) max = Math.max(max, classCounts[c]);
  const full = workOf(Infinity, hp.rounds);
  if (full <= budget) return { rowsPerClass: Infinity, rounds: hp.rounds, steps, form: formOf(Infinity), work: full };
  const lines = String(rowsAt(Infinity) - nameRows);
  // Largest per-class cap that fits, with every round; then drop rounds from the end.
  for (let rounds = hp.rounds.length; rounds >= 0; rounds--) {
    const kept = hp.rounds.slice(0, rounds);
    let lo = 0;
    let hi = max;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (workOf(mid, kept) <= budget) lo = mid;
      else hi = mid - 1;
    }
    if (lo >= 1) {
      return {
        rowsPerClass: lo,
        rounds: kept,
        steps,
        form: formOf(lo),
        work: workOf(lo, kept),
        ...noted(
          kept.length < hp.rounds.length
            ? said(ADAPTATION_NOTES.cappedRounds, lines, String(C), String(lo), String(kept.length), String(hp.rounds.length))
            : said(ADAPTATION_NOTES.capped, lines, String(C), String(lo)),
        ),
      };
    }
  }
  return {
    rowsPerClass: 0,
    rounds: [],
    steps: 0,
    form: 'primal',
    work: rowsAt(Infinity) * (wordDim + nnzPerRow),
    ...noted(said(ADAPTATION_NOTES.prototypes, lines, String(C))),
  };
}

/**
 * The prototype head: each class's weighted mean row, scaled to length `scale`. With scale 0 the
 * zero head. A start for the gradient steps that already classifies (nearest prototype), so a large
 * labeled set is well served even when the budget allows few steps. With `wanted`, only those
 * classes' rows are filled (the others stay zero).
 */
export function prototypeHead(
  rows: SparseRows,
  labels: Int32Array,
  weights: Float32Array,
  nClasses: number,
  scale: number,
  wanted?: readonly boolean[],
): LinearHead {
  const { wordDim: wd, charDim: cd } = rows;
  const dim = wd + cd;
  const W = new Float32Array(nClasses * dim);
  if (scale === 0) return { W, b: new Float32Array(nClasses), nClasses };
  const sum = new Float64Array(nClasses * dim);
  const shift = new Float64Array(nClasses);
  for (let i = 0; i < rows.n; i++) {
    const c = labels[i];
    if (wanted && !wanted[c]) continue;
    const w = weights[i];
    const o = c * dim;
    for (let j = 0; j < wd; j++) sum[o + j] += w * rows.word[i * wd + j];
    for (let p = rows.charOffsets[i]; p < rows.charOffsets[i + 1]; p++) sum[o + wd + rows.charIndex[p]] += w * rows.charValue[p];
    shift[c] += w * rows.charScale[i];
  }
  for (let c = 0; c < nClasses; c++) {
    if (wanted && !wanted[c]) continue;
    const o = c * dim;
    for (let k = 0; k < cd; k++) sum[o + wd + k] -= shift[c] * rows.charMean[k];
    let sq = 0;
    for (let j = 0; j < dim; j++) sq += sum[o + j] * sum[o + j];
    const inv = sq > 0 ? scale / Math.sqrt(sq) : 0;
    for (let j = 0; j < dim; j++) W[o + j] = sum[o + j] * inv;
  }
  return { W, b: new Float32Array(nClasses), nClasses };
}

/** The previous head, with the rows of classes it did not know taken from the prototypes (at its mean row length). */
function warmHead(
  warm: { head: LinearHead; known: boolean[] },
  rows: SparseRows,
  labels: Int32Array,
  weights: Float32Array,
  C: number,
): LinearHead {
  if (warm.known.every(Boolean)) return warm.head;
  const dim = rows.wordDim + rows.charDim;
  let total = 0;
  let count = 0;
  for (let c = 0; c < C; c++) {
    if (!warm.known[c]) continue;
    let sq = 0;
    for (let j = 0; j < dim; j++) sq += warm.head.W[c * dim + j] ** 2;
    total += Math.sqrt(sq);
    count++;
  }
  const proto = prototypeHead(
    rows,
    labels,
    weights,
    C,
    count > 0 && total > 0 ? total / count : 1,
    warm.known.map((known) => !known),
  );
  const W = Float32Array.from(warm.head.W);
  const b = Float32Array.from(warm.head.b);
  for (let c = 0; c < C; c++) {
    if (warm.known[c]) continue;
    W.set(proto.W.subarray(c * dim, (c + 1) * dim), c * dim);
    b[c] = 0;
  }
  return { W, b, nClasses: C };
}

/** At most `cap` rows of each class, spread evenly over that class's rows (all rows when cap is Infinity). */
export function capPerClass(labels: Int32Array, nClasses: number, cap: number): Int32Array {
  if (!Number.isFinite(cap)) return Int32Array.from(labels.keys());
  const byClass: number[][] = Array.from({ length: nClasses }, () => []);
  labels.forEach((c, i) => {
    byClass[c].push(i);
  });
  const rows: number[] = [];
  for (const members of byClass) for (const r of evenRows(members.length, Math.min(cap, members.length))) rows.push(members[r]);
  return Int32Array.from(rows.sort((a, b) => a - b));
}

function pick<T extends Int32Array | Float32Array>(values: T, rows: Int32Array, make: (n: number) => T): T {
  const out = make(rows.length);
  for (let r = 0; r < rows.length; r++) out[r] = values[rows[r]];
  return out;
}

/** The kept rows: a SparseRows is an EncodedLines (its char values pre-scaled) plus a scale per row. */
function selectSparse(rows: SparseRows, keep: Int32Array): SparseRows {
  if (keep.length === rows.n) return rows;
  return { ...rows, ...selectRows(rows, keep), charScale: pick(rows.charScale, keep, (n) => new Float32Array(n)) };
}

/**
 * One fit, in whichever form is cheaper: the dual (Gram matrix; the shipped procedure's own form,
 * cheapest for a few dozen rows) from zero, or the primal (linear in the rows) from `init`.
 * Both run the same gradient-descent iterates; they agree to rounding (tested).
 */
function fitHead(
  view: FeatureView,
  rows: SparseRows,
  dense: () => Float32Array,
  labels: Int32Array,
  weights: Float32Array,
  nClasses: number,
  hp: LogregHyper,
  init: LinearHead | undefined,
  shouldStop: (() => boolean) | undefined,
): LinearHead {
  if (!init) {
    const cost = fitCost(rows.n, meanNnz(rows), rows.wordDim, view.dim, nClasses, hp.steps);
    if (cost.dual <= cost.primal) return fitLogreg(dense(), view.dim, labels, weights, nClasses, hp);
  }
  return fitPrimal(rows, labels, weights, nClasses, hp, init, shouldStop);
}

/**
 * The pool lines scored for pseudo-labels: at most MAX_PSEUDO_CANDIDATES, spread evenly. Kept per
 * pool while it lives (the engine hands the same encoded pool to every adaptation of an unchanged
 * document).
 */
function pseudoCandidates(pool: EncodedLines): { rows: Int32Array; lines: EncodedLines } {
  const kept = candidatesOf.get(pool);
  if (kept) return kept;
  const rows = evenRows(pool.n, Math.min(pool.n, MAX_PSEUDO_CANDIDATES));
  const picked = { rows, lines: pool.n > MAX_PSEUDO_CANDIDATES ? selectRows(pool, rows) : pool };
  candidatesOf.set(pool, picked);
  return picked;
}
const candidatesOf = new WeakMap<EncodedLines, { rows: Int32Array; lines: EncodedLines }>();

/**
 * Logistic regression on the support set (and the label names as weighted examples), then
 * self-training rounds on the unlabeled pool. The head starts from the prototypes scaled by
 * `hp.protoScale` (0: from zero, as the shipped 5-way procedure was meta-learned), or from a
 * previous solution when warm-started; the work is planned against a budget first (planAdaptation).
 */
export function adaptLogreg(
  view: FeatureView,
  support: EncodedLines,
  supportLabels: Int32Array,
  nClasses: number,
  hp0: AdaptHyper,
  pool?: EncodedLines,
  names?: EncodedLines,
  control: AdaptControl = {},
): LinearClassifier {
  const nameRows = names && hp0.nameWeight > 0 ? meaningfulNames(names) : [];
  const pieces: Array<{ lines: EncodedLines; rows?: ArrayLike<number> }> = [{ lines: support }];
  if (names && nameRows.length > 0) pieces.push({ lines: names, rows: nameRows });
  const allRows = sparseRows(view, pieces);
  const allLabels = Int32Array.from([...supportLabels, ...nameRows]);
  const allWeights = Float32Array.from(allLabels, (_, i) => (i < supportLabels.length ? 1 : hp0.nameWeight));

  const nnz = meanNnz(allRows);
  const large = hp0.large !== undefined && allRows.n >= LARGE_ROWS;
  const schedule: AdaptHyper = large ? { ...hp0, ...hp0.large } : hp0;
  const warm = control.warm;
  // A warm start continues a solution that has been through every self-training round: one round
  // with the last quota brings in pseudo-labels for the labels as they are now (a new one's too).
  const hp: AdaptHyper = warm ? { ...schedule, rounds: schedule.rounds.slice(-1) } : schedule;
  const steps = warm ? (control.warmSteps ?? Math.max(3, Math.round(hp.steps / 5))) : hp.steps;
  const counts = new Int32Array(nClasses);
  for (const c of supportLabels) counts[c]++;
  const plan = planAdaptation(
    counts,
    nameRows.length,
    nnz,
    view.centre.word.length,
    view.dim,
    hp,
    pool?.n ?? 0,
    steps,
    control.budget ?? WORK_BUDGET,
  );
  const fitHp = { ...hp, steps: plan.steps };
  // The gradient steps see the planned rows (names always); the start sees every labeled line.
  const keep = capPerClass(allLabels.subarray(0, supportLabels.length), nClasses, plan.rowsPerClass);
  const keepAll = Int32Array.from([...keep, ...nameRows.map((_, i) => supportLabels.length + i)]);
  const rows = selectSparse(allRows, keepAll);
  const labels = keepAll.length === allLabels.length ? allLabels : pick(allLabels, keepAll, (n) => new Int32Array(n));
  const weights = keepAll.length === allLabels.length ? allWeights : pick(allWeights, keepAll, (n) => new Float32Array(n));
  const capped = keepAll.length < allLabels.length;
  const start = warm
    ? warmHead(warm, allRows, allLabels, allWeights, nClasses)
    : capped || (hp.protoScale ?? 0) > 0
      ? prototypeHead(allRows, allLabels, allWeights, nClasses, hp.protoScale || 1)
      : undefined;
  const dense = () => {
    const parts = [view.dense(support, capped ? keep : undefined)];
    if (names && nameRows.length > 0) parts.push(view.dense(names, nameRows));
    return parts.length === 1 ? parts[0] : concat(parts[0], parts[1]);
  };

  // Warm, the first fit only has to take in the changed labels before the round picks pseudo-labels.
  const firstHp =
    warm && pool && pool.n > 0 && plan.rounds.length > 0 ? { ...fitHp, steps: Math.min(plan.steps, WARM_FIRST_STEPS) } : fitHp;
  let head = fitHead(view, rows, dense, labels, weights, nClasses, firstHp, start, control.shouldStop);
  const heldOut = new Map<number, Float32Array>();
  if (pool && pool.n > 0) {
    const { rows: candidateRows, lines: candidates } = pseudoCandidates(pool);
    let denseRows: Float32Array | undefined;
    for (const k of plan.rounds) {
      const quota = pseudoQuota(k, pool.n, nClasses);
      if (quota === 0 || control.shouldStop?.()) break;
      const scores = view.scores(candidates, head.W, head.b, nClasses);
      const probs = softmaxRows(Float32Array.from(scores), nClasses);
      const picked = topKPerClass(probs, candidates.n, nClasses, quota);
      for (const r of picked.rows) {
        const row = candidateRows[r];
        if (!heldOut.has(row)) heldOut.set(row, softmaxRows(scores.slice(r * nClasses, (r + 1) * nClasses), nClasses, hp.temperature));
      }
      const y = new Int32Array(labels.length + picked.labels.length);
      y.set(labels);
      y.set(picked.labels, labels.length);
      const w = new Float32Array(y.length);
      w.set(weights);
      w.fill(hp.pseudoWeight, labels.length);
      const roundRows = concatRows(rows, sparseRows(view, [{ lines: candidates, rows: picked.rows }]));
      // Each round refits from the same start as the first fit (the procedure that was meta-learned),
      // or continues from the previous round's head for `roundSteps` steps.
      const continued = hp.roundSteps !== undefined;
      head = fitHead(
        view,
        roundRows,
        () => {
          denseRows ??= dense();
          return concat(denseRows, view.dense(candidates, picked.rows));
        },
        y,
        w,
        nClasses,
        continued ? { ...fitHp, steps: Math.min(plan.steps, hp.roundSteps ?? plan.steps) } : fitHp,
        continued ? head : start,
        control.shouldStop,
      );
    }
  }
  return new LinearClassifier(view, head, hp.temperature, heldOut.size > 0 ? heldOut : undefined, { ...plan, large });
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
    protected readonly corpusCentre: Centre,
  ) {}

  adapt(
    support: EncodedLines,
    labels: Int32Array,
    nClasses: number,
    pool?: EncodedLines,
    labelNames?: EncodedLines,
    control?: AdaptControl,
  ): LinearClassifier {
    const usePool = this.transductive && pool !== undefined && pool.n > 0;
    const power = usePool ? (this.hyper.charIdf ?? 0) : 0;
    if (power === 0 || pool === undefined) {
      const centre = usePool ? { ...blockMeans([support, pool]), common: this.corpusCentre.common } : this.corpusCentre;
      const view = new FeatureView(centre, this.hyper.scales);
      return adaptLogreg(view, support, labels, nClasses, this.hyper, usePool ? pool : undefined, labelNames, control);
    }
    const seen = labelNames ? [support, pool, labelNames] : [support, pool];
    const { df, lines } = charDocumentFrequency(seen, support.charDim);
    const weights = idfWeights(df, lines, power);
    const [s, p] = [weightChars(support, weights), weightChars(pool, weights)];
    const view = new FeatureView({ ...blockMeans([s, p]), common: this.corpusCentre.common }, this.hyper.scales);
    const names = labelNames && weightChars(labelNames, weights);
    const fitted = adaptLogreg(view, s, labels, nClasses, this.hyper, p, names, control);
    return new LinearClassifier(view, fitted.head, fitted.temperature, fitted.heldOut, fitted.plan, weights);
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
