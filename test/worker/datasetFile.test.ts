import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type RecordLabel, writeDataset } from '../../src/engine/data/dataset';
import { parseRecords } from '../../src/engine/data/records';
import type { AdaptOptions } from '../../src/engine/engine';
import type { Example } from '../../src/engine/types';
import { CancelSource, RpcError } from '../../src/protocol/rpc';
import type { DatasetProgress } from '../../src/protocol/worker';
import { classifyDatasetFile } from '../../src/worker/datasetFile';
import { fakeEngine } from './fakeEngine';
import { tempFolders } from './tempFolders';

const support: Example[] = [
  { text: 'invoice overdue', label: 'billing' },
  { text: 'password reset', label: 'account' },
];

/** A JSONL of `n` records (a labeled one, one without text, one bad line among them), about 190 bytes each. */
function jsonlRecords(n: number): string {
  const rows: string[] = [];
  for (let i = 0; i < n; i++) {
    if (i === 7) rows.push('{"id": 7, broken');
    else if (i === 9) rows.push(JSON.stringify({ id: i, created: '2024-05-01', msg: { lang: 'en' } }));
    else {
      const text = i === 3 ? 'invoice overdue' : `ticket ${i}: my ${i % 2 ? 'invoice' : 'password'} needs a look, sent ${i % 28} May`;
      rows.push(JSON.stringify({ id: i, created: `2024-05-${String((i % 28) + 1).padStart(2, '0')}`, msg: { text, lang: 'en' } }));
    }
  }
  return `${rows.join('\n')}\n`;
}

/** What Export Dataset writes for the same file parsed whole, labeled as the fake engine labels. */
function wholeFileExport(text: string): string {
  const table = parseRecords(text, 'jsonl');
  return writeDataset(table, text, (i): RecordLabel | undefined => {
    const t = table.records[i]!.text.trim();
    if (t === '') return undefined;
    if (t === 'invoice overdue') return { label: 'billing', source: 'label' };
    const billing = t.includes('invoice');
    return { label: billing ? 'billing' : 'account', source: 'prediction', confidence: billing || t.includes('password') ? 0.9 : 0.5 };
  });
}

describe('worker: Classify Large Dataset File', () => {
  const folder = tempFolders('fewshot-dataset-');

  it('streams a file of several parts from disk twice (pool, then classify) and writes the whole-file export', async () => {
    // About 7 MB: several parts of about 1 M characters each pass, so the file is never one string.
    const text = jsonlRecords(60_000);
    const dir = folder({ 'big.jsonl': text });
    const calls = { adapt: [] as AdaptOptions[], predictedLines: 0 };
    const progress: DatasetProgress[] = [];
    const out = path.join(dir, '.fewshot/exports/big.labeled.jsonl');
    const result = await classifyDatasetFile(
      fakeEngine(calls),
      { run: 1, file: path.join(dir, 'big.jsonl'), format: 'jsonl', out, support },
      new CancelSource(),
      (p) => progress.push(p),
    );
    assert.equal(fs.readFileSync(out, 'utf8'), wholeFileExport(text));
    assert.deepEqual(
      { records: result.records, classified: result.classified, labeled: result.labeled, empty: result.empty, unread: result.unread },
      { records: 59_999, classified: 59_997, labeled: 1, empty: 1, unread: 1 },
    );
    assert.deepEqual(
      result.problems.map((p) => p.line),
      [8],
    );
    assert.equal(result.column, 'msg.text');
    // The pool is the records' texts (not raw JSON rows), sampled over the whole file.
    const pool = calls.adapt[0]!.pool!;
    assert.equal(pool.length, 20_000);
    assert.ok(pool.every((t) => !t.startsWith('{')));
    for (const phase of ['pool', 'classify'] as const) {
      const steps = progress.filter((p) => p.phase === phase);
      assert.ok(steps.length >= 2, `${phase}: ${steps.length} parts`);
      assert.equal(steps.at(-1)!.bytes, Buffer.byteLength(text));
      assert.equal(steps.at(-1)!.records, 59_999);
      assert.ok(steps.every((p) => p.bytesTotal === Buffer.byteLength(text)));
    }
    assert.deepEqual(fs.readdirSync(path.dirname(out)), ['big.labeled.jsonl']);
  });

  it('a cancel between parts stops the run and leaves neither the export nor a temporary file', async () => {
    const dir = folder({ 'big.jsonl': jsonlRecords(60_000) });
    const out = path.join(dir, 'exports/big.labeled.jsonl');
    fs.mkdirSync(path.dirname(out));
    const signal = new CancelSource();
    const phases: string[] = [];
    const run = classifyDatasetFile(
      fakeEngine({ adapt: [], predictedLines: 0 }),
      { run: 2, file: path.join(dir, 'big.jsonl'), format: 'jsonl', out, support },
      signal,
      (p) => {
        phases.push(p.phase);
        if (p.phase === 'classify') signal.cancel();
      },
    );
    await assert.rejects(run, (e: unknown) => e instanceof RpcError && e.code === 'cancelled');
    assert.deepEqual(
      phases.filter((p) => p === 'classify'),
      ['classify'],
    );
    assert.deepEqual(fs.readdirSync(path.dirname(out)), []);
  });

  it('never writes over its source', async () => {
    const dir = folder({ 'x.jsonl': jsonlRecords(10) });
    const file = path.join(dir, 'x.jsonl');
    await assert.rejects(
      classifyDatasetFile(
        fakeEngine({ adapt: [], predictedLines: 0 }),
        { run: 3, file, format: 'jsonl', out: file, support },
        new CancelSource(),
        () => {},
      ),
      /never overwrites its source/,
    );
    assert.equal(fs.readFileSync(file, 'utf8'), jsonlRecords(10));
  });
});
