// The quality estimate the panel shows: how often the model the user sees predicts a labeled line
// right when that line is left out of its support set. Small labeled sets use leave-one-out
// (every other line teaches); past LEAVE_ONE_OUT_MAX lines it becomes stratified k-fold cross-
// validation, so the cost is k adaptations instead of n. Every fold goes through the engine's
// public `adapt()` with the same method and the same unlabeled pool as classification, so the
// estimate scores the model the diagnostics come from. Cancellable between folds.
import type { AdaptOptions, EngineApi } from '../engine';
import { Rng } from '../random';
import { supportProblem } from '../support';
import type { Example } from '../types';

/** Up to this many labeled lines, leave-one-out (n adaptations); beyond, k-fold. */
export const LEAVE_ONE_OUT_MAX = 30;
export const DEFAULT_FOLDS = 5;
export const DEFAULT_SEED = 7;

export type QualityScheme = 'leave-one-out' | 'k-fold';

export interface CrossValidateOptions extends Pick<AdaptOptions, 'method' | 'pool' | 'abstain'> {
  /** Folds past LEAVE_ONE_OUT_MAX lines (default DEFAULT_FOLDS). */
  folds?: number;
  seed?: number;
  /** Checked before every fold; a cancelled run stops there and returns undefined. */
  signal?: { readonly isCancellationRequested: boolean };
  /** Awaited between folds so that a cancel message can arrive (the worker's event loop). */
  yieldBetweenFolds?: () => Promise<void>;
}

export interface CrossValidation {
  scheme: QualityScheme;
  /** Number of folds (n for leave-one-out). */
  folds: number;
  /** Labeled lines scored: each exactly once. */
  n: number;
  correct: number;
  /** The method name the folds were adapted with, as the engine reports it. */
  method: string;
}

/**
 * Assigns each example a fold: leave-one-out up to LEAVE_ONE_OUT_MAX examples, else `folds`
 * folds stratified by label (each label's examples, shuffled with `seed`, are dealt round-robin,
 * continuing where the previous label stopped so fold sizes differ by at most one).
 */
export function assignFolds(
  labels: readonly string[],
  folds = DEFAULT_FOLDS,
  seed = DEFAULT_SEED,
): { scheme: QualityScheme; fold: Int32Array; count: number } {
  const n = labels.length;
  if (n <= LEAVE_ONE_OUT_MAX) return { scheme: 'leave-one-out', fold: Int32Array.from({ length: n }, (_, i) => i), count: n };
  const k = Math.max(2, Math.min(Math.floor(folds), n));
  const byLabel = new Map<string, number[]>();
  labels.forEach((label, i) => {
    const list = byLabel.get(label);
    if (list) list.push(i);
    else byLabel.set(label, [i]);
  });
  const rng = new Rng(seed);
  const fold = new Int32Array(n);
  let next = 0;
  for (const label of [...byLabel.keys()].sort()) {
    for (const i of rng.shuffle(byLabel.get(label)!)) {
      fold[i] = next;
      next = (next + 1) % k;
    }
  }
  return { scheme: 'k-fold', fold, count: k };
}

/**
 * Scores every example once with a model adapted to the examples of the other folds. A fold
 * whose training part has a single label cannot be adapted; the only model possible then
 * predicts that label, and its lines are scored against it. Returns undefined when cancelled.
 */
export async function crossValidate(
  engine: Pick<EngineApi, 'adapt'>,
  support: readonly Example[],
  options: CrossValidateOptions = {},
): Promise<CrossValidation | undefined> {
  const { scheme, fold, count } = assignFolds(
    support.map((s) => s.label),
    options.folds,
    options.seed,
  );
  let correct = 0;
  let method = options.method ?? 'default';
  // Nothing to tell apart: no estimate (the panel says why).
  if (supportProblem(support)) return { scheme, folds: 0, n: 0, correct: 0, method };
  for (let f = 0; f < count; f++) {
    if (f > 0) await options.yieldBetweenFolds?.();
    if (options.signal?.isCancellationRequested) return undefined;
    const train: Example[] = [];
    const test: Example[] = [];
    for (let i = 0; i < support.length; i++) (fold[i] === f ? test : train).push(support[i]!);
    if (test.length === 0) continue;
    const trainLabels = new Set(train.map((s) => s.label));
    if (trainLabels.size < 2) {
      const only = [...trainLabels][0];
      for (const s of test) if (s.label === only) correct++;
      continue;
    }
    // A cancel also stops the fold's own adaptation early (its result is then thrown away).
    const model = engine.adapt(train, {
      method: options.method,
      pool: options.pool,
      ...(options.abstain ? { abstain: options.abstain } : {}),
      shouldStop: () => !!options.signal?.isCancellationRequested,
    });
    if (options.signal?.isCancellationRequested) return undefined;
    method = model.method;
    const { labelIndex } = model.classify(test.map((s) => s.text));
    for (let i = 0; i < test.length; i++) if (model.labels[labelIndex[i]!] === test[i]!.label) correct++;
  }
  if (options.signal?.isCancellationRequested) return undefined;
  return { scheme, folds: count, n: support.length, correct, method };
}
