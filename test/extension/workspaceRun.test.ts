// Classify Workspace from the extension's side: what it asks the worker for. The worker side
// (the walk, the records, the predictions) is test/worker/workspace.test.ts.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readConfig } from '../../src/extension/config';
import { columnsByPath } from '../../src/extension/structured';
import { WorkspaceRun, type WorkspaceRunContext } from '../../src/extension/workspaceRun';
import type { Example } from '../../src/engine/types';
import type { ClassifyWorkspaceParams, WorkspaceEvent } from '../../src/protocol/workspace';
import { CancelSource } from '../../src/protocol/rpc';
import { classifyWorkspace } from '../../src/worker/workspace';
import { fakeEngine } from '../worker/fakeEngine';
import { tempFolders } from '../worker/tempFolders';
import { workspace } from './fakeVscode';

const support: Example[] = [
  { text: 'invoice', label: 'billing' },
  { text: 'password', label: 'account' },
];

/** A run whose worker is the real walk with a fake engine; `asked` collects what it was asked. */
function makeRun(labels: WorkspaceRunContext['labels'], remembered: Record<string, string> = {}) {
  const calls = { adapt: [], predictedLines: 0, predicted: [] as string[] };
  const asked: ClassifyWorkspaceParams[] = [];
  const run = new WorkspaceRun({
    config: readConfig(),
    engine: {
      classifyWorkspace: (params: ClassifyWorkspaceParams, onEvent: (e: WorkspaceEvent) => void, cancel?: CancelSource) => {
        asked.push(params);
        return classifyWorkspace(fakeEngine(calls), params, cancel ?? new CancelSource(), onEvent);
      },
    },
    labels,
    structured: { chosenColumns: () => columnsByPath(remembered) },
    output: { show: () => {} },
    log: () => {},
  });
  return { run, asked, calls };
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
        fileFor: () => undefined,
        activeTask: () => ({ name: 'default', kind: 'single-label' as const, isDefault: true }),
        tasks: () => [{ name: 'default', kind: 'single-label' as const, isDefault: true }],
      },
      remembered,
    );
    try {
      const summary = await run.run({ interactive: false });
      assert.equal(summary?.files, 2);
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
});
