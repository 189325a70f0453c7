// Export Labels' file and Import Labels' reading of it: a multi-label task's sets go out whole (JSONL
// as the label file stores them, CSV as Export Dataset writes them) and come back as the same sets;
// a single-label task is never handed one label of a set.
import * as assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { type ExportRow, labelExportContent, labeledRowFields, predictedRowFields, readLabelExport } from '../../src/extension/labelExport';
import type { LabelRecord } from '../../src/extension/labelFile';
import { labelSetOf } from '../../src/extension/labelSet';

/** The task `topics` is multi-label; the default task (and any other) single-label. */
const isMultiLabel = (task: string | undefined) => task === 'topics';
const noLabels = () => new Set<string>();

/** Labeled records of both tasks: sets of two and three (names with `|`, `\`, commas, quotes), one label, none. */
const stored: LabelRecord[] = [
  { document: 'a.txt', line: 0, text: 'invoice crash', label: 'billing', labels: ['billing', 'bug'], task: 'topics' },
  { document: 'a.txt', line: 1, text: '=SUM(A1) is wrong', label: 'a|b', labels: ['a|b', 'c\\d', 'x, "y"'], task: 'topics' },
  { document: 'a.txt', line: 2, text: 'just a bug', label: 'bug', task: 'topics' },
  { document: 'a.txt', line: 3, text: 'hello there', label: 'none', task: 'topics' },
  { document: 'b.txt', line: 4, text: '"quoted", with comma', label: 'billing' },
  { document: 'b.txt', line: 5, text: 'a pipe | in text', label: 'left|right' },
];

const rowsOf = (records: readonly LabelRecord[]): ExportRow[] =>
  records.map((r) => ({
    document: r.document,
    line: r.line + 1,
    text: r.text,
    ...labeledRowFields(r, isMultiLabel(r.task)),
    source: 'label',
    ...(r.task === undefined ? {} : { task: r.task }),
  }));

/** Each record as `document:line:task:set`, what a round trip must keep. */
const sets = (records: readonly LabelRecord[]) =>
  records.map((r) => `${r.document}:${r.line}:${r.task ?? ''}:${labelSetOf(r).join('+') || 'none'}|${r.text}`);

function imported(content: string, format: 'jsonl' | 'csv', known: (task: string | undefined) => ReadonlySet<string> = noLabels) {
  const read = readLabelExport(content, format, isMultiLabel, known);
  if ('missingColumns' in read) assert.fail(`missing columns ${read.missingColumns.join(', ')}`);
  return read;
}

describe('Export Labels and Import Labels: label sets', () => {
  it('JSONL: a set exports `labels` beside `label` as stored, and imports as the same sets', () => {
    const content = labelExportContent(rowsOf(stored), 'jsonl', isMultiLabel);
    const rows = content
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ExportRow);
    assert.deepEqual(rows[0], {
      document: 'a.txt',
      line: 1,
      text: 'invoice crash',
      label: 'billing',
      labels: ['billing', 'bug'],
      source: 'label',
      task: 'topics',
    });
    assert.deepEqual(
      rows.map((r) => r.labels),
      [['billing', 'bug'], ['a|b', 'c\\d', 'x, "y"'], undefined, undefined, undefined, undefined],
    );
    const read = imported(content, 'jsonl', () => new Set(['left|right']));
    assert.deepEqual(sets(read.records), sets(stored));
    assert.deepEqual(read.problems, []);
    assert.deepEqual(read.setsForSingleLabel, []);
  });

  it("CSV: a multi-label row's label is its set as `a|b` (Export Dataset's encoding, | and \\ escaped) and imports as the same sets", () => {
    const content = labelExportContent(rowsOf(stored), 'csv', isMultiLabel);
    const cells = parse(content) as string[][];
    assert.deepEqual(cells[0], ['document', 'line', 'text', 'label', 'source', 'confidence', 'task']);
    assert.deepEqual(
      cells.slice(1).map((r) => r[3]),
      ['billing|bug', 'a\\|b|c\\\\d|x, "y"', 'bug', 'none', 'billing', 'left|right'],
    );
    // The formula guard on the text is undone on the way back.
    assert.equal(cells[2]![2], "'=SUM(A1) is wrong");
    // The single-label task knows `left|right`: one name, not a set.
    const read = imported(content, 'csv', (task) => new Set(task === undefined ? ['billing', 'left|right'] : []));
    assert.deepEqual(sets(read.records), sets(stored));
    assert.deepEqual(read.problems, []);
    // Only the label file's fields: the export's source and confidence columns stay out.
    assert.equal(
      read.records.every((r) => r.extra === undefined),
      true,
    );
  });

  it('a set for a single-label task is refused by line (JSONL `labels`, a CSV `a|b` the task does not know), never cut to one label', () => {
    const jsonl = [
      '{"document":"a.txt","line":1,"text":"one","label":"bug"}',
      '{"document":"a.txt","line":2,"text":"two","label":"billing","labels":["billing","bug"]}',
      '{"document":"a.txt","line":3,"text":"three","label":"billing","labels":["billing","bug"],"task":"topics"}',
    ].join('\n');
    const read = imported(jsonl, 'jsonl');
    assert.deepEqual(read.setsForSingleLabel, [{ line: 2, task: undefined }]);
    assert.deepEqual(sets(read.records), ['a.txt:0::bug|one', 'a.txt:2:topics:billing+bug|three']);
    const csv = 'document,line,text,label,source,confidence\na.txt,1,one,bug,label,\na.txt,2,two,billing|bug,label,\n';
    const fromCsv = imported(csv, 'csv');
    assert.deepEqual(fromCsv.setsForSingleLabel, [{ line: 3, task: undefined }]);
    assert.deepEqual(sets(fromCsv.records), ['a.txt:0::bug|one']);
  });

  it('old single-label files read as before: a label file, a JSONL and a CSV export without sets or task', () => {
    const old =
      '{"document":"a.txt","line":1,"text":"one","label":"bug","annotator":"kim"}\n\n{"document":"a.txt","line":3,"text":"x","label":"none"}\n';
    const read = imported(old, 'jsonl');
    assert.deepEqual(sets(read.records), ['a.txt:0::bug|one', 'a.txt:2::none|x']);
    assert.deepEqual(read.records[0]!.extra, { annotator: '"kim"' });
    const csv = 'document,line,text,label,source,confidence\r\na.txt,1,"multi\nline",bug,label,\r\na.txt,4,x,feature,label,\r\n';
    assert.deepEqual(sets(imported(csv, 'csv').records), ['a.txt:0::bug|multi\nline', 'a.txt:3::feature|x']);
  });

  it("predictions are left out and counted; a bad row is a problem on the file's line; a CSV without the export's columns is named", () => {
    const csv = [
      'document,line,text,label,source,confidence,task',
      'a.txt,1,one,bug|billing,prediction,0.6,topics',
      'a.txt,2,two,none,none,0.8,topics',
      'a.txt,x,three,bug,label,,',
      'a.txt,4,four,bug|billing,label,,topics',
    ].join('\n');
    const read = imported(csv, 'csv');
    assert.equal(read.predictions, 2);
    assert.deepEqual(
      read.problems.map((p) => p.line),
      [4],
    );
    assert.deepEqual(sets(read.records), ['a.txt:3:topics:billing+bug|four']);
    const jsonl =
      '{"document":"a.txt","line":1,"text":"one","label":"bug","labels":["billing","bug"],"source":"prediction","task":"topics"}\nnot json\n';
    const fromJsonl = imported(jsonl, 'jsonl');
    assert.equal(fromJsonl.predictions, 1);
    assert.deepEqual(fromJsonl.problems, [{ line: 2, message: 'not valid JSON' }]);
    assert.deepEqual(readLabelExport('id,text\n1,hello\n', 'csv', isMultiLabel, noLabels), {
      missingColumns: ['document', 'line', 'label', 'source'],
    });
  });

  it("a predicted set exports whole, its confidence its least probable label's; the empty set is none", () => {
    const p = {
      labels: ['bug', 'feature', 'none'],
      labelIndex: Int32Array.from([0, 2, -1]),
      confidence: Float32Array.from([0.5, 0.8, 0]),
      uncertainty: new Float32Array(3),
      sets: { start: Int32Array.of(0, 2, 2, 2), label: Int32Array.of(1, 0), confidence: Float32Array.of(0.9, 0.6) },
    };
    assert.deepEqual(predictedRowFields(p, 0), { label: 'bug', labels: ['bug', 'feature'], source: 'prediction', confidence: 0.6 });
    assert.deepEqual(predictedRowFields(p, 1), { label: 'none', source: 'none', confidence: 0.8 });
    assert.equal(predictedRowFields(p, 2), undefined);
    // A single-label prediction is its label.
    const single = {
      labels: ['bug', 'feature'],
      labelIndex: Int32Array.of(1),
      confidence: Float32Array.of(0.7),
      uncertainty: new Float32Array(1),
    };
    assert.deepEqual(predictedRowFields(single, 0), { label: 'feature', source: 'prediction', confidence: 0.7 });
  });
});
