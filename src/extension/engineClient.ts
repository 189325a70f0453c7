// The extension's handle on the engine worker: starts out/worker.js, waits for its `ready`
// handshake, sends typed requests, restarts it when it dies. No vscode import (the benchmark
// uses it directly).
import { Worker } from 'node:worker_threads';
import type { EngineInfo, BackendChoice } from '../engine/engine';
import { RpcClient, type CancelSignal } from '../protocol/rpc';
import type { PackedTable } from '../engine/data/records';
import {
  isLog,
  isReady,
  type ClassifyParams,
  type ClassifyResult,
  type RecordsParams,
  type WorkerRequests,
  type WorkerStartOptions,
} from '../protocol/worker';

export interface EngineClientOptions {
  workerPath: string;
  modelDir?: string;
  backend: BackendChoice;
  log: (message: string) => void;
}

interface Running {
  worker: Worker;
  rpc: RpcClient<WorkerRequests>;
  ready: Promise<EngineInfo>;
}

export class EngineClient {
  private running: Running | undefined;
  private lastInfo: EngineInfo | undefined;

  constructor(private options: EngineClientOptions) {}

  /** The engine info once loaded; rejects with the load error. Starts the worker if needed. */
  ready(): Promise<EngineInfo> {
    return this.start().ready;
  }

  get info(): EngineInfo | undefined {
    return this.lastInfo;
  }

  async classify(params: ClassifyParams, signal?: CancelSignal): Promise<ClassifyResult> {
    const running = this.start();
    await running.ready;
    return running.rpc.request('classify', params, signal);
  }

  /** Drops a closed document's warm-start state in the worker (nothing to do when no worker runs). */
  async forget(document: string): Promise<void> {
    const running = this.running;
    if (!running) return;
    await running.ready;
    await running.rpc.request('forget', { document });
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
    await this.stop('the engine is restarting');
  }

  async stop(reason = 'the engine was stopped'): Promise<void> {
    const running = this.running;
    this.running = undefined;
    this.lastInfo = undefined;
    if (!running) return;
    running.rpc.close(reason);
    await running.worker.terminate();
  }

  dispose(): void {
    void this.stop();
  }

  private start(): Running {
    if (this.running) return this.running;
    const { workerPath, modelDir, backend, log } = this.options;
    const workerData: WorkerStartOptions = { modelDir, backend };
    const worker = new Worker(workerPath, { workerData });
    const rpc = new RpcClient<WorkerRequests>((m) => worker.postMessage(m));
    let settle!: { resolve(info: EngineInfo): void; reject(e: Error): void };
    const ready = new Promise<EngineInfo>((resolve, reject) => (settle = { resolve, reject }));
    ready.catch(() => {}); // Observed by callers; avoid an unhandled rejection when nobody waits.
    const started = Date.now();
    worker.on('message', (m: unknown) => {
      if (isReady(m)) {
        if (m.info) {
          this.lastInfo = m.info;
          log(
            `engine ready: backend ${m.info.backend}${m.info.backendNote ? ` (${m.info.backendNote})` : ''}, model ${m.info.model}, ${Date.now() - started} ms`,
          );
          settle.resolve(m.info);
        } else settle.reject(new Error(m.error ?? 'the engine failed to load'));
      } else if (isLog(m)) log(m.message);
      else rpc.handle(m);
    });
    const gone = (why: string) => {
      log(why);
      rpc.close(why);
      settle.reject(new Error(why));
      if (this.running?.worker === worker) {
        this.running = undefined;
        this.lastInfo = undefined;
      }
    };
    worker.on('error', (e) => gone(`the engine worker failed: ${e.message}`));
    worker.on('exit', (code) => gone(`the engine worker exited (code ${code})`));
    this.running = { worker, rpc, ready };
    return this.running;
  }
}
