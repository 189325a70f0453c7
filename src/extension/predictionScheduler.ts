// Schedules engine runs for open documents: debounced, one run per document at a time, a newer
// run cancels the older one, and results for a document version that has since changed are
// dropped (the edit that changed it has already scheduled a fresh run).
import * as vscode from 'vscode';
import { CancelSource, RpcError, type CancelSignal } from '../protocol/rpc';
import type { QualityResult } from '../protocol/worker';
import type { EngineClient } from './engineClient';
import type { LabelStore } from './labelStore';
import type { RecordsParams } from '../protocol/worker';
import type { AbstentionMode } from '../engine/abstention';
import { supportProblem } from '../engine/support';
import type { DocumentPredictions } from './diagnosticEntries';

export interface DocumentResult extends DocumentPredictions {
  version: number;
  method: string;
  adaptMs: number;
  predictMs: number;
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
    private readonly labels: Pick<LabelStore, 'examplesFor' | 'folderOf'>,
    private readonly options: () => {
      method: string | undefined;
      abstention: AbstentionMode;
      isIncluded(doc: vscode.TextDocument): boolean;
      /** How to read a structured document (CSV, TSV, JSONL); undefined for lines. */
      records(doc: vscode.TextDocument): RecordsParams | undefined;
    },
    private readonly log: (m: string) => void,
  ) {}

  get busy(): boolean {
    return this.running > 0 || [...this.pending.values()].some((p) => p.timer);
  }

  resultFor(doc: vscode.TextDocument): DocumentResult | undefined {
    const r = this.results.get(doc.uri.toString());
    return r && r.version === doc.version ? r : undefined;
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
    void this.engine.forget(key).catch(() => {});
    if (this.results.delete(key)) this.updated.fire([uri]);
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
    const support = this.labels.examplesFor(doc.uri);
    if (supportProblem(support)) {
      // Nothing to learn from yet (src/engine/support.ts).
      if (this.results.delete(key)) this.updated.fire([doc.uri]);
      if (p.cancel === cancel) p.cancel = undefined;
      this.setBusy();
      return;
    }
    this.running++;
    this.setBusy();
    try {
      // Shared with the worker: a cancel reaches a running adaptation between two gradient steps.
      const stopFlag = new Int32Array(new SharedArrayBuffer(4));
      cancel.onCancellationRequested(() => Atomics.store(stopFlag, 0, 1));
      const records = this.options().records(doc);
      const result = await this.engine.classify(
        {
          support,
          text: doc.getText(),
          method: this.options().method,
          abstention: this.options().abstention,
          usePool: true,
          document: key,
          stopFlag,
          ...(records ? { records } : {}),
        },
        cancel,
      );
      const lines = result.labelIndex.length;
      if (cancel.isCancellationRequested || doc.isClosed || doc.version !== version) return;
      this.results.set(key, { ...result, version });
      this.lastRun = { at: new Date(), adaptMs: result.adaptMs, predictMs: result.predictMs, lines, method: result.method };
      this.lastError = undefined;
      if (result.note) {
        this.log(`${vscode.workspace.asRelativePath(doc.uri)}: ${result.note}`);
        // Said once per message, not on every re-adaptation.
        if (!this.notesShown.has(result.note)) {
          this.notesShown.add(result.note);
          void vscode.window.showWarningMessage(`Few-Shot: ${result.note}.`);
        }
      }
      this.log(
        `${vscode.workspace.asRelativePath(doc.uri)}: ${result.warm ? 'warm start, ' : ''}${support.length} examples, ` +
          `${result.labels.length} labels, method ${result.method}, adapt ${result.adaptMs.toFixed(0)} ms, ` +
          `predict ${lines} lines ${result.predictMs.toFixed(0)} ms`,
      );
      this.updated.fire([doc.uri]);
    } catch (error) {
      if (error instanceof RpcError && error.code === 'cancelled') return;
      this.lastError = error instanceof Error ? error.message : String(error);
      this.log(`classification of ${vscode.workspace.asRelativePath(doc.uri)} failed: ${this.lastError}`);
      if (this.results.delete(key)) this.updated.fire([doc.uri]);
    } finally {
      this.running--;
      if (p.cancel === cancel) p.cancel = undefined;
      this.setBusy();
    }
  }

  /**
   * Cross-validated accuracy of the model this document's predictions come from: the same
   * support set, pool and method as a run.
   */
  estimateQuality(doc: vscode.TextDocument, signal: CancelSignal): Promise<QualityResult> {
    const stopFlag = new Int32Array(new SharedArrayBuffer(4));
    signal.onCancellationRequested(() => Atomics.store(stopFlag, 0, 1));
    const records = this.options().records(doc);
    return this.engine.quality(
      {
        support: this.labels.examplesFor(doc.uri),
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
