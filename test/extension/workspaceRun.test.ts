// Classify Workspace from the extension's side: what it asks the worker for. The worker side
// (the walk, the records, the predictions) is test/worker/workspace.test.ts.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readConfig } from '../../src/extension/config';
import { columnsByPath } from '../../src/extension/structured';
import { WorkspaceRun } from '../../src/extension/workspaceRun';
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
      labels: { examplesFor: () => support, fileFor: () => undefined },
      structured: { chosenColumns: () => columnsByPath(remembered) },
      output: { show: () => {} },
      log: () => {},
    });
    try {
      const summary = await run.run({ interactive: false });
      assert.equal(summary?.files, 2);
      assert.deepEqual(asked[0]!.textColumns, { [path.join(root, 'a.csv')]: 'note' }, 'local files by path; others are not sent');
      assert.deepEqual(calls.predicted.sort(), ['about a password', 'my invoice']);
    } finally {
      run.dispose();
    }
  });
});
