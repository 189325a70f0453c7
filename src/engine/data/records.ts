// Structured documents (CSV, TSV, JSONL): which lines hold which record, and the text of the
// record's text column. The classified unit of such a document is the record, not the line. Pure
// (no vscode), so the worker parses off the extension host's main thread and tests drive it directly.
//
// Cost: one csv-parse pass (sync API) plus one pass over the text's bytes to turn the parser's byte
// offsets into line numbers, both linear in the file's size (see bench/records in the README).
import { parse } from 'csv-parse/sync';
import { chooseTextField } from './textField';

export type RecordFormat = 'csv' | 'tsv' | 'jsonl';

/** One record: where it sits in the document and the text the model sees. */
export interface DataRecord {
  /** 0-based line of the record's first character: its labels, diagnostics and decorations sit here. */
  line: number;
  /** 0-based line of its last character (after `line` when a quoted field spans lines). */
  endLine: number;
  /** The text column's value; '' when the record has no such field (it gets no prediction). */
  text: string;
}

/** A record with every field, for the export. */
export interface FullRecord extends DataRecord {
  /** CSV/TSV: the cells in order. JSONL: the parsed object. */
  fields: string[] | Record<string, unknown>;
}

export interface RecordProblem {
  /** 1-based line, as editors show it. */
  line: number;
  message: string;
}

export interface RecordTable<R extends DataRecord = DataRecord> {
  format: RecordFormat;
  /**
   * Column names: the header's cells (CSV/TSV), `column N` without a header, or the paths of the
   * string fields seen (JSONL), nested ones joined with dots (`msg.text`).
   */
  columns: string[];
  /** Per column, its first non-empty value (cut to SAMPLE_LENGTH characters): what Choose Text Column shows. */
  samples: string[];
  /** The column whose value is each record's text; undefined when the document has none. */
  column: string | undefined;
  /** 0-based line of the header row; -1 when there is none (JSONL, or a CSV whose first row is data). */
  headerLine: number;
  records: R[];
  problems: RecordProblem[];
}

/** Longest sample value a table carries per column. */
const SAMPLE_LENGTH = 120;

/** Names taken as the text column when their values look like text, in order of preference (case-insensitive). */
export const TEXT_COLUMN_NAMES = ['text', 'message', 'body', 'content', 'description', 'comment', 'utterance', 'sentence'] as const;

/** The structured format of a file by its name, or undefined for a plain text file. */
export function formatOfPath(fileName: string): RecordFormat | undefined {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.tsv') || lower.endsWith('.tab')) return 'tsv';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  return undefined;
}

/** Parses a document into records whose text is `column` (or the detected text column). */
export function parseRecords(text: string, format: RecordFormat, column?: string): RecordTable<FullRecord> {
  return format === 'jsonl' ? parseJsonl(text, column) : parseDelimited(text, format, column);
}

/**
 * The records of a later part of a document too large to parse at once (recordStream.ts), read
 * the way `head`, the table of its first part, decided: the same columns and text column, and no
 * header (a delimited part's every row is a record). Lines count from the part's start.
 */
export function continueRecords(text: string, head: RecordTable): RecordTable<FullRecord> {
  if (head.format === 'jsonl') {
    const part = parseJsonl(text, head.column);
    // No text field in the first part: none in this one either (a few records must not decide otherwise).
    const records = head.column === undefined ? part.records.map((r) => ({ ...r, text: '' })) : part.records;
    return { ...part, columns: head.columns, samples: head.samples, column: head.column, records };
  }
  const { rows, problems } = readRows(text, head.format === 'tsv' ? '\t' : ',');
  const index = head.column === undefined ? -1 : head.columns.indexOf(head.column);
  return {
    ...head,
    headerLine: -1,
    records: rows.map((r) => ({ line: r.line, endLine: r.endLine, text: index >= 0 ? (r.cells[index] ?? '') : '', fields: r.cells })),
    problems,
  };
}

/** The table without the fields: what the worker sends the extension host. */
export function withoutFields(table: RecordTable<FullRecord>): RecordTable {
  return { ...table, records: table.records.map(({ line, endLine, text }) => ({ line, endLine, text })) };
}

/**
 * A table as it crosses from the worker to the extension host: every text in one string and the
 * positions in typed arrays. A structured clone of 100,000 record objects costs the receiving
 * thread hundreds of milliseconds; a few buffers and one string cost a copy (bench/records.ts).
 */
export interface PackedTable extends Omit<RecordTable, 'records'> {
  lines: Int32Array;
  endLines: Int32Array;
  /** Where each record's text ends in `texts` (it starts where the previous one ends). */
  ends: Int32Array;
  texts: string;
}

export function packTable(table: RecordTable): PackedTable {
  const { records, ...rest } = table;
  const n = records.length;
  const lines = new Int32Array(n);
  const endLines = new Int32Array(n);
  const ends = new Int32Array(n);
  let offset = 0;
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    lines[i] = r.line;
    endLines[i] = r.endLine;
    offset += r.text.length;
    ends[i] = offset;
  }
  return { ...rest, lines, endLines, ends, texts: records.map((r) => r.text).join('') };
}

/** Records unpacked per main-thread task on the extension host: a few milliseconds each (bench/records.ts). */
export const UNPACK_CHUNK = 2000;

/** Records `from` .. `to` (exclusive) of a packed table, appended to `into`. */
export function unpackRecords(packed: PackedTable, from: number, to: number, into: DataRecord[]): void {
  for (let i = from; i < to; i++) {
    into.push({
      line: packed.lines[i]!,
      endLine: packed.endLines[i]!,
      text: packed.texts.slice(i ? packed.ends[i - 1]! : 0, packed.ends[i]!),
    });
  }
}

/**
 * Per line of the document: the record's text on its first line, '' on every other line (the
 * header, a quoted field's later lines, bad lines). Line-based code (the classifier, which skips
 * empty lines, and the label anchoring) then treats each record as one line.
 */
export function unitLines(table: RecordTable, lineCount: number): string[] {
  const units = new Array<string>(lineCount).fill('');
  for (const r of table.records) if (r.line < lineCount) units[r.line] = r.text;
  return units;
}

/** The record holding a 0-based line (any of its lines), by binary search; undefined for the header, blank or bad lines. */
export function recordAt<R extends DataRecord>(table: RecordTable<R>, line: number): R | undefined {
  const records = table.records;
  let lo = 0;
  let hi = records.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const r = records[mid]!;
    if (line < r.line) hi = mid - 1;
    else if (line > r.endLine) lo = mid + 1;
    else return r;
  }
  return undefined;
}

// ---- CSV / TSV -------------------------------------------------------------------------------

interface ParsedRow {
  cells: string[];
  line: number;
  endLine: number;
}

function parseDelimited(text: string, format: 'csv' | 'tsv', column: string | undefined): RecordTable<FullRecord> {
  const { rows, problems } = readRows(text, format === 'tsv' ? '\t' : ',');
  const first = rows[0];
  const hasHeader = first !== undefined && looksLikeHeader(first.cells, rows.slice(1, 50));
  const width = rows.reduce((w, r) => Math.max(w, r.cells.length), 0);
  const columns = hasHeader ? first.cells.map((c, i) => c.trim() || `column ${i + 1}`) : [];
  for (let i = columns.length; i < width; i++) columns.push(`column ${i + 1}`);
  const data = hasHeader ? rows.slice(1) : rows;
  const valuesOf = (i: number) => data.slice(0, SAMPLED).map((r) => r.cells[i] ?? '');
  const index = chooseColumn(columns, column, valuesOf, hasHeader);
  const records: FullRecord[] = data.map((r) => ({
    line: r.line,
    endLine: r.endLine,
    text: index >= 0 ? (r.cells[index] ?? '') : '',
    fields: r.cells,
  }));
  return {
    format,
    columns,
    samples: columns.map((_, i) => sampleOf(valuesOf(i))),
    column: index >= 0 ? columns[index] : undefined,
    headerLine: hasHeader ? first.line : -1,
    records,
    problems,
  };
}

/**
 * Parses after a row that cannot be read at most this many times: a quote never closed makes the
 * parser read to the end before it fails, so each restart costs a pass over the rest of the file.
 */
const MAX_BAD_ROWS = 20;

/**
 * Rows with their line ranges. A row the parser cannot read (a quote never closed, a closing quote
 * followed by text) is reported and left out, and the parse starts again on the line after its
 * first line, so one stray quote costs one row, not the rest of the file. Past MAX_BAD_ROWS the
 * lines from the last one on are left out.
 */
function readRows(text: string, delimiter: string): { rows: ParsedRow[]; problems: RecordProblem[] } {
  const lines = new ByteLines(text);
  const rows: ParsedRow[] = [];
  const problems: RecordProblem[] = [];
  for (let from = 0; from < lines.count; ) {
    const base = lines.byteStart(from);
    let start = base;
    try {
      parse(text.slice(lines.charStart(from)), {
        bom: true,
        delimiter,
        // Both line endings; a lone \r is not one (it would count CRLF twice).
        record_delimiter: ['\r\n', '\n'],
        relax_column_count: true,
        // A stray quote inside an unquoted field is kept as a character, as spreadsheets do.
        relax_quotes: true,
        skip_empty_lines: true,
        on_record: (record: string[], context: { bytes: number }) => {
          const at = start;
          start = base + context.bytes;
          if (record.every((c) => c.trim() === '')) return null;
          const line = lines.lineAtByte(lines.skipBreaks(at));
          const endLine = lines.lineAtByte(lines.lastContentByte(at, start));
          if (endLine > line) {
            const bad = badQuotedField(lines.slice(lines.skipBreaks(at), start), delimiter);
            // Thrown before `start` moves on: the catch below reports this record's first line.
            if (bad) {
              start = at;
              throw new Error(bad);
            }
          }
          rows.push({ cells: record, line, endLine });
          return null;
        },
      });
      break;
    } catch (error) {
      const line = lines.lineAtByte(lines.skipBreaks(start));
      // The parser's own line number counts from where this parse started: the problem's line is the one to show.
      const why = error instanceof Error ? error.message.replace(/^[A-Za-z ]+: /, '').replace(/ at line \d+$/, '') : String(error);
      const last = problems.length + 1 === MAX_BAD_ROWS;
      problems.push({
        line: line + 1,
        message: last
          ? `cannot read the record starting here (${why}); the lines from here on are not classified`
          : `cannot read the record starting here (${why}); it is not classified, the lines after it are`,
      });
      if (last) break;
      from = line + 1;
    }
  }
  return { rows, problems };
}

/**
 * Why a record's row cannot be read though the relaxed parser took it: a quoted field that spans
 * a line break and whose closing quote is followed by text instead of a delimiter or the row's
 * end (`2,"open 0` then `0,good` then `1,"open 1`: the parser, relaxed, reads the three lines as
 * one cell). Those lines are rows whose quote never closed, so the record is reported, not
 * merged: silently merged rows lose records. On one line the relaxed reading is kept (`"hi" there`
 * stays as written, as spreadsheets read it). Undefined when the record is well formed.
 */
function badQuotedField(raw: string, delimiter: string): string | undefined {
  for (let i = 0; i < raw.length; ) {
    if (raw[i] === '"') {
      let close = raw.indexOf('"', i + 1);
      while (close >= 0 && raw[close + 1] === '"') close = raw.indexOf('"', close + 2);
      // Never closed: the parser reports that itself.
      if (close < 0) return undefined;
      const after = raw[close + 1];
      if (after !== undefined && after !== delimiter && after !== '\r' && after !== '\n' && raw.slice(i, close).includes('\n')) {
        return `a quoted field spanning lines closes before ${JSON.stringify(after)} instead of a delimiter`;
      }
      i = close + 1;
    }
    const next = raw.indexOf(delimiter, i);
    if (next < 0) return undefined;
    i = next + 1;
  }
  return undefined;
}

/**
 * A first row is a header when its cells are distinct, non-empty, short, and none is a number
 * while the rows under it have one in the same column (or the file has no other rows to compare).
 */
function looksLikeHeader(cells: string[], below: ParsedRow[]): boolean {
  const names = cells.map((c) => c.trim());
  if (names.some((c) => c === '' || c.length > 64) || new Set(names).size !== names.length) return false;
  if (names.some(isNumber)) return false;
  if (names.some((c) => TEXT_COLUMN_NAMES.includes(c.toLowerCase() as (typeof TEXT_COLUMN_NAMES)[number]))) return true;
  if (below.length === 0) return true;
  // A column numeric below a non-numeric cell, or text below much shorter: the cell names it.
  return names.some((_, i) => {
    const values = below.map((r) => r.cells[i] ?? '').filter((v) => v.trim() !== '');
    if (values.length === 0) return false;
    if (values.every(isNumber)) return true;
    const mean = values.reduce((s, v) => s + v.length, 0) / values.length;
    return mean > 2 * names[i]!.length;
  });
}

const isNumber = (s: string) => s.trim() !== '' && Number.isFinite(Number(s.trim()));

/** Records sampled per column to detect the text column. */
const SAMPLED = 200;

/**
 * The text column: the one asked for when it exists, else the one whose values look most like
 * natural-language text (textField.ts; a common text name from a header wins when its values
 * do). -1 when there is none.
 */
function chooseColumn(columns: string[], wanted: string | undefined, sample: (i: number) => string[], named: boolean): number {
  if (wanted !== undefined) {
    const i = columns.indexOf(wanted);
    if (i >= 0) return i;
  }
  return chooseTextField(columns, sample, named ? TEXT_COLUMN_NAMES : []);
}

function sampleOf(values: readonly string[]): string {
  // One line: it is shown in a quick pick.
  const v =
    values
      .find((x) => x.trim() !== '')
      ?.trim()
      .replace(/\s+/g, ' ') ?? '';
  return v.length > SAMPLE_LENGTH ? `${v.slice(0, SAMPLE_LENGTH - 1)}…` : v;
}

/**
 * Maps the parser's UTF-8 byte offsets to lines: the byte offset of every line start, found in
 * one pass, then a binary search per lookup.
 */
class ByteLines {
  private readonly bytes: Buffer;
  private readonly starts: number[] = [0];
  /** Where each line starts in the text (UTF-16 units): a parse can start again on any line. */
  private readonly charStarts: number[] = [0];
  constructor(text: string) {
    this.bytes = Buffer.from(text, 'utf8');
    for (let i = this.bytes.indexOf(10); i >= 0; i = this.bytes.indexOf(10, i + 1)) this.starts.push(i + 1);
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.charStarts.push(i + 1);
  }
  get count(): number {
    return this.starts.length;
  }
  byteStart(line: number): number {
    return this.starts[line]!;
  }
  /** The text between two byte offsets. */
  slice(from: number, to: number): string {
    return this.bytes.toString('utf8', from, to);
  }
  charStart(line: number): number {
    return this.charStarts[line]!;
  }
  lineAtByte(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
  /** The first byte at or after `from` that is not a line break or BOM (where a record really starts). */
  skipBreaks(from: number): number {
    let i = from;
    if (i === 0 && this.bytes[0] === 0xef && this.bytes[1] === 0xbb && this.bytes[2] === 0xbf) i = 3;
    while (i < this.bytes.length && (this.bytes[i] === 10 || this.bytes[i] === 13)) i++;
    return i;
  }
  /** The last byte before `end` that is not the record's line break. */
  lastContentByte(from: number, end: number): number {
    let i = end - 1;
    while (i > from && (this.bytes[i] === 10 || this.bytes[i] === 13)) i--;
    return Math.max(i, this.skipBreaks(from));
  }
}

// ---- JSONL -----------------------------------------------------------------------------------

function parseJsonl(text: string, column: string | undefined): RecordTable<FullRecord> {
  const lines = text.split(/\r?\n/);
  if (lines[0]?.startsWith('\uFEFF')) lines[0] = lines[0].slice(1);
  const objects: Array<{ line: number; value: Record<string, unknown> }> = [];
  const problems: RecordProblem[] = [];
  lines.forEach((raw, line) => {
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      problems.push({ line: line + 1, message: 'not valid JSON: the line is not classified' });
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push({ line: line + 1, message: 'not a JSON object: the line is not classified' });
      return;
    }
    objects.push({ line, value: value as Record<string, unknown> });
  });
  // Columns: the paths of the string fields, nested ones included, in the order first seen.
  const seen = new Set<string>();
  for (const o of objects.slice(0, 1000)) addStringPaths(o.value, '', 0, seen);
  const columns = [...seen];
  if (column !== undefined && !seen.has(column)) columns.push(column);
  const valuesOf = (i: number) => objects.slice(0, SAMPLED).map((o) => stringAt(o.value, columns[i]!));
  const index = chooseColumn(columns, column, valuesOf, true);
  const name = index >= 0 ? columns[index] : undefined;
  const records: FullRecord[] = objects.map((o) => ({
    line: o.line,
    endLine: o.line,
    text: name === undefined ? '' : stringAt(o.value, name),
    fields: o.value,
  }));
  return {
    format: 'jsonl',
    columns,
    samples: columns.map((_, i) => sampleOf(valuesOf(i))),
    column: name,
    headerLine: -1,
    records,
    problems,
  };
}

/** Objects nested deeper than this are not searched for text fields. */
const MAX_DEPTH = 4;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function addStringPaths(o: Record<string, unknown>, prefix: string, depth: number, into: Set<string>): void {
  for (const [k, v] of Object.entries(o)) {
    if (typeof v === 'string') into.add(prefix + k);
    else if (isObject(v) && depth + 1 < MAX_DEPTH) addStringPaths(v, `${prefix}${k}.`, depth + 1, into);
  }
}

/**
 * The string at a dotted path: a key holding the whole path first (a field may have a dot in its
 * name), else the object under each leading part of it. '' when there is no string there.
 */
function stringAt(o: Record<string, unknown>, path: string): string {
  const v = o[path];
  if (typeof v === 'string') return v;
  for (let dot = path.indexOf('.'); dot > 0; dot = path.indexOf('.', dot + 1)) {
    const inner = o[path.slice(0, dot)];
    if (isObject(inner)) {
      const found = stringAt(inner, path.slice(dot + 1));
      if (found !== '') return found;
    }
  }
  return '';
}
