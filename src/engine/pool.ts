// The unlabeled pool: the one place that decides how many of a document's unlabeled lines an
// adaptation looks at and how they are sampled. Callers (the worker, the CLI, the evaluator) hand
// over every unlabeled line they have; the engine samples here.
import { evenRows } from './learners/featureView';

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

/** Evenly spaced sample (deterministic: the same document gives the same pool on every run). */
export function samplePool<T>(items: readonly T[], limit = MAX_POOL): T[] {
  return items.length <= limit ? [...items] : Array.from(evenRows(items.length, limit), (i) => items[i] as T);
}
