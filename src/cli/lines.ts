// The unlabeled lines of the files given to `classify`/`demo`: non-empty, not already labeled,
// no NUL bytes, cut to a sane length. Shared by the pool pass and the classification pass.
import { readLines } from '../engine/data';

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
}

export const emptyCounts = (): LineCounts => ({ classified: 0, empty: 0, labeled: 0, binary: 0, truncated: 0 });

/** Yields the lines to classify; `counts` records what was skipped and why. */
export async function* unlabeledLines(
  files: readonly string[],
  labeledTexts: ReadonlySet<string>,
  counts: LineCounts,
): AsyncGenerator<SourceLine> {
  for (const file of files) {
    for await (const { line, text: raw } of readLines(file)) {
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
  if (counts.truncated) notes.push(`${counts.truncated} line(s) longer than ${MAX_LINE_CHARS} characters, classified on their start`);
  return notes;
}
