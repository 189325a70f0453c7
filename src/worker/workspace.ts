// The worker's `classifyWorkspace` handler: walk the folder, then two passes over the files.
// The first reads each file once to count its lines and draw an evenly random sample of
// unlabeled lines (a reservoir, seeded, so a re-run sees the same pool) for the adaptation;
// the second reads each file again, predicts it in chunks and streams its result. Only one file's
// text is held at a time, so memory does not grow with the workspace. A cancel is seen between
// files and between chunks.
import * as fs from 'node:fs';
import type { EngineApi } from '../engine/engine';
import { Rng } from '../engine/random';
import { type CancelSignal, RpcError, yieldToEventLoop } from '../protocol/rpc';
import { checkAbstention } from '../protocol/worker';
import type {
  ClassifyWorkspaceParams,
  ClassifyWorkspaceResult,
  WorkspaceEvent,
  WorkspaceFileResult,
  WorkspaceSkip,
} from '../protocol/workspace';
import { skipReason, type WalkedFile, walkFiles } from './fileWalker';
import type { DocumentStates } from './host';

/** Lines predicted per engine call: a cancel arriving mid-file stops the work this soon. */
const PREDICT_CHUNK = 2048;
const POOL_SEED = 0x5eed;

/** Reads a file as text, or says why it is not classified. */
async function readText(file: WalkedFile, maxFileBytes: number): Promise<{ text: string } | WorkspaceSkip> {
  let bytes: Buffer;
  try {
    if (file.bytes > maxFileBytes) return { path: file.path, reason: 'too-large', detail: String(file.bytes) };
    bytes = await fs.promises.readFile(file.path);
  } catch (error) {
    return { path: file.path, reason: 'unreadable', detail: error instanceof Error ? error.message : String(error) };
  }
  // Checked again on the bytes read: the file may have grown or changed since the walk.
  const reason = skipReason(bytes.length, bytes, maxFileBytes);
  if (reason) return { path: file.path, reason, detail: String(bytes.length) };
  const text = bytes.toString('utf8');
  return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
}

const splitLines = (text: string): string[] => text.split(/\r?\n/);

/** Fixed-size uniform sample of a stream (Algorithm R), deterministic for a given seed. */
class Reservoir {
  readonly items: string[] = [];
  private seen = 0;
  private readonly random = new Rng(POOL_SEED);
  constructor(private readonly size: number) {}
  add(item: string): void {
    this.seen++;
    if (this.items.length < this.size) this.items.push(item);
    else {
      const k = this.random.int(this.seen);
      if (k < this.size) this.items[k] = item;
    }
  }
}

export async function classifyWorkspace(
  engine: EngineApi,
  params: ClassifyWorkspaceParams,
  signal: CancelSignal,
  emit: (event: WorkspaceEvent) => void,
  states?: DocumentStates,
): Promise<ClassifyWorkspaceResult> {
  const started = performance.now();
  // Checked before the walk: a bad request fails at once, not after scanning the folder.
  const abstain = checkAbstention(params.abstention);
  const stopIfCancelled = () => {
    if (signal.isCancellationRequested) throw new RpcError('classifyWorkspace cancelled', 'cancelled');
  };
  const { scope } = params;
  const skipped: WorkspaceSkip[] = [];
  const walked = await walkFiles(scope, (path, detail) => skipped.push({ path, reason: 'unreadable', detail }));

  // Pass 1: what is classifiable, how many lines, and the pool.
  const reservoir = new Reservoir(Math.max(0, Math.floor(params.poolSize)));
  const files: WalkedFile[] = [];
  let linesTotal = 0;
  for (const file of walked) {
    stopIfCancelled();
    const read = await readText(file, scope.maxFileBytes);
    if ('reason' in read) {
      skipped.push(read);
      continue;
    }
    files.push(file);
    for (const line of splitLines(read.text)) {
      if (line.trim() === '') continue;
      linesTotal++;
      if (params.poolSize > 0) reservoir.add(line);
    }
  }
  stopIfCancelled();
  const scanMs = performance.now() - started;

  // The folder's last solution (if any) is where the fit starts: a re-run after a label change adapts faster.
  const key = `workspace:${scope.root}`;
  const warm = states?.get(key);
  const model = engine.adapt(params.support, {
    method: params.method,
    ...(abstain ? { abstain } : {}),
    ...(params.poolSize > 0 ? { pool: reservoir.items } : {}),
    ...(warm ? { warm } : {}),
    shouldStop: () => signal.isCancellationRequested,
  });
  stopIfCancelled();
  states?.set(key, model.state);
  const adaptMs = model.adaptMs;
  emit({ type: 'scanned', files: files.length, lines: linesTotal, skipped, labels: model.labels, method: model.method });

  // Pass 2: predict and stream, one file at a time.
  const classifyStarted = performance.now();
  let linesDone = 0;
  let filesDone = 0;
  let classified = 0;
  for (const file of files) {
    stopIfCancelled();
    const read = await readText(file, scope.maxFileBytes);
    stopIfCancelled();
    filesDone++;
    if ('reason' in read) {
      skipped.push(read);
      continue;
    }
    const lines = splitLines(read.text);
    const n = lines.length;
    const labelIndex = new Int32Array(n).fill(-1);
    const confidence = new Float32Array(n);
    const uncertainty = new Float32Array(n);
    const wanted: number[] = [];
    for (let i = 0; i < n; i++) if (lines[i]!.trim() !== '') wanted.push(i);
    for (let start = 0; start < wanted.length; start += PREDICT_CHUNK) {
      if (start > 0) {
        await yieldToEventLoop();
        stopIfCancelled();
      }
      const chunk = wanted.slice(start, start + PREDICT_CHUNK);
      const p = model.classify(chunk.map((i) => lines[i]!));
      for (let k = 0; k < chunk.length; k++) {
        const line = chunk[k]!;
        labelIndex[line] = p.labelIndex[k]!;
        confidence[line] = p.confidence[k]!;
        uncertainty[line] = p.uncertainty[k]!;
      }
    }
    linesDone += wanted.length;
    classified++;
    const result: WorkspaceFileResult = { path: file.path, text: read.text, labelIndex, confidence, uncertainty };
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
  };
}
