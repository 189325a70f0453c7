// Per-document calibration of the abstention threshold from the user's own labeled lines.
//
// The trained threshold (abstainer.ts) is fitted on CLINC150 queries; on other text the rule's
// P(out of scope) reads higher for every line, in-scope ones included, and a fixed threshold sets
// apart too many of them (docs/accuracy.md, "A threshold per context"). The labeled lines are
// in-scope lines of this very document: scored held out (the classifier and the rule's references
// adapted without them) they show where this document's in-scope lines fall. The threshold is
// raised to the level that would keep IN_SCOPE_KEPT of them, never lowered below the trained one.
// The labeled lines themselves cannot be scored directly: the classifier was fitted on them.
import type { Centre } from '../learners/featureView';
import { selectRows } from '../learners/featureView';
import type { Classifier } from '../types';
import { type AbstainInput, type AbstainParams, AbstainFeatures, outOfScopeLogits } from './abstainer';

/**
 * The share of held-out labeled lines the calibrated threshold keeps: the 92% the trained
 * threshold is fitted to keep on training episodes (fit.ts), so that both aim at the same thing.
 */
export const IN_SCOPE_KEPT = 0.92;

/** Folds over the labeled lines: at most this many refits per adaptation (each label's lines are dealt round-robin). */
export const CALIBRATION_FOLDS = 3;

/**
 * Adapts the classifier again on part of the labeled lines `keep`, given by index (same method,
 * pool and label names), and gives its probabilities for the held-out labeled lines `held`: the
 * caller scores them, since the lines a classifier reads may be more than the rule's (the
 * sentence block's refined classifier reads rows with the block, the rule today's rows).
 */
export type Refit = (keep: Int32Array, held: Int32Array) => { classifier: Classifier; heldProbs: Float32Array };

/**
 * Each label's lines dealt round-robin over `folds` folds (the `none` lines, the background, in
 * none: they always train). Undefined when some label has a single line: holding it out would
 * leave the label without an example.
 */
export function calibrationFolds(
  supportLabels: Int32Array,
  background: number | undefined,
  folds = CALIBRATION_FOLDS,
): Int32Array[] | undefined {
  const byClass = new Map<number, number[]>();
  supportLabels.forEach((c, i) => {
    if (c === background) return;
    const rows = byClass.get(c) ?? [];
    rows.push(i);
    byClass.set(c, rows);
  });
  if (byClass.size === 0) return undefined;
  const fewest = Math.min(...[...byClass.values()].map((rows) => rows.length));
  if (fewest < 2) return undefined;
  const k = Math.min(folds, fewest);
  const out: number[][] = Array.from({ length: k }, () => []);
  for (const rows of byClass.values()) {
    rows.forEach((row, j) => {
      out[j % k]!.push(row);
    });
  }
  return out.map((rows) => Int32Array.from(rows.sort((a, b) => a - b)));
}

/**
 * The rule's log-odds of "out of scope" for each in-scope labeled line, each scored by a classifier
 * and rule references adapted without its fold. Empty when the labeled lines cannot be split.
 */
export function heldOutLogits(params: AbstainParams, input: AbstainInput, centre: Centre, refit: Refit): Float64Array {
  const folds = calibrationFolds(input.supportLabels, input.background);
  if (!folds) return new Float64Array(0);
  const out: number[] = [];
  for (const held of folds) {
    const heldSet = new Set(held);
    const keep = Int32Array.from({ length: input.support.n - held.length }, () => 0);
    let r = 0;
    for (let i = 0; i < input.support.n; i++) if (!heldSet.has(i)) keep[r++] = i;
    const support = selectRows(input.support, keep);
    const supportLabels = Int32Array.from(keep, (i) => input.supportLabels[i]!);
    const { classifier, heldProbs } = refit(keep, held);
    const features = new AbstainFeatures({ ...input, classifier, support, supportLabels }, centre);
    const lines = selectRows(input.support, held);
    out.push(...outOfScopeLogits(params, features.compute(lines, heldProbs), lines.n));
  }
  return Float64Array.from(out);
}

/** The value below which `share` of the sorted values fall (linear interpolation between order statistics). */
function quantile(values: Float64Array, share: number): number {
  const sorted = Float64Array.from(values).sort();
  const at = share * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (at - lo) * (sorted[hi]! - sorted[lo]!);
}

/**
 * The threshold on P(out of scope) for this document: the trained one, raised to the level that
 * keeps IN_SCOPE_KEPT of the held-out labeled lines when they read higher (never lowered: on text
 * like the training queries the trained threshold stands, and with it the measured recall).
 */
export function calibratedThreshold(trained: number, heldOut: Float64Array): number {
  if (heldOut.length === 0) return trained;
  const z = quantile(heldOut, IN_SCOPE_KEPT);
  return Math.max(trained, 1 / (1 + Math.exp(-z)));
}
