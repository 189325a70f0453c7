// A structured file too large to hold (gigabytes of CSV or JSONL, for the CLI) read as records in
// parts of about a megabyte: memory holds one part, whatever the file's size. Each part ends at a
// line break outside any quoted field, so a record is never split; the first part decides the
// header and the text column (as the editor does on the whole file: detection reads 200 records).
import fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { continueRecords, type FullRecord, parseRecords, type RecordFormat, type RecordTable } from './records';

/** One part of the file: its records (lines counted from the part's start) and its text. */
export interface RecordPart {
  table: RecordTable<FullRecord>;
  /** The part's source text: what an export writes each record back from. */
  source: string;
  /** 0-based line of the file where the part starts. */
  firstLine: number;
  /** Whether this is the file's first part (it holds a header, if there is one). */
  first: boolean;
}

/**
 * Characters a part holds before it is cut: about a megabyte. A part's parse (records, cells, the
 * byte offsets) and its output are several times its size; at 4 M characters a 100 MB CSV peaked
 * at 700 MiB and a JSONL at 572 MiB, at 1 M 449 and 377 MiB, and faster (docs/structured.md).
 */
const PART_CHARS = 1 << 20;

/**
 * The file's records, part by part. A part is cut after the last line break at which every
 * quote opened is closed (CSV/TSV: an even number of quote characters before it; an escaped quote
 * counts two). A quote that never closes makes the part grow until the end of the file, as a
 * whole-file parse would read it.
 */
export async function* streamRecords(
  file: string,
  format: RecordFormat,
  column?: string,
  partChars = PART_CHARS,
): AsyncGenerator<RecordPart> {
  let head: RecordTable | undefined;
  let firstLine = 0;
  let pending = '';
  const emit = (text: string): RecordPart => {
    const table = head ? continueRecords(text, head) : parseRecords(text, format, column);
    const part: RecordPart = { table, source: text, firstLine, first: head === undefined };
    head ??= table;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) firstLine++;
    return part;
  };
  const decoder = new StringDecoder('utf8');
  // Small reads when the parts are small (tests), so a part can end inside any read.
  const stream = fs.createReadStream(file, { highWaterMark: Math.min(64 * 1024, partChars) });
  try {
    for await (const chunk of stream) {
      pending += decoder.write(chunk as Buffer);
      if (pending.length < partChars) continue;
      const cut = format === 'jsonl' ? pending.lastIndexOf('\n') + 1 : closedLineEnd(pending);
      if (cut <= 0) continue;
      yield emit(pending.slice(0, cut));
      pending = pending.slice(cut);
    }
  } finally {
    stream.destroy();
  }
  pending += decoder.end();
  if (pending !== '' || head === undefined) yield emit(pending);
}

/** Where the text after the last line break outside quotes starts (0: none yet). */
function closedLineEnd(text: string): number {
  let inside = false;
  let end = 0;
  for (let i = text.indexOf('"'), from = 0; ; i = text.indexOf('"', i + 1)) {
    // Line breaks between the previous quote and this one (or the end) are outside quotes unless a quote is open.
    const stop = i < 0 ? text.length : i;
    if (!inside) {
      const nl = text.lastIndexOf('\n', stop - 1);
      if (nl >= from) end = nl + 1;
    }
    if (i < 0) return end;
    inside = !inside;
    from = i + 1;
  }
}
