// The engine's host inside the worker thread: answers the worker protocol's requests.
// Separate from worker.ts (the thread entry) so tests can drive it over a MessageChannel with a
// fake engine.
import { writeDataset } from '../engine/data/dataset';
import { packTable, parseRecords } from '../engine/data/records';
import type { AdaptedModel, AdaptOptions, EngineApi, SentenceVectors } from '../engine/engine';
import { EngineInputError } from '../engine/engine';
import { crossValidate } from '../engine/eval/crossValidate';
import { RpcServer, yieldToEventLoop, type CancelSignal, RpcError } from '../protocol/rpc';
import {
  checkAbstention,
  type ClassifyParams,
  type ClassifyResult,
  type QualityParams,
  type QualityResult,
  type RecordsParams,
  type WorkerRequests,
  type WorkerToHost,
} from '../protocol/worker';
import { checkMultiLabelSupport } from '../protocol/labelSets';
import { classifyDatasetFile } from './datasetFile';
import { DocumentStates } from './documentStates';
import { improveInWorker } from './improve';
import { classifyLabelSets } from './labelSets';
import { savedSource } from './sourceText';
import { documentUnits, predictUnits, wantedLines } from './units';
import { classifyWorkspace } from './workspace';
import { refinedStateKey, Refiner, type SentenceEmbedder } from './refine';
import { WORKER_MESSAGES } from '../protocol/workerMessages';

/** The part of a MessagePort / parentPort the host uses. */
export interface Port {
  postMessage(message: WorkerToHost): void;
  on(event: 'message', listener: (message: unknown) => void): void;
}

/**
 * @param loadEncoder the sentence encoder for background refinement, loaded by the first classify
 *   that asks for refinement; absent, or failing to load, refinement is off (said once in the log).
 */
export function startWorkerHost(
  port: Port,
  loadEngine: (log: (m: string) => void) => Promise<EngineApi>,
  loadEncoder: (log: (message: string) => void) => Promise<SentenceEmbedder> = () =>
    Promise.reject(new Error('no sentence encoder in this worker')),
): Promise<void> {
  const log = (message: string) => port.postMessage({ kind: 'log', message });
  let engine: EngineApi | undefined;
  /** Why the engine did not load (the load's own error, English as the log has it). */
  let loadError: string | undefined;
  const states = new DocumentStates();
  const refiner = new Refiner(loadEncoder, (message) => port.postMessage(message), log);

  const need = (): EngineApi => {
    if (engine) return engine;
    throw loadError
      ? RpcError.said('internal', WORKER_MESSAGES.engineFailed, loadError)
      : RpcError.said('internal', WORKER_MESSAGES.engineLoading);
  };
  const server = new RpcServer<WorkerRequests>(
    {
      classify: (params, signal) => classify(need(), params, signal, states, refiner),
      forget: (params) => {
        refiner.supersede(params.document);
        states.forget(refinedStateKey(params.document));
        return states.forget(params.document);
      },
      info: () => need().info(),
      quality: (params, signal) => quality(need(), params, signal),
      classifyWorkspace: (params, signal) =>
        classifyWorkspace(
          need(),
          params,
          signal,
          (event) => port.postMessage({ kind: 'workspace', run: params.run, event }),
          states,
          {},
          refiner,
        ),
      records: async (params) => packTable(recordTable(await savedSource(params.text, params.path), params)),
      dataset: async (params) => {
        const source = await savedSource(params.text, params.path);
        return writeDataset(
          recordTable(source, params),
          source,
          params.tasks
            ? params.tasks.map((t) => ({ task: t.task, labelOf: (i: number) => t.labels[i] ?? undefined }))
            : (i) => params.labels[i] ?? undefined,
        );
      },
      classifyDataset: (params, signal) =>
        classifyDatasetFile(need(), params, signal, (progress) => port.postMessage({ kind: 'dataset', run: params.run, progress })),
      improveModel: (params, signal) =>
        improveInWorker(params, signal, (progress) => port.postMessage({ kind: 'improve', run: params.run, progress })),
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
      loadError = error instanceof Error ? error.message : String(error);
      const said = RpcError.said('internal', WORKER_MESSAGES.engineFailed, loadError).message;
      log(said);
      port.postMessage({ kind: 'ready', error: said, loadError });
    },
  );
}

export async function classify(
  engine: EngineApi,
  params: ClassifyParams,
  signal: CancelSignal,
  states?: DocumentStates,
  refiner?: Refiner,
): Promise<ClassifyResult> {
  const abstain = checkAbstention(params.abstention);
  // A new version or support set: the task's refinement in progress is for the old one (another
  // task's classify leaves it; a classify that refines starts a job of its own, replacing it).
  if (params.document !== undefined) refiner?.supersede(params.document, { task: params.task });
  // A structured document's records stand in for its lines: each on its first line, '' elsewhere.
  const lines = await unitsOf(params.text, params.records);
  const wanted = wantedLines(lines);
  // A multi-label task: a set per line (labelSets.ts); no warm start there.
  const multiLabel = checkMultiLabelSupport(params.multiLabel);
  if (multiLabel) {
    const result = await classifyLabelSets(engine, multiLabel, lines, wanted, params.usePool === true, () => {
      if (signal.isCancellationRequested || (params.stopFlag !== undefined && Atomics.load(params.stopFlag, 0) !== 0)) {
        throw new RpcError('classify cancelled', 'cancelled');
      }
    });
    const { document, refine } = params;
    // In the background, after this answer: the same sets with the sentence block, as below; not
    // where the block would change nothing (lines read clause by clause).
    if (refiner && document !== undefined && refine && engine.refinesLabelSets?.(multiLabel) !== false)
      void refiner.start({
        lines,
        params: { ...params, multiLabel, document, refine },
        classify: (sentence, isCurrent) =>
          classifyLabelSets(
            engine,
            multiLabel,
            lines,
            wanted,
            params.usePool === true,
            () => {
              if (!isCurrent()) throw new RpcError('refinement superseded', 'cancelled');
            },
            sentence,
          ),
      });
    return result;
  }

  const t0 = performance.now();
  const key = params.document;
  const warm = key !== undefined ? states?.get(key, params.task) : undefined;
  // The engine decides how much of the document it looks at (src/engine/pool.ts).
  const adaptOptions: AdaptOptions = {
    method: params.method,
    ...(abstain ? { abstain } : {}),
    ...(params.usePool ? { pool: wanted.map((i) => lines[i]) } : {}),
  };
  const model = engine.adapt(params.support, {
    ...adaptOptions,
    ...(warm ? { warm } : {}),
    shouldStop: () => signal.isCancellationRequested || (params.stopFlag !== undefined && Atomics.load(params.stopFlag, 0) !== 0),
  });
  if (signal.isCancellationRequested || (params.stopFlag !== undefined && Atomics.load(params.stopFlag, 0) !== 0)) {
    throw new RpcError('classify cancelled', 'cancelled');
  }
  if (key !== undefined) states?.set(key, model.state, params.task);
  const t1 = performance.now();

  const result = await predicted(model, lines, wanted, t0, t1, () => {
    if (signal.isCancellationRequested) throw new RpcError('classify cancelled', 'cancelled');
  });
  const { document, refine } = params;
  if (refiner && document !== undefined && refine) {
    // In the background, after this answer: the same adaptation with the sentence block.
    void refiner.start({
      lines,
      params: { ...params, document, refine },
      classify: async (sentence: SentenceVectors, isCurrent) => {
        const started = performance.now();
        const warmKey = refinedStateKey(document);
        const refinedWarm = states?.get(warmKey, params.task);
        const refined = engine.adapt(params.support, {
          ...adaptOptions,
          sentence,
          ...(refinedWarm ? { warm: refinedWarm } : {}),
          shouldStop: () => !isCurrent(),
        });
        if (!isCurrent()) throw new RpcError('refinement superseded', 'cancelled');
        states?.set(warmKey, refined.state, params.task);
        return predicted(refined, lines, wanted, started, performance.now(), () => {
          if (!isCurrent()) throw new RpcError('refinement superseded', 'cancelled');
        });
      },
    });
  }
  return result;
}

/** A classify result: the model's predictions of the wanted lines, with the times it took. */
async function predicted(
  model: AdaptedModel,
  lines: readonly string[],
  wanted: readonly number[],
  started: number,
  adapted: number,
  stop: () => void,
): Promise<ClassifyResult> {
  const { labelIndex, confidence, uncertainty } = await predictUnits(model, lines, wanted, stop);
  return {
    labels: model.labels,
    method: model.method,
    labelIndex,
    confidence,
    uncertainty,
    adaptMs: adapted - started,
    predictMs: performance.now() - adapted,
    warm: model.warm,
    ...(model.note ? { note: model.note } : {}),
    ...(model.noteTemplate ? { noteTemplate: model.noteTemplate } : {}),
  };
}

/**
 * Cross-validates the support set with the model classify would adapt: same method, and the
 * document's non-empty units (lines, or records) as the pool, as classify passes them (the engine samples them).
 */
export async function quality(engine: EngineApi, params: QualityParams, signal: CancelSignal): Promise<QualityResult> {
  const started = performance.now();
  const abstain = checkAbstention(params.abstention);
  // The units classify sees (a structured document's records, not its raw rows).
  const units = await unitsOf(params.text, params.records);
  const lines = wantedLines(units).map((i) => units[i]!);
  const pool = lines.length ? lines : undefined;
  const flag = params.stopFlag;
  // The cancel message reaches the worker only between folds; the shared flag also during one.
  const stopped = {
    get isCancellationRequested() {
      return signal.isCancellationRequested || (flag !== undefined && Atomics.load(flag, 0) !== 0);
    },
  };
  const result = await crossValidate(engine, params.support, {
    method: params.method,
    pool,
    ...(abstain ? { abstain } : {}),
    folds: params.folds,
    seed: params.seed,
    signal: stopped,
    yieldBetweenFolds: yieldToEventLoop,
  });
  if (!result) throw new RpcError('quality estimate cancelled', 'cancelled');
  return { ...result, ms: performance.now() - started };
}

/** The document's units (units.ts); a saved structured file's records are read from its own bytes. */
async function unitsOf(text: string, records: RecordsParams | undefined): Promise<string[]> {
  return documentUnits(records ? await savedSource(text, records.path) : text, records, recordTable);
}

/**
 * The last few parsed tables, by text: the extension asks for a document's records and classifies
 * it with the same text, and parsing a large CSV costs about 0.2 s per MB, so it is parsed once.
 */
const recentTables: Array<{ text: string; format: string; column: string | undefined; table: ReturnType<typeof parseRecords> }> = [];
const RECENT_TABLES = 4;

export function recordTable(text: string, how: RecordsParams): ReturnType<typeof parseRecords> {
  const hit = recentTables.find((t) => t.format === how.format && t.column === how.column && t.text === text);
  if (hit) return hit.table;
  const table = parseRecords(text, how.format, how.column);
  recentTables.unshift({ text, format: how.format, column: how.column, table });
  recentTables.length = Math.min(recentTables.length, RECENT_TABLES);
  return table;
}
