// Worker thread entry (bundled to out/worker.js): loads the engine off the extension host's
// main thread and serves the worker protocol over parentPort.
import { parentPort, workerData } from 'node:worker_threads';
import * as engineModule from '../engine/engine';
import type { EngineApi, EngineOptions } from '../engine/engine';
import type { WorkerStartOptions } from '../protocol/worker';
import { startWorkerHost, type Port } from './host';

type EngineFactory = { load(options: EngineOptions): Promise<EngineApi> };

/** `Engine.load` is the engine facade's entry point; looked up at run time so a missing one is a clear error. */
function engineFactory(): EngineFactory {
  const factory = (engineModule as Record<string, unknown>)['Engine'] as EngineFactory | undefined;
  if (!factory || typeof factory.load !== 'function') throw new Error('this build has no Engine.load (src/engine/engine.ts)');
  return factory;
}

if (!parentPort) throw new Error('worker.js must run as a worker thread');
const options = workerData as WorkerStartOptions;
void startWorkerHost(parentPort as unknown as Port, async (log) =>
  engineFactory().load({ modelDir: options.modelDir, backend: options.backend, log }),
);
