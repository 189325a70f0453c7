// Writes a structured document's records back with their labels (Export Dataset): the same format,
// every source field kept, plus a label, where it came from and the model's confidence. Pure.
import { stringify } from 'csv-stringify/sync';
import { NONE_LABEL } from '../labels/none';
import { fillMessage } from './labelName';
import type { FullRecord, RecordProblem, RecordTable } from './records';

/**
 * Where a record's label comes from: a person's `label` (the built-in `none` included), the
 * model's `prediction`, or `none` when the model predicts that it fits no label.
 */
export type LabelSource = 'label' | 'prediction' | 'none';

export interface RecordLabel {
  label: string;
  source: LabelSource;
  /** The model's confidence, 0..1; absent for a person's label. */
  confidence?: number;
}

/** Between a multi-label record's labels in its label column: `bug|billing`. */
const LABEL_SET_SEPARATOR = '|';

/**
 * A multi-label record's set as one label value: the names sorted and joined by `|`, a `|` or `\`
 * inside a name escaped with `\` (so the value splits back into the names); the empty set is `none`.
 * The column's quoting is the writer's (csv-stringify), like any field.
 */
export function datasetLabelSet(labels: readonly string[]): string {
  if (labels.length === 0) return NONE_LABEL;
  return [...labels]
    .sort()
    .map((l) => l.replace(/[\\|]/g, (c) => `\\${c}`))
    .join(LABEL_SET_SEPARATOR);
}

/**
 * The names of a value `datasetLabelSet` wrote, sorted: split at each bare `|`, each `\` and the
 * character after it read as that character; `none` (or an empty value) is the empty set. A value
 * without `|` or `\` is one name, so a single-label value reads as itself.
 */
export function parseDatasetLabelSet(value: string): string[] {
  if (value === NONE_LABEL || value === '') return [];
  const names: string[] = [];
  let name = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\' && i + 1 < value.length) name += value[++i];
    else if (c === LABEL_SET_SEPARATOR) {
      names.push(name);
      name = '';
    } else name += c;
  }
  names.push(name);
  return [...new Set(names)].filter((n) => n !== '' && n !== NONE_LABEL).sort();
}

/** The names of the three added columns; `fewshot_` in front when the source already has one. */
export function labelColumnNames(existing: readonly string[]): { label: string; source: string; confidence: string } {
  const taken = new Set(existing);
  const name = (n: string) => (taken.has(n) ? `fewshot_${n}` : n);
  return { label: name('label'), source: name('label_source'), confidence: name('confidence') };
}

/** One task's labels of the records (Export Dataset writes a column set per task). */
export interface TaskLabels {
  /** The task's name: its columns are `<task>`, `<task>_source`, `<task>_confidence`. */
  task: string;
  labelOf: (index: number) => RecordLabel | undefined;
}

type ColumnSet = { names: { label: string; source: string; confidence: string }; labelOf: (index: number) => RecordLabel | undefined };

/**
 * The added columns: with one unnamed set, label, label_source and confidence (as before tasks);
 * with tasks, three per task. A name the source (or an earlier task) has gets `fewshot_` in front,
 * then a number.
 */
function columnSets(
  existing: readonly string[],
  labels: ((index: number) => RecordLabel | undefined) | readonly TaskLabels[],
): ColumnSet[] {
  if (typeof labels === 'function') return [{ names: labelColumnNames(existing), labelOf: labels }];
  const taken = new Set(existing);
  const name = (n: string) => {
    let out = taken.has(n) ? `fewshot_${n}` : n;
    for (let k = 2; taken.has(out); k++) out = `fewshot_${n}_${k}`;
    taken.add(out);
    return out;
  };
  return labels.map((t) => ({
    names: { label: name(t.task), source: name(`${t.task}_source`), confidence: name(`${t.task}_confidence`) },
    labelOf: t.labelOf,
  }));
}

/**
 * A cell a spreadsheet would run as a formula (it starts with = + - @, a tab or a carriage return,
 * or the full-width = + - @ some spreadsheets fold to those) gets a leading apostrophe, the usual
 * guard (OWASP "CSV injection"). Plain numbers such as -3.5 stay numbers.
 */
export function formulaSafe(cell: string): string {
  if (!/^[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/.test(cell)) return cell;
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(cell)) return cell;
  return `'${cell}`;
}

/**
 * A cell as it was before formulaSafe: the apostrophe it put in front of a formula-like cell taken
 * away (Import Labels reads an Export Labels CSV back). A cell that began with `'` and a formula
 * character of its own reads one apostrophe short: the guard does not mark the cells it left alone.
 */
export function formulaUnguarded(cell: string): string {
  return /^'[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/.test(cell) ? cell.slice(1) : cell;
}

const roundConfidence = (c: number | undefined) => (c === undefined || !Number.isFinite(c) ? undefined : Math.round(c * 1000) / 1000);

/**
 * The export of `table` (parsed from `source`): the source's line ending and BOM are kept. Records
 * are written in order; `labelOf(i)` gives record i's label, or undefined for an unlabeled record;
 * with a list of tasks, each task's labelOf fills its own columns.
 * `header: false` leaves out a CSV/TSV header: a later part of a file written in parts (the CLI).
 */
export function writeDataset(
  table: RecordTable<FullRecord>,
  source: string,
  labelOf: ((index: number) => RecordLabel | undefined) | readonly TaskLabels[],
  options: { header?: boolean } = {},
): string {
  const eol = /\r\n/.test(source.slice(0, 65536)) ? '\r\n' : '\n';
  const bom = source.startsWith('\uFEFF') ? '\uFEFF' : '';
  if (table.format === 'jsonl') {
    // Any field, not only the string ones the columns list, must keep its name.
    const keys = new Set<string>();
    for (const r of table.records) if (!Array.isArray(r.fields)) for (const k of Object.keys(r.fields)) keys.add(k);
    const sets = columnSets([...keys], labelOf);
    // The source's lines as the parse numbered them (records.ts): each record is written from its
    // own text, so its numbers, escapes and nesting stay exactly as written.
    const lines = source.split(/\r?\n/);
    if (lines[0]?.startsWith('\uFEFF')) lines[0] = lines[0].slice(1);
    return (
      bom +
      table.records
        .map((r, i) => {
          const added = sets.flatMap(({ names, labelOf }) => {
            const l = labelOf(i);
            return [
              [names.label, l?.label ?? null],
              [names.source, l?.source ?? null],
              [names.confidence, roundConfidence(l?.confidence) ?? null],
            ] as const;
          });
          return `${withFields(lines[r.line] ?? '', r.fields, added)}${eol}`;
        })
        .join('')
    );
  }
  const sets = columnSets(table.columns, labelOf);
  const width = table.columns.length;
  const header = [...table.columns, ...sets.flatMap(({ names }) => [names.label, names.source, names.confidence])];
  const rows = table.records.map((r, i) => {
    const cells = Array.isArray(r.fields) ? r.fields : [];
    const padded = Array.from({ length: width }, (_, k) => cells[k] ?? '');
    const added = sets.flatMap(({ labelOf }) => {
      const l = labelOf(i);
      return [l?.label ?? '', l?.source ?? '', String(roundConfidence(l?.confidence) ?? '')];
    });
    return [...padded, ...added];
  });
  return bom + safeCsv(options.header === false ? rows : [header, ...rows], { delimiter: table.format === 'tsv' ? '\t' : ',', eol });
}

/** Line numbers a message names before it says how many more there are. */
const NAMED_LINES = 5;

/** leftOutNote's wording, English: the log's, and the key of its translation (the extension passes vscode.l10n.t). */
export const LEFT_OUT_NOTES = {
  one: '1 record could not be read and is not in the export (line {0})',
  many: '{0} records could not be read and are not in the export (line {1})',
  more: '{0} and {1} more',
} as const;

/**
 * What an export of a table with these problems leaves out, in one sentence for the message that
 * reports the export; undefined when it leaves nothing out. A bad JSONL line or CSV row is not
 * written (a reader of the export would stop at it); every readable record around it is. In
 * English, or through `translate`, which gets the English template and the parameters.
 */
export function leftOutNote(
  problems: readonly RecordProblem[],
  total = problems.length,
  translate: (message: string, ...args: string[]) => string = (m, ...args) => fillMessage(m, args),
): string | undefined {
  if (total === 0) return undefined;
  const named = problems.slice(0, NAMED_LINES).map((p) => p.line.toLocaleString('en'));
  const lines =
    total > named.length ? translate(LEFT_OUT_NOTES.more, named.join(', '), (total - named.length).toLocaleString('en')) : named.join(', ');
  return total === 1 ? translate(LEFT_OUT_NOTES.one, lines) : translate(LEFT_OUT_NOTES.many, total.toLocaleString('en'), lines);
}

/**
 * Rows as CSV (or TSV) a spreadsheet can open safely: every cell through formulaSafe, and a cell
 * holding any line break quoted, a lone carriage return included (csv-stringify leaves that bare
 * once the record delimiter is set, and a reader that ends rows at CR would start a row inside the
 * cell, past the formula guard). Export Dataset and Export Labels both write through here.
 */
export function safeCsv(rows: ReadonlyArray<readonly string[]>, options: { delimiter?: ',' | '\t'; eol?: '\n' | '\r\n' } = {}): string {
  return stringify(
    rows.map((r) => r.map(formulaSafe)),
    {
      delimiter: options.delimiter ?? ',',
      record_delimiter: options.eol === '\r\n' ? 'windows' : 'unix',
      quote_record_delimiter: true,
    },
  );
}

/**
 * A JSONL record's source line with `added` fields appended before its closing brace. The source
 * line is a JSON object (the parse kept only those), so the text between its braces is its members
 * as written; a carriage return can only be whitespace there and becomes a space, so no reader
 * splits the line. Should the line not be the record's object, the parsed record is written instead.
 */
function withFields(raw: string, fields: FullRecord['fields'], added: ReadonlyArray<readonly [string, string | number | null]>): string {
  const tail = added.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',');
  const body = raw.trim();
  if (body.startsWith('{') && body.endsWith('}')) {
    const members = body.slice(1, -1).replace(/\r/g, ' ');
    return `{${members}${members.trim() === '' ? '' : ','}${tail}}`;
  }
  return JSON.stringify({ ...(Array.isArray(fields) ? {} : fields), ...Object.fromEntries(added) });
}
