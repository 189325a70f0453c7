// The typed wire protocol between the extension host and the engine worker (src/worker/).
// Requests go through the generic rpc helpers; the worker also sends two notifications:
// `ready` once (after loading the engine, or with the load error) and `log` lines.
import type { RecordLabel } from '../engine/data/dataset';
import type { PackedTable, RecordFormat } from '../engine/data/records';
import type { EngineInfo, BackendChoice } from '../engine/engine';
import { ABSTENTION_MODES, type AbstentionMode, isAbstentionMode } from '../engine/abstention';
import type { Example } from '../engine/types';
import { type ResponseMessage, RpcError } from './rpc';
import type { ClassifyWorkspaceParams, ClassifyWorkspaceResult, WorkspaceNotification } from './workspace';

/** Passed as `workerData` when the worker starts. */
export interface WorkerStartOptions {
  modelDir?: string;
  backend: BackendChoice;
}

/** Classify the lines of one document with a model adapted to `support`. */
export interface ClassifyParams {
  support: Example[];
  /**
   * The document's text; the worker splits it into lines (on \n or \r\n) so the extension
   * host's main thread only copies one string. Empty lines get no prediction.
   */
  text: string;
  method?: string;
  /** Use the document's own lines as the unlabeled pool for transductive methods (the engine samples them). */
  usePool?: boolean;
  /** The `fewshot.abstention` setting: whether lines unlike every label are predicted `none` (absent: off). */
  abstention?: AbstentionMode;
  /**
   * Identifies the document (its URI): the worker keeps the last solution per document and starts
   * the next adaptation of it from there (warm start). `forget` drops it when the document closes.
   */
  document?: string;
  /**
   * An Int32Array on a SharedArrayBuffer: the extension host sets element 0 to 1 to stop this run.
   * The adaptation is one synchronous call in the worker, during which a cancel message cannot be
   * read; the engine polls this flag between gradient steps instead.
   */
  stopFlag?: Int32Array;
  /**
   * Set for a structured document (CSV, TSV, JSONL): each record's text column is classified as
   * one unit and its prediction sits on the record's first line; the header, a quoted field's
   * later lines and bad lines get none.
   */
  records?: RecordsParams;
}

/** How to read a structured document: its format and, when the user chose one, its text column. */
export interface RecordsParams {
  format: RecordFormat;
  column?: string;
  /**
   * The saved file the text is the editor's copy of (absent when it has unsaved edits): the worker
   * reads the records from the file's bytes when they are the text up to line breaks, which the
   * editor normalises (src/worker/sourceText.ts).
   */
  path?: string;
}

export interface ClassifyResult {
  /** Label names; `labelIndex` points into this list. */
  labels: string[];
  method: string;
  /** Per line: index into `labels`, or -1 for a line that was not classified (empty). */
  labelIndex: Int32Array;
  confidence: Float32Array;
  uncertainty: Float32Array;
  adaptMs: number;
  predictMs: number;
  /** Whether the adaptation started from the document's previous solution. */
  warm: boolean;
  /** Set when the labeled set was beyond the time budget and the engine did less (says what). */
  note?: string;
}

/**
 * Estimate the accuracy of the model `classify` would adapt: each labeled line is predicted by a
 * model adapted without it (leave-one-out for small sets, stratified k-fold past a size; see
 * src/engine/eval/crossValidate.ts). Cancellable between folds.
 */
export interface QualityParams {
  /** The folder's support set, as classify gets it. */
  support: Example[];
  /** The document whose lines are the unlabeled pool, as classify gets it ('' for none). */
  text: string;
  method?: string;
  /** As ClassifyParams.abstention: the estimate scores the model the predictions come from. */
  abstention?: AbstentionMode;
  folds?: number;
  seed?: number;
  /** As ClassifyParams.stopFlag: set to 1 by the extension on cancel, so a fold's adaptation stops early too. */
  stopFlag?: Int32Array;
  /** As ClassifyParams.records: a structured document's pool is its records' texts, as classify's is. */
  records?: RecordsParams;
}

export interface QualityResult {
  scheme: 'leave-one-out' | 'k-fold';
  /** Folds adapted (n for leave-one-out; 0 when there were fewer than two labels). */
  folds: number;
  /** Labeled lines scored, each once; 0 when there were fewer than two labels. */
  n: number;
  correct: number;
  method: string;
  ms: number;
}

// A type alias (not an interface) so it fits rpc's RequestMap without an index signature.
export type WorkerRequests = {
  classify: { params: ClassifyParams; result: ClassifyResult };
  info: { params: Record<string, never>; result: EngineInfo };
  /** Drops the warm-start state of a closed document; true when there was one. */
  forget: { params: { document: string }; result: boolean };
  quality: { params: QualityParams; result: QualityResult };
  classifyWorkspace: { params: ClassifyWorkspaceParams; result: ClassifyWorkspaceResult };
  /** A structured document's records (parsed in the worker: csv-parse is too slow for the host's main thread). */
  records: { params: RecordsParams & { text: string }; result: PackedTable };
  /** The document's records written back with `labels[i]` for record i (Export Dataset; see engine/data/dataset.ts). */
  dataset: { params: RecordsParams & { text: string; labels: Array<RecordLabel | null> }; result: string };
};

export interface ReadyNotification {
  kind: 'ready';
  /** Set when the engine loaded. */
  info?: EngineInfo;
  /** Set when it did not; the worker stays up and answers every request with this error. */
  error?: string;
}
export interface LogNotification {
  kind: 'log';
  message: string;
}

export type WorkerToHost = ReadyNotification | LogNotification | WorkspaceNotification | ResponseMessage;

/**
 * The `abstention` field of a request, checked where the worker receives it (the message crossed a
 * thread boundary untyped): a bad value is answered with an input error that names the field.
 */
export function checkAbstention(value: unknown): AbstentionMode | undefined {
  if (value === undefined || isAbstentionMode(value)) return value;
  throw new RpcError(`abstention must be one of ${ABSTENTION_MODES.join(', ')} (got ${JSON.stringify(value)})`, 'input');
}

export function isReady(message: unknown): message is ReadyNotification {
  return typeof message === 'object' && message !== null && (message as { kind?: unknown }).kind === 'ready';
}
export function isLog(message: unknown): message is LogNotification {
  return typeof message === 'object' && message !== null && (message as { kind?: unknown }).kind === 'log';
}
