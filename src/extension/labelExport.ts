// Export Labels' rows and their file (JSONL or CSV), and Import Labels' reading of either file back
// into label records. A multi-label task's line exports its whole set: JSONL as the label file
// stores it (`labels` beside `label` for two or more), CSV as Export Dataset writes it
// (`billing|bug`, datasetLabelSet: one encoding for both exports). No vscode import.
import { datasetLabelSet, formulaUnguarded, parseDatasetLabelSet } from '../engine/data/dataset';
import { parseRecords } from '../engine/data/records';
import { isNoneLabel } from '../engine/labels/none';
import { type DocumentPredictions, predictedSet } from './diagnosticEntries';
import { type FileProblem, type LabelRecord, parseLabels, toCsv } from './labelFile';
import { labelSetOf, type SetFields, setFields } from './labelSet';

export interface ExportRow {
  document: string;
  /** 1-based, as in the label file. */
  line: number;
  text: string;
  label: string;
  /** A multi-label task's set of two or more, sorted, `label` its first member (as the label file stores it). */
  labels?: string[];
  /** `none`: the model predicts that the line fits no label (a multi-label line: the empty set). */
  source: 'label' | 'prediction' | 'none';
  confidence?: number;
  /** The task (label set), as in the label file: absent for the default task. Predictions are the active task's. */
  task?: string;
}

/** A task field (absent: the default task) is multi-label. */
export type IsMultiLabel = (task: string | undefined) => boolean;

/** A labeled record's label fields in the export: a multi-label task's whole set, else its label. */
export function labeledRowFields(record: SetFields, multiLabel: boolean): Pick<ExportRow, 'label' | 'labels'> {
  return multiLabel ? setFields(labelSetOf(record)) : { label: record.label };
}

/**
 * A predicted line's fields in the export, or undefined for a line without a prediction. A set's
 * confidence is its least probable label's (as in Export Dataset); the empty set's, that none applies.
 */
export function predictedRowFields(
  p: DocumentPredictions,
  line: number,
): Pick<ExportRow, 'label' | 'labels' | 'source' | 'confidence'> | undefined {
  const index = p.labelIndex[line] ?? -1;
  if (index < 0) return undefined;
  const round = (c: number) => Math.round(c * 1000) / 1000;
  const set = predictedSet(p, line);
  if (set?.length)
    return { ...setFields(set.map((x) => x.label)), source: 'prediction', confidence: round(Math.min(...set.map((x) => x.confidence))) };
  const label = p.labels[index]!;
  return { label, source: isNoneLabel(label) ? 'none' : 'prediction', confidence: round(p.confidence[line]!) };
}

/** The columns of an Export Labels CSV (then `task` once a row is of another task than the default one). */
const CSV_COLUMNS = ['document', 'line', 'text', 'label', 'source', 'confidence'] as const;

/** The export file's text: JSONL (a row per line, as built) or CSV (a multi-label row's set as `a|b`). */
export function labelExportContent(rows: readonly ExportRow[], format: 'jsonl' | 'csv', isMultiLabel: IsMultiLabel): string {
  if (format === 'jsonl') return rows.map((r) => `${JSON.stringify(r)}\n`).join('');
  const tasks = rows.some((r) => r.task !== undefined);
  return toCsv(
    [...CSV_COLUMNS, ...(tasks ? ['task'] : [])],
    rows.map((r) => [
      r.document,
      r.line,
      r.text,
      isMultiLabel(r.task) ? datasetLabelSet(labelSetOf(r)) : r.label,
      r.source,
      r.confidence ?? '',
      ...(tasks ? [r.task ?? ''] : []),
    ]),
  );
}

export interface ImportedLabels {
  records: LabelRecord[];
  /** Rows that are not labels (bad JSON or CSV, a missing field...), by their line in the file. */
  problems: FileProblem[];
  /** Rows of the model's predictions (`none` included): not labels, left out. */
  predictions: number;
  /**
   * Rows that give a set of two or more labels to a task that is not multi-label here: the import
   * refuses them rather than keep one label of each set.
   */
  setsForSingleLabel: Array<{ line: number; task: string | undefined }>;
}

/** A row's place in the file (1-based) and its task field. */
type RowOfTask = { line: number; task: string | undefined };

/**
 * An Export Labels file (or a label file) read back into records; for a CSV without the export's
 * columns, the columns it lacks. JSONL: each row as the label file reads it (`labels` included).
 * CSV: the header names the columns; a multi-label task's label cell is read as a set (`a|b`), any
 * other task's as one name, except that a cell that splits at a bare `|` into several names and is
 * not one of the task's `knownLabels` is taken for a set (and refused).
 */
export function readLabelExport(
  content: string,
  format: 'jsonl' | 'csv',
  isMultiLabel: IsMultiLabel,
  knownLabels: (task: string | undefined) => ReadonlySet<string>,
): ImportedLabels | { missingColumns: string[] } {
  const rows = format === 'csv' ? csvAsJsonl(content, isMultiLabel, knownLabels) : jsonlRows(content);
  if ('missingColumns' in rows) return rows;
  const parsed = parseLabels(rows.lines.join('\n'));
  const setsForSingleLabel = [...rows.setsForSingleLabel];
  const records: LabelRecord[] = [];
  // parseLabels keeps the records in file order, leaving out blank lines and problems: each record's line again.
  const problemLines = new Set(parsed.problems.map((p) => p.line));
  const recordLines = rows.lines.flatMap((raw, i) => (raw.trim() === '' || problemLines.has(i + 1) ? [] : [i + 1]));
  parsed.records.forEach((r, k) => {
    if (!isMultiLabel(r.task) && labelSetOf(r).length > 1) setsForSingleLabel.push({ line: recordLines[k]!, task: r.task });
    else records.push(r);
  });
  setsForSingleLabel.sort((a, b) => a.line - b.line);
  const problems = [...rows.problems, ...parsed.problems].sort((a, b) => a.line - b.line);
  return { records, problems, predictions: rows.predictions, setsForSingleLabel };
}

/** The file's rows as label-file lines (a blank line where a row was left out) and what was left out. */
interface Rows {
  lines: string[];
  predictions: number;
  problems: FileProblem[];
  setsForSingleLabel: RowOfTask[];
}

const isPrediction = (source: unknown) => source === 'prediction' || source === 'none';

/** A JSONL export: its predictions blanked out (line numbers of any problems stay right). */
function jsonlRows(content: string): Rows {
  let predictions = 0;
  const lines = content.split(/\r?\n/).map((raw) => {
    try {
      if (isPrediction((JSON.parse(raw) as { source?: unknown }).source)) {
        predictions++;
        return '';
      }
    } catch {
      // not JSON: parseLabels reports it with its line number
    }
    return raw;
  });
  return { lines, predictions, problems: [], setsForSingleLabel: [] };
}

/**
 * An Export Labels CSV as label-file lines, each record on the line it starts on (so a problem's
 * line number is the CSV's). The export's `source` and `confidence` columns are not kept.
 */
function csvAsJsonl(
  content: string,
  isMultiLabel: IsMultiLabel,
  knownLabels: (task: string | undefined) => ReadonlySet<string>,
): Rows | { missingColumns: string[] } {
  const table = parseRecords(content, 'csv', 'text');
  const at = Object.fromEntries(['document', 'line', 'text', 'label', 'source', 'task'].map((c) => [c, table.columns.indexOf(c)]));
  const missingColumns = table.headerLine < 0 ? [...CSV_COLUMNS] : CSV_COLUMNS.filter((c) => c !== 'confidence' && at[c]! < 0);
  if (missingColumns.length) return { missingColumns };
  const lines = content.split(/\r?\n/).map(() => '');
  const out: Rows = { lines, predictions: 0, problems: table.problems, setsForSingleLabel: [] };
  for (const r of table.records) {
    const cells = Array.isArray(r.fields) ? r.fields.map(formulaUnguarded) : [];
    const cell = (name: string) => cells[at[name]!] ?? '';
    if (isPrediction(cell('source'))) {
      out.predictions++;
      continue;
    }
    const task = cell('task') === '' ? undefined : cell('task');
    const label = cell('label');
    const set = parseDatasetLabelSet(label);
    if (!isMultiLabel(task) && set.length > 1 && !knownLabels(task).has(label.trim())) {
      out.setsForSingleLabel.push({ line: r.line + 1, task });
      continue;
    }
    const line = Number(cell('line'));
    lines[r.line] = JSON.stringify({
      document: cell('document'),
      // A line that is not a number stays text: the label file's reader names the problem.
      line: cell('line').trim() !== '' && Number.isInteger(line) ? line : cell('line'),
      text: cell('text'),
      // An empty cell is a missing label (the reader says so), not the empty set.
      ...(isMultiLabel(task) && label.trim() !== '' ? setFields(set) : { label }),
      ...(task === undefined ? {} : { task }),
    });
  }
  return out;
}
