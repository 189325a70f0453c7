// Episodic evaluation: every method sees exactly the same episodes (a paired comparison).
import type { Example } from '../types';
import { EpisodeSampler, type Episode } from '../episodes/sampler';
import { deriveSeed, shuffle } from '../episodes/prng';
import { Rng } from '../random';
import { EncodingCache, type EncodeFn } from './encoding-cache';
import { argmaxRow } from '../learners/probs';
import { isTextMethod, type EvalMethod } from './methods';
import { pairedDifference, summarize } from './stats';

export interface EvaluateOptions {
  /** Name of the data set, copied into the report. */
  data?: string;
  examples: readonly Example[];
  /** Classes per episode, or `all` (every eligible label in every episode). */
  way: number | 'all';
  /** Draw the shots from these examples instead (e.g. a train split; queries then come from `examples`). */
  shotsFrom?: readonly Example[];
  shots: number[];
  query: number;
  episodes: number;
  seed: number;
  methods: EvalMethod[];
  encode: EncodeFn;
  /** Name of a method to compare every other method against (paired differences). */
  baseline?: string;
  /** Distractor lines per query line in the unlabeled pool of transductive methods (default 1). */
  distractorRatio?: number;
  /** Hand each method the episode's label names (encoded, one row per class); default true. */
  useLabelNames?: boolean;
  onProgress?: (progress: { shot: number; episode: number; episodes: number }) => void;
}

export interface SkippedLabelReport {
  label: string;
  count: number;
  needed: number;
  /** Shot counts at which the label could not fill an episode. */
  shots: number[];
}

export interface MethodResult {
  method: string;
  transductive: boolean;
  way: number;
  shot: number;
  episodes: number;
  /** Mean accuracy on the queries, 0..1. */
  mean: number;
  /** Half-width of the 95% interval, 0..1. */
  ci95: number;
  /** Mean time to adapt and classify one episode, in milliseconds. */
  msPerEpisode: number;
}

export interface PairedGain {
  method: string;
  baseline: string;
  shot: number;
  /** Mean paired accuracy difference (method - baseline), -1..1. */
  mean: number;
  ci95: number;
}

export interface EvaluationReport {
  data: string;
  way: number;
  query: number;
  episodes: number;
  seed: number;
  distractorRatio: number;
  /** Whether methods were given the label names. */
  labelNames: boolean;
  skippedLabels: SkippedLabelReport[];
  results: MethodResult[];
  gains?: PairedGain[];
}

export class EvaluationError extends Error {
  override name = 'EvaluationError';
}

export function evaluate(options: EvaluateOptions): EvaluationReport {
  const { way, query, episodes, seed, methods } = options;
  const distractorRatio = options.distractorRatio ?? 1;
  checkOptions(options);
  const cache = new EncodingCache(options.encode);
  const results: MethodResult[] = [];
  const gains: PairedGain[] = [];
  const skipped = new Map<string, SkippedLabelReport>();

  // `all` resolves per shot count (labels with too few examples drop out); the report names the largest.
  let resolvedWay = 0;
  for (const shot of options.shots) {
    const sampler = new EpisodeSampler(options.examples, { way, shot, query, distractorRatio }, options.shotsFrom);
    resolvedWay = Math.max(resolvedWay, sampler.way);
    for (const s of sampler.skipped) {
      const entry = skipped.get(s.label) ?? { label: s.label, count: s.count, needed: s.needed, shots: [] };
      entry.needed = Math.min(entry.needed, s.needed);
      entry.shots.push(shot);
      skipped.set(s.label, entry);
    }
    const accuracy = methods.map(() => new Float64Array(episodes));
    const elapsed = methods.map(() => 0);
    for (let e = 0; e < episodes; e++) {
      const episode = sampler.episode(deriveSeed(seed, shot), e);
      const pool = transductivePool(episode, deriveSeed(seed, shot, e));
      methods.forEach((method, m) => {
        const started = performance.now();
        const predicted = runEpisode(
          method,
          episode,
          pool,
          cache,
          `${method.name}, ${shot}-shot episode ${e + 1}`,
          options.useLabelNames ?? true,
        );
        elapsed[m] = (elapsed[m] as number) + performance.now() - started;
        (accuracy[m] as Float64Array)[e] = accuracyOf(predicted, episode.queryLabels);
      });
      options.onProgress?.({ shot, episode: e + 1, episodes });
    }
    methods.forEach((method, m) => {
      const { mean, ci95 } = summarize(accuracy[m] as Float64Array);
      results.push({
        method: method.name,
        transductive: method.transductive,
        way: sampler.way,
        shot,
        episodes,
        mean,
        ci95,
        msPerEpisode: (elapsed[m] as number) / episodes,
      });
    });
    const b = methods.findIndex((method) => method.name === options.baseline);
    if (b >= 0) {
      methods.forEach((method, m) => {
        if (m === b) return;
        const diff = pairedDifference(accuracy[m] as Float64Array, accuracy[b] as Float64Array);
        gains.push({ method: method.name, baseline: methods[b]!.name, shot, mean: diff.mean, ci95: diff.ci95 });
      });
    }
  }
  const report: EvaluationReport = {
    data: options.data ?? '(in memory)',
    way: resolvedWay,
    query,
    episodes,
    seed,
    distractorRatio,
    labelNames: options.useLabelNames ?? true,
    skippedLabels: [...skipped.values()],
    results,
  };
  if (options.baseline !== undefined) report.gains = gains;
  return report;
}

function checkOptions(o: EvaluateOptions): void {
  if (!Number.isInteger(o.episodes) || o.episodes < 1) throw new EvaluationError(`episodes must be an integer >= 1 (got ${o.episodes})`);
  if (o.shots.length === 0) throw new EvaluationError('no shot counts given');
  if (o.methods.length === 0) throw new EvaluationError('no methods given');
  const names = o.methods.map((m) => m.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new EvaluationError(`method "${dup}" is listed twice`);
  if (o.baseline !== undefined && !names.includes(o.baseline)) {
    throw new EvaluationError(`baseline "${o.baseline}" is not one of the methods (${names.join(', ')})`);
  }
}

/** The unlabeled lines a transductive method may use: queries and distractors, no support lines. */
function transductivePool(episode: Episode, seed: number): string[] {
  const texts = [...episode.query, ...episode.distractors].map((ex) => ex.text);
  return shuffle(new Rng(seed), texts);
}

function runEpisode(
  method: EvalMethod,
  episode: Episode,
  pool: string[],
  cache: EncodingCache,
  where: string,
  useLabelNames: boolean,
): Int32Array {
  const supportTexts = episode.support.map((ex) => ex.text);
  const queryTexts = episode.query.map((ex) => ex.text);
  const nClasses = episode.labels.length;
  try {
    if (isTextMethod(method)) {
      const predictor = method.adaptText(supportTexts, episode.supportLabels, nClasses, method.transductive ? pool : undefined);
      const predicted = predictor(queryTexts);
      if (predicted.length !== queryTexts.length)
        throw new Error(`returned ${predicted.length} predictions for ${queryTexts.length} lines`);
      return predicted;
    }
    const poolLines = method.transductive ? cache.lines(pool) : undefined;
    const names = useLabelNames ? cache.lines(episode.labels) : undefined;
    const classifier = method.adapt(cache.lines(supportTexts), episode.supportLabels, nClasses, poolLines, names);
    const probs = classifier.predictProbs(cache.lines(queryTexts));
    if (probs.length !== queryTexts.length * nClasses) {
      throw new Error(`returned ${probs.length} probabilities for ${queryTexts.length} lines x ${nClasses} classes`);
    }
    return Int32Array.from(queryTexts, (_, i) => argmaxRow(probs, i, nClasses));
  } catch (err) {
    throw new EvaluationError(`${where}: ${(err as Error).message ?? String(err)}`);
  }
}

function accuracyOf(predicted: Int32Array, truth: Int32Array): number {
  let correct = 0;
  for (let i = 0; i < truth.length; i++) if (predicted[i] === truth[i]) correct++;
  return correct / truth.length;
}
