// The worker's `classifyWorkspace` handler: walk the folder, then two passes over the files.
// The first reads each file once to count its units and feeds them to the engine's pool sampler
// (src/engine/pool.ts: a seeded reservoir, so a re-run sees the same pool) for the adaptation;
// the second reads each file again, predicts it in chunks and streams its result. Every task of the
// request (the first and `otherTasks`) adapts once to the same pool; each chunk of a file is then
// encoded once and classified by each task's model. Only one file's
// text is held at a time, so memory does not grow with the workspace. A cancel is seen between
// files and between chunks; a watchdog ends a run whose current file is not done within a bound
// that grows with its size. The worker runs nothing else (see EngineClient.classifyWorkspace).
// A unit is a line, or in a CSV/TSV/JSONL file a record (src/worker/units.ts), as in an open document.
import type { EngineApi } from '../engine/engine';
import { MAX_POOL, PoolSampler } from '../engine/pool';
import { type CancelSignal, RpcError } from '../protocol/rpc';
import { checkAbstention, type RecordsParams } from '../protocol/worker';
import {
  checkOtherTasks,
  checkTextColumns,
  type ClassifyWorkspaceParams,
  type ClassifyWorkspaceResult,
  type WorkspaceEvent,
  type WorkspaceFileResult,
  type WorkspaceSkip,
} from '../protocol/workspace';
import { type WalkedFile, walkFiles } from './fileWalker';
import { lineColumns, type ReadFile, readText, splitLines } from '../engine/data/readText';
import { formatOfPath } from '../engine/data/records';
import type { DocumentStates } from './documentStates';
import { documentUnits, predictUnitsForEach, wantedLines } from './units';

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

/** What a test replaces: how a file is read, and the watchdog's bounds. */
export interface WorkspaceSeams {
  read?: ReadFile;
  watchdog?: Watchdog;
}

export async function classifyWorkspace(
  engine: EngineApi,
  params: ClassifyWorkspaceParams,
  signal: CancelSignal,
  emit: (event: WorkspaceEvent) => void,
  states?: DocumentStates,
  seams: WorkspaceSeams = {},
): Promise<ClassifyWorkspaceResult> {
  const started = performance.now();
  const read = seams.read ?? readText;
  const watchdog = seams.watchdog ?? WATCHDOG;
  // Checked before the walk: a bad request fails at once, not after scanning the folder.
  const abstain = checkAbstention(params.abstention);
  const textColumns = checkTextColumns(params.textColumns);
  const tasks = [{ task: params.task, support: params.support }, ...checkOtherTasks(params.otherTasks)];
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
        stalled = new RpcError(
          `Classify Workspace stopped: ${file.path} was not done within ${(bound / 1000).toFixed(1)} s ` +
            `(${file.bytes.toLocaleString('en')} bytes); the run made no progress`,
          'internal',
        );
        reject(stalled);
      }, bound);
    });
    return Promise.race([work(), stall]).finally(() => clearTimeout(timer));
  };
  const { scope } = params;
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

  // Each task adapts to the same pool. The folder's last solution of the task (if any) is where its
  // fit starts: a re-run after a label change adapts faster.
  const key = `workspace:${scope.root}`;
  const models = tasks.map(({ task, support }) => {
    const warm = states?.get(key, task);
    const adapted = engine.adapt(support, {
      method: params.method,
      ...(abstain ? { abstain } : {}),
      ...(poolSize > 0 ? { pool: pool.items } : {}),
      ...(warm ? { warm } : {}),
      shouldStop: () => signal.isCancellationRequested,
    });
    stopIfCancelled();
    states?.set(key, adapted.state, task);
    return adapted;
  });
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
    // With other tasks, each chunk is encoded once and every task's model classifies that encoding.
    const encode = others.length ? (t: string[]) => engine.encode(t) : undefined;
    const [first, ...rest] = await predictUnitsForEach(models, units, wanted, stopIfCancelled, encode);
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
  return {
    labels: model.labels,
    method: model.method,
    files: classified,
    lines: linesDone,
    skipped,
    scanMs,
    adaptMs,
    totalMs: performance.now() - started,
    ...(others.length ? { otherTasks: others.map((m) => ({ labels: m.labels, method: m.method })) } : {}),
  };
}
