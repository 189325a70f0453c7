// The scheduler of engine runs, against a fake engine whose answers the test releases: debounced
// runs, a newer run cancelling an older one, results for a changed document version dropped.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { AbstentionMode } from '../../src/engine/abstention';
import type { Example } from '../../src/engine/types';
import { PredictionScheduler } from '../../src/extension/predictionScheduler';
import type { CancelSignal } from '../../src/protocol/rpc';
import type { ClassifyParams, ClassifyResult } from '../../src/protocol/worker';

interface Call {
  params: ClassifyParams;
  signal: CancelSignal | undefined;
  answer(): void;
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
      const n = params.text.split('\n').length;
      const result: ClassifyResult = {
        labels: ['bug', 'feature'],
        method: 'default',
        labelIndex: new Int32Array(n).fill(1),
        confidence: new Float32Array(n).fill(0.9),
        uncertainty: new Float32Array(n).fill(0.1),
        adaptMs: 1,
        predictMs: 1,
        warm: false,
      };
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

function setUp(support: Example[] = twoLabels, abstention: AbstentionMode = 'auto', task: () => string | undefined = () => undefined) {
  const engine = new FakeEngine();
  const labels = { examplesFor: () => support, folderOf: () => undefined };
  const scheduler = new PredictionScheduler(
    engine,
    labels,
    () => ({ method: undefined, abstention, isIncluded: () => true, records: () => undefined, task: task() }),
    () => {},
  );
  const updates: string[][] = [];
  scheduler.onDidUpdate((uris) => updates.push(uris.map((u) => u.toString())));
  return { engine, scheduler, updates };
}

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
});
