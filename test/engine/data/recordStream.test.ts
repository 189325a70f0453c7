// A structured file read in parts gives the records, line numbers and export of the whole file.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeDataset } from '../../../src/engine/data/dataset';
import { streamRecords } from '../../../src/engine/data/recordStream';
import { parseRecords, type RecordFormat } from '../../../src/engine/data/records';

const WORDS = [
  'refund',
  'login',
  'printer',
  'invoice',
  'password',
  'delivery',
  'broken',
  'screen',
  'late',
  'account',
  'coffee',
  'garden',
  'music',
];

describe('data: records streamed in parts', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fewshot-stream-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** The file's records and export, read in parts of `partChars`, with file-wide line numbers. */
  async function streamed(name: string, source: string, format: RecordFormat, partChars: number) {
    const file = path.join(dir, name);
    fs.writeFileSync(file, source);
    const records: Array<[number, number, string]> = [];
    const problems: number[] = [];
    let exported = '';
    let parts = 0;
    for await (const part of streamRecords(file, format, undefined, partChars)) {
      parts++;
      for (const r of part.table.records) records.push([part.firstLine + r.line, part.firstLine + r.endLine, r.text]);
      for (const p of part.table.problems) problems.push(part.firstLine + p.line);
      exported += writeDataset(part.table, part.source, (i) => ({ label: `l${part.table.records[i]!.text.length}`, source: 'label' }), {
        header: part.first,
      });
    }
    return { records, problems, exported, parts };
  }

  function whole(source: string, format: RecordFormat) {
    const t = parseRecords(source, format);
    return {
      records: t.records.map((r) => [r.line, r.endLine, r.text]),
      problems: t.problems.map((p) => p.line),
      exported: writeDataset(t, source, (i) => ({ label: `l${t.records[i]!.text.length}`, source: 'label' })),
    };
  }

  it('CSV with quoted multi-line cells, escaped quotes, CRLF rows and a BOM: the same records and export as the whole file', async () => {
    const rows = Array.from({ length: 60 }, (_, i) =>
      i % 3 === 0 ? `${i},"line one of ${i}\nline ""two"" of ${i}",x` : `${i},plain text number ${i},y`,
    );
    const source = `\uFEFFid,text,tag\r\n${rows.join('\r\n')}\r\n`;
    const s = await streamed('a.csv', source, 'csv', 100);
    assert.ok(s.parts > 10, `${s.parts} parts`);
    const w = whole(source, 'csv');
    assert.deepEqual(s.records, w.records);
    assert.equal(s.exported, w.exported);
  });

  it('JSONL with a bad line: the same records, the bad line named by its line in the file', async () => {
    const lines = Array.from({ length: 40 }, (_, i) =>
      i === 23 ? 'not json' : JSON.stringify({ id: i, text: `${WORDS[i % 7]} ${WORDS[(i * 3) % 11]} ${WORDS[(i * 5) % 13]} #${i}` }),
    );
    const source = `${lines.join('\n')}\n`;
    // Parts of about eight records: the first part holds enough of them to detect the text field from.
    const s = await streamed('a.jsonl', source, 'jsonl', 400);
    assert.ok(s.parts > 3, `${s.parts} parts`);
    const w = whole(source, 'jsonl');
    assert.deepEqual(s.records, w.records);
    assert.ok(
      s.records.every((r) => r[2] !== ''),
      'the text field is found',
    );
    assert.deepEqual(s.problems, [24]);
    assert.deepEqual(w.problems, [24]);
    assert.equal(s.exported, w.exported);
  });
});
