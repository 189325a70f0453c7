// Multi-label evaluation: episodes whose lines carry sets of labels, built from a single-label set
// by the multi-intent construction of MixSNIPS / MixATIS (Qin et al., 2020): two or three
// utterances of different intents joined with " and ". Every method sees the same episodes; the
// figures are micro-F1, macro-F1 and exact match per episode, averaged with 95% intervals.
import type { Example } from '../types';
import type { LabelSets } from '../learners/multiLabel';
import type { AnyMultiLabelMethod } from '../learners/multiLabelMethods';
import { groupByLabelSorted, type LabelGroups } from '../episodes/group';
import { EpisodeError } from '../episodes/sampler';
import { deriveSeed, sampleWithoutReplacement, shuffle } from '../episodes/prng';
import { Rng } from '../random';
import { EncodingCache, type EncodeFn } from './encoding-cache';
import { pairedDifference, summarize } from './stats';
import { alignColumns } from './table';

/** The word that joins the utterances of a multi-intent line (as in MixSNIPS / MixATIS). */
export const JOINER = ' and ';

export interface MultiLabelEpisodeSpec {
  /** Labels per episode. */
  way: number;
  /** Support lines carrying each label (as the first of its intents). */
  shot: number;
  /** Query lines per label of the episode (way x query lines in all). */
  query: number;
  /** Intents per query line, [min, max], each count equally likely. */
  intents: [number, number];
  /** Intents per support line, [min, max] ([1, 1]: single-intent support lines). */
  supportIntents: [number, number];
  /** Single-intent lines of labels outside the episode per query line, for transductive pools (default 1). */
  distractorRatio?: number;
}

export interface MultiLabelEpisode {
  labels: string[];
  support: string[];
  supportSets: LabelSets;
  query: string[];
  querySets: LabelSets;
  /** Unlabeled lines for transductive methods: the queries and the distractors, shuffled. */
  pool: string[];
}

/**
 * Samples multi-intent episodes from a single-label set. Episode i depends on (seed, i) only. A
 * support line is an utterance of its label joined with utterances of other labels of the episode
 * (supportIntents); a query line, `intents` utterances of distinct labels in random order. No
 * utterance is used twice in an episode, and support utterances come from `shotsFrom` when given
 * (a training split: queries from `examples`, the evaluation split).
 */
export class MultiLabelSampler {
  readonly labels: string[];
  private readonly queries: LabelGroups;
  private readonly shots: LabelGroups;

  constructor(
    examples: readonly Example[],
    readonly spec: MultiLabelEpisodeSpec,
    shotsFrom?: readonly Example[],
  ) {
    checkSpec(spec);
    this.queries = groupByLabelSorted(examples);
    this.shots = shotsFrom ? groupByLabelSorted(shotsFrom) : this.queries;
    // Worst case per label: every support and query line uses it (a label is in at most all of them).
    const supportLines = spec.way * spec.shot;
    const queryLines = spec.way * spec.query;
    const needed = shotsFrom ? { shots: supportLines, queries: queryLines } : { shots: 0, queries: supportLines + queryLines };
    this.labels = [...this.queries.keys()].filter(
      (l) => (this.queries.get(l)?.length ?? 0) >= needed.queries && (this.shots.get(l)?.length ?? 0) >= needed.shots,
    );
    if (this.labels.length < spec.way) {
      throw new EpisodeError(
        `${spec.way}-label multi-label episodes need ${spec.way} labels with enough lines ` +
          `(${needed.queries} to draw queries from${shotsFrom ? `, ${needed.shots} to draw shots from` : ''}); ` +
          `only ${this.labels.length} have them`,
      );
    }
  }

  episode(seed: number, index: number): MultiLabelEpisode {
    const { way, shot } = this.spec;
    const perLabel = this.spec.query;
    const rng = new Rng(deriveSeed(seed, index));
    const labels = sampleWithoutReplacement(rng, this.labels, way);
    // Each label's utterances in a random order, taken from the front: none is used twice.
    const queue = (groups: LabelGroups) => new Map(labels.map((l) => [l, shuffle(rng, groups.get(l)!)]));
    const shotQueue = queue(this.shots);
    const queryQueue = this.shots === this.queries ? shotQueue : queue(this.queries);
    const take = (q: Map<string, Example[]>, label: string) => q.get(label)!.shift()!.text;
    const line = (q: Map<string, Example[]>, ids: number[]) => ids.map((c) => take(q, labels[c]!)).join(JOINER);
    const support: string[] = [];
    const supportIds: number[][] = [];
    for (let c = 0; c < way; c++) {
      for (let s = 0; s < shot; s++) {
        const others = sampleWithoutReplacement(
          rng,
          labels.map((_, o) => o).filter((o) => o !== c),
          countIn(rng, this.spec.supportIntents) - 1,
        );
        const ids = shuffle(rng, [c, ...others]);
        supportIds.push(ids);
        support.push(line(shotQueue, ids));
      }
    }
    const query: string[] = [];
    const queryIds: number[][] = [];
    for (let q = 0; q < way * perLabel; q++) {
      const ids = sampleWithoutReplacement(
        rng,
        labels.map((_, o) => o),
        countIn(rng, this.spec.intents),
      );
      queryIds.push(ids);
      query.push(line(queryQueue, ids));
    }
    const inside = new Set(labels);
    const outside = [...this.queries].filter(([l]) => !inside.has(l)).flatMap(([, g]) => g.map((ex) => ex.text));
    const distractors = sampleWithoutReplacement(
      rng,
      outside,
      Math.min(outside.length, Math.round(query.length * (this.spec.distractorRatio ?? 1))),
    );
    return {
      labels,
      support,
      supportSets: setsFromIds(supportIds, way),
      query,
      querySets: setsFromIds(queryIds, way),
      pool: shuffle(rng, [...query, ...distractors]),
    };
  }
}

function checkSpec(spec: MultiLabelEpisodeSpec): void {
  for (const [name, value] of [
    ['way', spec.way],
    ['shot', spec.shot],
    ['query', spec.query],
  ] as const) {
    if (!Number.isInteger(value) || value < (name === 'way' ? 2 : 1))
      throw new EpisodeError(`${name} must be a positive integer (got ${value})`);
  }
  for (const [name, [lo, hi]] of [
    ['intents', spec.intents],
    ['support intents', spec.supportIntents],
  ] as const) {
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 1 || hi < lo || hi > spec.way) {
      throw new EpisodeError(`${name} must be a range lo,hi with 1 <= lo <= hi <= way (got ${lo},${hi})`);
    }
  }
}

function countIn(rng: Rng, [lo, hi]: [number, number]): number {
  return lo + rng.int(hi - lo + 1);
}

function setsFromIds(ids: number[][], nLabels: number): LabelSets {
  const member = new Uint8Array(ids.length * nLabels);
  ids.forEach((line, i) => {
    for (const c of line) member[i * nLabels + c] = 1;
  });
  return { n: ids.length, nLabels, member };
}

export interface MultiLabelFigures {
  microF1: number;
  macroF1: number;
  exactMatch: number;
}

/**
 * One episode's figures from the truth and the predicted sets (both lines x L). Micro-F1 pools the
 * (line, label) decisions; macro-F1 averages each label's F1 over the labels some line carries or
 * was given (a label neither in the truth nor predicted has no F1); exact match counts lines whose
 * set is exactly right.
 */
export function multiLabelFigures(truth: Uint8Array, predicted: Uint8Array, L: number): MultiLabelFigures {
  if (truth.length !== predicted.length) throw new RangeError(`${truth.length} truths for ${predicted.length} predictions`);
  const n = truth.length / L;
  const tp = new Float64Array(L);
  const fp = new Float64Array(L);
  const fn = new Float64Array(L);
  let exact = 0;
  for (let i = 0; i < n; i++) {
    let same = true;
    for (let l = 0; l < L; l++) {
      const t = truth[i * L + l] === 1;
      const p = predicted[i * L + l] === 1;
      if (t && p) tp[l]++;
      else if (p) fp[l]++;
      else if (t) fn[l]++;
      if (t !== p) same = false;
    }
    if (same) exact++;
  }
  const f1 = (a: number, b: number, c: number) => (2 * a) / (2 * a + b + c);
  let TP = 0;
  let FP = 0;
  let FN = 0;
  const perLabel: number[] = [];
  for (let l = 0; l < L; l++) {
    TP += tp[l];
    FP += fp[l];
    FN += fn[l];
    if (tp[l] + fp[l] + fn[l] > 0) perLabel.push(f1(tp[l], fp[l], fn[l]));
  }
  return {
    microF1: TP + FP + FN > 0 ? f1(TP, FP, FN) : 1,
    macroF1: perLabel.length > 0 ? perLabel.reduce((a, b) => a + b, 0) / perLabel.length : 1,
    exactMatch: n > 0 ? exact / n : Number.NaN,
  };
}

export interface MultiLabelEvaluateOptions {
  data?: string;
  examples: readonly Example[];
  shotsFrom?: readonly Example[];
  spec: Omit<MultiLabelEpisodeSpec, 'shot'>;
  shots: number[];
  episodes: number;
  seed: number;
  methods: AnyMultiLabelMethod[];
  encode: EncodeFn;
  baseline?: string;
  useLabelNames?: boolean;
  onProgress?: (progress: { shot: number; episode: number; episodes: number }) => void;
}

interface Interval {
  mean: number;
  ci95: number;
}

export interface MultiLabelResult {
  method: string;
  shot: number;
  episodes: number;
  microF1: Interval;
  macroF1: Interval;
  exactMatch: Interval;
  /** Paired micro-F1 difference over the baseline on the same episodes. */
  microF1Gain?: Interval;
  msPerEpisode: number;
}

export interface MultiLabelReport {
  data: string;
  way: number;
  query: number;
  intents: [number, number];
  supportIntents: [number, number];
  episodes: number;
  seed: number;
  baseline?: string;
  results: MultiLabelResult[];
}

export function evaluateMultiLabel(options: MultiLabelEvaluateOptions): MultiLabelReport {
  const { spec, episodes, seed, methods } = options;
  if (!Number.isInteger(episodes) || episodes < 1) throw new EpisodeError(`episodes must be an integer >= 1 (got ${episodes})`);
  if (options.baseline !== undefined && !methods.some((m) => m.name === options.baseline)) {
    throw new EpisodeError(`baseline "${options.baseline}" is not one of the methods`);
  }
  const cache = new EncodingCache(options.encode);
  const results: MultiLabelResult[] = [];
  for (const shot of options.shots) {
    const figures = methods.map(() => [] as MultiLabelFigures[]);
    const elapsed = methods.map(() => 0);
    let e = 0;
    for (const episode of episodesAt(options, shot)) {
      e++;
      const support = cache.lines(episode.support);
      const query = cache.lines(episode.query);
      const pool = cache.lines(episode.pool);
      const names = options.useLabelNames === false ? undefined : cache.lines(episode.labels);
      methods.forEach((method, m) => {
        const started = performance.now();
        let sets: Uint8Array;
        if ('adaptTexts' in method) {
          const input = {
            support: episode.support,
            sets: episode.supportSets,
            ...(method.transductive ? { pool: episode.pool } : {}),
            ...(names ? { names: episode.labels } : {}),
          };
          sets = method.adaptTexts(input, (texts) => cache.lines(texts)).predictSets(episode.query).sets;
        } else {
          const model = method.adapt(support, episode.supportSets, method.transductive ? pool : undefined, names);
          sets = model.predictSets(query).sets;
        }
        elapsed[m] = (elapsed[m] ?? 0) + performance.now() - started;
        figures[m]?.push(multiLabelFigures(episode.querySets.member, sets, spec.way));
      });
      options.onProgress?.({ shot, episode: e, episodes });
    }
    const b = methods.findIndex((m) => m.name === options.baseline);
    methods.forEach((method, m) => {
      const f = figures[m] ?? [];
      const of = (key: keyof MultiLabelFigures) => interval(f.map((x) => x[key]));
      const micro = f.map((x) => x.microF1);
      const gain =
        b >= 0 && b !== m
          ? pairedDifference(
              micro,
              (figures[b] ?? []).map((x) => x.microF1),
            )
          : undefined;
      results.push({
        method: method.name,
        shot,
        episodes,
        microF1: of('microF1'),
        macroF1: of('macroF1'),
        exactMatch: of('exactMatch'),
        ...(gain ? { microF1Gain: { mean: gain.mean, ci95: gain.ci95 } } : {}),
        msPerEpisode: (elapsed[m] ?? 0) / episodes,
      });
    });
  }
  return {
    data: options.data ?? '(in memory)',
    way: spec.way,
    query: spec.query,
    intents: spec.intents,
    supportIntents: spec.supportIntents,
    episodes,
    seed,
    ...(options.baseline !== undefined ? { baseline: options.baseline } : {}),
    results,
  };
}

type EpisodeOptions = Pick<MultiLabelEvaluateOptions, 'examples' | 'shotsFrom' | 'spec' | 'episodes' | 'seed'>;

/** The episodes every method sees at `shot` shots, in order (episode i of the shot count's seed). */
function* episodesAt(options: EpisodeOptions, shot: number): Generator<MultiLabelEpisode> {
  const sampler = new MultiLabelSampler(options.examples, { ...options.spec, shot }, options.shotsFrom);
  for (let e = 0; e < options.episodes; e++) yield sampler.episode(deriveSeed(options.seed, shot), e);
}

/**
 * Every text the evaluation will encode (support, query and pool lines, label names), each once:
 * an encoder that cannot run inside the evaluator (the sentence encoder is asynchronous) embeds
 * them first. The episodes are the evaluation's own (episodesAt), so none is missed.
 */
export function multiLabelTexts(options: EpisodeOptions & { shots: number[] }): string[] {
  const texts = new Set<string>();
  for (const shot of options.shots) {
    for (const episode of episodesAt(options, shot)) {
      for (const list of [episode.support, episode.query, episode.pool, episode.labels]) for (const t of list) texts.add(t);
    }
  }
  return [...texts];
}

function interval(values: number[]): Interval {
  const { mean, ci95 } = summarize(values);
  return { mean, ci95 };
}

const pct = (x: Interval) => `${(100 * x.mean).toFixed(1)} ± ${(100 * x.ci95).toFixed(1)}`;

/** One row per method and shot count: micro-F1, macro-F1, exact match (%, 95% interval). */
export function formatMultiLabelReport(report: MultiLabelReport): string {
  const header = [
    'method',
    'shot',
    'micro-F1',
    'macro-F1',
    'exact match',
    ...(report.baseline ? [`micro-F1 gain vs ${report.baseline}`] : []),
    'ms/episode',
  ];
  const rows = report.results.map((r) => [
    r.method,
    String(r.shot),
    pct(r.microF1),
    pct(r.macroF1),
    pct(r.exactMatch),
    ...(report.baseline ? [r.microF1Gain ? pct(r.microF1Gain) : '-'] : []),
    r.msPerEpisode.toFixed(1),
  ]);
  const range = ([lo, hi]: [number, number]) => (lo === hi ? `${lo}` : `${lo}-${hi}`);
  return [
    `${report.data}: multi-label, ${report.way} labels, ${report.query * report.way} query lines of ${range(report.intents)} intents, ` +
      `support lines of ${range(report.supportIntents)} intents (joined with "${JOINER.trim()}"), ${report.episodes} episodes, seed ${report.seed}`,
    '% ± 95% CI',
    alignColumns([header, ...rows]),
  ].join('\n');
}
