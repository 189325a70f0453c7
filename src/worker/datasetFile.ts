// Classify Large Dataset File, in the worker: a CSV, TSV or JSONL file too big for an editor is
// read from disk part by part (src/engine/datasetFile.ts) twice: once to sample the unlabeled pool,
// once to classify and write it back. Nothing holds the whole file: not the extension host (it
// sends a path), not this thread. The output goes to a temporary file beside the target, renamed
// over it at the end, so a cancel or a failure never leaves a half-written export.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sampleRecords, writeLabeledDataset } from '../engine/datasetFile';
import type { EngineApi } from '../engine/engine';
import { MAX_POOL, PoolSampler } from '../engine/pool';
import { type CancelSignal, RpcError, yieldToEventLoop } from '../protocol/rpc';
import { type ClassifyDatasetParams, type ClassifyDatasetResult, checkAbstention, type DatasetProgress } from '../protocol/worker';
import { WORKER_MESSAGES } from '../protocol/workerMessages';

export async function classifyDatasetFile(
  engine: EngineApi,
  params: ClassifyDatasetParams,
  signal: CancelSignal,
  notify: (progress: DatasetProgress) => void,
): Promise<ClassifyDatasetResult> {
  const started = performance.now();
  const abstain = checkAbstention(params.abstention);
  if (path.resolve(params.out) === path.resolve(params.file)) throw RpcError.said('input', WORKER_MESSAGES.exportOverwrites);
  const flag = params.stopFlag;
  const stopped = () => signal.isCancellationRequested || (flag !== undefined && Atomics.load(flag, 0) !== 0);
  let bytesTotal: number;
  try {
    bytesTotal = (await fs.promises.stat(params.file)).size;
  } catch (error) {
    throw RpcError.said('input', WORKER_MESSAGES.cannotRead, params.file, error instanceof Error ? error.message : String(error));
  }
  const reading = (phase: DatasetProgress['phase']) => {
    const passStarted = performance.now();
    return {
      format: params.format,
      ...(params.column === undefined ? {} : { column: params.column }),
      progress: async (done: { bytes: number; records: number }) => {
        notify({ phase, ...done, bytesTotal, elapsedMs: performance.now() - passStarted });
        // Between parts: the cancel message is read here.
        await yieldToEventLoop();
        if (stopped()) throw new RpcError('classifyDataset cancelled', 'cancelled');
      },
    };
  };

  const poolSize = Math.max(0, Math.floor(params.poolSize ?? MAX_POOL));
  const sampler = new PoolSampler(poolSize);
  if (poolSize > 0) await sampleRecords(params.file, reading('pool'), sampler);
  const model = engine.adapt(params.support, {
    method: params.method,
    ...(abstain ? { abstain } : {}),
    ...(poolSize > 0 ? { pool: sampler.items } : {}),
    shouldStop: stopped,
  });
  if (stopped()) throw new RpcError('classifyDataset cancelled', 'cancelled');

  const labeled = new Map(params.support.map((ex) => [ex.text.trim(), ex.label]));
  await fs.promises.mkdir(path.dirname(params.out), { recursive: true });
  const temp = path.join(path.dirname(params.out), `.${path.basename(params.out)}.${randomUUID()}.tmp`);
  const out = fs.createWriteStream(temp);
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  failed.catch(() => undefined);
  try {
    const write = (chunk: string) =>
      out.write(chunk) ? undefined : Promise.race([new Promise<void>((resolve) => out.once('drain', resolve)), failed]);
    const counts = await writeLabeledDataset(params.file, reading('classify'), model, labeled, write);
    await Promise.race([new Promise<void>((resolve) => out.end(resolve)), failed]);
    await fs.promises.rename(temp, params.out);
    return { ...counts, out: params.out, labels: model.labels, method: model.method, ms: performance.now() - started };
  } catch (error) {
    out.destroy();
    await fs.promises.rm(temp, { force: true });
    throw error;
  }
}
