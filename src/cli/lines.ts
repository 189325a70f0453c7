// The unlabeled lines of the files given to `classify`/`demo`: non-empty, not already labeled,
// no NUL bytes, cut to a sane length. Shared by the pool pass and the classification pass. A CSV,
// TSV or JSONL file's units are its records' text column (streamed: src/engine/data/recordStream.ts),
// each numbered by its first line, as the editor classifies it.
import { type NumberedLine, readLines } from '../engine/data';
import { streamRecords } from '../engine/data/recordStream';
import { formatOfPath } from '../engine/data/records';

/** Longer lines are classified on their first this-many characters (a 10 MB "line" is not a sentence). */
export const MAX_LINE_CHARS = 20_000;

export interface SourceLine {
  file: string;
  line: number;
  text: string;
}

export interface LineCounts {
  classified: number;
  empty: number;
  labeled: number;
  binary: number;
  truncated: number;
  /** Records of a structured file that could not be read (an invalid JSONL line, an unclosed quote). */
  unread: number;
}

export const emptyCounts = (): LineCounts => ({ classified: 0, empty: 0, labeled: 0, binary: 0, truncated: 0, unread: 0 });

/** A file's units with the line each starts on: its lines, or a structured file's records. */
async function* unitsOfFile(file: string, counts: LineCounts): AsyncGenerator<NumberedLine> {
  const format = formatOfPath(file);
  if (!format) {
    yield* readLines(file);
    return;
  }
  for await (const part of streamRecords(file, format)) {
    counts.unread += part.table.problems.length;
    for (const r of part.table.records) yield { line: part.firstLine + r.line + 1, text: r.text };
  }
}

/** Yields the lines to classify; `counts` records what was skipped and why. */
export async function* unlabeledLines(
  files: readonly string[],
  labeledTexts: ReadonlySet<string>,
  counts: LineCounts,
): AsyncGenerator<SourceLine> {
  for (const file of files) {
    for await (const { line, text: raw } of unitsOfFile(file, counts)) {
      const text = raw.trim();
      if (text === '') counts.empty++;
      else if (labeledTexts.has(text)) counts.labeled++;
      else if (text.includes('\u0000')) counts.binary++;
      else {
        const long = text.length > MAX_LINE_CHARS;
        if (long) counts.truncated++;
        yield { file, line, text: long ? text.slice(0, MAX_LINE_CHARS) : text };
      }
    }
  }
}

/** Messages for stderr about lines that were skipped or shortened. */
export function skipNotes(counts: LineCounts): string[] {
  const notes: string[] = [];
  if (counts.labeled) notes.push(`${counts.labeled} line(s) already labeled, skipped`);
  if (counts.binary) notes.push(`${counts.binary} line(s) with NUL bytes, skipped`);
  if (counts.unread) notes.push(`${counts.unread} record(s) could not be read (invalid JSON, an unclosed quote), skipped`);
  if (counts.truncated) notes.push(`${counts.truncated} line(s) longer than ${MAX_LINE_CHARS} characters, classified on their start`);
  return notes;
}
