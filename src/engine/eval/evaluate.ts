// Episodic evaluation: every method sees exactly the same episodes (a paired comparison).
import type { Classifier, EncodedLines, Example } from '../types';
import { AbstainFeatures, type AbstainParams, abstains, outOfScopeProbability, thresholdFor } from '../abstention/abstainer';
import { calibratedThreshold, heldOutLogits, type Refit } from '../abstention/calibrate';
import { type Centre, selectRows } from '../learners/featureView';
import { EpisodeSampler, type Episode } from '../episodes/sampler';
import { deriveSeed, shuffle } from '../episodes/prng';
import { Rng } from '../random';
import { EncodingCache, type EncodeFn } from './encoding-cache';
import { argmaxRow } from '../learners/probs';
import { isTextMethod, type EvalMethod } from './methods';
import { pairedDifference, summarize } from './stats';
import { NO_LABEL, type OpenSetMetrics, openSetMetrics } from './openSet';

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
  /** Open-set evaluation: some query lines fit none of the episode's labels. */
  openSet?: OpenSetOptions;
}

/** A way of turning a method's outputs into "no label", by name (e.g. `learned`, `confidence`). */
export interface OpenSetRule {
  name: string;
  params: AbstainParams;
  /** Raise the threshold per episode from its held-out labeled lines (calibrate.ts); costs a few refits. */
  calibrate?: boolean;
}

export interface OpenSetOptions {
  /** Fraction (0..1) of each episode's query lines that fit none of its labels. */
  ratio: number;
  /** Draw those lines from here (a file of out-of-scope lines) instead of the labels outside the episode. */
  outOfScope?: Example[];
  /** The rule reported as `open_set`, then baselines reported beside it, on the same episodes. */
  rules: OpenSetRule[];
  /** Corpus centre the rules re-centre on when a method has no pool (the model's). */
  centre: Centre;
}

export interface OpenSetResult {
  rule: string;
  /** Means over episodes, fractions in 0..1. */
  open_set: OpenSetMetrics;
  /** Half-widths of their 95% intervals. */
  open_set_ci95: OpenSetMetrics;
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
  /** Open-set runs, methods with probabilities: the first rule's figures. `mean` is then the accuracy on in-scope lines. */
  open_set?: OpenSetMetrics;
  open_set_ci95?: OpenSetMetrics;
  open_set_rule?: string;
  /** The other rules (baselines such as the plain confidence threshold), on the same episodes. */
  open_set_baselines?: OpenSetResult[];
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
  /** Open-set runs: the fraction of query lines that fit no label, and where they came from. */
  openSet?: { ratio: number; source: 'other-labels' | 'file' };
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
  const openSet = options.openSet;
  for (const shot of options.shots) {
    const sampler = new EpisodeSampler(
      options.examples,
      {
        way,
        shot,
        query,
        distractorRatio,
        ...(openSet ? { openSetRatio: openSet.ratio, outOfScope: openSet.outOfScope } : {}),
      },
      options.shotsFrom,
    );
    resolvedWay = Math.max(resolvedWay, sampler.way);
    for (const s of sampler.skipped) {
      const entry = skipped.get(s.label) ?? { label: s.label, count: s.count, needed: s.needed, shots: [] };
      entry.needed = Math.min(entry.needed, s.needed);
      entry.shots.push(shot);
      skipped.set(s.label, entry);
    }
    const accuracy = methods.map(() => new Float64Array(episodes));
    const elapsed = methods.map(() => 0);
    // open[m][r][e]: rule r's figures for method m on episode e (methods with probabilities only).
    const open = methods.map(() => openSet?.rules.map(() => [] as OpenSetMetrics[]));
    for (let e = 0; e < episodes; e++) {
      const episode = sampler.episode(deriveSeed(seed, shot), e);
      const pool = transductivePool(episode, deriveSeed(seed, shot, e));
      methods.forEach((method, m) => {
        const started = performance.now();
        const where = `${method.name}, ${shot}-shot episode ${e + 1}`;
        const run = runEpisode(method, episode, pool, cache, where, options.useLabelNames ?? true);
        elapsed[m] = (elapsed[m] as number) + performance.now() - started;
        (accuracy[m] as Float64Array)[e] = accuracyOf(run.predicted, episode.queryLabels);
        if (openSet && run.classifier) {
          const figures = openSetFigures(
            openSet,
            episode,
            { ...run, classifier: run.classifier },
            method.transductive ? pool : undefined,
            cache,
            where,
          );
          figures.forEach((f, r) => {
            open[m]?.[r]?.push(f);
          });
        }
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
        ...openSetFields(openSet, open[m]),
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
    ...(openSet ? { openSet: { ratio: openSet.ratio, source: openSet.outOfScope ? ('file' as const) : ('other-labels' as const) } } : {}),
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
  if (o.openSet) {
    const r = o.openSet.ratio;
    if (!(r > 0 && r < 1)) throw new EvaluationError(`the open-set ratio must be above 0 and below 1 (got ${r})`);
    if (o.openSet.rules.length === 0) throw new EvaluationError('open-set evaluation needs at least one abstention rule');
  }
}

const OPEN_SET_KEYS = ['auroc', 'oos_recall', 'oos_precision', 'inscope_kept', 'inscope_accuracy'] as const;

/** Mean and 95% half-width of each figure over the episodes where it is defined (precision needs an abstention). */
function summarizeOpenSet(perEpisode: OpenSetMetrics[]): { open_set: OpenSetMetrics; open_set_ci95: OpenSetMetrics } {
  const means = {} as OpenSetMetrics;
  const ci = {} as OpenSetMetrics;
  for (const key of OPEN_SET_KEYS) {
    const values = perEpisode.map((f) => f[key]).filter((v) => Number.isFinite(v));
    const s = values.length ? summarize(values) : { mean: Number.NaN, ci95: Number.NaN };
    means[key] = s.mean;
    ci[key] = s.ci95;
  }
  return { open_set: means, open_set_ci95: ci };
}

function openSetFields(openSet: OpenSetOptions | undefined, perRule: OpenSetMetrics[][] | undefined): Partial<MethodResult> {
  if (!openSet || !perRule || (perRule[0]?.length ?? 0) === 0) return {};
  const [first, ...rest] = openSet.rules.map((rule, r) => ({ rule: rule.name, ...summarizeOpenSet(perRule[r] ?? []) }));
  return {
    open_set: first!.open_set,
    open_set_ci95: first!.open_set_ci95,
    open_set_rule: first!.rule,
    open_set_baselines: rest,
  };
}

/**
 * Classifies the episode's in-scope and out-of-scope query lines together and scores each rule.
 * The classifier is the one adapted for the closed-set figure (same support, same pool).
 */
function openSetFigures(
  openSet: OpenSetOptions,
  episode: Episode,
  run: { classifier: Classifier; refit?: Refit },
  pool: string[] | undefined,
  cache: EncodingCache,
  where: string,
): OpenSetMetrics[] {
  const { classifier } = run;
  try {
    const texts = [...episode.query, ...episode.outOfScope].map((ex) => ex.text);
    const truth = new Int32Array(texts.length).fill(NO_LABEL);
    truth.set(episode.queryLabels);
    const lines = cache.lines(texts);
    const nClasses = episode.labels.length;
    const probs = classifier.predictProbs(lines);
    const support = cache.lines(episode.support.map((ex) => ex.text));
    const poolLines: EncodedLines | undefined = pool ? cache.lines(pool) : undefined;
    // The signals depend on the episode only; each rule weighs them its own way.
    const input = { classifier, support, supportLabels: episode.supportLabels, nClasses, pool: poolLines };
    const features = new AbstainFeatures(input, openSet.centre);
    const signals = features.compute(lines, probs);
    return openSet.rules.map((rule) => {
      const pOos = outOfScopeProbability(rule.params, signals, lines.n);
      const trained = thresholdFor(rule.params, features.context);
      const threshold =
        rule.calibrate && run.refit ? calibratedThreshold(trained, heldOutLogits(rule.params, input, openSet.centre, run.refit)) : trained;
      const predicted = Int32Array.from(texts, (_, i) => (abstains(threshold, pOos[i]!) ? NO_LABEL : argmaxRow(probs, i, nClasses)));
      return openSetMetrics(truth, predicted, pOos);
    });
  } catch (err) {
    throw new EvaluationError(`${where} (open set): ${(err as Error).message ?? String(err)}`);
  }
}

/** The unlabeled lines a transductive method may use: queries (out-of-scope ones too) and distractors, no support lines. */
function transductivePool(episode: Episode, seed: number): string[] {
  const texts = [...episode.query, ...episode.outOfScope, ...episode.distractors].map((ex) => ex.text);
  return shuffle(new Rng(seed), texts);
}

function runEpisode(
  method: EvalMethod,
  episode: Episode,
  pool: string[],
  cache: EncodingCache,
  where: string,
  useLabelNames: boolean,
): { predicted: Int32Array; classifier?: Classifier; refit?: Refit } {
  const supportTexts = episode.support.map((ex) => ex.text);
  const queryTexts = episode.query.map((ex) => ex.text);
  const nClasses = episode.labels.length;
  try {
    if (isTextMethod(method)) {
      const predictor = method.adaptText(supportTexts, episode.supportLabels, nClasses, method.transductive ? pool : undefined);
      const predicted = predictor(queryTexts);
      if (predicted.length !== queryTexts.length)
        throw new Error(`returned ${predicted.length} predictions for ${queryTexts.length} lines`);
      return { predicted };
    }
    const poolLines = method.transductive ? cache.lines(pool) : undefined;
    const names = useLabelNames ? cache.lines(episode.labels) : undefined;
    const classifier = method.adapt(cache.lines(supportTexts), episode.supportLabels, nClasses, poolLines, names);
    const probs = classifier.predictProbs(cache.lines(queryTexts));
    if (probs.length !== queryTexts.length * nClasses) {
      throw new Error(`returned ${probs.length} probabilities for ${queryTexts.length} lines x ${nClasses} classes`);
    }
    // The same adaptation on part of the support, for rules calibrated on held-out labeled lines.
    const supportLines = cache.lines(supportTexts);
    const refit: Refit = (keep, held) => {
      const classifier = method.adapt(
        selectRows(supportLines, keep),
        Int32Array.from(keep, (i) => episode.supportLabels[i]!),
        nClasses,
        poolLines,
        names,
      );
      return { classifier, heldProbs: classifier.predictProbs(selectRows(supportLines, held)) };
    };
    return { predicted: Int32Array.from(queryTexts, (_, i) => argmaxRow(probs, i, nClasses)), classifier, refit };
  } catch (err) {
    throw new EvaluationError(`${where}: ${(err as Error).message ?? String(err)}`);
  }
}

function accuracyOf(predicted: Int32Array, truth: Int32Array): number {
  let correct = 0;
  for (let i = 0; i < truth.length; i++) if (predicted[i] === truth[i]) correct++;
  return correct / truth.length;
}
