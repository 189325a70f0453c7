// Improve the Model From My Labels, in the worker: reads the named JSONL files as more tasks, loads
// the base model and runs the engine's improvement (src/engine/improve), polling the extension's
// stop flag between meta-steps and evaluation episodes (each a synchronous stretch of work).
import path from 'node:path';
import { readExamples } from '../engine/data/jsonl';
import { type ImproveProgress, improveModel } from '../engine/improve/improve';
import { chooseWarmStart } from '../engine/improve/similar';
import { loadModel } from '../engine/model';
import type { CancelSignal } from '../protocol/rpc';
import type { ImproveAnswer, ImproveParams } from '../protocol/worker';

export async function improveInWorker(
  params: ImproveParams,
  signal: CancelSignal,
  notify: (progress: ImproveProgress) => void,
): Promise<ImproveAnswer> {
  const flag = params.stopFlag;
  const files = await Promise.all(params.files.map(async (f) => ({ name: path.basename(f), examples: await readExamples(f) })));
  const base = loadModel(params.baseDir);
  const finished = [...params.tasks, ...files];
  // A new task with few labels starts from the finished task most like it (the engine's choice, as the CLI's).
  const warmStart =
    params.warmStart && chooseWarmStart((t) => base.encoder.encode(t), base.corpusCentre, finished, params.warmStart.examples);
  const result = await improveModel({
    base,
    tasks: warmStart ? finished.filter((t) => t.name === warmStart.from) : finished,
    outDir: params.outDir,
    steps: params.steps,
    evalEvery: params.evalEvery,
    seed: params.seed,
    validationEpisodes: params.validationEpisodes,
    testEpisodes: params.testEpisodes,
    shouldStop: () => signal.isCancellationRequested || (flag !== undefined && Atomics.load(flag, 0) !== 0),
    onProgress: notify,
  });
  return warmStart ? { ...result, warmStart } : result;
}
