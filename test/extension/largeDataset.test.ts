// Classify Large Dataset File on the extension's side, against the fake vscode: what it sends the
// worker (the file's path, never its text; the labels picked; the chosen column), and what it tells
// the user. The worker's side is test/worker/datasetFile.test.ts.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { FewShotContext } from '../../src/extension/context';
import { classifyLargeDataset, datasetProgressMessage, datasetShare } from '../../src/extension/largeDataset';
import type { ClassifyDatasetParams, ClassifyDatasetResult, DatasetProgress } from '../../src/protocol/worker';
import { shown } from './fakeVscode';

const folder = { uri: vscode.Uri.file('/w'), name: 'w', index: 0 };
const records = [
  { document: 'big.csv', line: 3, text: 'refund me', label: 'billing' },
  { document: 'big.csv', line: 9, text: 'cannot log in', label: 'access' },
  { document: 'notes.txt', line: 1, text: 'invoice wrong', label: 'billing' },
  { document: 'notes.txt', line: 2, text: 'password reset', label: 'access' },
  { document: 'big.csv', line: 5, text: 'other task', label: 'x', task: 'sentiment' },
];

function setUp() {
  const sent: ClassifyDatasetParams[] = [];
  const logs: string[] = [];
  const progress: DatasetProgress[] = [
    { phase: 'pool', bytes: 4 << 20, bytesTotal: 8 << 20, records: 30_000, elapsedMs: 500 },
    { phase: 'classify', bytes: 8 << 20, bytesTotal: 8 << 20, records: 60_000, elapsedMs: 4000 },
  ];
  const ctx = {
    config: { method: 'default', abstention: 'auto' },
    structured: { chosenColumns: () => ({ '/w/big.csv': 'body' }) },
    labels: {
      activeTask: () => ({ name: 'default', kind: 'single', isDefault: true }),
      folderOf: () => folder,
      all: () => [{ folder, records, file: '/w/.fewshot/labels.jsonl' }],
    },
    log: (m: string) => logs.push(m),
    engine: {
      async classifyDataset(params: ClassifyDatasetParams, onProgress: (p: DatasetProgress) => void): Promise<ClassifyDatasetResult> {
        sent.push(params);
        for (const p of progress) onProgress(p);
        return {
          records: 60_000,
          classified: 59_998,
          labeled: 2,
          empty: 0,
          unread: 2,
          problems: [{ line: 4, message: 'cannot read the record starting here' }],
          column: 'body',
          out: params.out,
          labels: ['access', 'billing'],
          method: 'default',
          ms: 4000,
        };
      },
    },
  };
  // A structural fake of the parts of the context the command uses.
  const run = classifyLargeDataset(ctx as unknown as FewShotContext, async (source, name) => vscode.Uri.joinPath(source, '..', name));
  return { run, sent, logs };
}

describe('Classify Large Dataset File (extension side)', () => {
  beforeEach(() => {
    shown.length = 0;
  });

  it("sends the file's path (no text), the picked labels and the chosen column; reports the bad rows it names and counts", async () => {
    const env = setUp();
    const result = await env.run('/w/big.csv', { out: '/w/.fewshot/exports/big.labeled.csv', labels: 'file' });
    assert.equal(result?.classified, 59_998);
    const params = env.sent[0]!;
    assert.equal(params.file, '/w/big.csv');
    assert.equal(params.format, 'csv');
    assert.equal(params.column, 'body');
    assert.equal('text' in params, false);
    // This file's labels of the active (default) task only.
    assert.deepEqual(params.support, [
      { text: 'refund me', label: 'billing' },
      { text: 'cannot log in', label: 'access' },
    ]);
    assert.ok(
      env.logs.some((l) => l.includes('2 records could not be read and are not in the export (line 4 and 1 more)')),
      env.logs.join('\n'),
    );
    assert.ok(env.logs.some((l) => l.endsWith('/w/big.csv:4: cannot read the record starting here')));

    await env.run('/w/big.csv', { out: '/w/out.csv', labels: 'task' });
    assert.deepEqual(
      env.sent[1]!.support.map((e) => e.text),
      ['refund me', 'cannot log in', 'invoice wrong', 'password reset'],
    );
  });

  it('refuses a file that is not a dataset, too few labels, and writing over the source', async () => {
    const env = setUp();
    await assert.rejects(env.run('/w/notes.txt', { out: '/w/x.csv', labels: 'task' }), /not a CSV, TSV or JSONL file/);
    await assert.rejects(env.run('/w/big.csv', { out: '/w/big.csv', labels: 'task' }), /never overwrites its source/);
    await assert.rejects(env.run('/w/other.jsonl', { out: '/w/x.jsonl', labels: 'file' }), /with the 0 labels of other.jsonl/);
    assert.equal(env.sent.length, 0);
  });

  it('progress: the pool pass by share of the file; the classifying pass with its rate and time left; the share of the work done', () => {
    const pool: DatasetProgress = { phase: 'pool', bytes: 100, bytesTotal: 1000, records: 1234, elapsedMs: 5000 };
    assert.equal(datasetProgressMessage(pool), 'Reading the pool: 1,234 records (10 %)');
    assert.equal(datasetShare(pool), 5);
    const early: DatasetProgress = { phase: 'classify', bytes: 10, bytesTotal: 1000, records: 800, elapsedMs: 1500 };
    assert.equal(datasetProgressMessage(early), 'Classifying: 800 records');
    // A quarter of the file in 9 s: 27 s left at that rate.
    const classify: DatasetProgress = { phase: 'classify', bytes: 250, bytesTotal: 1000, records: 45_000, elapsedMs: 9000 };
    assert.equal(datasetProgressMessage(classify), 'Classifying: 45,000 records · 5,000 records/s · about 27 s left');
    assert.equal(datasetShare(classify), 62.5);
    assert.match(datasetProgressMessage({ ...classify, bytes: 10 }), /about 15 min left$/);
  });
});
