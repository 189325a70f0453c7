// Abstention without examples: "no label" for a line unlike every label of the document.
//
// The rule works on what any adapted classifier offers (its probabilities, and its raw scores when
// it has them) and on the encoded lines, so it does not care how the classifier was fitted. Each
// line gets a few signals of being out of scope, each re-centred on the document (on what the same
// signal reads for the labeled lines, which are in scope by definition); a tiny logistic model turns
// them into P(out of scope), and the line is reported as `none` above a threshold. The threshold
// moves with what is known of the adaptation before any line is judged (labeled lines per label,
// number of labels, length of the labeled lines: `SupportContext`), because the same signals read
// lower for every line of a document with fewer or longer examples. The weights and the threshold
// are fitted on episodes of training domains only (fit.ts), never picked by hand; they ship next to
// the model as `abstention.json`.
import type { Classifier, EncodedLines } from '../types';
import { capPerClass } from '../learners/adaptation';
import { blockMeans, type Centre, FeatureView, selectRows } from '../learners/featureView';

/**
 * The signals the rule may combine; higher values of each mean "more like the labels", except
 * `shots`: log of the labeled lines per label, the same for every line of a document. It lets the
 * rule read the others in context: with one example per label every query looks far from the
 * labeled lines (whose own scores are inflated by having been trained on), with ten much less so.
 */
export const ABSTAIN_FEATURES = ['maxProb', 'margin', 'energy', 'nearestWord', 'nearestChar', 'prototype', 'shots'] as const;
export type AbstainFeature = (typeof ABSTAIN_FEATURES)[number];

/**
 * What the rule knows of an adaptation before it judges a line, the same for every line of it:
 * `shots` the log of labeled lines per label, `labels` the log of the number of labels, `length`
 * the log of the labeled lines' mean count of character n-grams (longer lines have more). (The
 * labeled lines' likeness to each other and the document's typical signal levels were tried too:
 * they kept fewer of the demo tickets, docs/accuracy.md.)
 */
export const CONTEXT_FEATURES = ['shots', 'labels', 'length'] as const;
export type ContextFeature = (typeof CONTEXT_FEATURES)[number];
export type SupportContext = Record<ContextFeature, number>;

/**
 * A threshold that follows the context: logit(threshold) = bias + sum of weights x context, each
 * context value first clamped to [lower, upper], the range it was fitted on (beyond it the
 * threshold stays where it was last measured instead of extrapolating).
 */
export interface ContextThreshold {
  features: ContextFeature[];
  weights: number[];
  bias: number;
  lower: number[];
  upper: number[];
}

/** A fitted rule: standardisation, logistic weights and the threshold on P(out of scope). */
export interface AbstainParams {
  features: AbstainFeature[];
  /** Per feature: subtracted, then divided by `scale`, before the weights apply. */
  mean: number[];
  scale: number[];
  weights: number[];
  bias: number;
  /**
   * A line whose P(out of scope) is at least this is reported as "no label": the threshold over
   * every context together (the only one in format 1 files, which have no `byContext`).
   */
  threshold: number;
  /** The threshold per context (format 2); when present it replaces `threshold`. */
  byContext?: ContextThreshold;
}

/** The rules shipped next to a model (`abstention.json`): the engine's, and the baseline it is measured against. */
export interface AbstentionRules {
  /** The rule the engine applies: every signal combined. */
  learned: AbstainParams;
  /** The plain confidence threshold (max probability alone), fitted the same way: the baseline to beat. */
  confidence: AbstainParams;
}

export class AbstainError extends Error {
  override name = 'AbstainError';
}

/** Checks a rule read from a file: every field present, finite and of matching length. */
export function checkAbstainParams(value: unknown, where: string): AbstainParams {
  const p = value as Partial<AbstainParams> | null;
  const numbers = (xs: unknown, n: number) =>
    Array.isArray(xs) && xs.length === n && xs.every((x) => typeof x === 'number' && Number.isFinite(x));
  if (!p || !Array.isArray(p.features) || p.features.length === 0) throw new AbstainError(`${where}: no features`);
  const unknown = p.features.find((f) => !(ABSTAIN_FEATURES as readonly string[]).includes(f));
  if (unknown !== undefined) throw new AbstainError(`${where}: unknown feature '${unknown}' (known: ${ABSTAIN_FEATURES.join(', ')})`);
  const n = p.features.length;
  if (!numbers(p.mean, n) || !numbers(p.scale, n) || !numbers(p.weights, n)) {
    throw new AbstainError(`${where}: mean, scale and weights must be ${n} finite numbers each`);
  }
  if (!numbers([p.bias], 1) || !numbers([p.threshold], 1)) throw new AbstainError(`${where}: bias and threshold must be finite numbers`);
  if (p.byContext !== undefined) checkContextThreshold(p.byContext, `${where}: byContext`, numbers);
  return p as AbstainParams;
}

function checkContextThreshold(value: unknown, where: string, numbers: (xs: unknown, n: number) => boolean): void {
  const t = value as Partial<ContextThreshold> | null;
  if (!t || !Array.isArray(t.features)) throw new AbstainError(`${where}: no features`);
  const unknown = t.features.find((f) => !(CONTEXT_FEATURES as readonly string[]).includes(f));
  if (unknown !== undefined) throw new AbstainError(`${where}: unknown context '${unknown}' (known: ${CONTEXT_FEATURES.join(', ')})`);
  const n = t.features.length;
  if (!numbers(t.weights, n) || !numbers(t.lower, n) || !numbers(t.upper, n) || !numbers([t.bias], 1)) {
    throw new AbstainError(`${where}: weights, lower and upper must be ${n} finite numbers each, bias one`);
  }
  if (t.lower!.some((lo, k) => lo > t.upper![k]!)) throw new AbstainError(`${where}: a lower bound is above its upper bound`);
}

/** A classifier that can also hand out its raw scores (logits); the energy signal needs them. */
type ScoringClassifier = Classifier & { scores?(lines: EncodedLines): Float32Array };

export interface AbstainInput {
  classifier: Classifier;
  support: EncodedLines;
  supportLabels: Int32Array;
  nClasses: number;
  /** The document's unlabeled lines: when given, features are re-centred on support + pool. */
  pool?: EncodedLines;
  /** Class of the `none` label when the support has one: its lines are not an example of "in scope". */
  background?: number;
}

/** Row-wise max and margin (best - second best) of an n x c probability matrix. */
function maxAndMargin(probs: Float32Array, c: number, i: number): [number, number] {
  let best = -Infinity;
  let second = -Infinity;
  for (let j = 0; j < c; j++) {
    const v = probs[i * c + j];
    if (v > best) {
      second = best;
      best = v;
    } else if (v > second) second = v;
  }
  return [best, c > 1 ? best - second : best];
}

function logSumExpRows(scores: Float32Array, c: number): Float64Array {
  const out = new Float64Array(scores.length / c);
  for (let i = 0; i < out.length; i++) {
    let max = -Infinity;
    for (let j = 0; j < c; j++) max = Math.max(max, scores[i * c + j]);
    let s = 0;
    for (let j = 0; j < c; j++) s += Math.exp(scores[i * c + j] - max);
    out[i] = max + Math.log(s);
  }
  return out;
}

function meanOf(xs: ArrayLike<number>): number {
  if (xs.length === 0) return 0;
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return s / xs.length;
}

/** Batches of this many lines bound the memory of the similarity matrices on long documents. */
const BATCH = 2048;

/**
 * Labeled lines per label the nearest-neighbour signals compare against (evenly spread over the
 * label's lines; prototypes and the shots signal still use every line). The rule was fitted with up
 * to 10 per label; the cap keeps the signals' cost linear in the labels, not in the labeled lines.
 */
export const NEIGHBOURS_PER_LABEL = 16;

/**
 * The document-dependent part of the rule, prepared once per adaptation: the labeled lines in a
 * per-document feature space (re-centred like the classifier's, blocks kept apart so that word and
 * character similarity are separate signals), their class prototypes, and the reference level of
 * every signal on the labeled lines themselves.
 */
export class AbstainFeatures {
  private readonly view: FeatureView;
  /** 2m x dim: the m in-scope support rows with only their word block, then with only their char block. */
  private readonly neighbours: Float32Array;
  private readonly m: number;
  /** Class prototypes (unit length over both blocks, so a cosine is dot / sqrt 2). */
  private readonly prototypes: Float32Array;
  private readonly nProto: number;
  private readonly reference: Record<AbstainFeature, number>;
  /** What the threshold depends on; known before any line is judged. */
  readonly context: SupportContext;

  constructor(
    private readonly input: AbstainInput,
    corpusCentre: Centre,
  ) {
    const { support, supportLabels, pool, background } = input;
    const centre = pool && pool.n > 0 ? { ...blockMeans([support, pool]), common: corpusCentre.common } : corpusCentre;
    this.view = new FeatureView(centre, { word: 1, char: 1 });
    const rows: number[] = [];
    for (let i = 0; i < support.n; i++) if (supportLabels[i] !== background) rows.push(i);
    const dim = this.view.dim;
    const wd = support.wordDim;
    const S = this.view.dense(support, rows);
    // Positions (in rows) of the lines the nearest-neighbour signals compare against.
    const near = capPerClass(
      Int32Array.from(rows, (i) => supportLabels[i]),
      input.nClasses + 1,
      NEIGHBOURS_PER_LABEL,
    );
    this.m = near.length;
    this.neighbours = new Float32Array(2 * this.m * dim);
    near.forEach((r, q) => {
      this.neighbours.set(S.subarray(r * dim, r * dim + wd), q * dim);
      this.neighbours.set(S.subarray(r * dim + wd, (r + 1) * dim), (this.m + q) * dim + wd);
    });
    const classes = [...new Set(rows.map((i) => supportLabels[i]))].sort((a, b) => a - b);
    this.nProto = classes.length;
    this.prototypes = new Float32Array(this.nProto * dim);
    classes.forEach((c, p) => {
      rows.forEach((i, r) => {
        if (supportLabels[i] !== c) return;
        for (let k = 0; k < dim; k++) this.prototypes[p * dim + k] += S[r * dim + k];
      });
      let norm = 0;
      for (let k = 0; k < dim; k++) norm += this.prototypes[p * dim + k] ** 2;
      const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      for (let k = 0; k < dim; k++) this.prototypes[p * dim + k] *= inv;
    });
    // Reference levels: the signals of the labeled lines (nearest neighbour other than the line itself).
    this.reference = { maxProb: 0, margin: 0, energy: 0, nearestWord: 0, nearestChar: 0, prototype: 0, shots: 0 };
    let grams = 0;
    for (const i of rows) grams += support.charOffsets[i + 1]! - support.charOffsets[i]!;
    this.context = {
      shots: Math.log(Math.max(1, rows.length) / Math.max(1, this.nProto)),
      labels: Math.log(Math.max(1, this.nProto)),
      length: Math.log(Math.max(1, grams / Math.max(1, rows.length))),
    };
    // The neighbour lines themselves, each compared with the others (leave-one-out by position).
    const nearRows = Array.from(near, (r) => rows[r] as number);
    const inScope = nearRows.length === support.n ? support : selectRows(support, nearRows);
    const raw = this.raw(inScope, undefined, true);
    for (const f of ['energy', 'nearestWord', 'nearestChar', 'prototype'] as const) this.reference[f] = meanOf(raw[f]);
  }

  /** Labeled lines the nearest-neighbour signals compare against (at most NEIGHBOURS_PER_LABEL per label). */
  get neighbourLines(): number {
    return this.m;
  }

  /**
   * Every signal for every line, re-centred on the labeled lines' level.
   * @param probs the classifier's probabilities for `lines`, when already computed
   */
  compute(lines: EncodedLines, probs?: Float32Array): Record<AbstainFeature, Float64Array> {
    const raw = this.raw(lines, probs, false);
    for (const f of ABSTAIN_FEATURES) {
      const ref = this.reference[f];
      if (ref !== 0) for (let i = 0; i < lines.n; i++) raw[f][i] -= ref;
    }
    return raw;
  }

  /** @param leaveOneOut lines are the in-scope support rows themselves: skip each one's own similarity */
  private raw(lines: EncodedLines, given: Float32Array | undefined, leaveOneOut: boolean): Record<AbstainFeature, Float64Array> {
    const n = lines.n;
    const C = this.input.nClasses;
    const classifier = this.input.classifier as ScoringClassifier;
    const out: Record<AbstainFeature, Float64Array> = {
      maxProb: new Float64Array(n),
      margin: new Float64Array(n),
      energy: new Float64Array(n),
      nearestWord: new Float64Array(n),
      nearestChar: new Float64Array(n),
      prototype: new Float64Array(n),
      shots: new Float64Array(n).fill(this.context.shots),
    };
    if (!leaveOneOut) {
      const probs = given ?? classifier.predictProbs(lines);
      for (let i = 0; i < n; i++) [out.maxProb[i], out.margin[i]] = maxAndMargin(probs, C, i);
    }
    // Without raw scores, the energy signal reads 0 everywhere (the weights then ignore it).
    if (typeof classifier.scores === 'function') out.energy = logSumExpRows(classifier.scores(lines), C);
    const m = this.m;
    const zeros = new Float32Array(Math.max(2 * m, this.nProto));
    for (let start = 0; start < n; start += BATCH) {
      const end = Math.min(n, start + BATCH);
      const batch =
        start === 0 && end === n
          ? lines
          : selectRows(
              lines,
              Int32Array.from({ length: end - start }, (_, i) => start + i),
            );
      if (m > 0) {
        const sims = this.view.scores(batch, this.neighbours, zeros.subarray(0, 2 * m), 2 * m);
        for (let i = 0; i < batch.n; i++) {
          let word = -Infinity;
          let char = -Infinity;
          for (let r = 0; r < m; r++) {
            if (leaveOneOut && r === start + i) continue;
            word = Math.max(word, sims[i * 2 * m + r]);
            char = Math.max(char, sims[i * 2 * m + m + r]);
          }
          out.nearestWord[start + i] = Number.isFinite(word) ? word : 0;
          out.nearestChar[start + i] = Number.isFinite(char) ? char : 0;
        }
      }
      if (this.nProto > 0) {
        const sims = this.view.scores(batch, this.prototypes, zeros.subarray(0, this.nProto), this.nProto);
        for (let i = 0; i < batch.n; i++) {
          let best = -Infinity;
          for (let p = 0; p < this.nProto; p++) best = Math.max(best, sims[i * this.nProto + p]);
          out.prototype[start + i] = best / Math.SQRT2;
        }
      }
    }
    return out;
  }
}

/** The log-odds of "out of scope" of each line under a fitted rule, from the signals `compute` returned. */
export function outOfScopeLogits(params: AbstainParams, features: Record<AbstainFeature, ArrayLike<number>>, n: number): Float64Array {
  const z = new Float64Array(n).fill(params.bias);
  for (let i = 0; i < n; i++) {
    params.features.forEach((f, k) => {
      z[i] += (params.weights[k] * (features[f][i] - params.mean[k])) / params.scale[k];
    });
  }
  return z;
}

/** P(out of scope) of each line under a fitted rule, from the signals `compute` returned. */
export function outOfScopeProbability(params: AbstainParams, features: Record<AbstainFeature, ArrayLike<number>>, n: number): Float32Array {
  return Float32Array.from(outOfScopeLogits(params, features, n), (z) => 1 / (1 + Math.exp(-z)));
}

/** The threshold on P(out of scope) a rule sets for one adaptation: per context when fitted so (format 2), else its single one. */
export function thresholdFor(params: AbstainParams, context: SupportContext): number {
  const t = params.byContext;
  if (!t) return params.threshold;
  let z = t.bias;
  t.features.forEach((f, k) => {
    z += t.weights[k]! * Math.min(t.upper[k]!, Math.max(t.lower[k]!, context[f]));
  });
  return 1 / (1 + Math.exp(-z));
}

/** The one place that decides: a line is reported as "no label" at or above the adaptation's threshold. */
export function abstains(threshold: number, pOutOfScope: number): boolean {
  return pOutOfScope >= threshold;
}

/** The rule bound to one adaptation: P(out of scope) per line, and whether to report "no label". */
export class Abstainer {
  private readonly features: AbstainFeatures;
  /** This adaptation's threshold on P(out of scope) (thresholdFor). */
  readonly threshold: number;

  /** @param calibrate moves the trained threshold for this document (calibrate.ts) */
  constructor(
    readonly params: AbstainParams,
    input: AbstainInput,
    corpusCentre: Centre,
    calibrate?: (trained: number) => number,
  ) {
    this.features = new AbstainFeatures(input, corpusCentre);
    const trained = thresholdFor(params, this.features.context);
    this.threshold = calibrate ? calibrate(trained) : trained;
  }

  /** @param probs the classifier's probabilities for `lines`, when already computed */
  outOfScope(lines: EncodedLines, probs?: Float32Array): Float32Array {
    return outOfScopeProbability(this.params, this.features.compute(lines, probs), lines.n);
  }

  abstains(pOutOfScope: number): boolean {
    return abstains(this.threshold, pOutOfScope);
  }
}
