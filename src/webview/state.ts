// The panel's view state: everything that should survive hiding the panel and reloading the
// window goes through `vscode.setState`, so it is restored (and validated: it is data from
// an earlier run) at start-up.

import { LIMITS, labelNameProblem, type LineRef } from '../protocol/panel';

export type SortOrder = 'uncertainty' | 'document' | 'confidence';
export const SORT_ORDERS: readonly SortOrder[] = ['uncertainty', 'document', 'confidence'];

/**
 * `all`, `unlabeled`, `labeled`, `low` (low confidence), `none` (fits no label: marked or predicted
 * `none`) or `predicted:<label>`.
 */
export type StatusFilter = 'all' | 'unlabeled' | 'labeled' | 'low' | 'none' | `predicted:${string}`;

export type DecisionKind = 'label' | 'accept' | 'skip' | 'edit';
export interface Decision {
  ref: LineRef;
  kind: DecisionKind;
  /** The label before and after; undefined means unlabeled. */
  before?: string;
  after?: string;
  /** A multi-label task's line: its set before and after (undefined: unlabeled), which undo restores. */
  beforeSet?: string[];
  afterSet?: string[];
}

export interface PrecisionSession {
  label: string;
  /** The sampled lines still to judge, then the judged ones. */
  queue: LineRef[];
  index: number;
  correct: number;
  wrong: number;
  /** True once the queue is done or the user stopped. */
  finished: boolean;
}

export interface ViewState {
  v: 1;
  sort: SortOrder;
  filter: StatusFilter;
  /** Document URI, or null for all documents. */
  doc: string | null;
  search: string;
  /** Key (lineKey) of the line under the cursor. */
  cursor: string | null;
  scrollTop: number;
  history: Decision[];
  precision: PrecisionSession | null;
}

export const HISTORY_LIMIT = 50;
/** Predictions below this confidence count as low confidence. */
export const LOW_CONFIDENCE = 0.6;

export function defaultViewState(): ViewState {
  return { v: 1, sort: 'uncertainty', filter: 'all', doc: null, search: '', cursor: null, scrollTop: 0, history: [], precision: null };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const optLabel = (v: unknown): string | undefined => (typeof v === 'string' && !labelNameProblem(v) ? v : undefined);

const optSet = (v: unknown): string[] | undefined =>
  Array.isArray(v) && v.length <= LIMITS.labels && v.every((l) => optLabel(l) !== undefined) ? v : undefined;

function restoreRef(v: unknown): LineRef | undefined {
  if (!isObj(v) || typeof v.uri !== 'string' || v.uri.length > LIMITS.uri || !isCount(v.line) || v.line > LIMITS.lineNumber)
    return undefined;
  return { uri: v.uri, line: v.line };
}

function restoreFilter(v: unknown): StatusFilter {
  if (v === 'all' || v === 'unlabeled' || v === 'labeled' || v === 'low' || v === 'none') return v;
  if (typeof v === 'string' && v.startsWith('predicted:') && optLabel(v.slice(10))) return v as StatusFilter;
  return 'all';
}

function restoreDecision(v: unknown): Decision | undefined {
  if (!isObj(v)) return undefined;
  const ref = restoreRef(v.ref);
  const kind = v.kind;
  if (!ref || !(kind === 'label' || kind === 'accept' || kind === 'skip' || kind === 'edit')) return undefined;
  const d: Decision = { ref, kind, before: optLabel(v.before), after: optLabel(v.after) };
  const beforeSet = optSet(v.beforeSet);
  const afterSet = optSet(v.afterSet);
  if (beforeSet) d.beforeSet = beforeSet;
  if (afterSet) d.afterSet = afterSet;
  return d;
}

function restorePrecision(v: unknown): PrecisionSession | null {
  if (!isObj(v)) return null;
  const label = optLabel(v.label);
  if (!label || !Array.isArray(v.queue) || !isCount(v.index) || !isCount(v.correct) || !isCount(v.wrong)) return null;
  const queue = v.queue
    .map(restoreRef)
    .filter((r): r is LineRef => !!r)
    .slice(0, 1000);
  return { label, queue, index: Math.min(v.index, queue.length), correct: v.correct, wrong: v.wrong, finished: v.finished === true };
}

/** Rebuilds a view state from whatever `getState()` returned; anything odd falls back to defaults. */
export function restoreViewState(raw: unknown): ViewState {
  const s = defaultViewState();
  if (!isObj(raw) || raw.v !== 1) return s;
  if (SORT_ORDERS.includes(raw.sort as SortOrder)) s.sort = raw.sort as SortOrder;
  s.filter = restoreFilter(raw.filter);
  if (typeof raw.doc === 'string' && raw.doc.length <= LIMITS.uri) s.doc = raw.doc;
  if (typeof raw.search === 'string') s.search = raw.search.slice(0, 500);
  if (typeof raw.cursor === 'string' && raw.cursor.length <= LIMITS.uri + 12) s.cursor = raw.cursor;
  if (typeof raw.scrollTop === 'number' && Number.isFinite(raw.scrollTop) && raw.scrollTop >= 0) s.scrollTop = raw.scrollTop;
  if (Array.isArray(raw.history))
    s.history = raw.history
      .map(restoreDecision)
      .filter((d): d is Decision => !!d)
      .slice(-HISTORY_LIMIT);
  s.precision = restorePrecision(raw.precision);
  return s;
}
