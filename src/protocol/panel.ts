// The labeling panel's wire protocol, shared by the extension host and the webview.
// Webview -> host: a `ready` notification, then requests (see PanelRequests) answered through
// rpc.ts's id correlation. Host -> webview: notifications (a full snapshot after `ready`, then
// incremental updates against what was sent) and responses.
// Both sides treat what they receive as untrusted: every message goes through a validator here
// before use, and document text is only ever shown as text.
// Pure: no vscode and no DOM import.

import { fillMessage, LABEL_NAME_MAX, labelNameProblem } from '../engine/data/labelName';
import type { CancelMessage, RequestMessage, ResponseMessage } from './rpc';

/** A line of a document: the document's URI (as `Uri.toString()`) and a 0-based line number. */
export interface LineRef {
  uri: string;
  line: number;
}

export interface PanelPrediction {
  label: string;
  /** Probability of the predicted label, 0..1. */
  confidence: number;
  /** Normalised entropy, 0 (sure) .. 1 (uniform). */
  uncertainty: number;
  /** Refined with the sentence encoder (background refinement); absent for the instant predictions. */
  refined?: true;
  /**
   * A multi-label task: the predicted set, most probable first (empty: none); `label` is then its
   * first label, or `none`.
   */
  labels?: string[];
}

export interface PanelLabel {
  name: string;
  /** `#rrggbb`. */
  color: string;
  /**
   * Lines with this label that the line list does not hold: in closed (or excluded) documents of
   * any workspace folder, or detached from their text. The label's total is the listed labeled
   * lines plus these. Missing means none.
   */
  elsewhere?: number;
  /**
   * The key that gives a line this label in the panel (see isLabelKey): one the user chose, or
   * else the next free digit 1-9 in label order. Missing: no key.
   */
  key?: string;
}

export interface PanelStats {
  /** The tfjs backend in use, for example `wasm`. */
  backend: string;
  /** How long the last adaptation took, in milliseconds; null before the first one. */
  lastAdaptationMs: number | null;
  /**
   * Labels of the label files the panel does not list (past LIMITS.labels, or a name it refuses);
   * absent when none. The panel says so instead of hiding them silently.
   */
  hiddenLabels?: number;
  /** The workspace's tasks (label sets) and the active one, whose labels and predictions are listed; absent: only the default task. */
  tasks?: PanelTasks;
  /** The active task is multi-label: label keys toggle a line's labels, Enter confirms the line. */
  multiLabel?: true;
}

export interface PanelTasks {
  names: string[];
  active: string;
}

/** On the wire a line names its document by index into `documents`, to keep 100,000 lines small. */
export interface WireLine {
  doc: number;
  line: number;
  text: string;
  label?: string;
  /** A multi-label task's labeled line: its set, sorted (empty: none); `label` is then its first label, or `none`. */
  labels?: string[];
  prediction?: PanelPrediction;
}

export interface WireDocument {
  uri: string;
  /** Short name to show (the file name). */
  name: string;
}

export interface PanelSnapshot {
  documents: WireDocument[];
  lines: WireLine[];
  labels: PanelLabel[];
  stats: PanelStats;
}

/** A line's place: its document (index into the update's `documents`) and line number. */
export interface WireLineRef {
  doc: number;
  line: number;
}

/**
 * What changed since the last snapshot or update. Applied in order: documents missing from
 * `documents` are dropped with their lines; `replaced` documents lose all their lines; then
 * `removed` lines go and `lines` are added or replace the line at the same place.
 */
export interface PanelUpdate {
  /** The whole document table after the update (lines and refs index into it). */
  documents: WireDocument[];
  /** Documents whose every line is in `lines`. */
  replaced: number[];
  /** Lines added or changed. */
  lines: WireLine[];
  removed: WireLineRef[];
  /** Present when the labels (names, colours or order) changed. */
  labels?: PanelLabel[];
  /** Present when the stats changed. */
  stats?: PanelStats;
}

/**
 * How well the model the user sees predicts the labeled lines it was not adapted to (see
 * src/engine/eval/crossValidate.ts): leave-one-out for small labeled sets, k-fold past a size.
 */
export interface QualityEstimate {
  scheme: 'leave-one-out' | 'k-fold';
  folds: number;
  /** Labeled lines scored; 0 when fewer than two labels have examples (no estimate). */
  n: number;
  /** Of them, predicted right. */
  correct: number;
  method: string;
  /** The document whose lines were the unlabeled pool (its file name), when there was one. */
  document?: string;
}

/** Requests the webview sends; the host answers each one. */
// A type alias, not an interface: it must fit rpc.ts's RequestMap without an index signature.
export type PanelRequests = {
  setLabel: { params: { ref: LineRef; label: string }; result: null };
  removeLabel: { params: { ref: LineRef }; result: null };
  /** A multi-label task: the line's label set becomes `labels` (empty: none). */
  setLabels: { params: { ref: LineRef; labels: string[] }; result: null };
  createLabel: { params: { name: string; color?: string }; result: null };
  renameLabel: { params: { from: string; to: string }; result: null };
  deleteLabel: { params: { name: string }; result: null };
  setLabelColor: { params: { name: string; color: string }; result: null };
  reveal: { params: { ref: LineRef }; result: null };
  /** Estimates the quality of the model of `uri`'s document (or the first listed one). Cancellable. */
  quality: { params: { uri?: string }; result: QualityEstimate };
  /** Gives the label a key (null: back to its default digit); the label that had it loses it. */
  setLabelKey: { params: { name: string; key: string | null }; result: null };
  /** Makes a task the active one: the panel then lists that task's labels and predictions. */
  switchTask: { params: { name: string }; result: null };
};
export type PanelMethod = keyof PanelRequests & string;

export interface ReadyMessage {
  kind: 'ready';
}
export interface SnapshotMessage {
  kind: 'snapshot';
  snapshot: PanelSnapshot;
}
export interface UpdateMessage {
  kind: 'update';
  update: PanelUpdate;
}

/** Everything the webview may post. */
export type WebviewToHost = ReadyMessage | RequestMessage<PanelMethod> | CancelMessage;
/** Everything the host may post. */
export type HostToWebview = SnapshotMessage | UpdateMessage | ResponseMessage;

/**
 * Colours given to labels in the order they appear (readable on light and dark themes). Both
 * sides use it: the host to assign a colour, the panel to suggest one for a new label.
 */
export const LABEL_PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
] as const;

/** The first palette colour no label uses (cycling when all are taken). */
export function nextLabelColor(used: readonly string[]): string {
  const taken = new Set(used.map((c) => c.toLowerCase()));
  return LABEL_PALETTE.find((c) => !taken.has(c)) ?? LABEL_PALETTE[used.length % LABEL_PALETTE.length]!;
}

// ---- limits ----------------------------------------------------------------------------------

export const LIMITS = {
  labelName: LABEL_NAME_MAX,
  uri: 4096,
  lineNumber: 10_000_000,
  lineText: 100_000,
  lines: 1_000_000,
  labels: 256,
  errorMessage: 2000,
  /** Records of one label across the label files. */
  labelCount: 100_000_000,
} as const;

// ---- validation ------------------------------------------------------------------------------

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };
const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(error: string): Parsed<T> => ({ ok: false, error });

type Obj = Record<string, unknown>;
function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function isCount(v: unknown, max: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
}
function isUnit(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1;
}
// The label-name rule is the engine's (the CLI reads label files with it too): one rule everywhere.
export {
  describeLabelNameProblem,
  labelNameProblem,
  labelNameRefusal,
  normalizeLabelName,
  visibleName,
} from '../engine/data/labelName';

/**
 * Keys the panel's own commands use (src/webview/keys.ts): a label cannot take them. `l` opens
 * the label chooser; `0` is the built-in `none`.
 */
export const RESERVED_KEYS: readonly string[] = ['0', 'a', 'j', 'k', 'l', 'n', 'x', 'y'];

/** A label key: one digit or lower-case letter that no panel command uses. */
export function isLabelKey(v: unknown): v is string {
  return typeof v === 'string' && /^[0-9a-z]$/.test(v) && !RESERVED_KEYS.includes(v);
}

/** labelLimitProblem's wording, English: also the key of its translation (the extension passes vscode.l10n.t). */
export const LABEL_LIMIT_PROBLEM = 'there are already {0} labels, the most the labeling panel shows ({1}); reuse or delete a label first';

/** Why one more label name cannot be added: the panel lists at most LIMITS.labels labels. In English, or through `translate`. */
export function labelLimitProblem(
  existing: ReadonlySet<string>,
  name: string,
  translate: (message: string, ...args: string[]) => string = (m, ...args) => fillMessage(m, args),
): string | undefined {
  if (existing.has(name) || existing.size < LIMITS.labels) return undefined;
  return translate(LABEL_LIMIT_PROBLEM, String(existing.size), String(LIMITS.labels));
}

export function isColor(v: unknown): v is string {
  return typeof v === 'string' && /^#[0-9a-fA-F]{6}$/.test(v);
}
function parseRef(v: unknown): Parsed<LineRef> {
  if (!isObject(v)) return fail('ref must be an object');
  if (typeof v.uri !== 'string' || v.uri.length === 0 || v.uri.length > LIMITS.uri) return fail('ref.uri must be a non-empty string');
  if (!isCount(v.line, LIMITS.lineNumber)) return fail('ref.line must be a line number');
  return ok({ uri: v.uri, line: v.line });
}
function parseName(v: unknown, what: string): Parsed<string> {
  const problem = labelNameProblem(v);
  return problem ? fail(`${what}: ${problem}`) : ok(v as string);
}

/** A label set: at most LIMITS.labels names, each once, each by the label-name rule. */
function parseNames(v: unknown, what: string): Parsed<string[]> {
  if (!Array.isArray(v) || v.length > LIMITS.labels) return fail(`${what} must be an array of at most ${LIMITS.labels} label names`);
  const out: string[] = [];
  for (const n of v) {
    const name = parseName(n, what);
    if (!name.ok) return name;
    if (out.includes(name.value)) return fail(`${what}: ${name.value} appears twice`);
    out.push(name.value);
  }
  return ok(out);
}

type ParamParsers = { [M in PanelMethod]: (p: Obj) => Parsed<PanelRequests[M]['params']> };
const paramParsers: ParamParsers = {
  setLabel: (p) => {
    const ref = parseRef(p.ref);
    if (!ref.ok) return ref;
    const label = parseName(p.label, 'label');
    return label.ok ? ok({ ref: ref.value, label: label.value }) : label;
  },
  removeLabel: (p) => {
    const ref = parseRef(p.ref);
    return ref.ok ? ok({ ref: ref.value }) : ref;
  },
  setLabels: (p) => {
    const ref = parseRef(p.ref);
    if (!ref.ok) return ref;
    const labels = parseNames(p.labels, 'labels');
    return labels.ok ? ok({ ref: ref.value, labels: labels.value }) : labels;
  },
  createLabel: (p) => {
    const name = parseName(p.name, 'name');
    if (!name.ok) return name;
    if (p.color !== undefined && !isColor(p.color)) return fail('color must be #rrggbb');
    return ok(p.color === undefined ? { name: name.value } : { name: name.value, color: p.color as string });
  },
  renameLabel: (p) => {
    const from = parseName(p.from, 'from');
    if (!from.ok) return from;
    const to = parseName(p.to, 'to');
    return to.ok ? ok({ from: from.value, to: to.value }) : to;
  },
  deleteLabel: (p) => {
    const name = parseName(p.name, 'name');
    return name.ok ? ok({ name: name.value }) : name;
  },
  setLabelColor: (p) => {
    const name = parseName(p.name, 'name');
    if (!name.ok) return name;
    return isColor(p.color) ? ok({ name: name.value, color: p.color }) : fail('color must be #rrggbb');
  },
  reveal: (p) => {
    const ref = parseRef(p.ref);
    return ref.ok ? ok({ ref: ref.value }) : ref;
  },
  quality: (p) => {
    if (p.uri === undefined) return ok({});
    if (typeof p.uri !== 'string' || p.uri.length === 0 || p.uri.length > LIMITS.uri) return fail('uri must be a non-empty string');
    return ok({ uri: p.uri });
  },
  setLabelKey: (p) => {
    const name = parseName(p.name, 'name');
    if (!name.ok) return name;
    if (p.key !== null && !isLabelKey(p.key))
      return fail(`key must be null or one digit or lower-case letter other than ${RESERVED_KEYS.join(', ')}`);
    return ok({ name: name.value, key: p.key });
  },
  switchTask: (p) => {
    const name = parseName(p.name, 'name');
    return name.ok ? ok({ name: name.value }) : name;
  },
};

export function isPanelMethod(v: unknown): v is PanelMethod {
  return typeof v === 'string' && Object.hasOwn(paramParsers, v);
}

/**
 * Validates a message from the webview. A request whose id is readable but whose method or
 * params are wrong comes back as `badRequest` so the host can answer it with an error.
 */
export function parseWebviewMessage(raw: unknown): Parsed<WebviewToHost> | { ok: false; error: string; badRequest: number } {
  if (!isObject(raw)) return fail('message must be an object');
  if (raw.kind === 'ready') return ok({ kind: 'ready' });
  if (raw.kind === 'cancel')
    return isCount(raw.id, Number.MAX_SAFE_INTEGER) ? ok({ kind: 'cancel', id: raw.id }) : fail('cancel id must be a non-negative integer');
  if (raw.kind !== 'request') return fail(`unknown message kind ${JSON.stringify(String(raw.kind)).slice(0, 40)}`);
  if (!isCount(raw.id, Number.MAX_SAFE_INTEGER)) return fail('request id must be a non-negative integer');
  const id = raw.id;
  if (!isPanelMethod(raw.method)) return { ok: false, error: 'unknown method', badRequest: id };
  const params = raw.params === undefined ? {} : raw.params;
  if (!isObject(params)) return { ok: false, error: 'params must be an object', badRequest: id };
  const parsed = (paramParsers[raw.method] as (p: Obj) => Parsed<unknown>)(params);
  if (!parsed.ok) return { ok: false, error: parsed.error, badRequest: id };
  return ok({ kind: 'request', id, method: raw.method, params: parsed.value });
}

function parsePrediction(v: unknown): Parsed<PanelPrediction | undefined> {
  if (v === undefined) return ok(undefined);
  if (!isObject(v)) return fail('prediction must be an object');
  const label = parseName(v.label, 'prediction.label');
  if (!label.ok) return label;
  if (!isUnit(v.confidence) || !isUnit(v.uncertainty)) return fail('prediction confidence and uncertainty must be in 0..1');
  if (v.refined !== undefined && v.refined !== true) return fail('prediction.refined must be true when present');
  const labels = v.labels === undefined ? undefined : parseNames(v.labels, 'prediction.labels');
  if (labels && !labels.ok) return labels;
  return ok({
    label: label.value,
    confidence: v.confidence,
    uncertainty: v.uncertainty,
    ...(v.refined ? { refined: true as const } : {}),
    ...(labels ? { labels: labels.value } : {}),
  });
}

function parseLine(v: unknown, docCount: number): Parsed<WireLine> {
  if (!isObject(v)) return fail('line must be an object');
  if (!isCount(v.doc, docCount - 1)) return fail('line.doc must index documents');
  if (!isCount(v.line, LIMITS.lineNumber)) return fail('line.line must be a line number');
  if (typeof v.text !== 'string' || v.text.length > LIMITS.lineText) return fail('line.text must be a string');
  const line: WireLine = { doc: v.doc, line: v.line, text: v.text };
  if (v.label !== undefined) {
    const label = parseName(v.label, 'line.label');
    if (!label.ok) return label;
    line.label = label.value;
  }
  if (v.labels !== undefined) {
    const labels = parseNames(v.labels, 'line.labels');
    if (!labels.ok) return labels;
    line.labels = labels.value;
  }
  const prediction = parsePrediction(v.prediction);
  if (!prediction.ok) return prediction;
  if (prediction.value) line.prediction = prediction.value;
  return ok(line);
}

function parseDocuments(documents: unknown): Parsed<WireDocument[]> {
  if (!Array.isArray(documents)) return fail('documents must be an array');
  const docs: WireDocument[] = [];
  for (const d of documents) {
    if (!isObject(d) || typeof d.uri !== 'string' || d.uri.length > LIMITS.uri || typeof d.name !== 'string')
      return fail('document must have a uri and a name');
    docs.push({ uri: d.uri, name: d.name.slice(0, 256) });
  }
  return ok(docs);
}

function parseLabels(labels: unknown): Parsed<PanelLabel[]> {
  if (!Array.isArray(labels)) return fail('labels must be an array');
  if (labels.length > LIMITS.labels) return fail(`at most ${LIMITS.labels} labels`);
  const out: PanelLabel[] = [];
  const seen = new Set<string>();
  const keys = new Set<string>();
  for (const l of labels) {
    if (!isObject(l)) return fail('label must be an object');
    const name = parseName(l.name, 'label.name');
    if (!name.ok) return name;
    if (!isColor(l.color)) return fail(`label ${name.value}: color must be #rrggbb`);
    if (seen.has(name.value)) return fail(`label ${name.value} appears twice`);
    if (l.elsewhere !== undefined && !isCount(l.elsewhere, LIMITS.labelCount))
      return fail(`label ${name.value}: elsewhere must be a count`);
    if (l.key !== undefined && !isLabelKey(l.key)) return fail(`label ${name.value}: key must be one digit or letter`);
    if (l.key !== undefined && keys.has(l.key)) return fail(`key ${l.key} is given to two labels`);
    seen.add(name.value);
    const label: PanelLabel = { name: name.value, color: l.color };
    if (l.elsewhere) label.elsewhere = l.elsewhere;
    if (l.key !== undefined) {
      keys.add(l.key);
      label.key = l.key;
    }
    out.push(label);
  }
  return ok(out);
}

function parseStats(stats: unknown): Parsed<PanelStats> {
  if (!isObject(stats) || typeof stats.backend !== 'string') return fail('stats.backend must be a string');
  const ms = stats.lastAdaptationMs;
  if (ms !== null && !(typeof ms === 'number' && Number.isFinite(ms) && ms >= 0))
    return fail('stats.lastAdaptationMs must be null or a non-negative number');
  const hidden = stats.hiddenLabels;
  if (hidden !== undefined && !(typeof hidden === 'number' && Number.isInteger(hidden) && hidden > 0 && hidden <= LIMITS.labelCount))
    return fail('stats.hiddenLabels must be a positive integer when present');
  const tasks = stats.tasks === undefined ? undefined : parseTasks(stats.tasks);
  if (tasks && !tasks.ok) return tasks;
  if (stats.multiLabel !== undefined && stats.multiLabel !== true) return fail('stats.multiLabel must be true when present');
  return ok({
    backend: stats.backend.slice(0, 64),
    lastAdaptationMs: ms,
    ...(hidden !== undefined ? { hiddenLabels: hidden } : {}),
    ...(tasks ? { tasks: tasks.value } : {}),
    ...(stats.multiLabel ? { multiLabel: true as const } : {}),
  });
}

/** Task names follow the label-name rule; the active one is among them. */
export function parseTasks(v: unknown): Parsed<PanelTasks> {
  if (!isObject(v) || !Array.isArray(v.names) || v.names.length === 0 || v.names.length > LIMITS.labels)
    return fail(`stats.tasks.names must list 1 to ${LIMITS.labels} task names`);
  const names: string[] = [];
  for (const n of v.names) {
    const name = parseName(n, 'task');
    if (!name.ok) return name;
    if (names.includes(name.value)) return fail(`task ${name.value} appears twice`);
    names.push(name.value);
  }
  if (typeof v.active !== 'string' || !names.includes(v.active)) return fail('stats.tasks.active must be one of the names');
  return ok({ names, active: v.active });
}

function parseLines(lines: unknown, docCount: number): Parsed<WireLine[]> {
  if (!Array.isArray(lines)) return fail('lines must be an array');
  if (lines.length > LIMITS.lines) return fail(`at most ${LIMITS.lines} lines`);
  const out: WireLine[] = new Array(lines.length);
  for (let i = 0; i < lines.length; i++) {
    const line = parseLine(lines[i], docCount);
    if (!line.ok) return fail(`line ${i}: ${line.error}`);
    out[i] = line.value;
  }
  return ok(out);
}

export function parseSnapshot(v: unknown): Parsed<PanelSnapshot> {
  if (!isObject(v)) return fail('snapshot must be an object');
  if (!Array.isArray(v.documents) || !Array.isArray(v.lines) || !Array.isArray(v.labels))
    return fail('snapshot needs documents, lines and labels arrays');
  const documents = parseDocuments(v.documents);
  if (!documents.ok) return documents;
  const labels = parseLabels(v.labels);
  if (!labels.ok) return labels;
  const lines = parseLines(v.lines, documents.value.length);
  if (!lines.ok) return lines;
  const stats = parseStats(v.stats);
  if (!stats.ok) return stats;
  return ok({ documents: documents.value, lines: lines.value, labels: labels.value, stats: stats.value });
}

export function parseUpdate(v: unknown): Parsed<PanelUpdate> {
  if (!isObject(v)) return fail('update must be an object');
  const documents = parseDocuments(v.documents);
  if (!documents.ok) return documents;
  const docCount = documents.value.length;
  if (!Array.isArray(v.replaced) || !v.replaced.every((d) => isCount(d, docCount - 1)) || new Set(v.replaced).size !== v.replaced.length) {
    return fail('update.replaced must list document indices once each');
  }
  const lines = parseLines(v.lines, docCount);
  if (!lines.ok) return fail(`update ${lines.error}`);
  if (!Array.isArray(v.removed) || v.removed.length > LIMITS.lines) return fail('update.removed must be an array');
  const removed: WireLineRef[] = [];
  for (const r of v.removed) {
    if (!isObject(r) || !isCount(r.doc, docCount - 1) || !isCount(r.line, LIMITS.lineNumber))
      return fail('update.removed entries must be {doc, line}');
    removed.push({ doc: r.doc, line: r.line });
  }
  const update: PanelUpdate = { documents: documents.value, replaced: v.replaced as number[], lines: lines.value, removed };
  if (v.labels !== undefined) {
    const labels = parseLabels(v.labels);
    if (!labels.ok) return labels;
    update.labels = labels.value;
  }
  if (v.stats !== undefined) {
    const stats = parseStats(v.stats);
    if (!stats.ok) return stats;
    update.stats = stats.value;
  }
  return ok(update);
}

/** Validates a message from the host (in the webview). */
export function parseHostMessage(raw: unknown): Parsed<HostToWebview> {
  if (!isObject(raw)) return fail('message must be an object');
  if (raw.kind === 'snapshot') {
    const snapshot = parseSnapshot(raw.snapshot);
    return snapshot.ok ? ok({ kind: 'snapshot', snapshot: snapshot.value }) : snapshot;
  }
  if (raw.kind === 'update') {
    const update = parseUpdate(raw.update);
    return update.ok ? ok({ kind: 'update', update: update.value }) : update;
  }
  if (raw.kind === 'response') {
    if (!isCount(raw.id, Number.MAX_SAFE_INTEGER)) return fail('response id must be a non-negative integer');
    if (raw.error !== undefined) {
      const e = raw.error;
      if (!isObject(e) || typeof e.message !== 'string') return fail('response error must have a message');
      const code = e.code === 'cancelled' || e.code === 'input' || e.code === 'unknown-method' ? e.code : 'internal';
      return ok({ kind: 'response', id: raw.id, error: { message: e.message.slice(0, LIMITS.errorMessage), code } });
    }
    return ok({ kind: 'response', id: raw.id, result: raw.result });
  }
  return fail('unknown message kind');
}

/** Validates a quality result (the generic response carries `unknown`). */
export function parseQuality(v: unknown): Parsed<QualityEstimate> {
  if (!isObject(v)) return fail('quality result must be an object');
  if (v.scheme !== 'leave-one-out' && v.scheme !== 'k-fold') return fail('scheme must be leave-one-out or k-fold');
  if (!isCount(v.n, LIMITS.lines) || !isCount(v.folds, LIMITS.lines)) return fail('n and folds must be counts');
  if (!isCount(v.correct, v.n)) return fail('correct must be a count no larger than n');
  if (typeof v.method !== 'string' || v.method.length > LIMITS.labelName) return fail('method must be a short string');
  const estimate: QualityEstimate = { scheme: v.scheme, folds: v.folds, n: v.n, correct: v.correct, method: v.method };
  if (v.document !== undefined) {
    if (typeof v.document !== 'string') return fail('document must be a string');
    estimate.document = v.document.slice(0, 256);
  }
  return ok(estimate);
}

/** The key that identifies a line in maps and in persisted state. */
export function lineKey(ref: LineRef): string {
  return `${ref.line}@${ref.uri}`;
}
