// The scheduler of engine runs, against a fake engine whose answers the test releases: debounced
// runs, a newer run cancelling an older one, results for a changed document version dropped.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { AbstentionMode } from '../../src/engine/abstention/mode';
import type { Example } from '../../src/engine/types';
import { PredictionScheduler } from '../../src/extension/predictionScheduler';
import fs from 'node:fs';
import path from 'node:path';
import { englishOf, said } from '../../src/engine/messageTemplate';
import { ADAPTATION_NOTES } from '../../src/engine/learners/adaptation';
import { CancelSource, RpcError, type CancelSignal } from '../../src/protocol/rpc';
import { WORKER_MESSAGES } from '../../src/protocol/workerMessages';
import { inLanguageUntil, shown } from './fakeVscode';
import type { ClassifyParams, ClassifyResult } from '../../src/protocol/worker';

interface Call {
  params: ClassifyParams;
  signal: CancelSignal | undefined;
  answer(): void;
}

/** Every one of n lines predicted `label` (0 bug, 1 feature) with this confidence. */
function answer(n: number, method: string, label: number, confidence: number): ClassifyResult {
  return {
    labels: ['bug', 'feature'],
    method,
    labelIndex: new Int32Array(n).fill(label),
    confidence: new Float32Array(n).fill(confidence),
    uncertainty: new Float32Array(n).fill(1 - confidence),
    adaptMs: 1,
    predictMs: 1,
    warm: false,
  };
}

class FakeEngine {
  calls: Call[] = [];
  forgotten: string[] = [];
  async forget(document: string): Promise<void> {
    this.forgotten.push(document);
  }
  quality(): Promise<never> {
    return Promise.reject(new Error('not used by these tests'));
  }
  classify(params: ClassifyParams, signal?: CancelSignal): Promise<ClassifyResult> {
    return new Promise((resolve) => {
      const result = answer(params.text.split('\n').length, 'default', 1, 0.9);
      this.calls.push({ params, signal, answer: () => resolve(result) });
    });
  }
}

function document(text: string) {
  return { uri: vscode.Uri.file('/w/a.txt'), version: 1, isClosed: false, getText: () => text } as unknown as vscode.TextDocument & {
    version: number;
  };
}

const twoLabels: Example[] = [
  { text: 'crash on save', label: 'bug' },
  { text: 'add dark mode', label: 'feature' },
];
const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

function setUp(
  support: Example[] = twoLabels,
  abstention: AbstentionMode = 'auto',
  task: () => string | undefined = () => undefined,
  refine = false,
) {
  const engine = new FakeEngine();
  const labels = { examplesFor: () => support, folderOf: () => undefined };
  const scheduler = new PredictionScheduler(
    engine,
    labels,
    () => ({ method: undefined, abstention, refine, isIncluded: () => true, records: () => undefined, task: task() }),
    () => {},
  );
  const updates: string[][] = [];
  scheduler.onDidUpdate((uris) => updates.push(uris.map((u) => u.toString())));
  return { engine, scheduler, updates };
}

describe('PredictionScheduler in the user language', () => {
  const zh: Record<string, string> = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../l10n/bundle.l10n.zh-cn.json'), 'utf8'));
  /** A scheduler whose engine answers every classify with `answer` (a result, or an error to throw). */
  const run = async (reply: ClassifyResult | Error) => {
    const logs: string[] = [];
    const engine = {
      forget: async () => {},
      quality: () => Promise.reject(new Error('not used')),
      classify: async () => {
        if (reply instanceof Error) throw reply;
        return reply;
      },
    };
    const scheduler = new PredictionScheduler(
      engine,
      { examplesFor: () => twoLabels, folderOf: () => undefined },
      () => ({ method: undefined, abstention: 'auto', refine: false, isIncluded: () => true, records: () => undefined, task: undefined }),
      (m) => logs.push(m),
    );
    shown.length = 0;
    await inLanguageUntil(zh, async () => {
      scheduler.schedule(document('a\nb'), 0);
      await tick(20);
      await scheduler.whenIdle();
    });
    scheduler.dispose();
    return { scheduler, logs };
  };

  it("a worker's failure shows in the status bar's tooltip (lastError) in the language; the log keeps the English", async () => {
    const { scheduler, logs } = await run(RpcError.said('internal', WORKER_MESSAGES.noEncoder));
    assert.equal(scheduler.lastError, '此工作线程中没有可用的句子编码器（请查看日志）');
    assert.ok(logs.some((l) => l.endsWith('failed: the sentence encoder is not available in this worker (see the log)')));
  });

  it("an adaptation's note is shown in the language; a malformed template leaves the English note", async () => {
    const noteTemplate = said(ADAPTATION_NOTES.prototypes, '30000', '12');
    await run({ ...answer(2, 'default', 1, 0.9), note: englishOf(noteTemplate), noteTemplate });
    assert.deepEqual(shown, [
      {
        level: 'warning',
        message: 'Few-Shot：12 个标签下的 30000 个已标注行超出了一次适配的时间预算：预测来自所有已标注行的原型分类头，不做梯度步骤。',
      },
    ]);
    await run({ ...answer(2, 'default', 1, 0.9), note: englishOf(noteTemplate), noteTemplate: { ...noteTemplate, params: ['1'] } });
    assert.deepEqual(shown, [{ level: 'warning', message: `Few-Shot：${englishOf(noteTemplate)}。` }]);
  });
});

describe('PredictionScheduler', () => {
  it('sends the abstention setting with every classify request', async () => {
    for (const abstention of ['auto', 'on', 'off'] as const) {
      const { engine, scheduler } = setUp(twoLabels, abstention);
      scheduler.schedule(document('a\nb'), 0);
      await tick(20);
      assert.equal(engine.calls[0]!.params.abstention, abstention);
      engine.calls[0]!.answer();
      await scheduler.whenIdle();
      scheduler.dispose();
    }
  });

  it('a multi-label task sends its lines with their sets, refined as the active task; one without a labeled label is not run', async () => {
    const sets = [
      { text: 'crash on save', labels: ['bug'] },
      { text: 'the app crashed and charged me twice', labels: ['billing', 'bug'] },
      { text: 'hello', labels: [] },
    ];
    for (const [labeled, runs] of [
      [sets, 1],
      [[{ text: 'hello', labels: [] }], 0],
    ] as const) {
      const engine = new FakeEngine();
      const labels = { examplesFor: () => twoLabels, folderOf: () => undefined, labelSetExamplesFor: () => [...labeled] };
      const scheduler = new PredictionScheduler(
        engine,
        labels,
        () => ({
          method: undefined,
          abstention: 'auto' as const,
          refine: true,
          isIncluded: () => true,
          records: () => undefined,
          task: 'topics',
          isMultiLabel: (task: string | undefined) => task === 'topics',
        }),
        () => {},
      );
      scheduler.schedule(document('a\nb'), 0);
      await tick(20);
      assert.equal(engine.calls.length, runs);
      if (runs) {
        assert.deepEqual(engine.calls[0]!.params.multiLabel, sets);
        assert.deepEqual(engine.calls[0]!.params.refine, { version: 1 }, 'the sets are refined in the background too');
        engine.calls[0]!.answer();
      }
      await scheduler.whenIdle();
      await assert.rejects(scheduler.estimateQuality(document('a'), new CancelSource()), /single-label/);
      scheduler.dispose();
    }
  });

  it("a model's note is logged each time with where it came from and shown once (an open document's or Classify Workspace's)", () => {
    const logs: string[] = [];
    const scheduler = new PredictionScheduler(
      new FakeEngine(),
      { examplesFor: () => twoLabels, folderOf: () => undefined },
      () => ({ method: undefined, abstention: 'auto' as const, isIncluded: () => true, records: () => undefined }),
      (m) => logs.push(m),
    );
    shown.length = 0;
    scheduler.showNote('a.txt', { note: 'fitted on 250 of 300 lines' });
    scheduler.showNote('classify workspace: root (task topics)', { note: 'fitted on 250 of 300 lines' });
    assert.deepEqual(logs, ['a.txt: fitted on 250 of 300 lines', 'classify workspace: root (task topics): fitted on 250 of 300 lines']);
    assert.deepEqual(shown, [{ level: 'warning', message: 'Few-Shot: fitted on 250 of 300 lines.' }]);
    scheduler.dispose();
  });

  it('runs once for edits within the delay and keeps the result for that version', async () => {
    const { engine, scheduler, updates } = setUp();
    const doc = document('a\nb\nc');
    scheduler.schedule(doc, 20);
    scheduler.schedule(doc, 20);
    assert.equal(scheduler.busy, true);
    await tick(60);
    assert.equal(engine.calls.length, 1, 'one run for two schedules within the delay');
    assert.deepEqual(engine.calls[0]!.params.support, twoLabels);
    engine.calls[0]!.answer();
    await scheduler.whenIdle();
    assert.deepEqual(Array.from(scheduler.resultFor(doc)!.labelIndex), [1, 1, 1]);
    assert.deepEqual(updates, [['file:///w/a.txt']]);
    assert.equal(scheduler.lastRun?.lines, 3);
  });

  it('cancels the older run when a newer one starts, and drops a result for a changed version', async () => {
    const { engine, scheduler, updates } = setUp();
    const doc = document('a\nb');
    scheduler.schedule(doc, 0);
    await tick(10);
    scheduler.schedule(doc, 0);
    await tick(10);
    assert.equal(engine.calls.length, 2);
    assert.equal(engine.calls[0]!.signal?.isCancellationRequested, true, 'the older run is cancelled');
    assert.equal(engine.calls[1]!.signal?.isCancellationRequested, false);
    doc.version = 2; // an edit while the engine works
    engine.calls[1]!.answer();
    engine.calls[0]!.answer();
    await scheduler.whenIdle();
    assert.equal(scheduler.resultFor(doc), undefined, 'no predictions for a version that no longer exists');
    assert.deepEqual(updates, []);
  });

  it('keeps results per task: switching back to a task shows its result for the version at once, with no engine call', async () => {
    let task: string | undefined;
    const { engine, scheduler } = setUp(twoLabels, 'auto', () => task);
    const doc = document('a\nb');
    scheduler.schedule(doc, 0);
    await tick(10);
    engine.calls[0]!.answer();
    await scheduler.whenIdle();
    task = 'urgency';
    assert.equal(scheduler.resultFor(doc), undefined, 'no result of another task is shown');
    scheduler.schedule(doc, 0);
    await tick(10);
    assert.equal(engine.calls[1]!.params.task, 'urgency');
    engine.calls[1]!.answer();
    await scheduler.whenIdle();
    assert.ok(scheduler.resultFor(doc));
    task = undefined;
    assert.ok(scheduler.resultFor(doc), 'the default task result is still there');
    assert.equal(engine.calls.length, 2);
    scheduler.clear(doc.uri);
    assert.equal(scheduler.resultFor(doc), undefined);
    task = 'urgency';
    assert.equal(scheduler.resultFor(doc), undefined, 'clearing a document drops every task result');
  });

  it("computes a task's predictions when none are held for the version (Export Dataset), and reuses held ones", async () => {
    const { engine, scheduler } = setUp(twoLabels, 'auto', () => undefined);
    const doc = document('a\nb');
    const fresh = scheduler.freshResultForTask(doc, 'urgency');
    await tick(10);
    assert.equal(engine.calls.length, 1);
    assert.equal(engine.calls[0]!.params.task, 'urgency');
    engine.calls[0]!.answer();
    const result = await fresh;
    assert.deepEqual([...result!.labelIndex], [1, 1]);
    assert.equal(await scheduler.freshResultForTask(doc, 'urgency'), result, 'held for this version: no second run');
    assert.equal(engine.calls.length, 1);
    assert.equal(scheduler.resultFor(doc), undefined, "the active task's result is not another task's");
  });

  it('does not call the engine with fewer than two labels, and clears earlier predictions', async () => {
    const support: Example[] = [...twoLabels];
    const { engine, scheduler, updates } = setUp(support);
    const doc = document('a');
    scheduler.schedule(doc, 0);
    await tick(10);
    engine.calls[0]!.answer();
    await scheduler.whenIdle();
    assert.ok(scheduler.resultFor(doc));
    support.pop();
    scheduler.schedule(doc, 0);
    await scheduler.whenIdle();
    assert.equal(engine.calls.length, 1, 'no second engine call');
    assert.equal(scheduler.resultFor(doc), undefined);
    assert.deepEqual(updates, [['file:///w/a.txt'], ['file:///w/a.txt']]);
  });

  describe('background refinement', () => {
    /** A document the scheduler can find among the open ones, classified once (instant answer in). */
    async function classified(text: string, task: () => string | undefined = () => undefined) {
      const setup = setUp(twoLabels, 'auto', task, true);
      const doc = document(text);
      (vscode.workspace.textDocuments as unknown[]).push(doc);
      setup.scheduler.schedule(doc, 0);
      await tick(10);
      setup.engine.calls[0]!.answer();
      await setup.scheduler.whenIdle();
      return { ...setup, doc };
    }
    const refinedResult = (n: number) => answer(n, 'default+sentence@2', 0, 0.8);
    afterEach(() => {
      (vscode.workspace.textDocuments as unknown[]).length = 0;
    });

    it('asks for refinement of the version it classifies; shows progress, then the refined predictions', async () => {
      const { engine, scheduler, doc } = await classified('a\nb');
      assert.deepEqual(engine.calls[0]!.params.refine, { version: 1 });
      const key = doc.uri.toString();
      scheduler.refined({ kind: 'refine', document: key, version: 1, done: 1, total: 4 });
      assert.deepEqual(scheduler.refiningOf(doc), { version: 1, done: 1, total: 4 });
      assert.deepEqual(scheduler.refineProgress, { documents: 1, done: 1, total: 4 });
      assert.equal(scheduler.resultFor(doc)?.refined, undefined, 'the instant predictions meanwhile');
      scheduler.refined({ kind: 'refine', document: key, version: 1, done: 4, total: 4, result: refinedResult(2) });
      assert.equal(scheduler.resultFor(doc)?.refined, true);
      assert.equal(scheduler.resultFor(doc)?.method, 'default+sentence@2');
      assert.deepEqual(Array.from(scheduler.resultFor(doc)!.labelIndex), [0, 0]);
      assert.equal(scheduler.refiningOf(doc), undefined);
      assert.equal(scheduler.refineProgress, undefined);
      scheduler.dispose();
    });

    it('forgets the progress of a refinement the worker dropped (a re-run of the same version)', async () => {
      const { engine, scheduler, doc } = await classified('a\nb');
      scheduler.refined({ kind: 'refine', document: doc.uri.toString(), version: 1, done: 1, total: 4 });
      scheduler.schedule(doc, 0); // a label changed: the same version again
      await tick(10);
      engine.calls[1]!.answer();
      await scheduler.whenIdle();
      assert.equal(scheduler.refiningOf(doc), undefined, 'no "refining" left from the dropped job');
      scheduler.dispose();
    });

    it("lands a refinement only in the results of the task it was asked for (a task switch meanwhile keeps the other task's)", async () => {
      let task: string | undefined;
      const { engine, scheduler, doc } = await classified('a\nb', () => task);
      const key = doc.uri.toString();
      task = 'urgency'; // switched before the default task's refinement came in
      scheduler.schedule(doc, 0);
      await tick(10);
      assert.equal(engine.calls[1]!.params.task, 'urgency');
      assert.deepEqual(engine.calls[1]!.params.refine, { version: 1 }, 'the active task is refined');
      engine.calls[1]!.answer();
      await scheduler.whenIdle();
      const urgencyInstant = scheduler.resultFor(doc);
      scheduler.refined({ kind: 'refine', document: key, version: 1, done: 4, total: 4, result: refinedResult(2) });
      assert.equal(scheduler.resultFor(doc), urgencyInstant, "the default task's refinement did not replace urgency's predictions");
      assert.equal(scheduler.resultForTask(doc, undefined)?.refined, true, "it landed in the default task's");
      scheduler.refined({ kind: 'refine', document: key, task: 'urgency', version: 1, done: 4, total: 4, result: refinedResult(2) });
      assert.equal(scheduler.resultFor(doc)?.refined, true);
      scheduler.dispose();
    });

    it('never lands a refinement on a changed document version', async () => {
      const { scheduler, doc } = await classified('a\nb');
      const instant = scheduler.resultFor(doc);
      doc.version = 2; // edited while the worker refined version 1
      scheduler.refined({ kind: 'refine', document: doc.uri.toString(), version: 1, done: 4, total: 4, result: refinedResult(2) });
      assert.equal(scheduler.resultFor(doc), undefined, 'version 1 predictions are not shown for version 2');
      doc.version = 1;
      assert.equal(scheduler.resultFor(doc), instant, 'the refined result did not replace the stored one');
      assert.notEqual(scheduler.resultFor(doc)?.refined, true);
      scheduler.dispose();
    });
  });
});
