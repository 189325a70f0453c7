// N-way K-shot Q-query episodes, built from small pieces (choose ways, take shots and queries,
// remap labels, draw distractors) in the manner of learn2learn's task transforms.
import type { Example } from '../types';
import { filterLabelsByCount, groupByLabelSorted, type LabelGroups, type SkippedLabel } from './group';
import { Rng } from '../random';
import { deriveSeed, sampleWithoutReplacement } from './prng';

/** Distinguishes the out-of-scope stream of an episode's seed from its main stream. */
const OUT_OF_SCOPE_STREAM = 0x005c09e;

export interface EpisodeSpec {
  /** Classes per episode, or `all`: every label with enough examples, in every episode. */
  way: number | 'all';
  shot: number;
  query: number;
  /** Distractor lines per query line, drawn from labels outside the episode (default 1). */
  distractorRatio?: number;
  /**
   * Open-set episodes: this fraction (0..1) of the query lines fit none of the episode's labels.
   * They come from `outOfScope` when given (a file of out-of-scope lines), else from the labels
   * outside the episode. Default 0: every query line has one of the episode's labels.
   */
  openSetRatio?: number;
  outOfScope?: readonly Example[];
}

export interface Episode {
  /** Label names; index = the remapped class id 0..way-1. */
  labels: string[];
  support: Example[];
  supportLabels: Int32Array;
  query: Example[];
  queryLabels: Int32Array;
  /** Lines of labels outside the episode, for the unlabeled pool of transductive methods. */
  distractors: Example[];
  /** Query lines that fit none of the episode's labels (open-set episodes; otherwise empty). */
  outOfScope: Example[];
}

export class EpisodeError extends Error {
  override name = 'EpisodeError';
}

export function chooseWays(rng: Rng, labels: readonly string[], way: number): string[] {
  return sampleWithoutReplacement(rng, labels, way);
}

/** For each chosen label: `shot` support and `query` query examples, disjoint. */
export function takeShotsAndQueries(rng: Rng, groups: LabelGroups, ways: readonly string[], shot: number, query: number) {
  const support: Example[] = [];
  const queries: Example[] = [];
  for (const label of ways) {
    const group = groups.get(label);
    if (!group) throw new EpisodeError(`label "${label}" is not in the data`);
    const taken = sampleWithoutReplacement(rng, group, shot + query);
    support.push(...taken.slice(0, shot));
    queries.push(...taken.slice(shot));
  }
  return { support, query: queries };
}

/** Maps label names to 0..n-1 in the order of `ways`. */
export function remapLabels(examples: readonly Example[], ways: readonly string[]): Int32Array {
  const index = new Map(ways.map((label, i) => [label, i]));
  return Int32Array.from(examples, (ex) => {
    const id = index.get(ex.label);
    if (id === undefined) throw new EpisodeError(`label "${ex.label}" is not one of the episode's labels`);
    return id;
  });
}

/** Up to `count` lines drawn uniformly from all lines whose label is not in `ways` (nor in `exclude`). */
export function drawDistractors(
  rng: Rng,
  groups: LabelGroups,
  ways: readonly string[],
  count: number,
  exclude?: ReadonlySet<Example>,
): Example[] {
  if (count <= 0) return [];
  const inside = new Set(ways);
  const outside: Example[] = [];
  for (const [label, group] of groups) {
    if (inside.has(label)) continue;
    for (const ex of group) if (!exclude?.has(ex)) outside.push(ex);
  }
  return sampleWithoutReplacement(rng, outside, Math.min(count, outside.length));
}

/** Out-of-scope lines to add to `inScope` query lines so that they make `ratio` (0..1) of the whole. */
export function outOfScopeCount(inScope: number, ratio: number): number {
  if (!(ratio >= 0 && ratio < 1)) throw new EpisodeError(`open-set ratio must be in [0, 1) (got ${ratio})`);
  return Math.round((inScope * ratio) / (1 - ratio));
}

export function validateSpec(spec: EpisodeSpec): void {
  const ints: [string, number, number][] = [
    ['way', spec.way === 'all' ? 2 : spec.way, 2],
    ['shot', spec.shot, 1],
    ['query', spec.query, 1],
  ];
  for (const [name, value, min] of ints) {
    if (!Number.isInteger(value) || value < min) throw new EpisodeError(`${name} must be an integer >= ${min} (got ${value})`);
  }
  const ratio = spec.distractorRatio ?? 1;
  if (!(ratio >= 0) || !Number.isFinite(ratio)) throw new EpisodeError(`distractor ratio must be >= 0 (got ${ratio})`);
  const open = spec.openSetRatio ?? 0;
  if (!(open >= 0 && open < 1)) throw new EpisodeError(`open-set ratio must be in [0, 1) (got ${open})`);
  if (spec.outOfScope && spec.outOfScope.length === 0) throw new EpisodeError('the out-of-scope lines are empty');
}

/**
 * Samples episodes from a fixed data set. Episode `i` depends only on (seed, i), so the same seed
 * gives the same episodes, and every method evaluated on episode i sees exactly the same lines.
 */
export class EpisodeSampler {
  /** Labels with enough examples for `shot + query`, sorted. */
  readonly labels: string[];
  readonly skipped: SkippedLabel[];
  /** Classes per episode (`all` resolved to the number of eligible labels). */
  readonly way: number;
  private readonly eligible: LabelGroups;
  private readonly all: LabelGroups;
  /** Where shots come from when not from `examples` (e.g. a train split, queries from the test split). */
  private readonly shotSource?: LabelGroups;

  constructor(
    examples: readonly Example[],
    readonly spec: EpisodeSpec,
    shotsFrom?: readonly Example[],
  ) {
    validateSpec(spec);
    this.all = groupByLabelSorted(examples);
    if (shotsFrom) {
      const source = groupByLabelSorted(shotsFrom);
      const enoughQueries = filterLabelsByCount(this.all, spec.query);
      const enoughShots = filterLabelsByCount(source, spec.shot);
      this.eligible = new Map([...enoughQueries.kept].filter(([label]) => enoughShots.kept.has(label)));
      this.shotSource = source;
      this.skipped = [...enoughQueries.skipped, ...enoughShots.skipped.filter((s) => this.all.has(s.label))];
    } else {
      const { kept, skipped } = filterLabelsByCount(this.all, spec.shot + spec.query);
      this.eligible = kept;
      this.skipped = skipped;
    }
    this.labels = [...this.eligible.keys()];
    this.way = spec.way === 'all' ? this.labels.length : spec.way;
    if (this.labels.length < Math.max(this.way, 2)) {
      throw new EpisodeError(
        `${this.way}-way episodes need ${this.way} labels with at least ${spec.shot + spec.query} examples ` +
          `(shot ${spec.shot} + query ${spec.query}); only ${this.labels.length} of ${this.all.size} labels have that many`,
      );
    }
  }

  episode(seed: number, index: number): Episode {
    const rng = new Rng(deriveSeed(seed, index));
    const ways = chooseWays(rng, this.labels, this.way);
    const { support, query } = this.shotSource
      ? {
          support: takeShotsAndQueries(rng, this.shotSource, ways, this.spec.shot, 0).support,
          query: takeShotsAndQueries(rng, this.eligible, ways, 0, this.spec.query).query,
        }
      : takeShotsAndQueries(rng, this.eligible, ways, this.spec.shot, this.spec.query);
    const distractorCount = Math.round(query.length * (this.spec.distractorRatio ?? 1));
    // Out-of-scope lines come from a stream of their own, so closed-set episodes stay as they were.
    const outOfScope = this.drawOutOfScope(seed, index, ways, query.length);
    return {
      labels: ways,
      support,
      supportLabels: remapLabels(support, ways),
      query,
      queryLabels: remapLabels(query, ways),
      distractors: drawDistractors(rng, this.all, ways, distractorCount, outOfScope.length ? new Set(outOfScope) : undefined),
      outOfScope,
    };
  }

  private drawOutOfScope(seed: number, index: number, ways: readonly string[], inScope: number): Example[] {
    const ratio = this.spec.openSetRatio ?? 0;
    if (ratio === 0) return [];
    const count = outOfScopeCount(inScope, ratio);
    const rng = new Rng(deriveSeed(seed, index, OUT_OF_SCOPE_STREAM));
    const source = this.spec.outOfScope;
    if (!source) return drawDistractors(rng, this.all, ways, count);
    return sampleWithoutReplacement(rng, source, Math.min(count, source.length));
  }
}
