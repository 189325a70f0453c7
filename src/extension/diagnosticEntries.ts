// Turns a document's predictions into the entries shown as diagnostics: filtered, prioritised,
// capped per file. No vscode import, so it is unit-tested and benchmarked directly.
import { isNoneLabel, NONE_LABEL } from '../engine/labels/none';
import { leastCertainLines } from '../engine/review';
import type { PredictedSets } from '../protocol/labelSets';

export interface DocumentPredictions {
  labels: string[];
  /** Per line: index into `labels`, -1 for lines without a prediction. */
  labelIndex: Int32Array;
  confidence: Float32Array;
  uncertainty: Float32Array;
  /** A multi-label task's predicted sets (labelIndex then names each line's most probable label, or `none`). */
  sets?: PredictedSets;
}

export type Priority = 'confidence' | 'uncertainty';

export interface DiagnosticOptions {
  minConfidence: number;
  maxPerFile: number;
  /** Which lines survive the cap: the surest (`confidence`) or the least sure (`uncertainty`). */
  priority: Priority;
  /** Lines predicted as the built-in `none` ("fits no label") are left out unless this is set. */
  showNone?: boolean;
}

export interface DiagnosticEntry {
  line: number;
  label: string;
  confidence: number;
  uncertainty: number;
  message: string;
  /** Predicted as the built-in `none`: shown (when shown at all) at hint level. */
  none: boolean;
  /** A multi-label task: the predicted set, most probable first (empty: `none`). */
  set?: LabelConfidence[];
}

export interface LabelConfidence {
  label: string;
  confidence: number;
}

/** A line's predicted set, most probable first (empty: none); undefined where there are no sets or no prediction. */
export function predictedSet(p: DocumentPredictions, line: number): LabelConfidence[] | undefined {
  const sets = p.sets;
  if (!sets || line + 1 >= sets.start.length || !(p.labelIndex[line]! >= 0)) return undefined;
  const out: LabelConfidence[] = [];
  for (let k = sets.start[line]!; k < sets.start[line + 1]!; k++)
    out.push({ label: p.labels[sets.label[k]!] ?? '?', confidence: sets.confidence[k]! });
  return out;
}

/** A predicted set's text: `bug 91% · billing 60%`; the empty set as `none` is (formatPrediction, with `confidence`). */
export function formatLabelSet(set: readonly LabelConfidence[], noneConfidence: number): string {
  return set.length === 0
    ? formatPrediction(NONE_LABEL, noneConfidence)
    : set.map((x) => formatPrediction(x.label, x.confidence)).join(' · ');
}

export function formatPrediction(label: string, confidence: number): string {
  const pct = Number.isFinite(confidence) ? Math.round(Math.min(1, Math.max(0, confidence)) * 100) : 0;
  return isNoneLabel(label) ? `${label} (fits no label) ${pct}%` : `${label} ${pct}%`;
}

/** Another task's view of a line: its label there, else its prediction (undefined: none yet). */
export interface OtherTask {
  name: string;
  /** Line -> its label, or a multi-label task's labeled set (sorted; empty: none). */
  labels: ReadonlyMap<number, string | readonly string[]>;
  predictions: DocumentPredictions | undefined;
}

/**
 * A line's diagnostic message with every task (fewshot.diagnostics.allTasks), the active task first:
 * `intent: billing 93% · urgency: high 71%`. A task that labeled the line says so; one without a
 * prediction for it is left out.
 */
export function allTasksMessage(line: number, active: { name: string; message: string }, others: readonly OtherTask[]): string {
  const parts = [`${active.name}: ${active.message}`];
  for (const t of others) {
    const label = t.labels.get(line);
    const index = t.predictions?.labelIndex[line] ?? -1;
    if (label !== undefined) {
      // A labeled set is listed whole, as a predicted one is.
      const text = typeof label === 'string' ? label : label.length ? label.join(' · ') : NONE_LABEL;
      parts.push(`${t.name}: ${text} (labeled)`);
    } else if (t.predictions && index >= 0) {
      const set = predictedSet(t.predictions, line);
      const confidence = t.predictions.confidence[line]!;
      parts.push(`${t.name}: ${set ? formatLabelSet(set, confidence) : formatPrediction(t.predictions.labels[index]!, confidence)}`);
    }
  }
  return parts.join(' · ');
}

/** The entries shown, and how many there were before the per-file cap. */
export interface CappedEntries {
  entries: DiagnosticEntry[];
  total: number;
}

/** Entries sorted by line, capped per file (see capEntries). */
export function buildEntries(p: DocumentPredictions, labeled: ReadonlySet<number>, options: DiagnosticOptions): DiagnosticEntry[] {
  return capEntries(p, labeled, options).entries;
}

/**
 * What the cap hides, said where the predictions are: "1,000 of 1,844 predictions shown (the
 * least certain) — open the panel for all". Undefined when nothing is hidden.
 */
export function capNotice(shown: number, total: number, priority: Priority): string | undefined {
  if (shown >= total) return undefined;
  const n = (x: number) => x.toLocaleString('en-US');
  const kept = priority === 'uncertainty' ? 'the least certain' : 'the most confident';
  return `Few-Shot: ${n(shown)} of ${n(total)} predictions shown (${kept}; fewshot.diagnostics.maxPerFile) — open the panel for all`;
}

/**
 * Entries sorted by line; labeled lines are skipped (they show their label instead). Linear in
 * the document's length (the cap uses a selection, not a sort), so 100,000 lines stay cheap.
 */
export function capEntries(p: DocumentPredictions, labeled: ReadonlySet<number>, options: DiagnosticOptions): CappedEntries {
  const n = p.labelIndex.length;
  const noneIndex = options.showNone ? -1 : p.labels.findIndex(isNoneLabel);
  const shown = (line: number) => {
    const index = p.labelIndex[line]!;
    return index >= 0 && index !== noneIndex && !labeled.has(line) && p.confidence[line]! >= options.minConfidence;
  };
  let count = 0;
  for (let line = 0; line < n; line++) if (shown(line)) count++;
  const cap = Math.max(0, Math.floor(options.maxPerFile));
  const score = options.priority === 'uncertainty' ? p.uncertainty : p.confidence;
  let threshold = -Infinity;
  let tiesAllowed = Infinity;
  if (count > cap) {
    if (cap === 0) return { entries: [], total: count };
    const scores = new Float32Array(count);
    for (let line = 0, k = 0; line < n; line++) if (shown(line)) scores[k++] = score[line]!;
    threshold = kthLargest(scores, cap);
    let above = 0;
    for (let i = 0; i < count; i++) if (scores[i]! > threshold) above++;
    tiesAllowed = cap - above; // lines scoring exactly the threshold: the first ones in the document win
  }
  const entries: DiagnosticEntry[] = [];
  for (let line = 0; line < n; line++) {
    if (!shown(line)) continue;
    const s = score[line]!;
    if (s < threshold) continue;
    if (s === threshold && tiesAllowed-- <= 0) continue;
    const label = p.labels[p.labelIndex[line]!] ?? '?';
    const confidence = p.confidence[line]!;
    const set = predictedSet(p, line);
    entries.push({
      line,
      label,
      confidence,
      uncertainty: p.uncertainty[line]!,
      message: set ? formatLabelSet(set, confidence) : formatPrediction(label, confidence),
      none: isNoneLabel(label),
      ...(set ? { set } : {}),
    });
  }
  return { entries, total: count };
}

/** The k-th largest value (1-based k) by quickselect; reorders `values`. */
function kthLargest(values: Float32Array, k: number): number {
  let lo = 0;
  let hi = values.length - 1;
  const target = k - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! > pivot) i++;
      while (values[j]! < pivot) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i] = values[j]!;
        values[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return values[target]!;
  }
  return values[target]!;
}

/** The unlabeled line the model is least sure of, other than `current`; -1 when there is none. */
export function mostUncertainLine(p: DocumentPredictions, labeled: ReadonlySet<number>, current = -1): number {
  const eligible = (line: number) => p.labelIndex[line]! >= 0 && !labeled.has(line) && line !== current;
  return leastCertainLines(p.uncertainty, eligible, 1)[0] ?? -1;
}
