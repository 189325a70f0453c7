// What a workspace run left behind, per file: its text (as the worker read it) and its
// predictions, so closed files reach the panel, the Problems panel, the export and Next
// Uncertain Line without being opened or read again on the main thread. No vscode import: the
// benchmark keeps results with this same code.
import type { WorkspaceFileResult, WorkspaceProgress, WorkspaceSkip } from '../protocol/workspace';
import { capEntries, type DocumentPredictions, type DiagnosticEntry, type DiagnosticOptions } from './diagnosticEntries';

export interface WorkspaceFile extends DocumentPredictions {
  /** The file's `Uri.toString()` (the key used by the panel and the label store). */
  uri: string;
  path: string;
  text: string;
  /** Offset of each line's first character in `text`. */
  lineStarts: Uint32Array;
}

/** A diagnostic's place: the line's text from its first non-blank character to its end. */
export interface EntryRange {
  entry: DiagnosticEntry;
  line: number;
  start: number;
  end: number;
}

export function lineStartsOf(text: string): Uint32Array {
  let count = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count++;
  const starts = new Uint32Array(count);
  for (let i = text.indexOf('\n'), k = 1; i >= 0; i = text.indexOf('\n', i + 1)) starts[k++] = i + 1;
  return starts;
}

/** Line `line` of the file without its line break. */
export function lineText(file: Pick<WorkspaceFile, 'text' | 'lineStarts'>, line: number): string {
  const start = file.lineStarts[line]!;
  const next = line + 1 < file.lineStarts.length ? file.lineStarts[line + 1]! - 1 : file.text.length;
  const end = next > start && file.text.charCodeAt(next - 1) === 13 ? next - 1 : next;
  return file.text.slice(start, end);
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
  const ranges = entries.map((entry) => {
    const text = lineText(file, entry.line);
    const start = text.length - text.trimStart().length;
    return { entry, line: entry.line, start, end: text.length };
  });
  return { ranges, total };
}

export class WorkspaceResults {
  private readonly files = new Map<string, WorkspaceFile>();

  /** Stores one file's result; `labels` are the run's label names. */
  add(uri: string, result: WorkspaceFileResult, labels: string[]): WorkspaceFile {
    const file: WorkspaceFile = {
      uri,
      path: result.path,
      text: result.text,
      lineStarts: lineStartsOf(result.text),
      labels,
      labelIndex: result.labelIndex,
      confidence: result.confidence,
      uncertainty: result.uncertainty,
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
  let best: { uri: string; line: number; uncertainty: number } | undefined;
  for (const file of files) {
    const labeled = labeledOf(file.uri);
    const { labelIndex, uncertainty } = file;
    for (let line = 0; line < labelIndex.length; line++) {
      if (labelIndex[line]! < 0 || labeled.has(line)) continue;
      if (skip && skip.uri === file.uri && skip.line === line) continue;
      const u = uncertainty[line]!;
      if (!best || u > best.uncertainty) best = { uri: file.uri, line, uncertainty: u };
    }
  }
  return best;
}

export const SKIP_WORDS: Record<WorkspaceSkip['reason'], string> = { binary: 'binary', 'too-large': 'too large', unreadable: 'unreadable' };

/** Below this much classifying time the rate says more about start-up than about speed: not shown yet. */
const RATE_AFTER_MS = 1000;

/** `1,234 of 5,000 files · 41,000 lines/s · about 12 s left` */
export function progressMessage(p: WorkspaceProgress): string {
  const files = `${p.filesDone.toLocaleString('en')} of ${p.filesTotal.toLocaleString('en')} files`;
  if (p.elapsedMs < RATE_AFTER_MS) return files;
  const rate = p.linesDone / (p.elapsedMs / 1000);
  const left = rate > 0 ? Math.max(0, (p.linesTotal - p.linesDone) / rate) : undefined;
  const eta = left === undefined ? '' : ` · about ${left < 60 ? `${Math.ceil(left)} s` : `${Math.ceil(left / 60)} min`} left`;
  return `${files} · ${Math.round(rate).toLocaleString('en')} lines/s${eta}`;
}

/** `2 skipped: 1 binary, 1 too large` */
export function skippedSummary(skipped: readonly WorkspaceSkip[]): string {
  if (skipped.length === 0) return '';
  const counts = new Map<string, number>();
  for (const s of skipped) counts.set(SKIP_WORDS[s.reason], (counts.get(SKIP_WORDS[s.reason]) ?? 0) + 1);
  return `${skipped.length} skipped: ${[...counts].map(([why, n]) => `${n} ${why}`).join(', ')}`;
}
