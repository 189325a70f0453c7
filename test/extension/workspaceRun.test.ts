// Classify Workspace from the extension's side: what it asks the worker for. The worker side
// (the walk, the records, the predictions) is test/worker/workspace.test.ts.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readConfig } from '../../src/extension/config';
import { predictedSet } from '../../src/extension/diagnosticEntries';
import { columnsByPath } from '../../src/extension/structured';
import { entryRanges } from '../../src/extension/workspaceResults';
import { refineOffer, WorkspaceRun, type WorkspaceRunContext, type WorkspaceSummary } from '../../src/extension/workspaceRun';
import type { Example } from '../../src/engine/types';
import type { ClassifyWorkspaceParams, WorkspaceEvent } from '../../src/protocol/workspace';
import { CancelSource } from '../../src/protocol/rpc';
import { Refiner, type SentenceEmbedder } from '../../src/worker/refine';
import { classifyWorkspace, type WorkspaceSentence } from '../../src/worker/workspace';
import { fakeSetEngine, sentenceFakeEngine } from '../worker/fakeEngine';
import { tempFolders } from '../worker/tempFolders';
import { window, workspace } from './fakeVscode';

const support: Example[] = [
  { text: 'invoice', label: 'billing' },
  { text: 'password', label: 'account' },
];

/** A run whose worker is the real walk with a fake engine; `asked` collects what it was asked. */
function makeRun(
  labels: WorkspaceRunContext['labels'],
  remembered: Record<string, string> = {},
  refiner?: WorkspaceSentence,
  /** The note every multi-label model carries (what its adaptation left out). */
  setNote?: string,
) {
  const calls = { adapt: [], predictedLines: 0, predicted: [] as string[] };
  const asked: ClassifyWorkspaceParams[] = [];
  /** The notes the run said, with where. */
  const notes: string[] = [];
  // Multi-label tasks adapt the fake set engine's model (a set per line by shared words).
  const { adaptMultiLabel } = fakeSetEngine([]);
  const engine = {
    ...sentenceFakeEngine(calls),
    adaptMultiLabel: (...args: Parameters<NonNullable<typeof adaptMultiLabel>>) => ({
      ...adaptMultiLabel!(...args),
      ...(setNote ? { note: setNote } : {}),
    }),
  };
  const run = new WorkspaceRun({
    config: readConfig(),
    engine: {
      classifyWorkspace: (params: ClassifyWorkspaceParams, onEvent: (e: WorkspaceEvent) => void, cancel?: CancelSource) => {
        asked.push(params);
        return classifyWorkspace(engine, params, cancel ?? new CancelSource(), onEvent, undefined, {}, refiner);
      },
    },
    scheduler: { showNote: (where: string, model: { note?: string }) => notes.push(`${where}: ${model.note}`) },
    labels,
    structured: { chosenColumns: () => columnsByPath(remembered) },
    output: { show: () => {} },
    log: () => {},
  });
  return { run, asked, calls, notes };
}

describe('WorkspaceRun', () => {
  const make = tempFolders('fewshot-wsrun-');
  afterEach(() => {
    workspace.workspaceFolders = undefined;
  });

  it("reads a closed structured file with the text column chosen for it (Choose Text Column's memory, by URI)", async () => {
    const root = make({
      'a.csv': 'id,text,note\n1,my invoice,about a password\n',
      'b.csv': 'id,text,note\n1,my invoice,about a password\n',
    });
    workspace.workspaceFolders = [{ uri: vscode.Uri.file(root), name: 'root', index: 0 }];
    const remembered = {
      [vscode.Uri.file(path.join(root, 'a.csv')).toString()]: 'note',
      'untitled://Untitled-1': 'note',
    };
    const { run, asked, calls } = makeRun(
      {
        examplesFor: () => support,
        labelSetExamplesFor: () => [],
        fileFor: () => undefined,
        activeTask: () => ({ name: 'default', kind: 'single-label' as const, isDefault: true }),
        tasks: () => [{ name: 'default', kind: 'single-label' as const, isDefault: true }],
      },
      remembered,
    );
    try {
      const summary = await run.run({ interactive: false });
      assert.equal(summary?.files, 2);
      assert.equal(
        asked[0]!.estimateRefine,
        undefined,
        'a run without a summary (a re-run after a label change) does not estimate a refinement',
      );
      assert.deepEqual(asked[0]!.textColumns, { [path.join(root, 'a.csv')]: 'note' }, 'local files by path; others are not sent');
      assert.deepEqual(calls.predicted.sort(), ['about a password', 'my invoice']);
    } finally {
      run.dispose();
    }
  });

  it('classifies every task in one run, each with its examples; the active task is shown and a switch shows the other at once', async () => {
    const root = make({ 'a.txt': 'my invoice\nurgent password\n' });
    workspace.workspaceFolders = [{ uri: vscode.Uri.file(root), name: 'root', index: 0 }];
    const intent = { name: 'intent', kind: 'single-label' as const, isDefault: true };
    const urgency = { name: 'urgency', kind: 'single-label' as const, isDefault: false };
    const empty = { name: 'tone', kind: 'single-label' as const, isDefault: false };
    const urgencySupport: Example[] = [
      { text: 'urgent', label: 'high' },
      { text: 'invoice', label: 'low' },
    ];
    let active = urgency;
    const { run, asked } = makeRun({
      examplesFor: (_uri, task) => (task === undefined ? support : task === 'urgency' ? urgencySupport : []),
      labelSetExamplesFor: () => [],
      fileFor: () => undefined,
      activeTask: () => active,
      tasks: () => [intent, urgency, empty],
    });
    const file = vscode.Uri.file(path.join(root, 'a.txt')).toString();
    const predicted = (f: ReturnType<typeof run.closedFile>) => f && [...f.labelIndex].filter((i) => i >= 0).map((i) => f.labels[i]);
    try {
      await run.run({ interactive: false });
      assert.equal(asked.length, 1, 'one run for every task');
      assert.equal(asked[0]!.task, 'urgency', 'the active task first; the worker keeps the folder state per task');
      assert.deepEqual(asked[0]!.otherTasks, [{ support }], 'the default task has no task name; a task without labels is left out');
      assert.deepEqual(predicted(run.closedFile(file)), ['low', 'high']);
      assert.deepEqual(predicted(run.closedFile(file, 'intent')), ['billing', 'account']);
      assert.equal(run.closedFile(file, 'tone'), undefined);
      active = intent;
      assert.deepEqual(predicted(run.closedFile(file)), ['billing', 'account'], 'a switch shows the task without a re-run');
      assert.deepEqual(
        run.closedFiles().map((f) => f.labels),
        [['account', 'billing']],
      );
      active = empty;
      assert.deepEqual(run.closedFiles(), []);
    } finally {
      run.dispose();
    }
  });

  it('a multi-label task is sent with its sets and its closed files keep a set per line, listed by their diagnostics', async () => {
    const root = make({ 'a.txt': 'my invoice crash\nurgent password\n' });
    workspace.workspaceFolders = [{ uri: vscode.Uri.file(root), name: 'root', index: 0 }];
    const intent = { name: 'intent', kind: 'single-label' as const, isDefault: true };
    const topics = { name: 'topics', kind: 'multi-label' as const, isDefault: false };
    const tags = { name: 'tags', kind: 'multi-label' as const, isDefault: false };
    const topicSets = [
      { text: 'invoice', labels: ['billing'] },
      { text: 'crash', labels: ['bug'] },
      { text: 'hello', labels: [] },
    ];
    const { run, asked } = makeRun({
      examplesFor: (_uri, task) => (task === undefined ? support : []),
      // `tags`: every labeled line carries `x`, which cannot train a model (left out, not a failed run).
      labelSetExamplesFor: (_uri, task) => (task === 'topics' ? topicSets : task === 'tags' ? [{ text: 'a', labels: ['x'] }] : []),
      fileFor: () => undefined,
      activeTask: () => topics,
      tasks: () => [intent, topics, tags],
    });
    const file = vscode.Uri.file(path.join(root, 'a.txt')).toString();
    try {
      await run.run({ interactive: false });
      assert.deepEqual(asked[0]!.multiLabel, topicSets, 'the active multi-label task first, with its sets');
      assert.deepEqual(asked[0]!.otherTasks, [{ support }], 'the default task is single-label; tags are left out');
      const closed = run.closedFile(file)!;
      assert.deepEqual(closed.labels, ['billing', 'bug', 'none']);
      assert.deepEqual(
        [0, 1].map((line) => predictedSet(closed, line)?.map((x) => x.label)),
        [['billing', 'bug'], []],
      );
      assert.equal(run.closedFile(file, 'intent')!.sets, undefined, "the single-label task does not take the other task's sets");
      const messages = entryRanges(closed, new Set(), { minConfidence: 0, maxPerFile: 10, priority: 'confidence' }).map(
        (r) => r.entry.message,
      );
      assert.deepEqual(messages, ['billing 90% · bug 90%']);
    } finally {
      run.dispose();
    }
  });

  it("says a multi-label model's note (the lines it was fitted on), naming the task, as an open document's note is said", async () => {
    const root = make({ 'a.txt': 'my invoice crash\n' });
    workspace.workspaceFolders = [{ uri: vscode.Uri.file(root), name: 'root', index: 0 }];
    const intent = { name: 'intent', kind: 'single-label' as const, isDefault: true };
    const topics = { name: 'topics', kind: 'multi-label' as const, isDefault: false };
    const topicSets = [
      { text: 'invoice', labels: ['billing'] },
      { text: 'hello', labels: [] },
    ];
    const note = '300 labeled lines: the label sets are learned from 250 of them';
    let active: typeof intent | typeof topics = intent;
    const { run, notes } = makeRun(
      {
        examplesFor: (_uri, task) => (task === undefined ? support : []),
        labelSetExamplesFor: (_uri, task) => (task === 'topics' ? topicSets : []),
        fileFor: () => undefined,
        activeTask: () => active,
        tasks: () => [intent, topics],
      },
      {},
      undefined,
      note,
    );
    try {
      await run.run({ interactive: false });
      assert.deepEqual(notes, [`classify workspace: root (task topics): ${note}`], "another task's note, with its name");
      active = topics;
      await run.run({ interactive: false });
      assert.deepEqual(notes.at(-1), `classify workspace: root (task topics): ${note}`, "the first task's note too");
      assert.equal(notes.length, 2);
    } finally {
      run.dispose();
    }
  });

  it('offers refinement after a fast run, with its cost; the cost is not offered for a cancelled or refined run', () => {
    const summary: WorkspaceSummary = {
      files: 3,
      lines: 900,
      skipped: [],
      seconds: 1,
      cancelled: false,
      sentence: false,
      refineCost: { lines: 900, seconds: 4.2 },
    };
    assert.equal(refineOffer(summary), 'Refine with sentence features (about 5 s)');
    assert.equal(refineOffer({ ...summary, refineCost: { lines: 0, seconds: 0 } }), 'Refine with sentence features (about 1 s)');
    assert.equal(refineOffer({ ...summary, cancelled: true }), undefined);
    assert.equal(refineOffer({ ...summary, sentence: true }), undefined);
    assert.equal(refineOffer({ ...summary, lines: 0 }), undefined);
    const { refineCost: _, ...off } = summary;
    assert.equal(refineOffer(off), undefined, 'refinement off, or no encoder in the worker');
  });

  it('taking the offer classifies the workspace again with the sentence block', async () => {
    const root = make({ 'a.txt': 'my invoice\nmy password\n', 'b.txt': 'my invoice\n' });
    workspace.workspaceFolders = [{ uri: vscode.Uri.file(root), name: 'root', index: 0 }];
    const embedded: string[] = [];
    const embedder: SentenceEmbedder = {
      dim: 2,
      cached: () => new Map(),
      async embed(texts) {
        embedded.push(...texts);
        return Float32Array.from({ length: texts.length * 2 }, (_, k) => (k % 2 === 0 ? 1 : 0));
      },
      flush: () => {},
    };
    const refiner = new Refiner(
      async () => embedder,
      () => {},
      () => {},
    );
    const { run, asked } = makeRun(
      {
        examplesFor: () => support,
        labelSetExamplesFor: () => [],
        fileFor: () => undefined,
        activeTask: () => ({ name: 'default', kind: 'single-label' as const, isDefault: true }),
        tasks: () => [{ name: 'default', kind: 'single-label' as const, isDefault: true }],
      },
      {},
      refiner,
    );
    const offered: string[][] = [];
    const shown = window.showInformationMessage;
    // The person takes the first action each message offers.
    Object.assign(window, {
      showInformationMessage: (_message: string, ...actions: string[]) => {
        offered.push(actions);
        return Promise.resolve(actions[0]);
      },
    });
    try {
      const summary = await run.run({ interactive: true });
      assert.equal(asked[0]!.estimateRefine, true);
      assert.equal(asked[0]!.sentence, undefined);
      // 'my invoice' counted once per file: 3 lines at the default rate of one thread.
      assert.deepEqual(summary?.refineCost, { lines: 3, seconds: 1 });
      assert.deepEqual(embedded, [], 'a fast run embeds nothing');
      // The second run starts from the message's answer and goes through timers (the refiner yields with them): wait for it, boundedly.
      for (let i = 0; i < 1000 && (asked.length < 2 || run.running || offered.length < 2); i++) await new Promise((r) => setTimeout(r, 5));
      assert.equal(asked.length, 2);
      assert.equal(asked[1]!.sentence, true);
      assert.equal(asked[1]!.estimateRefine, undefined);
      assert.deepEqual(offered, [['Refine with sentence features (about 1 s)'], []], 'a refined run offers nothing more');
      assert.deepEqual(embedded.sort(), ['account', 'billing', 'invoice', 'my invoice', 'my password', 'password']);
      assert.equal(run.lastSummary?.sentence, true);
    } finally {
      Object.assign(window, { showInformationMessage: shown });
      run.dispose();
    }
  });
});
