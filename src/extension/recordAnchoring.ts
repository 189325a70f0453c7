// Keeping labels on their lines through edits, the parts that are arithmetic on line numbers:
// an editor change as line edits (for anchor.ts's shift of plain documents), and, for structured
// documents (CSV, TSV, JSONL: labels sit on records), which labeled records an edit touched, moved
// or deleted before the worker has read the new version, and what then becomes of each label.
// vscode-free: changes and units are plain shapes, so the unit tests drive it without an editor.
import type { LineEdit } from './anchor';

/**
 * A structured document's classified units (its records) as the label store sees them: labels sit
 * on a unit's first line and keep the unit's text (the text column), not the raw line. Provided by
 * structured.ts; plain documents have none and keep one unit per line.
 */
export interface DocumentUnits {
  /** Per line: the unit's text on its first line, '' on every other line (header, continuation, bad line). */
  lines: readonly string[];
  /** The first line of the unit holding `line`; -1 where there is none (the header, a blank line). */
  startOf(line: number): number;
  /** The last line of the unit starting at `line` (itself for a one-line unit). */
  endOf(line: number): number;
}

/** What anchoring reads of an editor change (vscode.TextDocumentContentChangeEvent has these). */
export interface ContentChange {
  range: { start: { line: number; character: number }; end: { line: number }; isEmpty: boolean };
  text: string;
}

/**
 * A structured document's label whose record an edit touched before the new version was read: the
 * label stays on its record and takes the record's new text once it is read. `stored` is the line
 * the store still holds (structured documents are not shifted line by line), `line` where the
 * record's first line is now, `span` how many more lines the record runs.
 */
export interface TouchedRecord {
  /** The task of the label (records of one line carry one label per task). */
  task: string | undefined;
  stored: number;
  line: number;
  span: number;
  label: string;
  /** A multi-label line's set of two or more (labelSet.ts), kept with the new text. */
  labels?: string[];
  touched: boolean;
  deleted: boolean;
}

/** A document's touched records, by task and stored line. */
export type TouchedRecords = Map<string, TouchedRecord>;

export function countLineBreaks(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** An editor change as the line edits anchor.ts shifts plain documents' labels by. */
export function lineEdits(changes: readonly ContentChange[]): LineEdit[] {
  return changes.map((c) => ({ startLine: c.range.start.line, endLine: c.range.end.line, insertedLineBreaks: countLineBreaks(c.text) }));
}

/** The attached labels of a structured document as records no edit has touched yet (`last`: the units last read, for each record's span). */
export function untouchedRecords(
  attached: Iterable<{ task?: string; line: number; label: string; labels?: string[] }>,
  last: DocumentUnits | undefined,
): TouchedRecords {
  const records: TouchedRecords = new Map();
  for (const r of attached) {
    records.set(`${r.task ?? ''}\0${r.line}`, {
      task: r.task,
      stored: r.line,
      line: r.line,
      span: last ? Math.max(0, last.endOf(r.line) - r.line) : 0,
      label: r.label,
      ...(r.labels ? { labels: r.labels } : {}),
      touched: false,
      deleted: false,
    });
  }
  return records;
}

/** Moves, marks touched or deleted the records an editor change reaches (in place). */
export function noteRecordEdits(records: TouchedRecords, changes: readonly ContentChange[]): void {
  const edits = changes.map((c) => ({
    startLine: c.range.start.line,
    endLine: c.range.end.line,
    insertedLineBreaks: countLineBreaks(c.text),
    // Whole lines inserted before a line (at its start, ending in a line break) move it, not edit it.
    insertsAbove: c.range.isEmpty && c.range.start.character === 0 && c.text.endsWith('\n'),
  }));
  for (const t of records.values()) {
    if (t.deleted) continue;
    for (const e of edits) {
      if (e.insertsAbove && e.startLine <= t.line) {
        t.line += e.insertedLineBreaks;
      } else if (e.startLine <= t.line + t.span && e.endLine >= t.line) {
        // Inside the record (or overlapping it): the record is edited, not moved.
        const whole = e.startLine < t.line && e.endLine > t.line + t.span;
        if (whole) t.deleted = true;
        t.touched = true;
        t.span = Math.max(0, t.span + e.insertedLineBreaks - (e.endLine - e.startLine));
        if (e.startLine < t.line) t.line = e.startLine;
      } else if (e.endLine < t.line) {
        t.line += e.insertedLineBreaks - (e.endLine - e.startLine);
      }
    }
  }
}

/** What becomes of a touched record's label once the new version is read. */
export type RecordOutcome =
  | { kind: 'remove'; task: string | undefined; stored: number }
  | { kind: 'retext'; task: string | undefined; stored: number; text: string; label: string; labels?: string[] };

/**
 * Edited records keep their labels with their new text; deleted ones, and ones whose first line is
 * no longer a record's first line or has no text, lose them. Records no edit reached stay as they are.
 */
export function touchedOutcomes(records: TouchedRecords, units: DocumentUnits): RecordOutcome[] {
  const out: RecordOutcome[] = [];
  for (const t of records.values()) {
    if (!t.touched && !t.deleted) continue;
    const text = units.lines[t.line] ?? '';
    if (t.deleted || units.startOf(t.line) !== t.line || text.trim() === '') out.push({ kind: 'remove', task: t.task, stored: t.stored });
    else out.push({ kind: 'retext', task: t.task, stored: t.stored, text, label: t.label, ...(t.labels ? { labels: t.labels } : {}) });
  }
  return out;
}

/**
 * After the text column of a structured document changed: the labels whose record now reads
 * differently, with the record's new text (a label belongs to its record, whatever column is
 * read). A record with no text in the new column keeps its label's old text. Read before any is
 * applied (applying one changes the attached labels).
 */
export function newTexts(
  attached: Iterable<{ line: number; label: string; labels?: string[]; text: string }>,
  units: DocumentUnits,
): Array<{ line: number; label: string; labels?: string[]; text: string }> {
  const out: Array<{ line: number; label: string; labels?: string[]; text: string }> = [];
  for (const r of attached) {
    const text = units.lines[r.line] ?? '';
    if (text.trim() !== '' && text !== r.text) out.push({ line: r.line, label: r.label, ...(r.labels ? { labels: r.labels } : {}), text });
  }
  return out;
}
