import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { type AdaptOptions, EngineInputError } from '../../src/engine/engine';
import type { Example } from '../../src/engine/types';
import { CancelSource, RpcClient, RpcError } from '../../src/protocol/rpc';
import { checkPredictedSets } from '../../src/protocol/labelSets';
import type { WorkerRequests } from '../../src/protocol/worker';
import {
  type ClassifyWorkspaceParams,
  isWorkspaceNotification,
  type WorkspaceEvent,
  type WorkspaceFileResult,
} from '../../src/protocol/workspace';
import { classify, type Port, startWorkerHost } from '../../src/worker/host';
import { readText } from '../../src/engine/data/readText';
import { classifyWorkspace, type WorkspaceSeams } from '../../src/worker/workspace';
import { fakeEngine, fakeSetEngine } from './fakeEngine';
import { tempFolders } from './tempFolders';
import { MAX_POOL } from '../../src/engine/pool';

interface Calls {
  adapt: AdaptOptions[];
  predictedLines: number;
  predicted: string[];
}
const newCalls = (): Calls => ({ adapt: [], predictedLines: 0, predicted: [] });

const support: Example[] = [
  { text: 'invoice', label: 'billing' },
  { text: 'password', label: 'account' },
];

const params = (root: string, over: Partial<ClassifyWorkspaceParams> = {}): ClassifyWorkspaceParams => ({
  run: 1,
  scope: { root, include: ['**/*.txt'], exclude: [], useIgnoreFiles: true, maxFileBytes: 200 },
  support,
  poolSize: 0,
  ...over,
});

describe('classifyWorkspace worker request', () => {
  const make = tempFolders('fewshot-ws-');

  it('adapts with the abstention setting (a bad value: test/worker/host.test.ts)', async () => {
    const root = make({ 'a.txt': 'my invoice\n' });
    const calls = newCalls();
    await classifyWorkspace(fakeEngine(calls), params(root, { abstention: 'on' }), new CancelSource(), () => {});
    assert.equal(calls.adapt[0]!.abstain, 'on');
  });

  it('streams each file with its predictions and progress, and notes the binary and huge files it skipped', async () => {
    const root = make({
      'a.txt': '\ufeffmy invoice\r\n\r\nreset password\n',
      'b/c.txt': 'invoice again',
      'bin.txt': Buffer.from([104, 105, 0, 1]),
      'huge.txt': 'x'.repeat(201),
    });
    const calls = newCalls();
    const events: WorkspaceEvent[] = [];
    const result = await classifyWorkspace(fakeEngine(calls), params(root), new CancelSource(), (e) => events.push(e));

    assert.equal(events[0]!.type, 'scanned');
    const scanned = events[0] as Extract<WorkspaceEvent, { type: 'scanned' }>;
    assert.equal(scanned.files, 2);
    assert.equal(scanned.lines, 3);
    assert.deepEqual(scanned.labels, ['account', 'billing']);
    assert.deepEqual(
      scanned.skipped.map((s) => [path.basename(s.path), s.reason]),
      [
        ['bin.txt', 'binary'],
        ['huge.txt', 'too-large'],
      ],
    );

    const files = events.filter((e): e is Extract<WorkspaceEvent, { type: 'file' }> => e.type === 'file');
    assert.deepEqual(
      files.map((e) => [
        path.relative(root, e.file.path),
        e.progress.filesDone,
        e.progress.filesTotal,
        e.progress.linesDone,
        e.progress.linesTotal,
      ]),
      [
        ['a.txt', 1, 2, 2, 3],
        [path.join('b', 'c.txt'), 2, 2, 3, 3],
      ],
    );
    const a = files[0]!.file;
    assert.equal(a.bytes, 32, 'the bytes read, BOM included');
    assert.deepEqual(Array.from(a.columns), [0, 10, 0, 0, 0, 14, 0, 0], 'each line from its first non-blank character to its end, no CR');
    assert.ok(!('text' in a), 'no text crosses to the extension');
    assert.deepEqual(Array.from(a.labelIndex), [1, -1, 0, -1], 'empty lines get no prediction (CRLF split)');
    assert.deepEqual(Array.from(a.confidence), [Math.fround(0.9), 0, Math.fround(0.9), 0]);
    assert.deepEqual(calls.predicted, ['my invoice', 'reset password', 'invoice again'], 'skipped files are never predicted');

    assert.equal(result.files, 2);
    assert.equal(result.lines, 3);
    assert.deepEqual(result.labels, ['account', 'billing']);
    assert.equal(result.skipped.length, 2);
  });

  it('adapts once, to a pool sampled across the files, the same on every run', async () => {
    const lines = Array.from({ length: 50 }, (_, i) => `line ${i}`);
    const root = make({ 'a.txt': lines.slice(0, 25).join('\n'), 'b.txt': lines.slice(25).join('\n') });
    const pools: string[][] = [];
    for (let run = 0; run < 2; run++) {
      const calls = newCalls();
      await classifyWorkspace(fakeEngine(calls), params(root, { poolSize: 10 }), new CancelSource(), () => {});
      assert.equal(calls.adapt.length, 1);
      pools.push(calls.adapt[0]!.pool!);
    }
    assert.equal(pools[0]!.length, 10);
    assert.deepEqual(pools[0], pools[1]);
    assert.ok(
      pools[0]!.some((l) => lines.indexOf(l) >= 25),
      'the pool reaches into the second file',
    );
    const calls = newCalls();
    await classifyWorkspace(fakeEngine(calls), params(root, { poolSize: 0 }), new CancelSource(), () => {});
    assert.equal(calls.adapt[0]!.pool, undefined);
  });

  it('the pool spans a 30,000-line document (the first-20,000 mutation fails): the engine pool size by default', async () => {
    const root = make({ 'big.txt': Array.from({ length: 30_000 }, (_, i) => `line ${i}`).join('\n') });
    const calls = newCalls();
    const { poolSize, ...rest } = params(root);
    await classifyWorkspace(fakeEngine(calls), { ...rest, scope: { ...rest.scope, maxFileBytes: 1e6 } }, new CancelSource(), () => {});
    const pool = calls.adapt[0]!.pool!;
    assert.equal(pool.length, MAX_POOL);
    const last = pool.filter((l) => Number(l.split(' ')[1]) >= 20_000).length;
    assert.ok(Math.abs(last - MAX_POOL / 3) < 300, `${last} of the pool from the last third`);
  });

  it('classifies every task in one run: one walk, each line encoded once, each task adapted once and its own predictions', async () => {
    const root = make({ 'a.txt': 'invoice late\nreset password now\n\nurgent invoice', 'b.txt': 'password please' });
    const urgency: Example[] = [
      { text: 'urgent', label: 'high' },
      { text: 'please', label: 'low' },
    ];
    const calls = { ...newCalls(), encoded: [] as string[] };
    const events: WorkspaceEvent[] = [];
    const result = await classifyWorkspace(
      fakeEngine(calls),
      params(root, { otherTasks: [{ task: 'urgency', support: urgency }] }),
      new CancelSource(),
      (e) => events.push(e),
    );
    assert.equal(calls.adapt.length, 2);
    // Four non-empty lines: each encoded once (two runs would encode each twice), classified per task.
    assert.deepEqual([...calls.encoded].sort(), ['invoice late', 'password please', 'reset password now', 'urgent invoice']);
    assert.equal(calls.predictedLines, 8);
    const scanned = events[0] as Extract<WorkspaceEvent, { type: 'scanned' }>;
    assert.deepEqual(scanned.otherLabels, [['high', 'low']]);
    assert.deepEqual(result.otherTasks, [{ labels: ['high', 'low'], method: 'keyword' }]);
    const files = events.filter((e): e is Extract<WorkspaceEvent, { type: 'file' }> => e.type === 'file').map((e) => e.file);
    const a = files.find((f) => path.basename(f.path) === 'a.txt')!;
    assert.deepEqual([...a.labelIndex], [1, 0, -1, 1]); // account, billing
    assert.deepEqual([...a.otherTasks![0]!.labelIndex], [0, 0, -1, 0]); // high: `urgent`, else the first label
    assert.deepEqual(
      [...a.otherTasks![0]!.confidence].map((c) => Math.round(c * 10) / 10),
      [0.5, 0.5, 0, 0.9],
    );
    const b = files.find((f) => path.basename(f.path) === 'b.txt')!;
    assert.deepEqual([...b.otherTasks![0]!.labelIndex], [1]); // low: `please`
  });

  it('a multi-label task gets a set per line: adapted once to the pool, first or beside a single-label task', async () => {
    const root = make({ 'a.txt': 'the invoice made the app crash\n\nmy invoice please\nnothing here' });
    const topics = [
      { text: 'invoice overdue', labels: ['billing'] },
      { text: 'app crash', labels: ['bug'] },
      { text: 'sunny day', labels: [] },
    ];
    const setsOf = (p: { labelIndex: Int32Array; sets?: NonNullable<WorkspaceFileResult['sets']> }, labels: string[]) => {
      const sets = checkPredictedSets({ labels, labelIndex: p.labelIndex, sets: p.sets })!;
      return [...p.labelIndex].map((_, i) => Array.from(sets.label.subarray(sets.start[i], sets.start[i + 1]), (l) => labels[l]));
    };
    const expected = [['billing', 'bug'], [], ['billing'], []];
    const filesOf = (events: WorkspaceEvent[]) =>
      events.filter((e): e is Extract<WorkspaceEvent, { type: 'file' }> => e.type === 'file').map((e) => e.file);

    // Beside a single-label task (the first).
    const pools: Array<string[] | undefined> = [];
    const calls = newCalls();
    const events: WorkspaceEvent[] = [];
    const result = await classifyWorkspace(
      fakeSetEngine(pools, calls),
      params(root, { poolSize: 10, otherTasks: [{ task: 'topics', support: [], multiLabel: topics }] }),
      new CancelSource(),
      (e) => events.push(e),
    );
    assert.equal(calls.adapt.length, 1, 'the single-label task adapts once');
    assert.deepEqual(
      pools,
      [['the invoice made the app crash', 'my invoice please', 'nothing here']],
      'the multi-label task adapts once, to the pool',
    );
    const scanned = events[0] as Extract<WorkspaceEvent, { type: 'scanned' }>;
    assert.deepEqual(scanned.otherLabels, [['billing', 'bug', 'none']]);
    assert.deepEqual(result.otherTasks, [{ labels: ['billing', 'bug', 'none'], method: 'multi-label' }]);
    const [a] = filesOf(events);
    assert.equal(a!.sets, undefined, 'the single-label task has no sets');
    assert.deepEqual(setsOf(a!.otherTasks![0]!, scanned.otherLabels![0]!), expected);
    assert.deepEqual([...a!.otherTasks![0]!.labelIndex], [0, -1, 0, 2], 'each line summarised by its most probable label, else none');

    // The first task.
    const first: WorkspaceEvent[] = [];
    await classifyWorkspace(fakeSetEngine([]), params(root, { support: [], multiLabel: topics }), new CancelSource(), (e) => first.push(e));
    const labels = (first[0] as Extract<WorkspaceEvent, { type: 'scanned' }>).labels;
    assert.deepEqual(labels, ['billing', 'bug', 'none']);
    assert.deepEqual(setsOf(filesOf(first)[0]!, labels), expected);
  });

  it("carries each task's note (a multi-label model fitted on some of its lines) in the answer, first task or other", async () => {
    const root = make({ 'a.txt': 'my invoice\n' });
    const topics = [
      { text: 'invoice overdue', labels: ['billing'] },
      { text: 'sunny day', labels: [] },
    ];
    const note = '300 labeled lines: the label sets are learned from 250 of them';
    // Its English template travels with it, for the extension to say it in the user's language.
    const noteTemplate = { template: '{0} labeled lines: the label sets are learned from {1} of them', params: ['300', '250'] };
    const base = fakeSetEngine([]);
    const engine = {
      ...base,
      adaptMultiLabel: (...args: Parameters<NonNullable<typeof base.adaptMultiLabel>>) => ({
        ...base.adaptMultiLabel!(...args),
        note,
        noteTemplate,
      }),
    };
    const first = await classifyWorkspace(engine, params(root, { support: [], multiLabel: topics }), new CancelSource(), () => {});
    assert.equal(first.note, note);
    assert.deepEqual(first.noteTemplate, noteTemplate);
    const other = await classifyWorkspace(
      engine,
      params(root, { otherTasks: [{ task: 'topics', support: [], multiLabel: topics }] }),
      new CancelSource(),
      () => {},
    );
    assert.equal(other.note, undefined, 'the single-label task left nothing out');
    assert.deepEqual(other.otherTasks, [{ labels: ['billing', 'none'], method: 'multi-label', note, noteTemplate }]);
  });

  it('refuses a malformed multiLabel in otherTasks before walking the folder', async () => {
    const root = make({ 'a.txt': 'invoice' });
    const calls = newCalls();
    const bad = params(root, {
      otherTasks: [
        { task: 'topics', support: [], multiLabel: [{ text: 'x', labels: 'bug' }] },
      ] as unknown as ClassifyWorkspaceParams['otherTasks'],
    });
    await assert.rejects(
      classifyWorkspace(fakeEngine(calls), bad, new CancelSource(), () => {}),
      (e: unknown) => e instanceof RpcError && e.code === 'input' && /multiLabel/.test(e.message),
    );
    assert.equal(calls.adapt.length, 0);
  });

  it('refuses a malformed otherTasks before walking the folder', async () => {
    const root = make({ 'a.txt': 'invoice' });
    const calls = newCalls();
    const bad = params(root, { otherTasks: [{ task: 'urgency' }] as unknown as ClassifyWorkspaceParams['otherTasks'] });
    await assert.rejects(
      classifyWorkspace(fakeEngine(calls), bad, new CancelSource(), () => {}),
      (e: unknown) => e instanceof RpcError && e.code === 'input' && /otherTasks/.test(e.message),
    );
    assert.equal(calls.adapt.length, 0);
  });

  it('stops between files when cancelled', async () => {
    const root = make({ '1.txt': 'invoice one', '2.txt': 'invoice two', '3.txt': 'invoice three' });
    const calls = newCalls();
    const cancel = new CancelSource();
    const events: WorkspaceEvent[] = [];
    await assert.rejects(
      classifyWorkspace(fakeEngine(calls), params(root), cancel, (e) => {
        events.push(e);
        if (e.type === 'file') cancel.cancel();
      }),
      (e: unknown) => e instanceof RpcError && e.code === 'cancelled',
    );
    assert.equal(events.filter((e) => e.type === 'file').length, 1);
    assert.deepEqual(calls.predicted, ['invoice one']);
  });

  it('refuses a support set with a single label before reading the files a second time', async () => {
    const root = make({ 'a.txt': 'invoice' });
    const calls = newCalls();
    await assert.rejects(
      classifyWorkspace(fakeEngine(calls), params(root, { support: [support[0]!] }), new CancelSource(), () => {}),
      EngineInputError,
    );
    assert.deepEqual(calls.predicted, []);
  });

  it('goes over the worker protocol: notifications carry the run id, the answer is the summary', async () => {
    const root = make({ 'a.txt': 'invoice\npassword', 'b.txt': 'password', 'c.txt': 'invoice' });
    const channel = new MessageChannel();
    void startWorkerHost(channel.port1 as unknown as Port, async () => fakeEngine(newCalls()));
    const client = new RpcClient<WorkerRequests>((m) => channel.port2.postMessage(m));
    const seen: Array<[number, string]> = [];
    channel.port2.on('message', (m: unknown) => {
      if (isWorkspaceNotification(m)) seen.push([m.run, m.event.type]);
      else client.handle(m);
    });
    try {
      const result = await client.request('classifyWorkspace', params(root, { run: 7 }));
      assert.equal(result.files, 3);
      assert.deepEqual(seen, [
        [7, 'scanned'],
        [7, 'file'],
        [7, 'file'],
        [7, 'file'],
      ]);
      const wrong = await client.request('classifyWorkspace', params(root, { support: [support[0]!] })).catch((e: unknown) => e);
      assert.ok(wrong instanceof RpcError && wrong.code === 'input', 'a single label is an input error the user can fix');
    } finally {
      channel.port1.close();
      channel.port2.close();
    }
  });

  // Issue 16 item 4: files that change between the walk and the read.
  it('refuses a path that became a FIFO after the walk without blocking, and finishes the run', async () => {
    const root = make({ 'a.txt': 'invoice one', 'b.txt': 'invoice two', 'c.txt': 'invoice three' });
    const result = await classifyWorkspace(fakeEngine(newCalls()), params(root), new CancelSource(), (e) => {
      if (e.type !== 'scanned') return;
      fs.rmSync(path.join(root, 'b.txt'));
      execFileSync('mkfifo', [path.join(root, 'b.txt')]);
    });
    assert.equal(result.files, 2);
    assert.deepEqual(
      result.skipped.map((s) => [path.basename(s.path), s.reason, /not a regular file/.test(s.detail)]),
      [['b.txt', 'unreadable', true]],
    );
  });

  it('reads a file that grew after the walk only up to the size the walk saw, to its last whole line', async () => {
    const root = make({ 'a.txt': 'my invoice\nreset password\n', 'b.txt': 'invoice, no line break' });
    const calls = newCalls();
    const files: Array<[string, number, number]> = [];
    await classifyWorkspace(fakeEngine(calls), params(root), new CancelSource(), (e) => {
      if (e.type === 'scanned') {
        fs.appendFileSync(path.join(root, 'a.txt'), 'appended password line\n');
        fs.appendFileSync(path.join(root, 'b.txt'), ' then more\n');
      } else files.push([path.basename(e.file.path), e.file.bytes, e.file.labelIndex.length]);
    });
    assert.deepEqual(files, [
      ['a.txt', 26, 3],
      ['b.txt', 0, 1],
    ]);
    assert.deepEqual(calls.predicted, ['my invoice', 'reset password'], 'a line that may have been cut is not classified');
  });

  it('ends a run whose file stops making progress, with a message naming it', async () => {
    const root = make({ '1.txt': 'invoice one', '2.txt': 'invoice two', '3.txt': 'invoice three' });
    const events: WorkspaceEvent[] = [];
    let reads = 0;
    // The second pass's read of 2.txt never finishes, as a read from a drive gone away.
    const read: WorkspaceSeams['read'] = async (file) => {
      reads++;
      if (reads === 5) return new Promise(() => {});
      return readText(file, 200);
    };
    await assert.rejects(
      classifyWorkspace(fakeEngine(newCalls()), params(root), new CancelSource(), (e) => events.push(e), undefined, {
        read,
        watchdog: { floorMs: 50, msPerByte: 1 },
      }),
      (e: unknown) =>
        e instanceof RpcError &&
        /^Classify Workspace stopped: .*2\.txt was not done within 0\.1 s \(11 bytes\); the run made no progress$/.test(e.message),
    );
    assert.deepEqual(
      events.map((e) => (e.type === 'file' ? path.basename(e.file.path) : e.type)),
      ['scanned', '1.txt'],
    );
  });
  // Issue 17 item 1: closed structured files are classified by record, as open ones are.
  describe('structured files', () => {
    const csv = 'id,text,note\n1,"my invoice\nis overdue",about a password\n2,reset my password,about an invoice\n';
    const jsonl = '{"text":"invoice paid","note":"password"}\n\nnot json\n{"text":"password lost","note":"invoice"}\n';
    const structured = (root: string, over: Partial<ClassifyWorkspaceParams> = {}) =>
      params(root, {
        scope: { root, include: ['**/*.csv', '**/*.jsonl'], exclude: [], useIgnoreFiles: true, maxFileBytes: 1000 },
        poolSize: 100,
        ...over,
      });
    const fileEvents = async (p: ClassifyWorkspaceParams, calls = newCalls()) => {
      const files = new Map<string, Extract<WorkspaceEvent, { type: 'file' }>['file']>();
      await classifyWorkspace(fakeEngine(calls), p, new CancelSource(), (e) => {
        if (e.type === 'file') files.set(path.basename(e.file.path), e.file);
      });
      return files;
    };

    it("predicts only on records' first lines, with the records' texts, and pools the texts, not the raw rows", async () => {
      const root = make({ 'a.csv': csv, 'b.jsonl': jsonl });
      const calls = newCalls();
      const scanned: WorkspaceEvent[] = [];
      const files = new Map<string, Int32Array>();
      await classifyWorkspace(fakeEngine(calls), structured(root), new CancelSource(), (e) => {
        if (e.type === 'file') files.set(path.basename(e.file.path), e.file.labelIndex);
        else scanned.push(e);
      });
      // a.csv: header, record 1 over lines 1-2, record 2 on line 3, the final empty line.
      assert.deepEqual(Array.from(files.get('a.csv')!), [-1, 1, -1, 0, -1], 'nothing on the header or the continuation line');
      // b.jsonl: record, blank, bad line, record, final empty line.
      assert.deepEqual(Array.from(files.get('b.jsonl')!), [1, -1, -1, 0, -1], 'nothing on a bad line');
      assert.deepEqual(calls.predicted, ['my invoice\nis overdue', 'reset my password', 'invoice paid', 'password lost']);
      assert.deepEqual(
        [...calls.adapt[0]!.pool!].sort(),
        ['invoice paid', 'my invoice\nis overdue', 'password lost', 'reset my password'],
        "the pool is the records' texts",
      );
      assert.equal((scanned[0] as Extract<WorkspaceEvent, { type: 'scanned' }>).lines, 4, 'the units counted are the records');
    });

    it('gives a closed file the predictions the open-document classify gives it', async () => {
      const root = make({ 'a.csv': csv, 'b.jsonl': jsonl });
      const files = await fileEvents(structured(root, { poolSize: 0 }));
      for (const [name, text, format] of [
        ['a.csv', csv, 'csv'],
        ['b.jsonl', jsonl, 'jsonl'],
      ] as const) {
        const open = await classify(fakeEngine(newCalls()), { support, text, records: { format } }, new CancelSource());
        const closed = files.get(name)!;
        assert.deepEqual(Array.from(closed.labelIndex), Array.from(open.labelIndex), name);
        assert.deepEqual(Array.from(closed.confidence), Array.from(open.confidence), name);
        assert.deepEqual(Array.from(closed.uncertainty), Array.from(open.uncertainty), name);
      }
    });

    it('reads the column chosen for a file, and refuses a malformed column map', async () => {
      const root = make({ 'a.csv': csv, 'b.jsonl': jsonl });
      const calls = newCalls();
      const chosen = { [path.join(root, 'a.csv')]: 'note', [path.join(root, 'b.jsonl')]: 'note' };
      const files = await fileEvents(structured(root, { textColumns: chosen }), calls);
      assert.deepEqual(calls.predicted, ['about a password', 'about an invoice', 'password', 'invoice']);
      assert.deepEqual(Array.from(files.get('a.csv')!.labelIndex), [-1, 0, -1, 1, -1]);
      assert.deepEqual(Array.from(files.get('b.jsonl')!.labelIndex), [0, -1, -1, 1, -1]);
      for (const bad of [['note'], { [path.join(root, 'a.csv')]: 3 }])
        await assert.rejects(
          classifyWorkspace(
            fakeEngine(newCalls()),
            structured(root, { textColumns: bad as unknown as Record<string, string> }),
            new CancelSource(),
            () => {},
          ),
          (e: unknown) => e instanceof RpcError && e.code === 'input' && /textColumns/.test(e.message),
        );
    });
  });
});
