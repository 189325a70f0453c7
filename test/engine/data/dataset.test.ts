// Export Dataset and Export Labels cannot be fooled (issue 16 item 5): no formula reaches a row's
// start, JSONL numbers stay as written, and one pathological record does not sink the export.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { datasetLabelSet, leftOutNote, parseDatasetLabelSet, safeCsv, writeDataset } from '../../../src/engine/data/dataset';
import { parseRecords } from '../../../src/engine/data/records';
import { toCsv } from '../../../src/extension/labelFile';

/**
 * Rows as a reader that also ends a row at a lone CR (old Mac files; some spreadsheets) sees them,
 * with the project's CSV parser.
 */
const rowsOf = (csv: string, delimiter = ',') =>
  parse(csv, { delimiter, record_delimiter: ['\r\n', '\n', '\r'], relax_column_count: true, relax_quotes: true }) as string[][];
const FORMULA = /^[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/;
const unguarded = (rows: string[][]) => rows.flat().filter((c) => FORMULA.test(c) && !/^-?\d/.test(c));

describe('data: dataset export cannot be fooled', () => {
  it('quotes a cell holding a bare CR, so no row starts with a formula (Export Dataset, CSV and TSV)', () => {
    for (const [format, d] of [
      ['csv', ','],
      ['tsv', '\t'],
    ] as const) {
      for (const eol of ['\n', '\r\n']) {
        const source = [`id${d}text`, `1${d}"ok\r=HYPERLINK(""http://evil"")"`, `2${d}"a\r+1+2\r@cmd"`].join(eol);
        const table = parseRecords(source, format);
        assert.equal(table.records.length, 2);
        const out = writeDataset(table, source, () => ({ label: 'spam', source: 'label' }));
        const rows = rowsOf(out, d);
        assert.deepEqual(unguarded(rows), [], JSON.stringify(out));
        assert.equal(rows.length, 3, 'one row per record and the header');
        assert.equal(rows[1]![1], 'ok\r=HYPERLINK("http://evil")', 'the cell comes back whole');
      }
    }
  });

  it('Export Labels CSV: the same guard, full-width formula signs included', () => {
    const csv = toCsv(
      ['text', 'label'],
      [
        ['x\r=1+1', 'a'],
        ['\uff1dcmd', 'b'],
        ['-3.5', 'c'],
      ],
    );
    const rows = rowsOf(csv);
    assert.deepEqual(unguarded(rows), []);
    assert.deepEqual(rows.slice(1), [
      ['x\r=1+1', 'a'],
      ["'\uff1dcmd", 'b'],
      ['-3.5', 'c'],
    ]);
    assert.equal(safeCsv([['+1+2']]), "'+1+2\n");
  });

  it('keeps JSONL numbers as written: big integers, 1e400, -0, exponents, escapes', () => {
    const source = [
      '{"id":12345678901234567890,"x":1e400,"y":-0,"z":1.50E+3,"text":"caf\\u00e9"}',
      '{ "text" : "b" , "n" : 0.1000 }',
      '{}',
    ].join('\n');
    const out = writeDataset(parseRecords(source, 'jsonl'), source, (i) =>
      i === 0 ? { label: 'x', source: 'prediction', confidence: 0.5 } : undefined,
    );
    assert.equal(
      out,
      [
        '{"id":12345678901234567890,"x":1e400,"y":-0,"z":1.50E+3,"text":"caf\\u00e9","label":"x","label_source":"prediction","confidence":0.5}',
        '{ "text" : "b" , "n" : 0.1000 ,"label":null,"label_source":null,"confidence":null}',
        '{"label":null,"label_source":null,"confidence":null}',
        '',
      ].join('\n'),
    );
    for (const line of out.trim().split('\n')) JSON.parse(line);
  });

  it('a record nested 100,000 deep is written as it is and the others are exported', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const source = `\uFEFF{"text":"a"}\r\n{"text":"deep","x":${deep}}\r\n{"text":"c","n":1}\r\n`;
    const table = parseRecords(source, 'jsonl');
    assert.equal(table.records.length, 3);
    const out = writeDataset(table, source, () => ({ label: 'spam', source: 'label' }));
    const lines = out.split('\r\n');
    assert.equal(lines.length, 4);
    assert.equal(lines[0], '\uFEFF{"text":"a","label":"spam","label_source":"label","confidence":null}');
    assert.equal(lines[1], `{"text":"deep","x":${deep},"label":"spam","label_source":"label","confidence":null}`);
    assert.deepEqual(JSON.parse(lines[2]!), { text: 'c', n: 1, label: 'spam', label_source: 'label', confidence: null });
  });

  it('writes every parsed record from its own line: what is read back equals the parse (a CR inside a line becomes a space)', () => {
    const source = '{"text":"a",\r"k":1}\n\nbroken\r\n{"text":"b","label":"old"}\r\n  {"text":"c"}  \n';
    const table = parseRecords(source, 'jsonl');
    const out = writeDataset(table, source, () => undefined);
    assert.ok(!/\r(?!\n)/.test(out), 'no bare CR left');
    const back = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(
      back.map(({ fewshot_label, label_source, confidence, ...rest }) => rest),
      table.records.map((r) => r.fields),
    );
  });

  it('a row with an unclosed quote or a bad JSONL line is left out of the export and named; every record around it is written', () => {
    const csv = 'id,text\n1,fine\n2,"never closed\n3,after\n';
    const table = parseRecords(csv, 'csv');
    assert.equal(
      writeDataset(table, csv, () => undefined),
      'id,text,label,label_source,confidence\n1,fine,,,\n3,after,,,\n',
    );
    assert.equal(leftOutNote(table.problems), '1 record could not be read and is not in the export (line 3)');
    const jsonl = ['{"text":"a"}', 'nope', '{"text":"b"}', ...Array.from({ length: 6 }, (_, i) => `bad ${i}`), '{"text":"c"}'].join('\n');
    const t = parseRecords(jsonl, 'jsonl');
    assert.deepEqual(
      writeDataset(t, jsonl, () => undefined)
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { text: string }).text),
      ['a', 'b', 'c'],
    );
    assert.equal(leftOutNote(t.problems), '7 records could not be read and are not in the export (line 2, 4, 5, 6, 7 and 2 more)');
    assert.equal(leftOutNote([]), undefined);
    // In the user's language through the translation the extension passes (vscode.l10n.t).
    const zh: Record<string, string> = JSON.parse(
      fs.readFileSync(path.resolve(__dirname, '../../../../l10n/bundle.l10n.zh-cn.json'), 'utf8'),
    );
    const tr = (message: string, ...args: string[]) => zh[message]!.replace(/\{(\d+)\}/g, (_, i: string) => args[Number(i)]!);
    assert.equal(leftOutNote(t.problems, t.problems.length, tr), '7 条记录无法读取，未包含在导出中（行号：2, 4, 5, 6, 7，另有 2 行）');
  });
});

describe('data: dataset export with several tasks', () => {
  const intent = (i: number) => (i === 0 ? { label: 'billing', source: 'label' as const } : undefined);
  const urgency = (i: number) => ({ label: i === 0 ? 'high' : '=low', source: 'prediction' as const, confidence: 0.71234 });

  it('CSV: a column set per task, named by the task; a name the source has gets fewshot_ in front; formulas guarded', () => {
    const source = 'id,text,urgency\n1,invoice overdue,x\n2,password reset,y\n';
    const out = writeDataset(parseRecords(source, 'csv'), source, [
      { task: 'intent', labelOf: intent },
      { task: 'urgency', labelOf: urgency },
    ]);
    const rows = rowsOf(out);
    assert.deepEqual(rows[0], [
      'id',
      'text',
      'urgency',
      'intent',
      'intent_source',
      'intent_confidence',
      'fewshot_urgency',
      'urgency_source',
      'urgency_confidence',
    ]);
    assert.deepEqual(rows[1], ['1', 'invoice overdue', 'x', 'billing', 'label', '', 'high', 'prediction', '0.712']);
    assert.deepEqual(rows[2], ['2', 'password reset', 'y', '', '', '', "'=low", 'prediction', '0.712']);
  });

  it("a multi-label record's set is one value: sorted, joined by |, a | or \\ in a name escaped; CSV-quoted like any field", () => {
    assert.equal(datasetLabelSet([]), 'none');
    assert.equal(datasetLabelSet(['bug', 'billing']), 'billing|bug');
    assert.equal(datasetLabelSet(['a|b', 'c\\d']), 'a\\|b|c\\\\d');
    // parseDatasetLabelSet (Import Labels) reads the names back: escapes undone, split at a bare |.
    assert.deepEqual(parseDatasetLabelSet(datasetLabelSet(['x, "y"', 'e\\', 'a|b', '\\|'])), ['\\|', 'a|b', 'e\\', 'x, "y"']);
    assert.deepEqual(parseDatasetLabelSet(datasetLabelSet([])), []);
    assert.deepEqual(parseDatasetLabelSet('bug'), ['bug']);
    const source = 'id,text\n1,invoice crash\n';
    const out = writeDataset(parseRecords(source, 'csv'), source, () => ({ label: datasetLabelSet(['bug', 'x, "y"']), source: 'label' }));
    assert.deepEqual(rowsOf(out)[1], ['1', 'invoice crash', 'bug|x, "y"', 'label', '']);
  });

  it('JSONL: each task adds its fields; a task whose names clash with another task gets numbered names', () => {
    const source = '{"text":"invoice overdue"}\n';
    const out = writeDataset(parseRecords(source, 'jsonl'), source, [
      { task: 'a_source', labelOf: intent },
      { task: 'a', labelOf: urgency },
    ]);
    const record = JSON.parse(out) as Record<string, unknown>;
    assert.deepEqual(Object.keys(record), [
      'text',
      'a_source',
      'a_source_source',
      'a_source_confidence',
      'a',
      'fewshot_a_source',
      'a_confidence',
    ]);
    assert.equal(record.a, 'high');
    assert.equal(record.a_source, 'billing');
  });
});
