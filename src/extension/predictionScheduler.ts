// Schedules engine runs for open documents: debounced, one run per document at a time, a newer
// run cancels the older one, and results for a document version that has since changed are
// dropped (the edit that changed it has already scheduled a fresh run). Results are kept per task
// (label set): switching the active task shows that task's last result for the version at once.
import { checkMessageTemplate, sayMessage } from '../engine/messageTemplate';
import * as vscode from 'vscode';
import { CancelSource, errorText, RpcError, type CancelSignal } from '../protocol/rpc';
import type { ClassifyParams, QualityResult, RefineNotification } from '../protocol/worker';
import type { EngineClient } from './engineClient';
import type { LabelStore } from './labelStore';
import type { RecordsParams } from '../protocol/worker';
import type { AbstentionMode } from '../engine/abstention/mode';
import { supportProblem } from '../engine/support';
import type { DocumentPredictions } from './diagnosticEntries';

export interface DocumentResult extends DocumentPredictions {
  version: number;
  method: string;
  adaptMs: number;
  predictMs: number;
  /** Predictions refined with the sentence block (background refinement), not the instant ones. */
  refined?: boolean;
}

/** A document's background refinement in progress: distinct lines embedded so far, of `total`. */
export interface RefineProgress {
  version: number;
  done: number;
  total: number;
}

interface Pending {
  timer?: NodeJS.Timeout;
  cancel?: CancelSource;
}

export class PredictionScheduler implements vscode.Disposable {
  private readonly results = new Map<string, DocumentResult>();
  private readonly pending = new Map<string, Pending>();
  private readonly updated = new vscode.EventEmitter<vscode.Uri[]>();
  private readonly busyChanged = new vscode.EventEmitter<boolean>();
  private readonly refining = new Map<string, RefineProgress>();
  /** Fires with the documents whose predictions changed (set or cleared). */
  readonly onDidUpdate = this.updated.event;
  readonly onDidChangeBusy = this.busyChanged.event;
  private running = 0;
  private idleWaiters: Array<() => void> = [];
  lastRun: { at: Date; adaptMs: number; predictMs: number; lines: number; method: string } | undefined;
  lastError: string | undefined;
  private readonly notesShown = new Set<string>();

  constructor(
    private readonly engine: Pick<EngineClient, 'classify' | 'forget' | 'quality'>,
    private readonly labels: Pick<LabelStore, 'examplesFor' | 'folderOf'> & Partial<Pick<LabelStore, 'labelSetExamplesFor'>>,
    private readonly options: () => {
      method: string | undefined;
      abstention: AbstentionMode;
      /** Refine in the background with the sentence block (`fewshot.refine`). */
      refine?: boolean;
      isIncluded(doc: vscode.TextDocument): boolean;
      /** How to read a structured document (CSV, TSV, JSONL); undefined for lines. */
      records(doc: vscode.TextDocument): RecordsParams | undefined;
      /** The active task's record field (undefined: the default task). */
      task?: string;
      /** Other tasks run after the active one (their record fields): diagnostics show every task. */
      otherTasks?: Array<string | undefined>;
      /** Whether a task (record field) is multi-label: its runs predict a set per line (ClassifyParams.multiLabel). */
      isMultiLabel?(task: string | undefined): boolean;
    },
    private readonly log: (m: string) => void,
  ) {}

  get busy(): boolean {
    return this.running > 0 || [...this.pending.values()].some((p) => p.timer);
  }

  /**
   * A model's note on what its adaptation left out (an open document's, or a Classify Workspace
   * task's): logged with where it came from each time, shown once per message, not on every
   * re-adaptation.
   */
  showNote(where: string, model: { note?: string; noteTemplate?: unknown }): void {
    const note = model.note;
    if (!note) return;
    this.log(`${where}: ${note}`);
    if (this.notesShown.has(note)) return;
    this.notesShown.add(note);
    void vscode.window.showWarningMessage(vscode.l10n.t('Few-Shot: {0}.', noteText(model)));
  }

  /** The active task's predictions for the document's current version. */
  resultFor(doc: vscode.TextDocument): DocumentResult | undefined {
    return this.resultForTask(doc, this.options().task);
  }

  /** A task's predictions for the document's current version (undefined task: the default task). */
  resultForTask(doc: vscode.TextDocument, task: string | undefined): DocumentResult | undefined {
    const r = this.results.get(resultKey(doc.uri.toString(), task));
    return r && r.version === doc.version ? r : undefined;
  }

  /**
   * A task's predictions for the document's current version, run now when it has none (Export
   * Dataset writes every task's, fresh); undefined when the task has too few labels, or the run
   * failed or the document changed meanwhile.
   */
  async freshResultForTask(doc: vscode.TextDocument, task: string | undefined): Promise<DocumentResult | undefined> {
    const held = this.resultForTask(doc, task);
    if (held) return held;
    this.running++;
    this.setBusy();
    try {
      await this.runTask(doc, task, doc.version, new CancelSource());
    } finally {
      this.running--;
      this.setBusy();
    }
    return this.resultForTask(doc, task);
  }

  /** Whether an open document's current predictions are refined ones; undefined when it has none. */
  isRefined(uri: vscode.Uri): boolean | undefined {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    const result = doc && this.resultFor(doc);
    return result ? result.refined === true : undefined;
  }

  /** The document's refinement in progress (the active task's, for its current version), if any. */
  refiningOf(doc: vscode.TextDocument): RefineProgress | undefined {
    const r = this.refining.get(resultKey(doc.uri.toString(), this.options().task));
    return r && r.version === doc.version ? r : undefined;
  }

  /** Refinements in progress, all documents together. */
  get refineProgress(): { documents: number; done: number; total: number } | undefined {
    if (this.refining.size === 0) return undefined;
    let done = 0;
    let total = 0;
    for (const r of this.refining.values()) {
      done += r.done;
      total += r.total;
    }
    return { documents: this.refining.size, done, total };
  }

  /**
   * A refinement notification from the worker: progress, or the refined predictions, which
   * replace the instant ones only while the document is still at the version they were computed for.
   * Only the active task is refined (run asks for it); the notification names the task, so a
   * refinement never lands in another task's results.
   */
  refined(n: RefineNotification): void {
    const key = resultKey(n.document, n.task);
    const current = this.results.get(key);
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === n.document);
    const stale = !current || current.version !== n.version || !doc || doc.isClosed || doc.version !== n.version;
    if (stale) {
      if (this.refining.get(key)?.version === n.version) this.refining.delete(key);
      if (doc) this.updated.fire([doc.uri]);
      return;
    }
    if (n.result) {
      this.refining.delete(key);
      this.results.set(key, { ...n.result, version: n.version, refined: true });
      this.log(
        `${vscode.workspace.asRelativePath(doc.uri)}: refined with the sentence block (${n.total} lines), method ${n.result.method}, ` +
          `adapt ${n.result.adaptMs.toFixed(0)} ms, predict ${n.result.predictMs.toFixed(0)} ms`,
      );
    } else if (n.error !== undefined) {
      this.refining.delete(key);
      this.log(`${vscode.workspace.asRelativePath(doc.uri)}: refinement failed: ${n.error}`);
    } else this.refining.set(key, { version: n.version, done: n.done, total: n.total });
    this.updated.fire([doc.uri]);
  }

  /** The active task changed: whoever shows predictions shows that task's (cached) results now. */
  showActiveTask(uris: vscode.Uri[]): void {
    this.updated.fire(uris);
  }

  /** Schedules a run for a document after `delayMs` (restarting the wait when called again). */
  schedule(doc: vscode.TextDocument, delayMs: number): void {
    const key = doc.uri.toString();
    if (!this.options().isIncluded(doc)) {
      this.clear(doc.uri);
      return;
    }
    const p = this.pending.get(key) ?? {};
    if (p.timer) clearTimeout(p.timer);
    p.timer = setTimeout(() => {
      p.timer = undefined;
      void this.run(doc);
    }, delayMs);
    this.pending.set(key, p);
    this.setBusy();
  }

  scheduleAll(delayMs: number, folder?: vscode.Uri): void {
    for (const doc of vscode.workspace.textDocuments) {
      if (folder && this.labels.folderOf(doc.uri)?.uri.toString() !== folder.toString()) continue;
      if (this.options().isIncluded(doc)) this.schedule(doc, delayMs);
    }
  }

  /** Forgets a document (closed or excluded): cancels its run and drops its predictions. */
  clear(uri: vscode.Uri): void {
    const key = uri.toString();
    const p = this.pending.get(key);
    if (p?.timer) clearTimeout(p.timer);
    p?.cancel?.cancel();
    this.pending.delete(key);
    deleteDocument(this.refining, key);
    void this.engine.forget(key).catch(() => {});
    if (deleteDocument(this.results, key)) this.updated.fire([uri]);
    this.setBusy();
  }

  /** Resolves when nothing is scheduled or running (tests and the benchmark wait on it). */
  whenIdle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async run(doc: vscode.TextDocument): Promise<void> {
    const key = doc.uri.toString();
    const p = this.pending.get(key) ?? {};
    this.pending.set(key, p);
    p.cancel?.cancel();
    const cancel = new CancelSource();
    p.cancel = cancel;
    const version = doc.version;
    // The active task first; the others after it when diagnostics show every task.
    const { task, otherTasks = [] } = this.options();
    this.running++;
    this.setBusy();
    try {
      for (const t of [task, ...otherTasks]) {
        if (!(await this.runTask(doc, t, version, cancel))) break;
      }
    } finally {
      this.running--;
      if (p.cancel === cancel) p.cancel = undefined;
      this.setBusy();
    }
  }

  /** One task's run for a document; false when cancelled, outdated or failed (the rest is not run). */
  private async runTask(doc: vscode.TextDocument, task: string | undefined, version: number, cancel: CancelSource): Promise<boolean> {
    const key = doc.uri.toString();
    const cached = resultKey(key, task);
    const support = this.labels.examplesFor(doc.uri, task);
    const sets = this.options().isMultiLabel?.(task) ? this.labels.labelSetExamplesFor?.(doc.uri, task) : undefined;
    // A multi-label task needs one labeled line with a label; the engine says what else is missing.
    if (sets ? !sets.some((ex) => ex.labels.length > 0) : supportProblem(support)) {
      // Nothing to learn from yet (src/engine/support.ts).
      if (this.results.delete(cached)) this.updated.fire([doc.uri]);
      return true;
    }
    try {
      // Shared with the worker: a cancel reaches a running adaptation between two gradient steps.
      const stopFlag = new Int32Array(new SharedArrayBuffer(4));
      cancel.onCancellationRequested(() => Atomics.store(stopFlag, 0, 1));
      const records = this.options().records(doc);
      // Only the active task is refined: a refinement per task would multiply the background work,
      // and the worker keeps one refinement job per document (a later classify supersedes it).
      // A multi-label task's sets are refined too (the worker's multi-label classify adds the block).
      const refine = this.options().refine && task === this.options().task ? refineParams(doc, version) : undefined;
      const result = await this.engine.classify(
        {
          support,
          text: doc.getText(),
          method: this.options().method,
          abstention: this.options().abstention,
          usePool: true,
          document: key,
          ...(task === undefined ? {} : { task }),
          ...(sets ? { multiLabel: sets } : {}),
          stopFlag,
          ...(records ? { records } : {}),
          ...(refine ? { refine } : {}),
        },
        cancel,
      );
      const lines = result.labelIndex.length;
      if (cancel.isCancellationRequested || doc.isClosed || doc.version !== version) return false;
      this.results.set(cached, { ...result, version });
      // The worker dropped the document's earlier refinement job when this request reached it; the
      // new job (when asked for) reports its own progress next.
      deleteDocument(this.refining, key);
      this.lastRun = { at: new Date(), adaptMs: result.adaptMs, predictMs: result.predictMs, lines, method: result.method };
      this.lastError = undefined;
      if (result.note) this.showNote(vscode.workspace.asRelativePath(doc.uri), result);
      this.log(
        `${vscode.workspace.asRelativePath(doc.uri)}: ${task === undefined ? '' : `task ${task}, `}${result.warm ? 'warm start, ' : ''}` +
          `${support.length} examples, ${result.labels.length} labels, method ${result.method}, adapt ${result.adaptMs.toFixed(0)} ms, ` +
          `predict ${lines} lines ${result.predictMs.toFixed(0)} ms`,
      );
      this.updated.fire([doc.uri]);
      return true;
    } catch (error) {
      if (error instanceof RpcError && error.code === 'cancelled') return false;
      // Shown in the status bar's tooltip: in the user's language; the log keeps the English.
      this.lastError = errorText(error, vscode.l10n.t);
      this.log(`classification of ${vscode.workspace.asRelativePath(doc.uri)} failed: ${errorText(error)}`);
      if (this.results.delete(cached)) this.updated.fire([doc.uri]);
      return false;
    }
  }

  /**
   * Cross-validated accuracy of the model this document's predictions come from: the same
   * support set, pool and method as a run.
   */
  estimateQuality(doc: vscode.TextDocument, signal: CancelSignal): Promise<QualityResult> {
    if (this.options().isMultiLabel?.(this.options().task)) {
      // The estimate scores one label per line; a set per line has no such figure yet.
      return Promise.reject(
        new RpcError(vscode.l10n.t('the accuracy estimate is for single-label tasks (this task is multi-label)'), 'input'),
      );
    }
    const stopFlag = new Int32Array(new SharedArrayBuffer(4));
    signal.onCancellationRequested(() => Atomics.store(stopFlag, 0, 1));
    const records = this.options().records(doc);
    return this.engine.quality(
      {
        support: this.labels.examplesFor(doc.uri, this.options().task),
        text: doc.getText(),
        method: this.options().method,
        abstention: this.options().abstention,
        stopFlag,
        ...(records ? { records } : {}),
      },
      signal,
    );
  }

  private wasBusy = false;
  private setBusy(): void {
    const busy = this.busy;
    if (busy !== this.wasBusy) {
      this.wasBusy = busy;
      this.busyChanged.fire(busy);
    }
    if (!busy) for (const w of this.idleWaiters.splice(0)) w();
  }

  dispose(): void {
    for (const p of this.pending.values()) {
      if (p.timer) clearTimeout(p.timer);
      p.cancel?.cancel();
    }
    this.updated.dispose();
    this.busyChanged.dispose();
  }
}

/** What the worker needs to refine a document: its version, and the lines in view (embedded early). */
function refineParams(doc: vscode.TextDocument, version: number): ClassifyParams['refine'] {
  const visible = vscode.window.visibleTextEditors.find((e) => e.document === doc)?.visibleRanges[0];
  return { version, ...(visible ? { visible: [visible.start.line, visible.end.line + 1] } : {}) };
}

/** A result's key: the document, and the task for any task but the default one (whose key is the URI, as before tasks). */
const resultKey = (uri: string, task: string | undefined): string => (task === undefined ? uri : `${task}\0${uri}`);

/** Deletes a document's entries, every task's, from a map keyed by resultKey; whether there were any. */
function deleteDocument(map: Map<string, unknown>, uri: string): boolean {
  let had = false;
  for (const k of [...map.keys()]) if (k === uri || k.endsWith(`\0${uri}`)) had = map.delete(k) || had;
  return had;
}

/** A classify answer's note in the user's language: its template when well formed (it crossed a thread), else the English note. */
function noteText(result: { note?: string; noteTemplate?: unknown }): string {
  const said = result.note === undefined ? undefined : checkMessageTemplate(result.noteTemplate, result.note);
  return said ? sayMessage(said, vscode.l10n.t) : (result.note ?? '');
}
