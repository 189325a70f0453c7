// A structured file too large to hold (CSV, TSV or JSONL of gigabytes) classified and written back
// with its labels, streamed: the CLI's `classify --format dataset` and the palette's Classify Large
// Dataset File (in the worker) both run it. The file is read part by part (data/recordStream.ts),
// so memory holds one part and one part's output whatever the file's size.
import { type RecordLabel, writeDataset } from './data/dataset';
import { streamRecords } from './data/recordStream';
import type { RecordFormat, RecordProblem } from './data/records';
import { type AdaptedModel, namedPredictions } from './engine';
import { isNoneLabel } from './labels/none';
import type { PoolSampler } from './pool';

/** Longest text classified per record: longer ones are classified on their start (as the CLI's lines). */
export const MAX_RECORD_CHARS = 20_000;

/** Bad rows kept by name in the counts: a report lists the first few, the rest are counted. */
const PROBLEMS_KEPT = 20;

export interface DatasetReading {
  format: RecordFormat;
  /** The text column; absent: detected from the first part's values. */
  column?: string;
  /** Called after each part with the bytes and records read so far; it may throw to stop (a cancel). */
  progress?: (done: { bytes: number; records: number }) => void | Promise<void>;
}

export interface DatasetCounts {
  /** Records read (bad rows not included). */
  records: number;
  classified: number;
  /** Records whose text a person labeled: written with that label. */
  labeled: number;
  /** Records without text (no prediction). */
  empty: number;
  /** Rows that could not be read: left out of the export. */
  unread: number;
  /** The first of those rows, lines counted from the file's start (1-based). */
  problems: RecordProblem[];
  /** The text column the file was read by; undefined when it has none. */
  column: string | undefined;
}

/** Each part's records, with the progress callback after it. */
async function* parts(file: string, how: DatasetReading) {
  let bytes = 0;
  let records = 0;
  for await (const part of streamRecords(file, how.format, how.column)) {
    yield part;
    bytes += Buffer.byteLength(part.source);
    records += part.table.records.length;
    await how.progress?.({ bytes, records });
  }
}

/** The pool pass: every record's non-blank text into `sampler` (the editor's pool is a document's records too). */
export async function sampleRecords(file: string, how: DatasetReading, sampler: PoolSampler): Promise<void> {
  for await (const part of parts(file, how)) {
    for (const r of part.table.records) if (r.text.trim() !== '') sampler.add(r.text.slice(0, MAX_RECORD_CHARS));
  }
}

/**
 * Writes the file back part by part, each record with its label: a person's (`labeled`, by trimmed
 * text), else the model's prediction. `write` may wait (backpressure) before the next part is read.
 */
export async function writeLabeledDataset(
  file: string,
  how: DatasetReading,
  model: AdaptedModel,
  labeled: ReadonlyMap<string, string>,
  write: (chunk: string) => void | Promise<void>,
): Promise<DatasetCounts> {
  const counts: DatasetCounts = { records: 0, classified: 0, labeled: 0, empty: 0, unread: 0, problems: [], column: undefined };
  for await (const part of parts(file, how)) {
    const { table } = part;
    counts.column = table.column;
    counts.records += table.records.length;
    counts.unread += table.problems.length;
    for (const p of table.problems.slice(0, PROBLEMS_KEPT - counts.problems.length))
      counts.problems.push({ line: p.line + part.firstLine, message: p.message });
    const texts = table.records.map((r) => r.text.trim());
    const wanted: number[] = [];
    texts.forEach((t, i) => {
      if (t === '') counts.empty++;
      else if (labeled.has(t)) counts.labeled++;
      else wanted.push(i);
    });
    const predictions = namedPredictions(
      model,
      wanted.map((i) => texts[i]!.slice(0, MAX_RECORD_CHARS)),
    );
    const predicted = new Map(wanted.map((i, k) => [i, predictions[k]!]));
    counts.classified += wanted.length;
    const labelOf = (i: number): RecordLabel | undefined => {
      const label = labeled.get(texts[i]!);
      if (label !== undefined) return { label, source: 'label' };
      const p = predicted.get(i);
      return p && { label: p.label, source: isNoneLabel(p.label) ? 'none' : 'prediction', confidence: p.confidence };
    };
    await write(writeDataset(table, part.source, labelOf, { header: part.first }));
  }
  return counts;
}
