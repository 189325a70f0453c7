// Which folder's label file a document's labels go to (labelRouting.ts), with plain URIs.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { documentPath, FolderRouter, type RoutableUri } from '../../src/extension/labelRouting';

const uri = (fsPath: string): RoutableUri => ({ fsPath, toString: () => `file://${fsPath}` });
const root = path.join(path.sep, 'work');
const a = { uri: uri(path.join(root, 'a')) };
const b = { uri: uri(path.join(root, 'b')) };
const remote = { uri: { fsPath: '/x', toString: () => 'vscode-vfs://github/x' } };
/** The folder holding a path, as getWorkspaceFolder answers it. */
const folderOf = (u: RoutableUri) => [a, b, remote].find((f) => u.toString().startsWith(`${f.uri.toString()}/`));

describe('label routing', () => {
  it('routes a document to the state of the folder holding it, and nowhere outside the folders', () => {
    const router = new FolderRouter<string>(folderOf);
    router.add(a, 'state a');
    router.add(b, 'state b');
    assert.equal(router.stateOf(uri(path.join(root, 'a', 'notes', 'x.txt'))), 'state a');
    assert.equal(router.stateOf(uri(path.join(root, 'b', 'y.csv'))), 'state b');
    assert.equal(router.stateOf(uri(path.join(root, 'c', 'z.txt'))), undefined, 'outside every folder');
    // A folder without state (a virtual folder is never added) routes nowhere.
    assert.equal(router.stateOf({ fsPath: '/x/y', toString: () => 'vscode-vfs://github/x/y' }), undefined);
    assert.equal(router.size, 2);
  });

  it('a folder added again replaces its state; clear returns every state once and forgets them', () => {
    const router = new FolderRouter<string>(folderOf);
    router.add(a, 'old');
    router.add(a, 'new');
    router.add(b, 'b');
    assert.deepEqual([...router.values()], ['new', 'b']);
    assert.deepEqual(router.clear(), ['new', 'b']);
    assert.equal(router.size, 0);
    assert.equal(router.stateOf(uri(path.join(root, 'a', 'x.txt'))), undefined);
  });

  it('names a document by its path in the folder, with / on every platform', () => {
    assert.equal(documentPath(a.uri, uri(path.join(root, 'a', 'notes', 'deep', 'x.txt'))), 'notes/deep/x.txt');
    assert.equal(documentPath(a.uri, uri(path.join(root, 'a', 'x.txt'))), 'x.txt');
  });
});
