// The worker's `classifyWorkspace` handler: walk the folder, then two passes over the files.
// The first reads each file once to count its units and feeds them to the engine's pool sampler
// (src/engine/pool.ts: a seeded reservoir, so a re-run sees the same pool) for the adaptation;
// the second reads each file again, predicts it in chunks and streams its result. Every task of the
// request (the first and `otherTasks`) adapts once to the same pool; each chunk of a file is then
// encoded once and classified by each task's model (a multi-label task, sent with its `multiLabel`
// sets, adapts the engine's multi-label model and predicts a set per unit: labelSets.ts). Only one
// file's text is held at a time, so memory does not grow with the workspace. A cancel is seen
// between files and between chunks; a watchdog ends a run whose current file is not done within a bound
// that grows with its size. The worker runs nothing else (see EngineClient.classifyWorkspace).
// A unit is a line, or in a CSV/TSV/JSONL file a record (src/worker/units.ts), as in an open document.
import type { MessageTemplate } from '../engine/messageTemplate';
import type { AdaptedModel, EngineApi } from '../engine/engine';
import { NONE_LABEL } from '../engine/labels/none';
import type { MultiLabelModel } from '../engine/multiLabel';
import { MAX_POOL, PoolSampler } from '../engine/pool';
import { type CancelSignal, RpcError } from '../protocol/rpc';
import { checkAbstention, type RecordsParams } from '../protocol/worker';
import { checkMultiLabelSupport } from '../protocol/labelSets';
import {
  checkOtherTasks,
  checkTextColumns,
  type ClassifyWorkspaceParams,
  type ClassifyWorkspaceResult,
  type TaskLinePredictions,
  type WorkspaceEvent,
  type WorkspaceFileResult,
  type WorkspaceSkip,
} from '../protocol/workspace';
import { type WalkedFile, walkFiles } from './fileWalker';
import { lineColumns, type ReadFile, readText, splitLines } from '../engine/data/readText';
import { formatOfPath } from '../engine/data/records';
import type { DocumentStates } from './documentStates';
import { type Refiner, refinedStateKey, type SentenceEmbedder } from './refine';
import { adaptSets, predictSets } from './labelSets';
import { documentUnits, predictUnitsForEach, wantedLines } from './units';
import { WORKER_MESSAGES } from '../protocol/workerMessages';

/**
 * The watchdog's bound on one file (read, and in the second pass predicted): `floorMs` plus
 * `msPerByte` per byte of it. A file not done within its bound ends the run: a read that hangs (a
 * network drive gone) would otherwise hold the run, and the folder's progress, for good.
 */
export interface Watchdog {
  floorMs: number;
  msPerByte: number;
}

/**
 * 30 s, plus 20 KB/s: a hundred times slower than the engine predicts and far slower than any
 * disk reads, so only a run that stopped moving trips it.
 */
const WATCHDOG: Watchdog = { floorMs: 30_000, msPerByte: 0.05 };

/**
 * With the sentence block a file's lines are embedded before they are predicted: 40 lines/s of
 * 50 bytes is 1.25 ms per byte (the encoder under heavy load, docs/sentence.md); twice that.
 */
const SENTENCE_MS_PER_BYTE = 2.5;

/** What a test replaces: how a file is read, and the watchdog's bounds. */
export interface WorkspaceSeams {
  read?: ReadFile;
  watchdog?: Watchdog;
}

/** What a run needs of the host's refiner (src/worker/refine.ts): its encoder and how it embeds. */
export type WorkspaceSentence = Pick<Refiner, 'load' | 'embedInOrder' | 'linesPerSecond'>;

/** One task's model in a run: a single-label adaptation, or a multi-label task's (`sets`). */
interface TaskModel {
  /** What the task's labelIndex values index (a multi-label task's labels then `none`, the empty set). */
  labels: string[];
  method: string;
  adaptMs: number;
  single?: AdaptedModel;
  sets?: MultiLabelModel;
  /** What the adaptation left out, as the model says it (ClassifyWorkspaceResult.note), and its template. */
  note?: string;
  noteTemplate?: MessageTemplate;
}

const distinctTexts = (texts: Iterable<string>) => [...new Set(texts)].filter((t) => t.trim() !== '');

export async function classifyWorkspace(
  engine: EngineApi,
  params: ClassifyWorkspaceParams,
  signal: CancelSignal,
  emit: (event: WorkspaceEvent) => void,
  states?: DocumentStates,
  seams: WorkspaceSeams = {},
  refiner?: WorkspaceSentence,
): Promise<ClassifyWorkspaceResult> {
  const started = performance.now();
  const read = seams.read ?? readText;
  const sentence = params.sentence === true;
  const watchdog = seams.watchdog ?? (sentence ? { ...WATCHDOG, msPerByte: SENTENCE_MS_PER_BYTE } : WATCHDOG);
  // Checked before the walk: a bad request fails at once, not after scanning the folder.
  const abstain = checkAbstention(params.abstention);
  const textColumns = checkTextColumns(params.textColumns);
  const tasks = [
    { task: params.task, support: params.support, multiLabel: checkMultiLabelSupport(params.multiLabel) },
    ...checkOtherTasks(params.otherTasks),
  ];
  /** How a file is classified: a structured file by record (in its chosen column), any other by line. */
  const recordsOf = (file: WalkedFile): RecordsParams | undefined => {
    const format = formatOfPath(file.path);
    if (!format) return undefined;
    const column = textColumns.get(file.path);
    return column === undefined ? { format } : { format, column };
  };
  /** Set when the watchdog ended the run: the file's work, still going, stops at its next check. */
  let stalled: RpcError | undefined;
  const stopIfCancelled = () => {
    if (stalled) throw stalled;
    if (signal.isCancellationRequested) throw new RpcError('classifyWorkspace cancelled', 'cancelled');
  };
  /** One file's work, ended by the watchdog past the file's bound. */
  const watched = <T>(file: WalkedFile, work: () => Promise<T>): Promise<T> => {
    const bound = watchdog.floorMs + file.bytes * watchdog.msPerByte;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stall = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        stalled = RpcError.said(
          'internal',
          WORKER_MESSAGES.workspaceStalled,
          file.path,
          (bound / 1000).toFixed(1),
          file.bytes.toLocaleString('en'),
        );
        reject(stalled);
      }, bound);
    });
    return Promise.race([work(), stall]).finally(() => clearTimeout(timer));
  };
  const { scope } = params;
  // The encoder, when the run uses the sentence block or estimates what it would cost.
  const encoder: SentenceEmbedder | undefined = refiner && (sentence || params.estimateRefine) ? await refiner.load() : undefined;
  if (sentence && !encoder) throw RpcError.said('internal', WORKER_MESSAGES.noEncoder);
  const skipped: WorkspaceSkip[] = [];
  const walked = await walkFiles(scope, (path, detail) => skipped.push({ path, reason: 'unreadable', detail }));

  // Pass 1: what is classifiable, how many lines, and the pool.
  const poolSize = Math.max(0, Math.floor(params.poolSize ?? MAX_POOL));
  const pool = new PoolSampler(poolSize);
  const files: WalkedFile[] = [];
  let linesTotal = 0;
  for (const file of walked) {
    stopIfCancelled();
    const text = await watched(file, () => read(file, scope.maxFileBytes));
    if ('reason' in text) {
      skipped.push(text);
      continue;
    }
    files.push(file);
    const units = documentUnits(text.text, recordsOf(file));
    const wanted = wantedLines(units);
    linesTotal += wanted.length;
    for (const i of wanted) pool.add(units[i]!);
  }
  stopIfCancelled();
  const scanMs = performance.now() - started;

  // The sentence block's solutions are kept apart (another head width), as an open document's are.
  const key = sentence ? refinedStateKey(`workspace:${scope.root}`) : `workspace:${scope.root}`;
  /** The sentence vectors of the labeled lines, names and pool (kept), and of the file being predicted. */
  const vectors = new Map<string, Float32Array>();
  let fileVectors = new Map<string, Float32Array>();
  /** Embeds what the caches lack into `into`; stops at a cancel or a stall. */
  const embed = async (texts: string[], into: Map<string, Float32Array>) => {
    if (!encoder || !refiner) return;
    for (const [t, v] of encoder.cached(texts)) into.set(t, v);
    const missing = texts.filter((t) => !into.has(t));
    await refiner.embedInOrder(encoder, missing, into, () => !signal.isCancellationRequested && !stalled);
    stopIfCancelled();
  };
  if (sentence) {
    const labeled = tasks.flatMap(({ support }) => support.flatMap((ex) => [ex.text, ex.label]));
    await embed(distinctTexts([...labeled, ...pool.items]), vectors);
  }
  // Each task adapts to the same pool. The folder's last solution of the task (if any) is where its
  // fit starts: a re-run after a label change adapts faster.
  const models = tasks.map(({ task, support, multiLabel }): TaskModel => {
    if (multiLabel) {
      const sets = adaptSets(engine, multiLabel, poolSize > 0 ? pool.items : undefined);
      stopIfCancelled();
      return { labels: [...sets.labels, NONE_LABEL], method: 'multi-label', adaptMs: sets.adaptMs, sets, ...noteOf(sets) };
    }
    const warm = states?.get(key, task);
    const adapted = engine.adapt(support, {
      ...(encoder && sentence ? { sentence: { dim: encoder.dim, get: (t: string) => vectors.get(t) ?? fileVectors.get(t) } } : {}),
      method: params.method,
      ...(abstain ? { abstain } : {}),
      ...(poolSize > 0 ? { pool: pool.items } : {}),
      ...(warm ? { warm } : {}),
      shouldStop: () => signal.isCancellationRequested,
    });
    stopIfCancelled();
    states?.set(key, adapted.state, task);
    return { labels: adapted.labels, method: adapted.method, adaptMs: adapted.adaptMs, single: adapted, ...noteOf(adapted) };
  });
  const singles = models.flatMap((m) => (m.single ? [m.single] : []));
  const model = models[0]!;
  const others = models.slice(1);
  const adaptMs = models.reduce((sum, m) => sum + m.adaptMs, 0);
  emit({
    type: 'scanned',
    files: files.length,
    lines: linesTotal,
    skipped,
    labels: model.labels,
    method: model.method,
    ...(others.length ? { otherLabels: others.map((m) => m.labels) } : {}),
  });

  const classifyStarted = performance.now();
  let linesDone = 0;
  let filesDone = 0;
  let classified = 0;
  /** Lines no sentence cache holds (estimateRefine). */
  let uncached = 0;
  /** Reads and predicts one file; undefined when it was skipped. */
  const classifyFile = async (file: WalkedFile): Promise<WorkspaceFileResult | undefined> => {
    const text = await read(file, scope.maxFileBytes);
    stopIfCancelled();
    if ('reason' in text) {
      skipped.push(text);
      return undefined;
    }
    const lines = splitLines(text.text);
    // As an open document is classified (host.ts): a record's text on its first line, nothing elsewhere.
    const how = recordsOf(file);
    const units = how ? documentUnits(text.text, how) : lines;
    const wanted = wantedLines(units);
    if (encoder) {
      const texts = distinctTexts(wanted.map((i) => units[i] as string)).filter((t) => !vectors.has(t));
      if (sentence) {
        fileVectors = new Map();
        await embed(texts, fileVectors);
      } else uncached += texts.length - encoder.cached(texts).size;
    }
    // With other tasks, each chunk is encoded once and every single-label task's model classifies
    // that encoding (the fast features only: a sentence-block model reads its vectors as it
    // classifies). A multi-label model classifies the texts (it has no encoded entry point).
    const encode = singles.length > 1 && !sentence ? (t: string[]) => engine.encode(t) : undefined;
    const single = await predictUnitsForEach(singles, units, wanted, stopIfCancelled, encode);
    const perTask: TaskLinePredictions[] = [];
    for (const m of models) {
      if (m.sets) {
        const { labelIndex, confidence, uncertainty, sets } = await predictSets(m.sets, units, wanted, stopIfCancelled);
        perTask.push({ labelIndex, confidence, uncertainty, sets });
      } else perTask.push(single.shift()!);
    }
    const [first, ...rest] = perTask;
    fileVectors = new Map();
    linesDone += wanted.length;
    return {
      path: file.path,
      bytes: text.bytes,
      columns: lineColumns(lines),
      ...first!,
      ...(rest.length ? { otherTasks: rest } : {}),
    };
  };

  // Pass 2: predict and stream, one file at a time.
  for (const file of files) {
    stopIfCancelled();
    const result = await watched(file, () => classifyFile(file));
    filesDone++;
    if (!result) continue;
    classified++;
    emit({
      type: 'file',
      file: result,
      progress: { filesDone, filesTotal: files.length, linesDone, linesTotal, elapsedMs: performance.now() - classifyStarted },
    });
  }
  // What the run's embedding added to the disk cache is kept for the next one.
  if (encoder) encoder.flush();
  return {
    labels: model.labels,
    method: model.method,
    files: classified,
    lines: linesDone,
    skipped,
    scanMs,
    adaptMs,
    totalMs: performance.now() - started,
    ...(encoder && refiner && !sentence
      ? { refineCost: { lines: uncached, seconds: Math.ceil(uncached / refiner.linesPerSecond(encoder.threads ?? 1)) } }
      : {}),
    ...noteOf(model),
    ...(others.length ? { otherTasks: others.map((m) => ({ labels: m.labels, method: m.method, ...noteOf(m) })) } : {}),
  };
}

/** A model's note as an optional field (absent, not undefined, when it has none). */
function noteOf(model: { note?: string; noteTemplate?: MessageTemplate }): { note?: string; noteTemplate?: MessageTemplate } {
  if (!model.note) return {};
  return { note: model.note, ...(model.noteTemplate ? { noteTemplate: model.noteTemplate } : {}) };
}
