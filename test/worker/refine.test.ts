// Background refinement in the worker host: after the instant answer the lines are embedded and the
// document classified again with the sentence block; the result is tagged with the document version
// and a newer version supersedes the job, so a refinement never lands on a changed document.
import * as assert from 'node:assert/strict';
import { MessageChannel } from 'node:worker_threads';
import type { AdaptOptions, EngineApi, SentenceVectors } from '../../src/engine/engine';
import type { Example } from '../../src/engine/types';
import { RpcClient } from '../../src/protocol/rpc';
import { checkPredictedSets } from '../../src/protocol/labelSets';
import { type ClassifyResult, isLog, isReady, isRefine, type RefineNotification, type WorkerRequests } from '../../src/protocol/worker';
import { type Port, startWorkerHost } from '../../src/worker/host';
import { priorityOrder, type SentenceEmbedder } from '../../src/worker/refine';
import { fakeSetEngine, sentenceFakeEngine } from './fakeEngine';

const DIM = 4;
const support: Example[] = [
  { text: 'invoice overdue', label: 'billing' },
  { text: 'password reset', label: 'account' },
];

/** An embedder whose batches wait for `release()` when `gated`; counts the lines it embeds. */
function fakeEmbedder(gated = false) {
  let open: () => void = () => {};
  let gate = gated ? new Promise<void>((r) => (open = r)) : Promise.resolve();
  const embedded: string[] = [];
  const embedder: SentenceEmbedder = {
    dim: DIM,
    cached: () => new Map(),
    async embed(texts) {
      await gate;
      embedded.push(...texts);
      return Float32Array.from({ length: texts.length * DIM }, (_, k) => (k % DIM === 0 ? 1 : 0));
    },
    flush: () => {},
  };
  return {
    embedder,
    embedded,
    release: () => {
      open();
      gate = Promise.resolve();
    },
  };
}

function connect(engine: EngineApi, loadEncoder: () => Promise<SentenceEmbedder>) {
  const channel = new MessageChannel();
  void startWorkerHost(channel.port1 as unknown as Port, async () => engine, loadEncoder);
  const client = new RpcClient<WorkerRequests>((m) => channel.port2.postMessage(m));
  const refines: RefineNotification[] = [];
  const logs: string[] = [];
  const waiters: Array<() => void> = [];
  let ready!: () => void;
  const isUp = new Promise<void>((r) => (ready = r));
  channel.port2.on('message', (m: unknown) => {
    if (isReady(m)) ready();
    else if (isLog(m)) logs.push(m.message);
    else if (isRefine(m)) {
      refines.push(m);
      for (const w of waiters.splice(0)) w();
    } else client.handle(m);
  });
  /** Resolves when a notification matching `test` has arrived. */
  const until = async (test: (n: RefineNotification) => boolean) => {
    while (!refines.some(test)) await new Promise<void>((r) => waiters.push(r));
  };
  return { client, refines, logs, until, isUp, close: () => channel.port1.close() };
}

describe('background refinement (worker host)', () => {
  it('answers at once, then posts the refined predictions of that version, every line with its vector', async () => {
    const calls = { adapt: [] as AdaptOptions[], predictedLines: 0 };
    const fake = fakeEmbedder();
    const w = connect(sentenceFakeEngine(calls), async () => fake.embedder);
    try {
      await w.isUp;
      const text = 'my invoice is late\n\nreset it please\nmy invoice is late';
      const instant = await w.client.request('classify', { support, text, usePool: true, document: 'doc', refine: { version: 3 } });
      assert.equal(instant.method, 'keyword');
      assert.ok(Math.abs((instant.confidence[0] as number) - 0.9) < 1e-6);
      await w.until((n) => n.result !== undefined);
      const last = w.refines.at(-1) as RefineNotification;
      assert.equal(last.version, 3);
      assert.equal(last.document, 'doc');
      assert.equal(last.result?.method, 'keyword+sentence@2');
      assert.deepEqual(Array.from(last.result?.labelIndex ?? []), Array.from(instant.labelIndex));
      assert.ok(Math.abs((last.result?.confidence[0] as number) - 0.99) < 1e-6);
      assert.equal(last.done, last.total);
      // Each distinct line once: 2 document lines, 2 support lines, 2 label names.
      assert.equal(new Set(fake.embedded).size, fake.embedded.length);
      assert.equal(fake.embedded.length, 6);
      assert.equal(calls.adapt.at(-1)?.sentence?.dim, DIM);
    } finally {
      w.close();
    }
  });

  /**
   * Version 1 of 'doc' is refined with a gated embedder; while its lines wait, version 2 is
   * classified (with or without refinement); then the gate opens and `after` runs.
   */
  async function changedWhileRefining(
    refineV2: boolean,
    after: (w: ReturnType<typeof connect>) => Promise<void>,
    /** The second classify's task (default: the same, the default task). */
    task?: string,
  ) {
    const calls = { adapt: [] as AdaptOptions[], predictedLines: 0 };
    const fake = fakeEmbedder(true);
    const w = connect(sentenceFakeEngine(calls), async () => fake.embedder);
    try {
      await w.isUp;
      await w.client.request('classify', { support, text: 'my invoice is late', usePool: true, document: 'doc', refine: { version: 1 } });
      await w.until((n) => n.version === 1);
      const v2 = { support, text: 'reset it please', usePool: true, document: 'doc', ...(task === undefined ? {} : { task }) };
      await w.client.request('classify', refineV2 ? { ...v2, refine: { version: 2 } } : v2);
      fake.release();
      await after(w);
    } finally {
      w.close();
    }
  }

  it('drops the refinement of an old version: a newer classify supersedes it', () =>
    changedWhileRefining(true, async (w) => {
      await w.until((n) => n.result !== undefined);
      assert.deepEqual(
        w.refines.filter((n) => n.result).map((n) => n.version),
        [2],
      );
      assert.ok(w.refines.every((n) => n.version === 2 || n.result === undefined));
    }));

  it('a new version classified without refinement stops the old one too', () =>
    changedWhileRefining(false, async (w) => {
      // Another document's refinement ends after the first one's would have.
      await w.client.request('classify', { support, text: 'late invoice', usePool: true, document: 'other', refine: { version: 7 } });
      await w.until((n) => n.document === 'other' && n.result !== undefined);
      assert.equal(w.refines.filter((n) => n.document === 'doc' && n.result).length, 0);
    }));

  it("another task's classify of the document (every task in the diagnostics) leaves the active task's refinement running", () =>
    changedWhileRefining(
      false,
      async (w) => {
        await w.until((n) => n.document === 'doc' && n.result !== undefined);
        assert.deepEqual(
          w.refines.filter((n) => n.result).map((n) => [n.document, n.version, n.task]),
          [['doc', 1, undefined]],
        );
      },
      'urgency',
    ));

  it('an encoder that cannot load turns refinement off with one log message; the instant path works', async () => {
    const calls = { adapt: [] as AdaptOptions[], predictedLines: 0 };
    let loads = 0;
    const w = connect(sentenceFakeEngine(calls), () => {
      loads++;
      return Promise.reject(new Error('models/sentence/model.json is missing'));
    });
    try {
      await w.isUp;
      for (const version of [1, 2]) {
        const r = await w.client.request('classify', {
          support,
          text: 'my invoice is late',
          usePool: true,
          document: 'doc',
          refine: { version },
        });
        assert.equal(r.method, 'keyword');
      }
      // Give the background jobs their turns.
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
      assert.equal(loads, 1);
      assert.equal(w.logs.filter((l) => l.includes('refinement is off')).length, 1);
      assert.equal(w.refines.length, 0);
    } finally {
      w.close();
    }
  });

  it('keeps one batch in flight per encoding thread, sent in priority order', async () => {
    const calls = { adapt: [] as AdaptOptions[], predictedLines: 0 };
    const batches: string[][] = [];
    let inFlight = 0;
    let most = 0;
    const embedder: SentenceEmbedder = {
      dim: DIM,
      threads: 2,
      cached: () => new Map(),
      async embed(texts) {
        batches.push([...texts]);
        most = Math.max(most, ++inFlight);
        // The later batch of each pair comes back first: what is stored must not depend on it.
        await new Promise((r) => setTimeout(r, batches.length % 2 ? 5 : 1));
        inFlight--;
        return Float32Array.from({ length: texts.length * DIM }, (_, k) => (k % DIM === 0 ? 1 : 0));
      },
      flush: () => {},
    };
    const w = connect(sentenceFakeEngine(calls), async () => embedder);
    try {
      await w.isUp;
      const lines = Array.from({ length: 100 }, (_, i) => `line number ${'x'.repeat(i % 7)} ${i}`);
      const params = { support, text: lines.join('\n'), usePool: true, document: 'doc', refine: { version: 1 } };
      await w.client.request('classify', params);
      await w.until((n) => n.result !== undefined);
      assert.equal(most, 2);
      assert.deepEqual(batches.flat(), priorityOrder({ lines, params }));
      assert.equal(w.refines.at(-1)?.result?.method, 'keyword+sentence@2');
    } finally {
      w.close();
    }
  });

  it("refines a multi-label task's sets: the same sets adapted with the block, tagged with the version", async () => {
    const topics = [
      { text: 'invoice overdue', labels: ['billing'] },
      { text: 'app crash', labels: ['bug'] },
      { text: 'sunny day', labels: [] },
    ];
    const base = fakeSetEngine([]);
    const sentences: Array<SentenceVectors | undefined> = [];
    // With the block, a line's set is the labels its vector points along (the fake embedder's: the first, billing).
    const engine: EngineApi = {
      ...base,
      adaptMultiLabel(sets, options) {
        sentences.push(options?.sentence);
        const model = base.adaptMultiLabel!(sets, options);
        const sentence = options?.sentence;
        if (!sentence) return model;
        return {
          ...model,
          classify(lines) {
            const L = model.labels.length;
            const probs = new Float32Array(lines.length * L);
            for (const [i, t] of lines.entries())
              for (let l = 0; l < L; l++) probs[i * L + l] = (sentence.get(t)?.[l] ?? 0) > 0.5 ? 0.9 : 0.1;
            return { probs, member: Uint8Array.from(probs, (p) => (p >= 0.5 ? 1 : 0)) };
          },
        };
      },
    };
    const fake = fakeEmbedder();
    const w = connect(engine, async () => fake.embedder);
    const setsOf = (r: ClassifyResult) => {
      const sets = checkPredictedSets(r)!;
      return [...r.labelIndex].map((_, i) => Array.from(sets.label.subarray(sets.start[i], sets.start[i + 1]), (l) => r.labels[l]));
    };
    try {
      await w.isUp;
      const params = {
        support: [],
        multiLabel: topics,
        text: 'the app crash\nmy invoice',
        document: 'doc',
        task: 'topics',
        refine: { version: 5 },
      };
      const instant = await w.client.request('classify', params);
      assert.deepEqual(setsOf(instant), [['bug'], ['billing']]);
      await w.until((n) => n.result !== undefined);
      const last = w.refines.at(-1) as RefineNotification;
      assert.equal(last.version, 5);
      assert.equal(last.task, 'topics');
      assert.equal(last.result?.method, 'multi-label+sentence@1');
      assert.deepEqual(setsOf(last.result!), [['billing'], ['billing']], 'the vectors moved the first line');
      assert.equal(sentences.at(-1)?.dim, DIM);
      // The task's labeled lines and label names are embedded first, then the document's lines.
      assert.deepEqual(fake.embedded.slice(0, 5).sort(), ['app crash', 'billing', 'bug', 'invoice overdue', 'sunny day']);
      assert.deepEqual(fake.embedded.slice(5).sort(), ['my invoice', 'the app crash']);
    } finally {
      w.close();
    }
  });

  it('does not refine a multi-label task the block would not change (its lines read clause by clause)', async () => {
    const topics = [
      { text: 'invoice overdue', labels: ['billing'] },
      { text: 'app crash', labels: ['bug'] },
    ];
    const asked: string[][] = [];
    const engine: EngineApi = {
      ...fakeSetEngine([]),
      refinesLabelSets(sets) {
        asked.push(sets.map((s) => s.text));
        return false;
      },
    };
    const fake = fakeEmbedder();
    const w = connect(engine, async () => fake.embedder);
    try {
      await w.isUp;
      const params = {
        support: [],
        multiLabel: topics,
        text: 'the app crash\nmy invoice',
        document: 'doc',
        task: 'topics',
        refine: { version: 5 },
      };
      await w.client.request('classify', params);
      // A second answer: a refinement started by the first would have embedded its lines by then.
      await w.client.request('classify', { ...params, refine: { version: 6 } });
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(asked, [
        ['invoice overdue', 'app crash'],
        ['invoice overdue', 'app crash'],
      ]);
      assert.deepEqual(fake.embedded, [], 'nothing embedded');
      assert.deepEqual(w.refines, [], 'no refinement said');
    } finally {
      w.close();
    }
  });

  it('embeds the labeled lines and names first, then the pool, the lines in view, the rest; each once', () => {
    const lines = ['a long line of the document', 'short', '', 'in view', 'short'];
    const order = priorityOrder({
      lines,
      params: {
        support: [{ text: 'labeled one', label: 'x' }],
        text: '',
        document: 'd',
        refine: { version: 1, visible: [3, 4] },
      },
    });
    assert.deepEqual(order, ['x', 'labeled one', 'in view', 'short', 'a long line of the document']);
    const pooled = priorityOrder({
      lines,
      params: { support: [{ text: 'labeled one', label: 'x' }], text: '', usePool: true, document: 'd', refine: { version: 1 } },
    });
    assert.deepEqual(pooled, ['x', 'labeled one', 'short', 'in view', 'a long line of the document']);
  });
});
