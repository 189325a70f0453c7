// The typed wire protocol between the extension host and the engine worker (src/worker/).
// Requests go through the generic rpc helpers; the worker also sends two notifications:
// `ready` once (after loading the engine, or with the load error) and `log` lines.
import type { MessageTemplate } from '../engine/messageTemplate';
import type { RecordLabel } from '../engine/data/dataset';
import type { PackedTable, RecordFormat } from '../engine/data/records';
import type { DatasetCounts } from '../engine/datasetFile';
import type { EngineInfo, BackendChoice } from '../engine/engine';
import { ABSTENTION_MODES, type AbstentionMode, isAbstentionMode } from '../engine/abstention/mode';
import type { ImproveProgress, ImproveResult } from '../engine/improve/improve';
import type { WarmStartChoice } from '../engine/improve/similar';
import type { UserTask } from '../engine/improve/tasks';
import type { Example } from '../engine/types';
import type { MultiLabelExample } from '../engine/multiLabel';
import type { PredictedSets } from './labelSets';
import { type ResponseMessage, RpcError } from './rpc';
import type { ClassifyWorkspaceParams, ClassifyWorkspaceResult, WorkspaceNotification } from './workspace';
import { WORKER_MESSAGES } from './workerMessages';

/** Passed as `workerData` when the worker starts. */
export interface WorkerStartOptions {
  modelDir?: string;
  backend: BackendChoice;
  /**
   * Folder of the sentence vectors' disk cache (the extension's storage folder, never the user's
   * workspace); absent, the vectors are kept in memory only.
   */
  sentenceCacheDir?: string;
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
  /** The task (label set) of `support`: the worker keeps one warm-start state per document and task. */
  task?: string;
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
  /**
   * A multi-label task: its labeled lines with their sets (empty or `none`: no label). The worker
   * then predicts a set per line (ClassifyResult.sets) with the engine's multi-label adaptation;
   * `support`, `method`, `abstention`, the warm start and `refine` do not apply. Checked on arrival
   * (checkMultiLabelSupport).
   */
  multiLabel?: MultiLabelExample[];
  /**
   * Refine in the background (the `fewshot.refine` setting): after this answer the worker computes
   * the lines' sentence vectors and posts the predictions again with them (RefineNotification),
   * tagged with `version`. Needs `document`; a newer classify of the document supersedes it.
   */
  refine?: {
    /** The document version `text` is. */
    version: number;
    /** Lines in view [start, end): embedded right after the labeled lines and the pool. */
    visible?: [number, number];
  };
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
  /** `note` as its template and parameters, to translate (checked where it is shown: a malformed one leaves `note`). */
  noteTemplate?: MessageTemplate;
  /**
   * A multi-label task's predicted sets (ClassifyParams.multiLabel). `labelIndex` and `confidence`
   * are then each line's most probable label of its set, or `none` (in `labels`) for the empty set
   * with the probability that no label applies; `uncertainty` how near a label is to its threshold.
   */
  sets?: PredictedSets;
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

/** Improve the model from the user's finished tasks (src/engine/improve), in a worker of its own. */
export interface ImproveParams {
  /** Identifies the run's progress notifications. */
  run: number;
  /** The workspace's labeled lines, one task per folder and label set. */
  tasks: UserTask[];
  /**
   * A new task with few labels: the run trains only on the finished task (of `tasks` and `files`)
   * most like it, judged from its label names and first lines per label (chooseWarmStart), as
   * `fewshot meta-train --warm-start` does. The answer says which and why.
   */
  warmStart?: UserTask;
  /** JSONL files of more finished tasks (one task each), read in the worker. */
  files: string[];
  /** The model to start from and compare with (the shipped one). */
  baseDir: string;
  /** Where an adopted model is written (replaced atomically). */
  outDir: string;
  steps: number;
  evalEvery: number;
  seed: number;
  validationEpisodes?: number;
  testEpisodes?: number;
  /** As ClassifyParams.stopFlag: set to 1 by the extension on cancel; polled between meta-steps and episodes. */
  stopFlag?: Int32Array;
}

/** The improvement's result, and with `warmStart` the finished task it started from. */
export type ImproveAnswer = ImproveResult & { warmStart?: WarmStartChoice };

export interface ImproveNotification {
  kind: 'improve';
  run: number;
  progress: ImproveProgress;
}

/**
 * Classify a CSV, TSV or JSONL file too large for an editor and write it back with its labels
 * (Classify Large Dataset File; src/worker/datasetFile.ts): read in parts from disk by the worker,
 * never held whole, with progress notifications. Cancellable between parts.
 */
export interface ClassifyDatasetParams {
  /** Identifies the run's progress notifications. */
  run: number;
  file: string;
  format: RecordFormat;
  /** The chosen text column; absent: detected from the first part's values. */
  column?: string;
  /** Where the labeled file goes (written beside it, then renamed over it: never half written). */
  out: string;
  support: Example[];
  method?: string;
  abstention?: AbstentionMode;
  /** Records sampled for the unlabeled pool (default: the engine's limit); 0 = none. */
  poolSize?: number;
  /** As ClassifyParams.stopFlag: set to 1 on cancel, so the adaptation stops too. */
  stopFlag?: Int32Array;
}

export interface DatasetProgress {
  /** `pool`: the first pass, sampling the unlabeled pool; `classify`: the second, writing. */
  phase: 'pool' | 'classify';
  /** Bytes of the file read in this pass, of `bytesTotal`. */
  bytes: number;
  bytesTotal: number;
  /** Records read in this pass. */
  records: number;
  /** Since this pass started. */
  elapsedMs: number;
}

export interface ClassifyDatasetResult extends DatasetCounts {
  out: string;
  labels: string[];
  method: string;
  ms: number;
}

export interface DatasetNotification {
  kind: 'dataset';
  run: number;
  progress: DatasetProgress;
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
  dataset: {
    params: RecordsParams & {
      text: string;
      labels: Array<RecordLabel | null>;
      /** Several tasks: a column set per task (`labels` is then not written). */
      tasks?: Array<{ task: string; labels: Array<RecordLabel | null> }>;
    };
    result: string;
  };
  improveModel: { params: ImproveParams; result: ImproveAnswer };
  classifyDataset: { params: ClassifyDatasetParams; result: ClassifyDatasetResult };
};

export interface ReadyNotification {
  kind: 'ready';
  /** Set when the engine loaded. */
  info?: EngineInfo;
  /** Set when it did not; the worker stays up and answers every request with this error. */
  error?: string;
  /** With `error`: the load's own error, `error` being WORKER_MESSAGES.engineFailed with it (to translate). */
  loadError?: string;
}
export interface LogNotification {
  kind: 'log';
  message: string;
}

/**
 * Background refinement of a document (ClassifyParams.refine): progress while its lines are
 * embedded, then once more with the refined predictions (`result`) or the reason there are none
 * (`error`). A superseded refinement sends nothing more.
 */
export interface RefineNotification {
  kind: 'refine';
  document: string;
  /** The task (label set) the refined predictions are for; absent: the default task. */
  task?: string;
  /** The document version the refinement is for: a result for another version must be dropped. */
  version: number;
  /** Distinct lines with their sentence vector so far, of `total`. */
  done: number;
  total: number;
  result?: ClassifyResult;
  error?: string;
}

export type WorkerToHost =
  | ReadyNotification
  | LogNotification
  | RefineNotification
  | WorkspaceNotification
  | ImproveNotification
  | DatasetNotification
  | ResponseMessage;

/**
 * The `abstention` field of a request, checked where the worker receives it (the message crossed a
 * thread boundary untyped): a bad value is answered with an input error that names the field.
 */
export function checkAbstention(value: unknown): AbstentionMode | undefined {
  if (value === undefined || isAbstentionMode(value)) return value;
  throw RpcError.said('input', WORKER_MESSAGES.badAbstention, ABSTENTION_MODES.join(', '), JSON.stringify(value));
}

export function isReady(message: unknown): message is ReadyNotification {
  return typeof message === 'object' && message !== null && (message as { kind?: unknown }).kind === 'ready';
}
export function isRefine(message: unknown): message is RefineNotification {
  return typeof message === 'object' && message !== null && (message as { kind?: unknown }).kind === 'refine';
}
export function isLog(message: unknown): message is LogNotification {
  return typeof message === 'object' && message !== null && (message as { kind?: unknown }).kind === 'log';
}
export function isImproveNotification(message: unknown): message is ImproveNotification {
  return typeof message === 'object' && message !== null && (message as { kind?: unknown }).kind === 'improve';
}
export function isDatasetNotification(message: unknown): message is DatasetNotification {
  return typeof message === 'object' && message !== null && (message as { kind?: unknown }).kind === 'dataset';
}
