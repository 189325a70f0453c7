// The `classifyWorkspace` worker request: the worker walks the workspace folder(s), reads each
// included file itself (never the extension host's main thread), adapts one model to the folder's
// labels and streams a result per file back as `workspace` notifications, then answers the
// request with a summary. Pure types: no vscode, no worker_threads.
import type { AbstentionMode } from '../engine/abstention/mode';
import type { Example } from '../engine/types';
import type { FileSkip } from '../engine/data/readText';
import type { MessageTemplate } from '../engine/messageTemplate';
import type { MultiLabelExample } from '../engine/multiLabel';
import { RpcError } from './rpc';
import { checkMultiLabelSupport, type PredictedSets } from './labelSets';
import { WORKER_MESSAGES } from './workerMessages';

/** What to classify in one workspace folder. Globs are matched against paths relative to `root`, with `/`. */
export interface WorkspaceScope {
  /** The folder's file-system path. */
  root: string;
  /** A file is included when it matches one of these (e.g. `**\/*.txt` from `fewshot.languages`, plus `fewshot.include`). */
  include: string[];
  /** Files and folders matching one of these are left out (`files.exclude`, the label files, `.fewshot/`). */
  exclude: string[];
  /** Honour `.gitignore` files (in the folder and below, each relative to its own directory). */
  useIgnoreFiles: boolean;
  /** Files larger than this are skipped with a note. */
  maxFileBytes: number;
}

export interface ClassifyWorkspaceParams {
  /** Chosen by the caller; every notification of this run carries it. */
  run: number;
  scope: WorkspaceScope;
  support: Example[];
  method?: string;
  /** As ClassifyParams.abstention. */
  abstention?: AbstentionMode;
  /**
   * Unlabeled units (lines, or a structured file's record texts) sampled across the folder for
   * transductive methods (0: none); absent, the engine's pool size (src/engine/pool.ts), as for one document.
   */
  poolSize?: number;
  /**
   * The text column chosen for a structured file (CSV, TSV, JSONL: Few-Shot: Choose Text Column),
   * by file-system path as the results carry it; a file not named here has its column detected.
   */
  textColumns?: Record<string, string>;
  /** The task (label set) of `support`: the folder's warm-start state is kept per task. */
  task?: string;
  /**
   * A multi-label task: its labeled lines with their sets, as ClassifyParams.multiLabel. Its files
   * then get a set per line (WorkspaceFileResult.sets) from the engine's multi-label adaptation;
   * `method`, `abstention`, `sentence` and the warm start do not apply to it.
   */
  multiLabel?: MultiLabelExample[];
  /**
   * Classify with the sentence block too (docs/sentence.md): every line's sentence vector, from the
   * worker's caches or the encoder; far slower than the fast features, which are used alone when absent.
   */
  sentence?: boolean;
  /** With the fast features: count the lines the sentence caches lack, for `refineCost`. */
  estimateRefine?: boolean;
  /**
   * The workspace's other tasks, classified in the same run: one walk, each file's units read and
   * encoded once, then each task's adaptation classifies them (one encode and T classifies, not T runs).
   */
  otherTasks?: WorkspaceTask[];
}

/** A task (label set) of a run beside its first: its own labeled lines, the same files. */
export interface WorkspaceTask {
  /** As ClassifyWorkspaceParams.task (absent: the default task). */
  task?: string;
  support: Example[];
  /** As ClassifyWorkspaceParams.multiLabel: this task is multi-label. */
  multiLabel?: MultiLabelExample[];
}

/**
 * The `otherTasks` field of a request, checked where the worker receives it: anything but an array
 * of objects with a `support` array is an input error naming the field.
 */
export function checkOtherTasks(value: unknown): WorkspaceTask[] {
  if (value === undefined) return [];
  const ok = (t: unknown): t is WorkspaceTask =>
    typeof t === 'object' &&
    t !== null &&
    Array.isArray((t as { support?: unknown }).support) &&
    ['string', 'undefined'].includes(typeof (t as { task?: unknown }).task);
  if (!Array.isArray(value) || !value.every(ok)) throw RpcError.said('input', WORKER_MESSAGES.badOtherTasks);
  for (const t of value) checkMultiLabelSupport(t.multiLabel);
  return value;
}

/** One task's predictions of a file's lines, in the same per-line layout as ClassifyResult. */
export interface TaskLinePredictions {
  /** Per line: index into the task's labels, or -1 (empty line). */
  labelIndex: Int32Array;
  confidence: Float32Array;
  uncertainty: Float32Array;
  /** A multi-label task's predicted sets, as ClassifyResult.sets (labelIndex then summarises each line's set). */
  sets?: PredictedSets;
}

/**
 * The `textColumns` field of a request, checked where the worker receives it (it crossed a thread
 * boundary untyped): anything but an object of strings is an input error naming the field.
 */
export function checkTextColumns(value: unknown): ReadonlyMap<string, string> {
  const columns = new Map<string, string>();
  if (value === undefined) return columns;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw RpcError.said('input', WORKER_MESSAGES.badTextColumns, JSON.stringify(value));
  for (const [file, column] of Object.entries(value)) {
    if (typeof column !== 'string') throw RpcError.said('input', WORKER_MESSAGES.badTextColumn, file, JSON.stringify(column));
    columns.set(file, column);
  }
  return columns;
}

/** One file's predictions, in the same per-line layout as ClassifyResult. */
export interface WorkspaceFileResult {
  /** File-system path. */
  path: string;
  /**
   * Bytes read (a file that grew since the walk is read up to its size then): a later re-read of
   * the file's lines reads no more. The text itself is not sent: the extension keeps no texts.
   */
  bytes: number;
  /** Per line, its first non-blank column and its end (UTF-16 units, no line break): a diagnostic's range. */
  columns: Uint32Array;
  /** Per line: index into the run's labels, or -1 (empty line). */
  labelIndex: Int32Array;
  confidence: Float32Array;
  uncertainty: Float32Array;
  /** The first task's predicted sets when it is multi-label (ClassifyWorkspaceParams.multiLabel). */
  sets?: PredictedSets;
  /** Per entry of the request's `otherTasks`, in its order: that task's predictions of the same lines. */
  otherTasks?: TaskLinePredictions[];
}

/** A file the run did not classify (the engine's reader says why). */
export type WorkspaceSkip = FileSkip;

export interface WorkspaceProgress {
  filesDone: number;
  filesTotal: number;
  linesDone: number;
  linesTotal: number;
  /** Milliseconds since the files started being classified (after the scan and the adaptation): lines/s and the time left come from it. */
  elapsedMs: number;
}

/** Streamed by the worker while a `classifyWorkspace` request runs. */
export type WorkspaceEvent =
  | {
      type: 'scanned';
      files: number;
      lines: number;
      skipped: WorkspaceSkip[];
      labels: string[];
      method: string;
      /** Per entry of the request's `otherTasks`: that task's labels (what its `labelIndex` values index). */
      otherLabels?: string[][];
    }
  | { type: 'file'; file: WorkspaceFileResult; progress: WorkspaceProgress };

export interface WorkspaceNotification {
  kind: 'workspace';
  run: number;
  event: WorkspaceEvent;
}

export interface ClassifyWorkspaceResult {
  labels: string[];
  method: string;
  files: number;
  lines: number;
  skipped: WorkspaceSkip[];
  scanMs: number;
  /** Every task's adaptation together. */
  adaptMs: number;
  totalMs: number;
  /**
   * Asked with `estimateRefine` (and the sentence encoder available): what classifying again with
   * `sentence` would cost, the lines no cache holds (counted per file, so a line in two files
   * counts twice) and the seconds they take at the worker's last measured lines per second.
   */
  refineCost?: { lines: number; seconds: number };
  /**
   * Set when the first task's adaptation did less than its labeled lines asked for (says what, as
   * ClassifyResult.note): a single-label set past the time budget, a multi-label task fitted on
   * some of its lines.
   */
  note?: string;
  /** The note's English template, for the extension to say in the user's language (ClassifyResult.noteTemplate). */
  noteTemplate?: MessageTemplate;
  /** Per entry of the request's `otherTasks`: its labels and method, and its adaptation's note. */
  otherTasks?: Array<{ labels: string[]; method: string; note?: string; noteTemplate?: MessageTemplate }>;
}

export function isWorkspaceNotification(message: unknown): message is WorkspaceNotification {
  return typeof message === 'object' && message !== null && (message as { kind?: unknown }).kind === 'workspace';
}
