// Fits the abstention rule (abstainer.ts) on open-set episodes of training
// classes: the weights by logistic regression on the rule's signals, the threshold as the
// P(out of scope) that keeps a chosen fraction of the in-scope training lines, per context
// (labeled lines per label, labels, line length: a linear model of each episode's own keeping
// threshold, shifted so that episodes keep that fraction on average). Nothing here is set by hand
// but that fraction, and the held-out classes are never seen.
import { deriveSeed } from '../episodes/prng';
import { Rng } from '../random';
import { type Episode, EpisodeSampler } from '../episodes/sampler';
import {
  ABSTAIN_FEATURES,
  type AbstainFeature,
  AbstainFeatures,
  type AbstainParams,
  CONTEXT_FEATURES,
  type ContextFeature,
  type ContextThreshold,
  outOfScopeLogits,
  outOfScopeProbability,
  type SupportContext,
} from './abstainer';
import type { Centre } from '../learners/featureView';
import type { EncodedLines, Example, FewShotMethod } from '../types';

export interface AbstentionFitOptions {
  /**
   * Groups of training examples episodes are drawn within (e.g. a few CLINC150 domains each, or
   * one FewRel set); a group gets only the label counts it has labels to spare for (out-of-scope
   * lines come from its other labels).
   */
  groups: Example[][];
  method: FewShotMethod;
  centre: Centre;
  encode: (texts: string[]) => EncodedLines;
  episodes: number;
  shots: number[];
  /** Labels per episode; episodes cycle through these and the shot counts. */
  ways: number[];
  query: number;
  /** Fraction of each episode's query lines that fit no label. */
  openSetRatio: number;
  /**
   * Lines of other labels added to the pool per query line, cycled through like the shots: 0 is a
   * document of only the lines judged (as the engine sees a file), 1 what `fewshot eval` adds.
   */
  distractorRatios: number[];
  seed: number;
  features?: AbstainFeature[];
  onProgress?: (episode: number, episodes: number) => void;
}

export interface AbstentionSamples {
  /** Signal values, one array per feature, one entry per query line of every episode. */
  features: Record<AbstainFeature, number[]>;
  /** 1 for out-of-scope lines. */
  outOfScope: number[];
  /** The episode of each line: an index into `contexts`. */
  episode: number[];
  /** Each episode's context (what the threshold may depend on). */
  contexts: SupportContext[];
}

/** Labels of a group with at least `lines` examples. */
function labelsWith(examples: readonly Example[], lines: number): number {
  const counts = new Map<string, number>();
  for (const ex of examples) counts.set(ex.label, (counts.get(ex.label) ?? 0) + 1);
  return [...counts.values()].filter((c) => c >= lines).length;
}

/**
 * The episode samplers, one per group, shot count and label count that the group can hold: `way`
 * labels with enough lines for shots and queries, and more labels besides for the out-of-scope lines.
 */
export function abstentionSamplers(
  o: Pick<AbstentionFitOptions, 'groups' | 'shots' | 'ways' | 'query' | 'openSetRatio' | 'distractorRatios'>,
): EpisodeSampler[] {
  const samplers = o.groups.flatMap((g) =>
    o.shots.flatMap((shot) =>
      o.ways
        .filter((way) => labelsWith(g, shot + o.query) > way)
        .flatMap((way) =>
          o.distractorRatios.map(
            (distractorRatio) => new EpisodeSampler(g, { way, shot, query: o.query, distractorRatio, openSetRatio: o.openSetRatio }),
          ),
        ),
    ),
  );
  if (samplers.length === 0) throw new RangeError('no group has labels enough for any of the asked label counts plus out-of-scope labels');
  return samplers;
}

/** Runs the method on open-set episodes and records every query line's signals and truth. */
export function collectAbstentionSamples(o: AbstentionFitOptions): AbstentionSamples {
  const samplers = abstentionSamplers(o);
  const samples: AbstentionSamples = {
    features: Object.fromEntries(ABSTAIN_FEATURES.map((f) => [f, [] as number[]])) as Record<AbstainFeature, number[]>,
    outOfScope: [],
    episode: [],
    contexts: [],
  };
  const rng = new Rng(deriveSeed(o.seed, 0xab57));
  for (let e = 0; e < o.episodes; e++) {
    const sampler = samplers[e % samplers.length] as EpisodeSampler;
    const episode = sampler.episode(deriveSeed(o.seed, e), rng.int(2 ** 31));
    addEpisode(o, episode, samples);
    o.onProgress?.(e + 1, o.episodes);
  }
  return samples;
}

function addEpisode(o: AbstentionFitOptions, episode: Episode, samples: AbstentionSamples): void {
  const queries = [...episode.query, ...episode.outOfScope];
  const poolTexts = [...queries, ...episode.distractors].map((ex) => ex.text);
  const support = o.encode(episode.support.map((ex) => ex.text));
  const pool = o.method.transductive ? o.encode(poolTexts) : undefined;
  const nClasses = episode.labels.length;
  const classifier = o.method.adapt(support, episode.supportLabels, nClasses, pool, o.encode(episode.labels));
  const lines = o.encode(queries.map((ex) => ex.text));
  const features = new AbstainFeatures({ classifier, support, supportLabels: episode.supportLabels, nClasses, pool }, o.centre);
  const signals = features.compute(lines);
  for (const f of ABSTAIN_FEATURES) for (const v of signals[f]) samples.features[f].push(v);
  for (let i = 0; i < queries.length; i++) {
    samples.outOfScope.push(i < episode.query.length ? 0 : 1);
    samples.episode.push(samples.contexts.length);
  }
  samples.contexts.push(features.context);
}

/**
 * L2-regularised logistic regression by Newton's method on standardised features; the sign is
 * such that the output is P(out of scope).
 */
export function fitLogistic(
  columns: ArrayLike<number>[],
  y: ArrayLike<number>,
  l2 = 1e-3,
  iterations = 50,
): { mean: number[]; scale: number[]; weights: number[]; bias: number } {
  const F = columns.length;
  const n = y.length;
  const mean = columns.map((c) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += c[i] as number;
    return s / n;
  });
  const scale = columns.map((c, k) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += ((c[i] as number) - (mean[k] as number)) ** 2;
    const sd = Math.sqrt(s / Math.max(1, n - 1));
    return sd > 1e-12 ? sd : 1;
  });
  const D = F + 1; // weights then bias
  const x = (i: number, k: number) => (k === F ? 1 : ((columns[k]![i] as number) - mean[k]!) / scale[k]!);
  const beta = new Float64Array(D);
  for (let it = 0; it < iterations; it++) {
    const grad = new Float64Array(D);
    const hess = new Float64Array(D * D);
    for (let i = 0; i < n; i++) {
      let z = 0;
      for (let k = 0; k < D; k++) z += beta[k]! * x(i, k);
      const p = 1 / (1 + Math.exp(-z));
      const r = p - (y[i] as number);
      const w = Math.max(p * (1 - p), 1e-12);
      for (let a = 0; a < D; a++) {
        const xa = x(i, a);
        grad[a]! += r * xa;
        for (let b = a; b < D; b++) hess[a * D + b]! += w * xa * x(i, b);
      }
    }
    for (let a = 0; a < D; a++) {
      for (let b = 0; b < a; b++) hess[a * D + b] = hess[b * D + a]!;
      // The bias is not shrunk.
      if (a < F) {
        grad[a]! += l2 * n * beta[a]!;
        hess[a * D + a]! += l2 * n;
      }
    }
    const step = solve(hess, grad, D);
    let change = 0;
    for (let k = 0; k < D; k++) {
      beta[k]! -= step[k]!;
      change = Math.max(change, Math.abs(step[k]!));
    }
    if (change < 1e-9) break;
  }
  return { mean, scale, weights: Array.from(beta.subarray(0, F)), bias: beta[F]! };
}

/** Solves A x = b (A symmetric positive definite, d x d) by Gaussian elimination with partial pivoting. */
function solve(A: Float64Array, b: Float64Array, d: number): Float64Array {
  const M = Float64Array.from(A);
  const x = Float64Array.from(b);
  for (let c = 0; c < d; c++) {
    let pivot = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(M[r * d + c]!) > Math.abs(M[pivot * d + c]!)) pivot = r;
    if (pivot !== c) {
      for (let k = 0; k < d; k++) [M[c * d + k], M[pivot * d + k]] = [M[pivot * d + k]!, M[c * d + k]!];
      [x[c], x[pivot]] = [x[pivot]!, x[c]!];
    }
    const diag = M[c * d + c]!;
    if (Math.abs(diag) < 1e-300) continue;
    for (let r = c + 1; r < d; r++) {
      const f = M[r * d + c]! / diag;
      if (f === 0) continue;
      for (let k = c; k < d; k++) M[r * d + k]! -= f * M[c * d + k]!;
      x[r]! -= f * x[c]!;
    }
  }
  for (let c = d - 1; c >= 0; c--) {
    let s = x[c]!;
    for (let k = c + 1; k < d; k++) s -= M[c * d + k]! * x[k]!;
    const diag = M[c * d + c]!;
    x[c] = Math.abs(diag) < 1e-300 ? 0 : s / diag;
  }
  return x;
}

/** The smallest threshold on P(out of scope) at which at least `keep` of the in-scope values fall below it. */
export function keepThreshold(pInScope: ArrayLike<number>, keep: number): number {
  if (!(keep > 0 && keep <= 1)) throw new RangeError(`keep must be in (0, 1] (got ${keep})`);
  const sorted = Float64Array.from(pInScope).sort();
  if (sorted.length === 0) throw new RangeError('no in-scope values to set a threshold on');
  const k = Math.ceil(keep * sorted.length) - 1;
  // Just above the k-th smallest: lines at or above the threshold abstain.
  return Math.min(1, (sorted[k] as number) + 1e-9);
}

/** Share of each episode's values below its threshold, averaged over the episodes. */
function meanKept(byEpisode: Float64Array[], thresholds: ArrayLike<number>): number {
  let sum = 0;
  byEpisode.forEach((zs, e) => {
    let kept = 0;
    for (const z of zs) if (z < (thresholds[e] as number)) kept++;
    sum += kept / zs.length;
  });
  return sum / byEpisode.length;
}

/**
 * The threshold per context, on the log-odds of "out of scope": least squares of each episode's
 * own keeping threshold (the log-odds that keeps `keep` of its in-scope lines) on its context, then
 * one shift so that the episodes keep `keep` of their in-scope lines on average (a regression to
 * the per-episode threshold alone would keep less: an episode below its prediction loses lines).
 * @param z the log-odds of the in-scope lines
 * @param episode the episode of each of them (an index into `contexts`)
 */
export function fitContextThreshold(
  z: ArrayLike<number>,
  episode: ArrayLike<number>,
  contexts: readonly SupportContext[],
  keep: number,
  features: ContextFeature[] = [...CONTEXT_FEATURES],
): ContextThreshold {
  if (!(keep > 0 && keep < 1)) throw new RangeError(`keep must be in (0, 1) (got ${keep})`);
  const lists = contexts.map(() => [] as number[]);
  for (let i = 0; i < z.length; i++) lists[episode[i] as number]?.push(z[i] as number);
  const used = lists.flatMap((l, e) => (l.length ? [e] : []));
  if (used.length === 0) throw new RangeError('no in-scope values to set a threshold on');
  const byEpisode = used.map((e) => Float64Array.from(lists[e] as number[]).sort());
  const own = byEpisode.map((zs) => zs[Math.ceil(keep * zs.length) - 1] as number);
  // Normal equations with a small ridge (a context that never varied gets no weight), bias last.
  const F = features.length;
  const D = F + 1;
  const row = (e: number) => [...features.map((f) => (contexts[e] as SupportContext)[f]), 1];
  const A = new Float64Array(D * D);
  const b = new Float64Array(D);
  used.forEach((e, j) => {
    const x = row(e);
    for (let a = 0; a < D; a++) {
      b[a]! += x[a]! * own[j]!;
      for (let c = 0; c < D; c++) A[a * D + c]! += x[a]! * x[c]!;
    }
  });
  for (let a = 0; a < F; a++) A[a * D + a]! += 1e-6 * used.length;
  const beta = solve(A, b, D);
  const predicted = used.map((e) => row(e).reduce((s, x, k) => s + x * beta[k]!, 0));
  // The smallest shift at which the episodes keep `keep` on average (mean kept rises with the shift).
  let lo = -50;
  let hi = 50;
  for (let it = 0; it < 100; it++) {
    const mid = (lo + hi) / 2;
    if (
      meanKept(
        byEpisode,
        predicted.map((p) => p + mid),
      ) >= keep
    )
      hi = mid;
    else lo = mid;
  }
  return {
    features,
    weights: Array.from(beta.subarray(0, F)),
    // A hair above the smallest shift: the engine compares P(out of scope) in single precision, which
    // would otherwise round a line that sits exactly at its episode's threshold onto it.
    bias: beta[F]! + hi + 1e-4,
    lower: features.map((f) => Math.min(...used.map((e) => (contexts[e] as SupportContext)[f]))),
    upper: features.map((f) => Math.max(...used.map((e) => (contexts[e] as SupportContext)[f]))),
  };
}

/**
 * Fits a rule on the given features of collected samples: its weights, its single threshold
 * (format 1) and, when asked, its threshold per context (format 2).
 */
export function fitRule(samples: AbstentionSamples, features: AbstainFeature[], keep: number, byContext = false): AbstainParams {
  const fit = fitLogistic(
    features.map((f) => samples.features[f]),
    samples.outOfScope,
  );
  const params: AbstainParams = { features, ...fit, threshold: 1 };
  const n = samples.outOfScope.length;
  const p = outOfScopeProbability(params, samples.features, n);
  const inScope = p.filter((_, i) => samples.outOfScope[i] === 0);
  params.threshold = keepThreshold(inScope, keep);
  if (!byContext) return params;
  const z = outOfScopeLogits(params, samples.features, n);
  const rows = Array.from({ length: n }, (_, i) => i).filter((i) => samples.outOfScope[i] === 0);
  params.byContext = fitContextThreshold(
    rows.map((i) => z[i]!),
    rows.map((i) => samples.episode[i]!),
    samples.contexts,
    keep,
  );
  return params;
}
