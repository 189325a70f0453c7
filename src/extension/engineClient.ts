// The extension's handle on the engine worker: starts out/worker.js when a request needs it, waits
// for its `ready` handshake (with a time limit), sends typed requests one at a time, and stops the
// worker after an idle period. The engine's calls are synchronous inside the worker, so a
// cancelled run cannot be interrupted from outside: when it does not answer the cancel promptly
// and another request is waiting, the worker thread is terminated and a fresh one serves the
// waiting request. A worker that fails to start is started again only after a growing delay.
// Classify Workspace runs in a second worker of its own (see classifyWorkspace), Improve the Model
// in a third (see improveModel).
// No vscode import (the benchmark and the stress run use it directly).
import { Worker } from 'node:worker_threads';
import type { EngineInfo, BackendChoice } from '../engine/engine';
import { englishOf, type MessageTemplate, said } from '../engine/messageTemplate';
import { type CancelSignal, RpcClient, RpcError } from '../protocol/rpc';
import { WORKER_MESSAGES } from '../protocol/workerMessages';
import type { PackedTable } from '../engine/data/records';
import type { ImproveProgress } from '../engine/improve/improve';
import {
  type ClassifyDatasetParams,
  type ReadyNotification,
  type ClassifyDatasetResult,
  type DatasetProgress,
  isDatasetNotification,
  isImproveNotification,
  isLog,
  isRefine,
  type RefineNotification,
  isReady,
  type ClassifyParams,
  type ImproveAnswer,
  type ImproveParams,
  type ClassifyResult,
  type QualityParams,
  type QualityResult,
  type RecordsParams,
  type WorkerRequests,
  type WorkerStartOptions,
} from '../protocol/worker';
import { checkPredictedSets } from '../protocol/labelSets';
import {
  type ClassifyWorkspaceParams,
  type ClassifyWorkspaceResult,
  isWorkspaceNotification,
  type WorkspaceEvent,
} from '../protocol/workspace';

export interface EngineClientOptions {
  workerPath: string;
  modelDir?: string;
  backend: BackendChoice;
  /** Folder of the sentence vectors' disk cache (the extension's storage; never the workspace). */
  sentenceCacheDir?: string;
  log: (message: string) => void;
  /** How long the engine may take to load before the start counts as failed. */
  startTimeoutMs?: number;
  /** How long a cancelled run may take to stop before its worker is replaced (when others wait). */
  cancelGraceMs?: number;
  /** Stop the worker (and free its memory) after this long without requests; 0 keeps it. */
  idleStopMs?: number;
  /** First delay before starting again after a failed start; doubles up to 60 s. */
  restartBackoffMs?: number;
  /**
   * How long a workspace run may go without an event before its worker is terminated (default
   * workspaceStallMs of the run's largest file). The worker's own watchdog cannot fire while a
   * synchronous engine call holds its thread; this one, on the host, can.
   */
  workspaceStallMs?: number;
  /** The engine loaded (undefined), failed to start (the reason) or stopped (undefined). */
  onStateChange?: (error: string | undefined, said?: MessageTemplate) => void;
  /** The worker's environment (default: this process's); a benchmark sets the engine's switches (FEWSHOT_KERNEL_HELPER) in it. */
  env?: NodeJS.ProcessEnv;
}

interface Running {
  worker: Worker;
  rpc: RpcClient<WorkerRequests>;
  ready: Promise<EngineInfo>;
  /** Set when we terminate it: its exit is not a failed start. */
  stopping?: boolean;
}

/**
 * Why the engine is not there, in English with `{0}` placeholders (the key of the translation; see
 * docs/l10n.md): requests fail with these as RpcErrors carrying the template, which the extension
 * says through vscode.l10n.t (errorText); the log has the English.
 */
export const ENGINE_CLIENT_MESSAGES = {
  startFailed: 'the engine failed to start',
  /** {0}: why the last start failed (said in the same language), {1}: seconds. */
  retrying: '{0}; trying again in {1} s',
  startTimeout: 'the engine did not start within {0} s',
  notStarted: 'the engine did not start',
  loadFailed: 'the engine failed to load',
  workerFailed: 'the engine worker failed: {0}',
  workerExited: 'the engine worker exited (code {0})',
  restarting: 'the engine is restarting',
  stopped: 'the engine was stopped',
  idle: 'the engine was idle',
  cancelled: 'the engine run was cancelled',
  workspaceStalled: 'Classify Workspace stopped: no progress for {0} s; its worker was terminated',
} as const;

const DEFAULTS = { startTimeoutMs: 120_000, cancelGraceMs: 300, idleStopMs: 10 * 60_000, restartBackoffMs: 1000 };
const MAX_BACKOFF_MS = 60_000;
/**
 * The workspace worker stays this long after a run: a re-run after a label change (seconds later)
 * finds the engine loaded and the folder's warm start; past that its memory is given back.
 */
const WORKSPACE_IDLE_MS = 2 * 60_000;
/** An improve run is rare and its worker holds a model and training state: given back soon after. */
const IMPROVE_IDLE_MS = 30_000;

/**
 * The silence a workspace run may keep between two events: twice the worker's own per-file bound
 * for the largest file it may read (30 s + 0.05 ms per byte, src/worker/workspace.ts), plus a minute
 * for the pool's adaptation; so a file the worker can still time out on gets the worker's message,
 * which names it, and only a run stuck where the worker cannot see reaches this one.
 */
export function workspaceStallMs(maxFileBytes: number): number {
  return 60_000 + 2 * (30_000 + 0.05 * maxFileBytes);
}

export class EngineClient {
  private running: Running | undefined;
  private lastInfo: EngineInfo | undefined;
  /** Listeners of the running workspace runs, by run id. */
  private readonly workspaceRuns = new Map<number, (event: WorkspaceEvent) => void>();
  /** The worker of workspace runs (see classifyWorkspace), created by the first run. */
  private workspaceClient: EngineClient | undefined;
  /** The worker of improve runs (see improveModel), created by the first run; and the running one's listener. */
  private improveClient: EngineClient | undefined;
  private improveListener: ((progress: ImproveProgress) => void) | undefined;
  /** The worker of Classify Large Dataset File (see classifyDataset), created by the first run; its runs' listeners by run id (a second run queues behind the first). */
  private datasetClient: EngineClient | undefined;
  private readonly datasetRuns = new Map<number, (progress: DatasetProgress) => void>();
  /** Requests run one after another; this is the tail of that chain. */
  private queue: Promise<unknown> = Promise.resolve();
  private waiting = 0;
  private failedStarts = 0;
  private nextStartAt = 0;
  private lastStartError: MessageTemplate | undefined;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** How many workers were started (the tests and the stress run read it). */
  starts = 0;

  constructor(private options: EngineClientOptions) {}

  private get settings() {
    return { ...DEFAULTS, ...this.options };
  }

  /** The engine info once loaded; rejects with the load error. Starts the worker if needed. */
  ready(): Promise<EngineInfo> {
    try {
      return this.start().ready;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  get info(): EngineInfo | undefined {
    return this.lastInfo;
  }

  /** Whether a worker is running now (it starts on the first request and stops when idle). */
  get isRunning(): boolean {
    return this.running !== undefined;
  }

  private readonly refineListeners = new Set<(n: RefineNotification) => void>();
  /** Background refinement of documents classified with `refine` (progress, then the refined predictions). */
  onRefine(listener: (n: RefineNotification) => void): { dispose(): void } {
    this.refineListeners.add(listener);
    return { dispose: () => this.refineListeners.delete(listener) };
  }

  classify(params: ClassifyParams, signal?: CancelSignal): Promise<ClassifyResult> {
    // A multi-label answer's sets are checked here, where they enter the extension.
    return this.request('classify', params, signal).then((result) => {
      checkPredictedSets(result);
      return result;
    });
  }

  /**
   * Sends one request once the requests before it are done; a request cancelled while it waits is
   * dropped. The next request waits until a cancelled run has really stopped (or its worker was
   * replaced), so it never queues behind a run nobody wants.
   */
  request<M extends keyof WorkerRequests & string>(
    method: M,
    params: WorkerRequests[M]['params'],
    signal?: CancelSignal,
  ): Promise<WorkerRequests[M]['result']> {
    this.waiting++;
    let turnOver!: () => void;
    const previous = this.queue;
    this.queue = new Promise<void>((resolve) => (turnOver = resolve));
    return previous.then(async () => {
      this.waiting--;
      let running: Running | undefined;
      this.holdIdle();
      try {
        if (signal?.isCancellationRequested) throw new RpcError(`${method} cancelled`, 'cancelled');
        running = this.start();
        await running.ready;
        if (signal?.isCancellationRequested) throw new RpcError(`${method} cancelled`, 'cancelled');
        return await running.rpc.request(method, params, signal);
      } finally {
        this.releaseIdle();
        if (running && signal?.isCancellationRequested && this.running === running) void this.untilFree(running).then(turnOver);
        else turnOver();
      }
    });
  }

  /**
   * After a cancel, the worker is free once it answers a trivial request. While it does not, and a
   * request is waiting, the run is still going after the grace period: terminate the worker (a
   * synchronous engine call cannot be stopped otherwise); the waiting request starts a new one.
   * `always`: terminate it after the grace period even when nothing waits (the workspace worker).
   */
  private async untilFree(running: Running, always = false): Promise<void> {
    const probe = running.rpc.request('info', {}).then(
      () => true,
      () => true,
    );
    for (;;) {
      const free = await Promise.race([probe, new Promise<boolean>((r) => setTimeout(() => r(false), this.settings.cancelGraceMs))]);
      if (free || this.running !== running) return;
      if (always || this.waiting > 0) {
        this.options.log(`a cancelled engine run did not stop within ${this.settings.cancelGraceMs} ms: restarting the worker`);
        await this.stopRunning(running, said(ENGINE_CLIENT_MESSAGES.cancelled));
        return;
      }
    }
  }

  /** Drops a closed document's warm-start state in the worker (nothing to do when no worker runs). */
  async forget(document: string): Promise<void> {
    const running = this.running;
    if (!running) return;
    await running.ready;
    await running.rpc.request('forget', { document });
  }

  /** Cross-validated accuracy of the model `classify` would adapt to the same inputs. */
  quality(params: QualityParams, signal?: CancelSignal): Promise<QualityResult> {
    return this.request('quality', params, signal);
  }

  /**
   * Classifies a workspace folder; `onEvent` receives each file's result as it is done. The run has
   * a worker of its own (the engine loaded there too, about 70 MB and 2.5 s): a run is long and the
   * engine's calls in it are synchronous (the adaptation to a 10,000-line pool, each chunk of
   * lines), so no yielding in one worker could bound how long an open document's request waits.
   * Beside it, open documents' requests are answered at once, and a run that does not stop can be
   * ended by terminating its worker without touching the open documents' warm states.
   */
  classifyWorkspace(
    params: ClassifyWorkspaceParams,
    onEvent: (event: WorkspaceEvent) => void,
    signal?: CancelSignal,
  ): Promise<ClassifyWorkspaceResult> {
    this.workspaceClient ??= new EngineClient(this.workspaceOptions(this.options));
    return this.workspaceClient.runWorkspace(params, onEvent, signal);
  }

  /**
   * Improves the model from the user's tasks (minutes of meta-training) in a worker of its own, so
   * that open documents are answered meanwhile; `onProgress` receives the run's progress. A cancel
   * also needs `params.stopFlag` set: the run is synchronous between its polls of it.
   */
  async improveModel(
    params: ImproveParams,
    onProgress: (progress: ImproveProgress) => void,
    signal?: CancelSignal,
  ): Promise<ImproveAnswer> {
    this.improveClient ??= new EngineClient(this.childOptions(this.options, 'improve', IMPROVE_IDLE_MS));
    const client = this.improveClient;
    client.improveListener = onProgress;
    try {
      return await client.request('improveModel', params, signal);
    } finally {
      client.improveListener = undefined;
    }
  }

  /**
   * Classifies a CSV, TSV or JSONL file too large for an editor and writes it back labeled, in a
   * worker of its own (minutes for gigabytes; the engine's calls in it are synchronous, as a
   * workspace run's), so open documents are answered meanwhile. One run at a time. A cancel also
   * needs `params.stopFlag` set to stop the adaptation.
   */
  async classifyDataset(
    params: ClassifyDatasetParams,
    onProgress: (progress: DatasetProgress) => void,
    signal?: CancelSignal,
  ): Promise<ClassifyDatasetResult> {
    this.datasetClient ??= new EngineClient(this.childOptions(this.options, 'dataset', IMPROVE_IDLE_MS));
    const client = this.datasetClient;
    client.datasetRuns.set(params.run, onProgress);
    try {
      return await client.request('classifyDataset', params, signal);
    } finally {
      client.datasetRuns.delete(params.run);
    }
  }

  /** The workspace worker's options: this client's, its own log prefix, no state reports (the status bar follows the main worker). */
  private workspaceOptions(options: EngineClientOptions): EngineClientOptions {
    return this.childOptions(options, 'workspace', WORKSPACE_IDLE_MS);
  }

  private childOptions(options: EngineClientOptions, name: string, idleStopMs: number): EngineClientOptions {
    const { onStateChange: _ignored, ...rest } = options;
    return { ...rest, idleStopMs, log: (m) => options.log(`${name} worker: ${m}`) };
  }

  /**
   * Runs the workspace request on this client's worker (the workspace client's). A cancel frees the
   * worker: when it does not answer within the grace period (a synchronous call, a stuck read),
   * it is terminated and the next run starts a fresh one.
   */
  private async runWorkspace(
    params: ClassifyWorkspaceParams,
    onEvent: (event: WorkspaceEvent) => void,
    signal?: CancelSignal,
  ): Promise<ClassifyWorkspaceResult> {
    this.holdIdle();
    let running: Running | undefined;
    let stall: ReturnType<typeof setTimeout> | undefined;
    try {
      const started = this.start();
      running = started;
      await running.ready;
      const stallMs = this.settings.workspaceStallMs ?? workspaceStallMs(params.scope.maxFileBytes);
      // Re-armed by every event; when it fires, the run's worker is terminated and the run fails with the reason.
      const arm = () => {
        if (stall) clearTimeout(stall);
        stall = setTimeout(() => {
          const reason = said(ENGINE_CLIENT_MESSAGES.workspaceStalled, String(Math.round(stallMs / 1000)));
          this.options.log(englishOf(reason));
          void this.stopRunning(started, reason);
        }, stallMs);
        stall.unref?.();
      };
      // Armed from the first event on: before it the worker walks and reads the folder under its own
      // per-file watchdog, however large the folder (a bound for one file would cut a healthy walk).
      this.workspaceRuns.set(params.run, (event) => {
        arm();
        onEvent(event);
      });
      return await running.rpc.request('classifyWorkspace', params, signal);
    } finally {
      if (stall) clearTimeout(stall);
      this.workspaceRuns.delete(params.run);
      if (running && signal?.isCancellationRequested && this.running === running) {
        await this.untilFree(running, true);
      }
      this.releaseIdle();
    }
  }

  /** A structured document's records, parsed in the worker (no engine needed, so no wait for it). */
  records(params: RecordsParams & { text: string }, signal?: CancelSignal): Promise<PackedTable> {
    return this.start().rpc.request('records', params, signal);
  }

  /** A structured document written back with its labels (Export Dataset), in the worker. */
  dataset(params: WorkerRequests['dataset']['params']): Promise<string> {
    return this.start().rpc.request('dataset', params);
  }

  /** Stops the worker; the next request starts a new one with the new options. */
  async restart(options: Partial<EngineClientOptions>): Promise<void> {
    this.options = { ...this.options, ...options };
    this.failedStarts = 0;
    this.nextStartAt = 0;
    await Promise.all([
      this.stop(said(ENGINE_CLIENT_MESSAGES.restarting)),
      this.workspaceClient?.restart(this.workspaceOptions(this.options)),
    ]);
  }

  async stop(reason: MessageTemplate = said(ENGINE_CLIENT_MESSAGES.stopped)): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    await Promise.all([
      this.running && this.stopRunning(this.running, reason),
      this.workspaceClient?.stop(reason),
      this.improveClient?.stop(reason),
      this.datasetClient?.stop(reason),
    ]);
  }

  dispose(): void {
    void this.stop();
  }

  /**
   * Terminates the worker without telling the client, as a crash would (the stress run and tests
   * check that requests in flight fail and the next one recovers).
   */
  async crashForTest(): Promise<void> {
    await this.running?.worker.terminate();
  }

  private async stopRunning(running: Running, reason: MessageTemplate): Promise<void> {
    running.stopping = true;
    if (this.running === running) {
      this.running = undefined;
      this.lastInfo = undefined;
      this.options.onStateChange?.(undefined);
    }
    running.rpc.close(englishOf(reason), reason);
    await running.worker.terminate();
  }

  private active = 0;
  private holdIdle(): void {
    this.active++;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  /**
   * The worker reported background work (a refinement goes on after its classify answered): the
   * idle countdown starts again, so a long refinement is not cut off as idleness.
   */
  private workingInBackground(): void {
    if (!this.idleTimer) return;
    this.holdIdle();
    this.releaseIdle();
  }

  private releaseIdle(): void {
    this.active--;
    const idle = this.settings.idleStopMs;
    if (this.active > 0 || idle <= 0 || !this.running) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.active > 0 || !this.running) return;
      this.options.log(`engine idle for ${Math.round(idle / 1000)} s: stopping the worker (it starts again when needed)`);
      // This client's worker only: a workspace run in its own worker (which idles out by itself) goes on.
      void this.stopRunning(this.running, said(ENGINE_CLIENT_MESSAGES.idle));
    }, idle);
    this.idleTimer.unref?.();
  }

  /** The running worker, or a new one; throws while a failed start's back-off lasts. */
  private start(): Running {
    if (this.running) return this.running;
    const wait = this.nextStartAt - Date.now();
    if (wait > 0) {
      const why = this.lastStartError ?? said(ENGINE_CLIENT_MESSAGES.startFailed);
      const retrying = said(ENGINE_CLIENT_MESSAGES.retrying, englishOf(why), String(Math.ceil(wait / 1000)));
      throw new RpcError(englishOf(retrying), 'internal', { ...retrying, inner: why });
    }
    const { workerPath, modelDir, backend, log, env, sentenceCacheDir } = this.options;
    const workerData: WorkerStartOptions = { modelDir, backend, ...(sentenceCacheDir ? { sentenceCacheDir } : {}) };
    const worker = new Worker(workerPath, { workerData, env });
    this.starts++;
    const rpc = new RpcClient<WorkerRequests>((m) => worker.postMessage(m));
    let settle!: { resolve(info: EngineInfo): void; reject(e: Error): void };
    let settled = false;
    const ready = new Promise<EngineInfo>((resolve, reject) => (settle = { resolve, reject }));
    ready.catch(() => {}); // Observed by callers; avoid an unhandled rejection when nobody waits.
    const started = Date.now();
    const failed = (reason: MessageTemplate) => {
      if (settled) return;
      settled = true;
      const why = englishOf(reason);
      if (this.running?.worker !== worker && current.stopping) {
        settle.reject(new RpcError(why, 'internal', reason));
        return;
      }
      this.failedStarts++;
      const backoff = Math.min(MAX_BACKOFF_MS, this.settings.restartBackoffMs * 2 ** (this.failedStarts - 1));
      this.nextStartAt = Date.now() + backoff;
      this.lastStartError = reason;
      log(`${why} (start ${this.failedStarts} failed; next try in ${backoff} ms at the earliest)`);
      settle.reject(new RpcError(why, 'internal', reason));
      this.options.onStateChange?.(why, reason);
    };
    const timeout = setTimeout(() => {
      failed(said(ENGINE_CLIENT_MESSAGES.startTimeout, String(Math.round(this.settings.startTimeoutMs / 1000))));
      if (this.running?.worker === worker) void this.stopRunning(this.running, said(ENGINE_CLIENT_MESSAGES.notStarted));
    }, this.settings.startTimeoutMs);
    worker.on('message', (m: unknown) => {
      if (isReady(m)) {
        clearTimeout(timeout);
        if (m.info) {
          settled = true;
          this.failedStarts = 0;
          this.nextStartAt = 0;
          this.lastInfo = m.info;
          this.options.onStateChange?.(undefined);
          log(
            `engine ready: backend ${m.info.backend}${m.info.backendNote ? ` (${m.info.backendNote})` : ''}, model ` +
              `${m.info.model}, ${Date.now() - started} ms`,
          );
          settle.resolve(m.info);
        } else {
          const why = loadFailure(m);
          failed(why);
          if (this.running?.worker === worker) void this.stopRunning(this.running, why);
        }
      } else if (isLog(m)) log(m.message);
      else if (isRefine(m)) {
        this.workingInBackground();
        const checked = checkedRefine(m);
        for (const listener of this.refineListeners) listener(checked);
      } else if (isWorkspaceNotification(m)) this.workspaceRuns.get(m.run)?.(m.event);
      else if (isImproveNotification(m)) this.improveListener?.(m.progress);
      else if (isDatasetNotification(m)) this.datasetRuns.get(m.run)?.(m.progress);
      else rpc.handle(m);
    });
    const gone = (reason: MessageTemplate) => {
      clearTimeout(timeout);
      rpc.close(englishOf(reason), reason);
      failed(reason);
      if (this.running?.worker === worker) {
        log(englishOf(reason));
        this.running = undefined;
        this.lastInfo = undefined;
      }
    };
    worker.on('error', (e) => gone(said(ENGINE_CLIENT_MESSAGES.workerFailed, e.message)));
    worker.on('exit', (code) => gone(said(ENGINE_CLIENT_MESSAGES.workerExited, String(code))));
    const current: Running = { worker, rpc, ready };
    this.running = current;
    return current;
  }
}

/** Why the worker's engine did not load: its ready message's error, as the worker says it (WORKER_MESSAGES.engineFailed). */
function loadFailure(m: ReadyNotification): MessageTemplate {
  if (m.error === undefined) return said(ENGINE_CLIENT_MESSAGES.loadFailed);
  const checked = m.loadError === undefined ? undefined : said(WORKER_MESSAGES.engineFailed, m.loadError);
  // The English must be what the worker said; a worker of another build keeps its own words.
  return checked && englishOf(checked) === m.error ? checked : { template: '{0}', params: [m.error] };
}

/**
 * A refinement's sets (a multi-label task's refined predictions) checked where they enter the
 * extension, as a classify answer's are: malformed ones make the notification a failed refinement.
 */
export function checkedRefine(n: RefineNotification): RefineNotification {
  if (!n.result) return n;
  try {
    checkPredictedSets(n.result);
    return n;
  } catch (error) {
    const { result: _, ...rest } = n;
    return { ...rest, error: error instanceof Error ? error.message : String(error) };
  }
}
