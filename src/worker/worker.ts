// Worker thread entry (bundled to out/worker.js): loads the engine off the extension host's
// main thread and serves the worker protocol over parentPort.
import { parentPort, workerData } from 'node:worker_threads';
import { Engine } from '../engine/engine';
import type { WorkerStartOptions } from '../protocol/worker';
import { loadEncoderPool } from '../engine/sentence/threads';
import { startWorkerHost, type Port } from './host';

if (!parentPort) throw new Error('worker.js must run as a worker thread');
const options = workerData as WorkerStartOptions;
void startWorkerHost(
  parentPort as unknown as Port,
  (log) => Engine.load({ modelDir: options.modelDir, backend: options.backend, log }),
  // The engine has selected the tfjs backend by the time the first refinement loads this.
  (log) => loadEncoderPool({ ...(options.sentenceCacheDir ? { cacheDir: options.sentenceCacheDir } : {}), log }),
);
