// The unlabeled pool: the one place that decides how many of a document's (or a folder's, or the
// CLI's files') units an adaptation looks at and how they are sampled. Callers hand over every
// unit they have: a document's units at once (the engine samples them evenly, samplePool), a
// stream too large to hold (Classify Workspace, the CLI) through a PoolSampler, whose sample the
// engine then takes as the pool.
//
// The rule for labeled lines, the same everywhere: a unit is in the pool whether or not it is
// labeled. The pool stands for the text being classified (it sets the centre the features are
// re-centred on), and a labeled line is part of that text.
import { evenRows } from './learners/featureView';
import { Rng } from './random';

/**
 * Most unlabeled lines an adaptation looks at: they set the document's centre (the re-centring of
 * the features). Beyond it the lines are sampled evenly: a centre from 20,000 lines is as good as
 * one from all of them, and encoding is linear in the count.
 */
export const MAX_POOL = 20_000;

/**
 * Most pool lines scored when choosing pseudo-labels in each self-training round: a thousand hold
 * plenty of top-k candidates, and scoring a 20,000-line pool every round would dominate the time.
 */
export const MAX_PSEUDO_CANDIDATES = 1024;

/** The seed of every streamed pool: the same files give the same pool, in the editor and the CLI. */
export const POOL_SEED = 0x5eed;

/** Evenly spaced sample (deterministic: the same document gives the same pool on every run). */
export function samplePool<T>(items: readonly T[], limit = MAX_POOL): T[] {
  return items.length <= limit ? [...items] : Array.from(evenRows(items.length, limit), (i) => items[i] as T);
}

/**
 * The pool of a stream of units: a uniform sample of at most `size` of its non-blank units in one
 * pass and O(size) memory (Algorithm R), seeded, so a re-run over the same units gives the same pool.
 */
export class PoolSampler {
  /** The sample so far: every non-blank unit while fewer than `size` were seen. */
  readonly items: string[] = [];
  private seen = 0;
  private readonly random: Rng;

  constructor(
    private readonly size = MAX_POOL,
    seed = POOL_SEED,
  ) {
    this.random = new Rng(seed);
  }

  add(unit: string): void {
    if (this.size <= 0 || unit.trim() === '') return;
    this.seen++;
    if (this.items.length < this.size) this.items.push(unit);
    else {
      const k = this.random.int(this.seen);
      if (k < this.size) this.items[k] = unit;
    }
  }
}
