// What a workspace run left behind, per file: its predictions and each line's columns (for the
// diagnostics' ranges), so closed files reach the Problems panel and Next Uncertain Line without
// being opened. No file text is kept: the panel and the export re-read a closed file's lines when
// they need them (LineCache, readLines). No vscode import: the benchmark keeps results with this
// same code.
import { checkPredictedSets } from '../protocol/labelSets';
import type { WorkspaceFileResult, WorkspaceSkip } from '../protocol/workspace';
import { readText, splitLines } from '../engine/data/readText';
import { leastCertainLines } from '../engine/review';
import { capEntries, type DocumentPredictions, type DiagnosticEntry, type DiagnosticOptions } from './diagnosticEntries';

export interface WorkspaceFile extends DocumentPredictions {
  /** The file's `Uri.toString()` (the key used by the panel and the label store). */
  uri: string;
  path: string;
  /** Bytes the worker read: a re-read of the lines reads no more. */
  bytes: number;
  /** Per line, its first non-blank column and its end. */
  columns: Uint32Array;
}

/** A diagnostic's place: the line's text from its first non-blank character to its end. */
export interface EntryRange {
  entry: DiagnosticEntry;
  line: number;
  start: number;
  end: number;
}

/** The capped, prioritised diagnostic entries of a file (as for open documents), with their ranges. */
export function entryRanges(file: WorkspaceFile, labeled: ReadonlySet<number>, options: DiagnosticOptions): EntryRange[] {
  return cappedRanges(file, labeled, options).ranges;
}

/** entryRanges, and how many entries there were before the cap. */
export function cappedRanges(
  file: WorkspaceFile,
  labeled: ReadonlySet<number>,
  options: DiagnosticOptions,
): { ranges: EntryRange[]; total: number } {
  const { entries, total } = capEntries(file, labeled, options);
  const ranges = entries.map((entry) => ({
    entry,
    line: entry.line,
    start: file.columns[2 * entry.line]!,
    end: file.columns[2 * entry.line + 1]!,
  }));
  return { ranges, total };
}

/**
 * A closed file's lines, read again (safely, no more bytes than the run read); undefined when it
 * cannot be read or no longer has the lines its predictions are for (it changed since the run).
 */
export async function readLines(file: Pick<WorkspaceFile, 'path' | 'bytes' | 'labelIndex'>): Promise<string[] | undefined> {
  const read = await readText(file, file.bytes);
  if ('reason' in read) return undefined;
  const lines = splitLines(read.text);
  return lines.length === file.labelIndex.length ? lines : undefined;
}

/** The files with their lines read again, a few at a time; a file changed since the run is left out. */
export async function withLines(files: readonly WorkspaceFile[]): Promise<Array<{ file: WorkspaceFile; lines: string[] }>> {
  const lines = await mapLimit(files, READ_CONCURRENCY, readLines);
  return files.flatMap((file, i) => (lines[i] ? [{ file, lines: lines[i] }] : []));
}

/** Files read at once: a panel asking for thousands of files must not open them all together. */
const READ_CONCURRENCY = 8;
/** Characters of lines the cache keeps (about 32 MB): a panel's worth, not a large workspace's. */
const LINE_CACHE_CHARS = 16 * 2 ** 20;

/** Runs `work` on each item, at most `limit` at a time; the results in the items' order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}

/**
 * The lines of the closed files the panel lists, re-read when first asked for and kept up to a
 * budget, least recently used dropped first. `get` answers at once (the panel's data source is
 * synchronous): a file not read yet is read in the background, and `onLoaded` names the files
 * read, so their lines can be asked for again.
 */
export class LineCache {
  private readonly cached = new Map<string, { file: WorkspaceFile; lines: string[]; chars: number }>();
  /** Files to read, and those being read: a file asked for twice is read once. */
  private readonly queued = new Map<string, WorkspaceFile>();
  private readonly inFlight = new Set<WorkspaceFile>();
  /** Files whose re-read failed: not tried again until the run gives the file a new result. */
  private readonly failed = new WeakSet<WorkspaceFile>();
  private chars = 0;
  private reading = false;

  constructor(
    private readonly onLoaded: (uris: string[]) => void,
    private readonly budgetChars = LINE_CACHE_CHARS,
  ) {}

  /** The file's lines when read; undefined while they are being read, or when they cannot be. */
  get(file: WorkspaceFile): string[] | undefined {
    const hit = this.cached.get(file.uri);
    if (hit?.file === file) {
      this.cached.delete(file.uri);
      this.cached.set(file.uri, hit);
      return hit.lines;
    }
    if (hit) this.forget(file.uri);
    if (!this.failed.has(file) && !this.inFlight.has(file) && this.queued.get(file.uri) !== file) {
      this.queued.set(file.uri, file);
      void this.readQueued();
    }
    return undefined;
  }

  forget(uri: string): void {
    const hit = this.cached.get(uri);
    if (!hit) return;
    this.cached.delete(uri);
    this.chars -= hit.chars;
  }

  /** Characters held (the tests read it). */
  get size(): number {
    return this.chars;
  }

  private async readQueued(): Promise<void> {
    if (this.reading) return;
    this.reading = true;
    try {
      while (this.queued.size) {
        const batch = [...this.queued.values()].slice(0, 16 * READ_CONCURRENCY);
        for (const file of batch) {
          this.queued.delete(file.uri);
          this.inFlight.add(file);
        }
        const read = await mapLimit(batch, READ_CONCURRENCY, readLines);
        for (const file of batch) this.inFlight.delete(file);
        const loaded = new Set<string>();
        batch.forEach((file, i) => {
          const lines = read[i];
          if (!lines) {
            this.failed.add(file);
            return;
          }
          this.forget(file.uri);
          const chars = lines.reduce((n, l) => n + l.length, 0);
          this.cached.set(file.uri, { file, lines, chars });
          this.chars += chars;
          loaded.add(file.uri);
        });
        // The oldest go first; the batch just read stays even past the budget (it was asked for).
        for (const [uri] of this.cached) {
          if (this.chars <= this.budgetChars || loaded.has(uri)) break;
          this.forget(uri);
        }
        if (loaded.size) this.onLoaded([...loaded]);
      }
    } finally {
      this.reading = false;
    }
  }
}

export class WorkspaceResults {
  private readonly files = new Map<string, WorkspaceFile>();

  /**
   * Stores one file's result; `labels` are the run's label names. A multi-label task's sets are
   * checked here, where they arrive from the worker (checkPredictedSets throws on malformed ones).
   */
  add(uri: string, result: WorkspaceFileResult, labels: string[]): WorkspaceFile {
    const sets = checkPredictedSets({ labels, labelIndex: result.labelIndex, sets: result.sets });
    const file: WorkspaceFile = {
      uri,
      path: result.path,
      bytes: result.bytes,
      columns: result.columns,
      labels,
      labelIndex: result.labelIndex,
      confidence: result.confidence,
      uncertainty: result.uncertainty,
      ...(sets ? { sets } : {}),
    };
    this.files.set(uri, file);
    return file;
  }

  get(uri: string): WorkspaceFile | undefined {
    return this.files.get(uri);
  }

  delete(uri: string): boolean {
    return this.files.delete(uri);
  }

  /** Forgets every file for which `keep` is false; returns the URIs dropped. */
  retain(keep: (file: WorkspaceFile) => boolean): string[] {
    const dropped: string[] = [];
    for (const [uri, file] of this.files) {
      if (keep(file)) continue;
      this.files.delete(uri);
      dropped.push(uri);
    }
    return dropped;
  }

  get size(): number {
    return this.files.size;
  }

  values(): IterableIterator<WorkspaceFile> {
    return this.files.values();
  }

  /** Lines classified over all files. */
  get lineCount(): number {
    let n = 0;
    for (const f of this.files.values()) n += f.labelIndex.length;
    return n;
  }
}

/**
 * The unlabeled line the model is least sure of over every file; `skip` leaves one line out
 * (the cursor's). Linear in the lines of the workspace.
 */
export function mostUncertainInWorkspace(
  files: Iterable<Pick<WorkspaceFile, 'uri' | 'labelIndex' | 'uncertainty'>>,
  labeledOf: (uri: string) => ReadonlySet<number>,
  skip?: { uri: string; line: number },
): { uri: string; line: number; uncertainty: number } | undefined {
  // Per file the same rule as Next Uncertain Line (engine/review.ts), then the least sure file's line.
  let best: { uri: string; line: number; uncertainty: number } | undefined;
  for (const file of files) {
    const labeled = labeledOf(file.uri);
    const { labelIndex, uncertainty } = file;
    const eligible = (line: number) =>
      labelIndex[line]! >= 0 && !labeled.has(line) && !(skip && skip.uri === file.uri && skip.line === line);
    const line = leastCertainLines(uncertainty, eligible, 1)[0];
    if (line !== undefined && (!best || uncertainty[line]! > best.uncertainty))
      best = { uri: file.uri, line, uncertainty: uncertainty[line]! };
  }
  return best;
}

/** Why a file was skipped, for the log (the summary says it in the user's language: workspaceRun.ts). */
export const SKIP_WORDS: Record<WorkspaceSkip['reason'], string> = { binary: 'binary', 'too-large': 'too large', unreadable: 'unreadable' };
