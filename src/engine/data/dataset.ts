// Writes a structured document's records back with their labels (Export Dataset): the same format,
// every source field kept, plus a label, where it came from and the model's confidence. Pure.
import { stringify } from 'csv-stringify/sync';
import type { FullRecord, RecordTable } from './records';

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

/** The names of the three added columns; `fewshot_` in front when the source already has one. */
export function labelColumnNames(existing: readonly string[]): { label: string; source: string; confidence: string } {
  const taken = new Set(existing);
  const name = (n: string) => (taken.has(n) ? `fewshot_${n}` : n);
  return { label: name('label'), source: name('label_source'), confidence: name('confidence') };
}

/**
 * A cell a spreadsheet would run as a formula (it starts with = + - @, a tab or a carriage return)
 * gets a leading apostrophe, the usual guard (OWASP "CSV injection"). Plain numbers such as -3.5
 * stay numbers.
 */
export function formulaSafe(cell: string): string {
  if (!/^[=+\-@\t\r]/.test(cell)) return cell;
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(cell)) return cell;
  return `'${cell}`;
}

const roundConfidence = (c: number | undefined) => (c === undefined || !Number.isFinite(c) ? undefined : Math.round(c * 1000) / 1000);

/**
 * The export of `table` (parsed from `source`): the source's line ending and BOM are kept. Records
 * are written in order; `labelOf(i)` gives record i's label, or undefined for an unlabeled record.
 */
export function writeDataset(table: RecordTable<FullRecord>, source: string, labelOf: (index: number) => RecordLabel | undefined): string {
  const eol = /\r\n/.test(source.slice(0, 65536)) ? '\r\n' : '\n';
  const bom = source.startsWith('\uFEFF') ? '\uFEFF' : '';
  if (table.format === 'jsonl') {
    // Any field, not only the string ones the columns list, must keep its name.
    const keys = new Set<string>();
    for (const r of table.records) if (!Array.isArray(r.fields)) for (const k of Object.keys(r.fields)) keys.add(k);
    const names = labelColumnNames([...keys]);
    return (
      bom +
      table.records
        .map((r, i) => {
          const l = labelOf(i);
          const fields = Array.isArray(r.fields) ? {} : r.fields;
          const row = {
            ...fields,
            [names.label]: l?.label ?? null,
            [names.source]: l?.source ?? null,
            [names.confidence]: roundConfidence(l?.confidence) ?? null,
          };
          return `${JSON.stringify(row)}${eol}`;
        })
        .join('')
    );
  }
  const names = labelColumnNames(table.columns);
  const width = table.columns.length;
  const header = [...table.columns, names.label, names.source, names.confidence];
  const rows = table.records.map((r, i) => {
    const cells = Array.isArray(r.fields) ? r.fields : [];
    const l = labelOf(i);
    const padded = Array.from({ length: width }, (_, k) => cells[k] ?? '');
    return [...padded, l?.label ?? '', l?.source ?? '', String(roundConfidence(l?.confidence) ?? '')].map(formulaSafe);
  });
  return (
    bom +
    stringify([header.map(formulaSafe), ...rows], {
      delimiter: table.format === 'tsv' ? '\t' : ',',
      record_delimiter: eol === '\r\n' ? 'windows' : 'unix',
    })
  );
}
