// When the engine reports "no label" for lines unlike every label (abstention without examples,
// abstainer.ts). The rule is fitted on CLINC150's short queries; `auto` applies
// it only where it was measured to keep at least 90% of the in-scope lines (docs/accuracy.md,
// "Lines that fit no label"). The extension's setting, the worker protocol and the CLI pass the
// user's choice through unchanged; this file is the one place that decides what it means.
import { isNoneLabel } from '../labels/none';

/** The user's choice: where measured trustworthy (auto), always (on), or never (off). */
export const ABSTENTION_MODES = ['auto', 'on', 'off'] as const;
export type AbstentionMode = (typeof ABSTENTION_MODES)[number];

/**
 * `auto` applies the rule once every label has at least this many labeled lines, with its threshold
 * calibrated per document (calibrationApplies). So calibrated, at 3 lines per label it kept 93.7%
 * of the in-scope lines on held-out CLINC150 (5 labels; 93.6 at 8, 94.1 at 20) and 96.3% of the demo's
 * support tickets, where the trained threshold alone kept 64.0%; the 5-way 5-shot targets still
 * hold (AUROC 95.8, out-of-scope recall 80.5 keeping 94.4). The price is on text unlike the training
 * queries: on the tickets it then sets apart 19.5% of the out-of-scope lines (77.5% uncalibrated).
 * Below 3 it is unmeasured with the calibration (at 2 each held-out line would be scored by a
 * classifier of one line per label). docs/accuracy.md, "A threshold per document".
 */
export const AUTO_MIN_SHOTS = 3;

/**
 * ... and there are at most this many labels (`none` not counted): the rule was fitted on episodes
 * of 3, 5 and 8 labels and measured on 5. With dozens of labels it is unmeasured, and its
 * nearest-neighbour signals then cost more than the classification itself (77 labels x 10 lines,
 * 10,000 lines: about 2.5 s per update against 0.2 s without), so auto leaves it off there.
 */
export const AUTO_MAX_LABELS = 8;

export function isAbstentionMode(value: unknown): value is AbstentionMode {
  return typeof value === 'string' && (ABSTENTION_MODES as readonly string[]).includes(value);
}

/** What `auto` looks at: one adaptation's support set, and whether it had a pool. */
export interface AbstentionContext {
  /** The support's label names; `supportLabels` indexes into them. */
  labels: readonly string[];
  supportLabels: Int32Array;
  /**
   * Whether the adaptation saw the document's unlabeled lines (a transductive method with a pool):
   * the rule re-centres its signals on them, and without them it keeps fewer in-scope lines.
   */
  pooled: boolean;
}

/**
 * The fewest labeled lines of any label; the `none` label does not count (its lines are the
 * background class, not a label whose edges the rule must know).
 */
export function fewestShots(labels: readonly string[], supportLabels: Int32Array): number {
  const counts = new Map<number, number>();
  for (const id of supportLabels) if (!isNoneLabel(labels[id] ?? '')) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts.size === 0 ? 0 : Math.min(...counts.values());
}

/**
 * Under `auto`, the threshold is calibrated per document while some label has fewer labeled lines
 * than this. From 9 lines per label the trained threshold alone kept 91.5% of the demo tickets and
 * 92-94% of held-out CLINC150 queries (the rule `auto` applied before calibration existed), and
 * the calibration's refits (CALIBRATION_FOLDS more adaptations per classify) would grow with the
 * labeled lines: below it they are at most 8 labels x 8 lines, cheap.
 */
export const CALIBRATE_BELOW_SHOTS = 9;

/**
 * Whether the rule's threshold is raised per document from the labeled lines scored held out
 * (calibrate.ts): when asked, else under `auto` with fewer than CALIBRATE_BELOW_SHOTS lines for
 * some label (where the trained threshold keeps too few in-scope lines), never under `on` (the
 * trained threshold, as measured without it). `fewest`: fewestShots of the support.
 */
export function calibrationApplies(mode: AbstentionMode, asked: boolean | undefined, fewest: number): boolean {
  return asked ?? (mode === 'auto' && fewest < CALIBRATE_BELOW_SHOTS);
}

/** Whether the rule applies to an adaptation: `on` and `off` as asked, `auto` resolved from the support set (AUTO_MIN_SHOTS, AUTO_MAX_LABELS). */
export function abstentionApplies(mode: AbstentionMode, context: AbstentionContext): boolean {
  if (mode !== 'auto') return mode === 'on';
  const labels = context.labels.filter((l) => !isNoneLabel(l)).length;
  return context.pooled && labels <= AUTO_MAX_LABELS && fewestShots(context.labels, context.supportLabels) >= AUTO_MIN_SHOTS;
}
