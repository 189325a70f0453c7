// The engine's host inside the worker thread: answers the worker protocol's requests.
// Separate from worker.ts (the thread entry) so tests can drive it over a MessageChannel with a
// fake engine.
import type { EngineApi } from '../engine/engine';
import { EngineInputError } from '../engine/engine';
import { RpcServer, yieldToEventLoop, type CancelSignal, RpcError } from '../protocol/rpc';
import type { ClassifyParams, ClassifyResult, WorkerRequests, WorkerToHost } from '../protocol/worker';

/** The part of a MessagePort / parentPort the host uses. */
export interface Port {
  postMessage(message: WorkerToHost): void;
  on(event: 'message', listener: (message: unknown) => void): void;
}

/** Lines are predicted in chunks so a cancel arriving mid-document stops the work early. */
const PREDICT_CHUNK = 2048;
/** Transductive methods see at most this many unlabeled lines (bounds adaptation time). */
const POOL_LIMIT = 2000;

export function startWorkerHost(port: Port, loadEngine: (log: (m: string) => void) => Promise<EngineApi>): Promise<void> {
  const log = (message: string) => port.postMessage({ kind: 'log', message });
  let engine: EngineApi | undefined;
  let loadError: string | undefined;

  const need = (): EngineApi => {
    if (engine) return engine;
    throw new RpcError(loadError ?? 'the engine is still loading', 'internal');
  };
  const server = new RpcServer<WorkerRequests>(
    {
      classify: (params, signal) => classify(need(), params, signal),
      info: () => need().info(),
      methods: () => need().methods(),
    },
    (message) => port.postMessage(message),
    (error) => (error instanceof EngineInputError ? 'input' : 'internal'),
  );
  port.on('message', (message) => server.handle(message));

  return loadEngine(log).then(
    (loaded) => {
      engine = loaded;
      port.postMessage({ kind: 'ready', info: loaded.info() });
    },
    (error: unknown) => {
      loadError = `the engine failed to load: ${error instanceof Error ? error.message : String(error)}`;
      log(loadError);
      port.postMessage({ kind: 'ready', error: loadError });
    },
  );
}

export async function classify(engine: EngineApi, params: ClassifyParams, signal: CancelSignal): Promise<ClassifyResult> {
  const lines = params.text.split(/\r?\n/);
  const n = lines.length;
  const labelIndex = new Int32Array(n).fill(-1);
  const confidence = new Float32Array(n);
  const uncertainty = new Float32Array(n);

  const wanted: number[] = [];
  for (let i = 0; i < n; i++) if (lines[i]!.trim() !== '') wanted.push(i);
  const pool = params.usePool ? sample(wanted, POOL_LIMIT).map((i) => lines[i]!) : undefined;

  const t0 = performance.now();
  const model = engine.adapt(params.support, { method: params.method, pool });
  const t1 = performance.now();
  const labelPosition = new Map(model.labels.map((l, i) => [l, i]));

  for (let start = 0; start < wanted.length; start += PREDICT_CHUNK) {
    if (signal.isCancellationRequested) throw new RpcError('classify cancelled', 'cancelled');
    const chunk = wanted.slice(start, start + PREDICT_CHUNK);
    const predictions = model.predict(chunk.map((i) => lines[i]!));
    predictions.forEach((p, k) => {
      const line = chunk[k]!;
      labelIndex[line] = labelPosition.get(p.label) ?? -1;
      confidence[line] = p.confidence;
      uncertainty[line] = p.uncertainty;
    });
    if (start + PREDICT_CHUNK < wanted.length) await yieldToEventLoop();
  }
  return {
    labels: model.labels,
    method: model.method,
    labelIndex,
    confidence,
    uncertainty,
    adaptMs: t1 - t0,
    predictMs: performance.now() - t1,
  };
}

/** Evenly spaced subset, deterministic, so repeated runs see the same pool. */
function sample<T>(items: T[], limit: number): T[] {
  if (items.length <= limit) return items;
  const step = items.length / limit;
  return Array.from({ length: limit }, (_, i) => items[Math.floor(i * step)]!);
}
