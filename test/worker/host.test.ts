import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fillMessage } from '../../src/engine/data/labelName';
import { checkSupport } from '../../src/engine/engine';
import { ADAPTATION_NOTES } from '../../src/engine/learners/adaptation';
import { englishOf, said } from '../../src/engine/messageTemplate';
import { SUPPORT_PROBLEMS } from '../../src/engine/support';
import { WORKER_MESSAGES } from '../../src/protocol/workerMessages';
import { MessageChannel, Worker } from 'node:worker_threads';
import { type DataRecord, unpackRecords } from '../../src/engine/data/records';
import { DocumentStates } from '../../src/worker/documentStates';
import { type Port, startWorkerHost } from '../../src/worker/host';
import type { EngineApi, AdaptOptions } from '../../src/engine/engine';
import type { Example } from '../../src/engine/types';
import { RpcClient, CancelSource, errorText, RpcError } from '../../src/protocol/rpc';
import { checkPredictedSets } from '../../src/protocol/labelSets';
import { isReady, isLog, type WorkerRequests, type ReadyNotification } from '../../src/protocol/worker';
import { fakeEngine, fakeSetEngine, info } from './fakeEngine';
import { tempFolders } from './tempFolders';

function connect(load: () => Promise<EngineApi>) {
  const channel = new MessageChannel();
  const hostPort = channel.port1 as unknown as Port;
  void startWorkerHost(hostPort, load);
  const logs: string[] = [];
  let readyResolve!: (r: ReadyNotification) => void;
  const ready = new Promise<ReadyNotification>((r) => (readyResolve = r));
  const client = new RpcClient<WorkerRequests>((m) => channel.port2.postMessage(m));
  // Sends whatever params it is given, as a buggy or foreign sender would: what the host must check.
  const untyped = new RpcClient<{ [method: string]: { params: unknown; result: unknown } }>((m) => channel.port2.postMessage(m));
  channel.port2.on('message', (m: unknown) => {
    if (isReady(m)) readyResolve(m);
    else if (isLog(m)) logs.push(m.message);
    else if (!client.handle(m)) untyped.handle(m);
  });
  return {
    client,
    untyped,
    ready,
    logs,
    close: () => {
      channel.port1.close();
      channel.port2.close();
    },
  };
}

/** The worker's records of a document, unpacked. */
async function recordsOf(client: RpcClient<WorkerRequests>, params: WorkerRequests['records']['params']): Promise<DataRecord[]> {
  const table = await client.request('records', params);
  const records: DataRecord[] = [];
  unpackRecords(table, 0, table.lines.length, records);
  return records;
}

const support: Example[] = [
  { text: 'invoice overdue', label: 'billing' },
  { text: 'password reset', label: 'account' },
];

describe('worker host protocol', () => {
  it('sends ready with the engine info, then classifies lines, skipping empty ones', async () => {
    const calls = { adapt: [] as AdaptOptions[], predictedLines: 0 };
    const w = connect(async () => fakeEngine(calls));
    try {
      const ready = await w.ready;
      assert.deepEqual(ready.info, info);
      const result = await w.client.request('classify', { support, text: 'my invoice is late\n\r\nreset it please\n   ' });
      assert.deepEqual(result.labels, ['account', 'billing']);
      assert.deepEqual(Array.from(result.labelIndex), [1, -1, 0, -1]);
      assert.ok(Math.abs(result.confidence[0]! - 0.9) < 1e-6);
      assert.equal(calls.predictedLines, 2);
      assert.deepEqual(await w.client.request('info', {}), info);
    } finally {
      w.close();
    }
  });

  it('classifies a CSV by record: the text column on the first line, nothing on the header or a continuation line', async () => {
    const calls = { adapt: [] as AdaptOptions[], predictedLines: 0 };
    const w = connect(async () => fakeEngine(calls));
    try {
      await w.ready;
      const text = 'id,text,when\n1,"my invoice\nis overdue",monday\n2,reset my password,tuesday\n';
      const table = await w.client.request('records', { text, format: 'csv' });
      assert.equal(table.column, 'text');
      const records: DataRecord[] = [];
      unpackRecords(table, 0, table.lines.length, records);
      assert.deepEqual(
        records.map((r) => [r.line, r.endLine, r.text]),
        [
          [1, 2, 'my invoice\nis overdue'],
          [3, 3, 'reset my password'],
        ],
      );
      const result = await w.client.request('classify', { support, text, usePool: true, records: { format: 'csv' } });
      assert.deepEqual(Array.from(result.labelIndex), [-1, 1, -1, 0, -1]);
      assert.equal(calls.predictedLines, 2, 'one prediction per record, the header left out');
      assert.deepEqual(
        calls.adapt[0]!.pool,
        ['my invoice\nis overdue', 'reset my password'],
        'the pool is the records, not the id or date',
      );
      const exported = await w.client.request('dataset', {
        text,
        format: 'csv',
        labels: [{ label: 'billing', source: 'label' }, null],
      });
      assert.equal(
        exported,
        'id,text,when,label,label_source,confidence\n1,"my invoice\nis overdue",monday,billing,label,\n2,reset my password,tuesday,,,\n',
      );
    } finally {
      w.close();
    }
  });

  describe('a saved CSV whose buffer the editor normalised', () => {
    const folder = tempFolders('fewshot-host-');
    // The file: CRLF rows, LF inside a quoted cell, a BOM. The editor's copy: CRLF everywhere, no BOM.
    const source = '\uFEFFid,text\r\n1,"line one\nline two"\r\n2,"a\r\nb"\r\n3,plain\r\n';
    const buffer = source.slice(1).replace(/\r?\n/g, '\r\n');

    it('CRLF rows with LF inside cells round-trip byte for byte (the label record text and the export)', async () => {
      const file = path.join(folder({ 'data.csv': source }), 'data.csv');
      const calls = { adapt: [] as AdaptOptions[], predictedLines: 0 };
      const w = connect(async () => fakeEngine(calls));
      try {
        await w.ready;
        const records = await recordsOf(w.client, { text: buffer, format: 'csv', path: file });
        assert.deepEqual(
          records.map((r) => [r.line, r.text]),
          [
            [1, 'line one\nline two'],
            [3, 'a\r\nb'],
            [5, 'plain'],
          ],
          'each record text as the file has it, on the editor lines',
        );
        const exported = await w.client.request('dataset', {
          text: buffer,
          format: 'csv',
          path: file,
          labels: [{ label: 'x', source: 'label' }, null, null],
        });
        assert.equal(
          exported,
          '\uFEFFid,text,label,label_source,confidence\r\n1,"line one\nline two",x,label,\r\n2,"a\r\nb",,,\r\n3,plain,,,\r\n',
        );
        await w.client.request('classify', { support, text: buffer, usePool: true, records: { format: 'csv', path: file } });
        assert.deepEqual(calls.adapt[0]!.pool, ['line one\nline two', 'a\r\nb', 'plain'], 'classify reads the same records');
      } finally {
        w.close();
      }
    });

    it('keeps the buffer when it is not the saved file (an unsaved edit, or a file changed since)', async () => {
      const file = path.join(folder({ 'data.csv': source.replace('plain', 'changed') }), 'data.csv');
      const w = connect(async () => fakeEngine({ adapt: [], predictedLines: 0 }));
      try {
        await w.ready;
        const records = await recordsOf(w.client, { text: buffer, format: 'csv', path: file });
        assert.deepEqual(
          records.map((r) => r.text),
          ['line one\r\nline two', 'a\r\nb', 'plain'],
        );
      } finally {
        w.close();
      }
    });
  });

  it('the pool spans a 30,000-line document (the first-20,000 mutation fails): every line goes to the engine, which samples', async () => {
    const calls = { adapt: [] as AdaptOptions[], predictedLines: 0 };
    const w = connect(async () => fakeEngine(calls));
    try {
      await w.ready;
      const lines = Array.from({ length: 30_000 }, (_, i) => `line ${i}`);
      await w.client.request('classify', { support, text: lines.join('\n'), usePool: true });
      assert.deepEqual(calls.adapt[0]!.pool, lines);
    } finally {
      w.close();
    }
  });

  it('passes the document lines as the pool only when asked', async () => {
    const calls = { adapt: [] as AdaptOptions[], predictedLines: 0 };
    const w = connect(async () => fakeEngine(calls));
    try {
      await w.ready;
      await w.client.request('classify', { support, text: 'a\nb', method: 'keyword' });
      await w.client.request('classify', { support, text: 'a\n\nb', usePool: true });
      assert.equal(calls.adapt[0]!.pool, undefined);
      assert.equal(calls.adapt[0]!.method, 'keyword');
      assert.deepEqual(calls.adapt[1]!.pool, ['a', 'b']);
    } finally {
      w.close();
    }
  });

  it('passes the abstention setting to the engine, and refuses a value outside auto, on, off before adapting', async () => {
    const calls = { adapt: [] as AdaptOptions[], predictedLines: 0 };
    const w = connect(async () => fakeEngine(calls));
    try {
      await w.ready;
      await w.client.request('classify', { support, text: 'a', abstention: 'on' });
      await w.client.request('classify', { support, text: 'a', abstention: 'auto' });
      await w.client.request('classify', { support, text: 'a' });
      assert.deepEqual(
        calls.adapt.map((a) => a.abstain),
        ['on', 'auto', undefined],
      );
      for (const [method, bad] of [
        ['classify', 'always'],
        ['classify', true],
        ['quality', 'yes'],
        // Refused before the folder is walked (the scope is not even looked at).
        ['classifyWorkspace', 'sometimes'],
      ] as const) {
        await assert.rejects(
          w.untyped.request(method, { support, text: 'a', abstention: bad }),
          (e: unknown) =>
            e instanceof RpcError &&
            e.code === 'input' &&
            e.message === `abstention must be one of auto, on, off (got ${JSON.stringify(bad)})`,
        );
      }
      assert.equal(calls.adapt.length, 3, 'nothing adapted for the refused requests');
    } finally {
      w.close();
    }
  });

  it('starts the next adaptation of a document from its previous state, and forgets it on request', async () => {
    const calls = { adapt: [] as AdaptOptions[], predictedLines: 0 };
    const w = connect(async () => fakeEngine(calls));
    try {
      await w.ready;
      const first = await w.client.request('classify', { support, text: 'a\nb', usePool: true, document: 'file:///a.txt' });
      const second = await w.client.request('classify', { support, text: 'a\nb', usePool: true, document: 'file:///a.txt' });
      const other = await w.client.request('classify', { support, text: 'a\nb', usePool: true, document: 'file:///b.txt' });
      assert.equal(first.warm, false);
      assert.equal(calls.adapt[0]!.warm, undefined);
      assert.equal(second.warm, true);
      assert.deepEqual(calls.adapt[1]!.warm?.labels, ['account', 'billing']);
      assert.equal(other.warm, false, 'another document does not share the state');
      assert.equal(await w.client.request('forget', { document: 'file:///a.txt' }), true);
      assert.equal(await w.client.request('forget', { document: 'file:///a.txt' }), false);
      const third = await w.client.request('classify', { support, text: 'a\nb', usePool: true, document: 'file:///a.txt' });
      assert.equal(third.warm, false);
    } finally {
      w.close();
    }
  });

  it('keeps one state per document and task: each task starts warm from its own head; forget drops every task', async () => {
    const calls = { adapt: [] as AdaptOptions[], predictedLines: 0 };
    const w = connect(async () => fakeEngine(calls));
    const urgency: Example[] = [
      { text: 'invoice overdue', label: 'high' },
      { text: 'password reset', label: 'low' },
    ];
    const doc = { text: 'a\nb', usePool: true, document: 'file:///a.txt' };
    try {
      await w.ready;
      await w.client.request('classify', { support, ...doc });
      const first = await w.client.request('classify', { support: urgency, ...doc, task: 'urgency' });
      assert.equal(first.warm, false, 'another task does not start from the default task head');
      await w.client.request('classify', { support: urgency, ...doc, task: 'urgency' });
      assert.deepEqual(calls.adapt[2]!.warm?.labels, ['high', 'low']);
      const back = await w.client.request('classify', { support, ...doc });
      assert.equal(back.warm, true);
      assert.deepEqual(calls.adapt[3]!.warm?.labels, ['account', 'billing'], 'the default task kept its own head');
      assert.equal(await w.client.request('forget', { document: 'file:///a.txt' }), true);
      const after = await w.client.request('classify', { support: urgency, ...doc, task: 'urgency' });
      assert.equal(after.warm, false);
    } finally {
      w.close();
    }
  });

  it('keeps the states of a bounded number of documents, dropping the least recently used', () => {
    const states = new DocumentStates(2);
    const state = (label: string) => ({
      method: 'm',
      labels: [label],
      head: { W: new Float32Array(1), b: new Float32Array(1), nClasses: 1 },
    });
    states.set('a', state('a'));
    states.set('b', state('b'));
    states.get('a');
    states.set('c', state('c'));
    assert.equal(states.size, 2);
    assert.equal(states.get('b'), undefined);
    assert.deepEqual(states.get('a')?.labels, ['a']);
  });

  it('reports engine input errors with the input code', async () => {
    const w = connect(async () => fakeEngine({ adapt: [], predictedLines: 0 }));
    try {
      await w.ready;
      await assert.rejects(
        w.client.request('classify', { support: [support[0]!], text: 'x' }),
        (e: unknown) => e instanceof RpcError && e.code === 'input' && /two labels/.test(e.message),
      );
    } finally {
      w.close();
    }
  });

  it('stops a long classification when cancelled', async () => {
    const calls = { adapt: [] as AdaptOptions[], predictedLines: 0 };
    const w = connect(async () => fakeEngine(calls));
    try {
      await w.ready;
      const lines = Array.from({ length: 50_000 }, (_, i) => `line ${i} invoice`);
      const source = new CancelSource();
      const pending = w.client.request('classify', { support, text: lines.join('\n') }, source);
      setTimeout(() => source.cancel(), 1);
      await assert.rejects(pending, /cancelled/);
      await new Promise((r) => setTimeout(r, 200));
      assert.ok(calls.predictedLines < lines.length, `predicted ${calls.predictedLines} of ${lines.length}`);
    } finally {
      w.close();
    }
  });

  it('a stop flag set by another thread stops an adaptation that never yields', async () => {
    let polls = 0;
    const busyEngine: EngineApi = {
      ...fakeEngine({ adapt: [], predictedLines: 0 }),
      adapt(sup, options) {
        // A synchronous adaptation: only shared memory can reach it while it runs.
        const until = Date.now() + 10_000;
        while (Date.now() < until && !options?.shouldStop?.()) polls++;
        return fakeEngine({ adapt: [], predictedLines: 0 }).adapt(sup, options);
      },
    };
    const w = connect(async () => busyEngine);
    try {
      await w.ready;
      const stopFlag = new Int32Array(new SharedArrayBuffer(4));
      const started = Date.now();
      // Another thread sets the flag 100 ms from now, while this thread is inside adapt().
      const setter = new Worker(
        'const { workerData } = require("node:worker_threads"); setTimeout(() => Atomics.store(workerData, 0, 1), 100);',
        { eval: true, workerData: stopFlag },
      );
      await assert.rejects(w.client.request('classify', { support, text: 'a\nb', stopFlag }), /cancelled/);
      assert.ok(Date.now() - started < 5_000, 'stopped long before the 10 s loop ended');
      assert.ok(polls > 0);
      await setter.terminate();
    } finally {
      w.close();
    }
  });

  describe('errors and notes said in the user language', () => {
    // The extension's side: vscode.l10n.t with the shipped Chinese bundle, as VS Code in zh-cn.
    const zh: Record<string, string> = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../l10n/bundle.l10n.zh-cn.json'), 'utf8'));
    const translate = (m: string, ...args: string[]) => fillMessage(zh[m] ?? m, args);
    const failure = async (request: Promise<unknown>): Promise<RpcError> => {
      const e = await request.then(
        () => undefined,
        (x: unknown) => x,
      );
      assert.ok(e instanceof RpcError, `not an RpcError: ${String(e)}`);
      return e;
    };

    it("the worker's own input error and the engine's cross with their template (WORKER_MESSAGES, the engine's tables)", async () => {
      const calls = { adapt: [] as AdaptOptions[], predictedLines: 0 };
      const fake = fakeEngine(calls);
      // The engine's own check of the labeled set (its problem carries SUPPORT_PROBLEMS' template).
      const w = connect(async () => ({
        ...fake,
        adapt: (s: Example[], o?: AdaptOptions) => {
          checkSupport(s);
          return fake.adapt(s, o);
        },
      }));
      try {
        await w.ready;
        const abstention = await failure(w.untyped.request('classify', { support, text: 'x', abstention: 'sometimes' }));
        assert.equal(abstention.message, 'abstention must be one of auto, on, off (got "sometimes")');
        assert.equal(abstention.said?.template, WORKER_MESSAGES.badAbstention);
        assert.equal(errorText(abstention, translate), 'abstention 必须是 auto, on, off 之一（实际为 "sometimes"）');
        const one = await failure(w.client.request('classify', { support: [support[0]!], text: 'x' }));
        assert.equal(one.code, 'input');
        assert.equal(one.said?.template, SUPPORT_PROBLEMS.one);
        assert.equal(errorText(one, translate), '至少需要两个标签各有示例（只找到“billing”）；请用第二个标签标注一行');
        assert.match(errorText(one), /found only "billing"/);
      } finally {
        w.close();
      }
    });

    it("an adaptation's note crosses with its template", async () => {
      const fake = fakeEngine({ adapt: [], predictedLines: 0 });
      const noteTemplate = said(ADAPTATION_NOTES.prototypes, '30000', '12');
      const w = connect(async () => ({
        ...fake,
        adapt: (s: Example[], o?: AdaptOptions) => ({ ...fake.adapt(s, o), note: englishOf(noteTemplate), noteTemplate }),
      }));
      try {
        await w.ready;
        const result = await w.client.request('classify', { support, text: 'invoice' });
        assert.deepEqual(result.noteTemplate, noteTemplate);
        assert.match(result.note ?? '', /^30000 labeled lines over 12 labels/);
      } finally {
        w.close();
      }
    });
  });

  it('a failed engine load is reported in ready and in every answer', async () => {
    const w = connect(async () => {
      throw new Error('models/vectors.bin is missing');
    });
    try {
      const ready = await w.ready;
      assert.equal(ready.error, 'the engine failed to load: models/vectors.bin is missing');
      // The load's own error, for the extension to say the worker's template (WORKER_MESSAGES.engineFailed) around it.
      assert.equal(ready.loadError, 'models/vectors.bin is missing');
      assert.ok(w.logs.some((l) => /failed to load/.test(l)));
      await assert.rejects(
        w.client.request('classify', { support, text: 'x' }),
        (e: unknown) =>
          e instanceof RpcError && e.said?.template === WORKER_MESSAGES.engineFailed && /vectors\.bin is missing/.test(e.message),
      );
    } finally {
      w.close();
    }
  });
});

describe('worker host: quality estimate', () => {
  /** 40 lines over two labels: past leave-one-out, so five stratified folds. */
  const labeled: Example[] = Array.from({ length: 40 }, (_, i) =>
    i % 2 ? { text: `invoice (${i})`, label: 'billing' } : { text: `password (${i})`, label: 'account' },
  );

  it('cross-validates with the method and the document lines as the pool, as classify adapts', async () => {
    const calls = { adapt: [] as AdaptOptions[], predictedLines: 0 };
    const w = connect(async () => fakeEngine(calls));
    try {
      await w.ready;
      const r = await w.client.request('quality', { support: labeled, text: 'one\r\ntwo', method: 'keyword', abstention: 'off' });
      assert.deepEqual([r.scheme, r.folds, r.n, r.correct, r.method], ['k-fold', 5, 40, 40, 'keyword']);
      assert.equal(calls.adapt.length, 5);
      for (const a of calls.adapt) assert.deepEqual([a.method, a.pool, a.abstain], ['keyword', ['one', 'two'], 'off']);
      assert.equal(calls.predictedLines, 40, 'each labeled line predicted once');
    } finally {
      w.close();
    }
  });

  it('scores the records of a structured document, not its raw rows: the pool is what classify sees', async () => {
    const calls = { adapt: [] as AdaptOptions[], predictedLines: 0 };
    const w = connect(async () => fakeEngine(calls));
    try {
      await w.ready;
      const text = 'id,text,when\r\n1,"my invoice\nis overdue",monday\r\n2,reset my password,tuesday\r\n';
      await w.client.request('quality', { support: labeled, text, records: { format: 'csv' } });
      await w.client.request('classify', { support, text, usePool: true, records: { format: 'csv' } });
      const records = ['my invoice\nis overdue', 'reset my password'];
      assert.deepEqual(
        calls.adapt.map((a) => a.pool),
        [...Array.from({ length: 5 }, () => records), records],
      );
    } finally {
      w.close();
    }
  });

  it('stops the fold being adapted when the shared stop flag is set', async () => {
    const calls = { adapt: [] as AdaptOptions[], predictedLines: 0 };
    const stopFlag = new Int32Array(new SharedArrayBuffer(4));
    const engine = fakeEngine(calls);
    const adapt = engine.adapt.bind(engine);
    let stopSeen: boolean | undefined;
    engine.adapt = (s, o) => {
      // The extension sets the flag while the worker is busy in this fold's adaptation.
      Atomics.store(stopFlag, 0, 1);
      stopSeen = o?.shouldStop?.();
      return adapt(s, o);
    };
    const w = connect(async () => engine);
    try {
      await w.ready;
      await assert.rejects(w.client.request('quality', { support: labeled, text: 'x', stopFlag }), /cancelled/);
      assert.equal(stopSeen, true, 'the adaptation was told to stop');
      assert.equal(calls.adapt.length, 1, 'no later fold ran');
    } finally {
      w.close();
    }
  });

  it('stops between folds when cancelled', async () => {
    const calls = { adapt: [] as AdaptOptions[], predictedLines: 0 };
    const source = new CancelSource();
    const engine = fakeEngine(calls);
    const adapt = engine.adapt.bind(engine);
    // The cancel goes out while the first fold adapts.
    engine.adapt = (s, o) => {
      if (calls.adapt.length === 0) source.cancel();
      return adapt(s, o);
    };
    const w = connect(async () => engine);
    try {
      await w.ready;
      await assert.rejects(w.client.request('quality', { support: labeled, text: '' }, source), /cancelled/);
      await new Promise((r) => setTimeout(r, 100));
      assert.ok(calls.adapt.length >= 1 && calls.adapt.length < 5, `adapted ${calls.adapt.length} of 5 folds`);
    } finally {
      w.close();
    }
  });
});

describe('worker host: multi-label classify', () => {
  const sets = [
    { text: 'invoice overdue', labels: ['billing'] },
    { text: 'app crash', labels: ['bug'] },
    { text: 'sunny day', labels: [] },
  ];

  it('predicts a set per line (most probable first); the empty set is none; the single-label fields summarise it', async () => {
    const pools: Array<string[] | undefined> = [];
    const w = connect(async () => fakeSetEngine(pools));
    try {
      await w.ready;
      const text = 'the invoice made the app crash\n\nmy invoice please\nnothing here';
      const result = await w.client.request('classify', { support: [], multiLabel: sets, text, usePool: true });
      assert.deepEqual(result.labels, ['billing', 'bug', 'none']);
      const sets3 = checkPredictedSets(result)!;
      const setOf = (i: number) => Array.from(sets3.label.subarray(sets3.start[i], sets3.start[i + 1]), (l) => result.labels[l]);
      assert.deepEqual([0, 1, 2, 3].map(setOf), [['billing', 'bug'], [], ['billing'], []]);
      assert.deepEqual(Array.from(result.labelIndex), [0, -1, 0, 2]);
      assert.ok(Math.abs(result.confidence[3]! - 0.9) < 1e-6, 'the empty set: 1 - the most probable label');
      // The non-empty lines are the pool, as for a single-label task.
      assert.deepEqual(pools, [['the invoice made the app crash', 'my invoice please', 'nothing here']]);
    } finally {
      w.close();
    }
  });

  it('refuses a malformed multiLabel field with an input error before adapting', async () => {
    const pools: Array<string[] | undefined> = [];
    const w = connect(async () => fakeSetEngine(pools));
    try {
      await w.ready;
      for (const multiLabel of [[{ text: 'x', labels: 'bug' }], [{ text: 1, labels: [] }], 'bug']) {
        await assert.rejects(
          w.untyped.request('classify', { support: [], multiLabel, text: 'x' }),
          (e: unknown) => e instanceof RpcError && e.code === 'input' && /multiLabel/.test(e.message),
        );
      }
      assert.equal(pools.length, 0);
    } finally {
      w.close();
    }
  });

  it('the host refuses sets that do not fit the answer', () => {
    const base = {
      labels: ['a', 'none'],
      method: 'm',
      labelIndex: Int32Array.of(0),
      confidence: Float32Array.of(1),
      uncertainty: Float32Array.of(0),
    };
    const answer = (start: number[], label: number[], confidence: number[]) => ({
      ...base,
      adaptMs: 0,
      predictMs: 0,
      warm: false,
      sets: { start: Int32Array.from(start), label: Int32Array.from(label), confidence: Float32Array.from(confidence) },
    });
    assert.ok(checkPredictedSets(answer([0, 1], [0], [0.8])));
    for (const bad of [
      answer([0, 1, 1], [0], [0.8]),
      answer([0, 1], [2], [0.8]),
      answer([0, 2], [0, 0], [0.8, 0.8]),
      answer([0, 1], [0], [1.5]),
    ]) {
      assert.throws(
        () => checkPredictedSets(bad),
        (e: unknown) => e instanceof RpcError && e.code === 'internal',
      );
    }
  });
});
