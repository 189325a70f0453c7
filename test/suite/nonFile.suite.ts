// Documents that are not local files, opened in the normal single-folder workspace: an untitled
// document and one from a file system provider this suite registers. Labeling a line of either is
// refused with a message (the command's error path) and writes nothing: not the folder's label
// file, not a label file next to a made-up local path, not through the provider.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FewShotApi } from '../../src/extension/extension';
import { EXTENSION_ID, fewShot } from './helpers';

const SCHEME = 'fewshot-test-mem';
const TEXT = 'I was charged twice for my subscription this month\nI cannot log in to my account\n';

/** A read-only in-memory file system of one file, /notes/tickets.txt; every change asked of it is recorded and refused. */
class MemFs implements vscode.FileSystemProvider {
  readonly writes: string[] = [];
  private readonly emitter = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.emitter.event;
  private readonly file = Buffer.from(TEXT);

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => {});
  }
  stat(uri: vscode.Uri): vscode.FileStat {
    const type = this.typeOf(uri);
    return { type, ctime: 0, mtime: 0, size: type === vscode.FileType.File ? this.file.length : 0 };
  }
  readDirectory(uri: vscode.Uri): [string, vscode.FileType][] {
    if (uri.path === '/') return [['notes', vscode.FileType.Directory]];
    if (uri.path === '/notes') return [['tickets.txt', vscode.FileType.File]];
    throw vscode.FileSystemError.FileNotFound(uri);
  }
  readFile(uri: vscode.Uri): Uint8Array {
    if (this.typeOf(uri) !== vscode.FileType.File) throw vscode.FileSystemError.FileIsADirectory(uri);
    return this.file;
  }
  writeFile(uri: vscode.Uri): void {
    this.refuse('writeFile', uri);
  }
  createDirectory(uri: vscode.Uri): void {
    this.refuse('createDirectory', uri);
  }
  delete(uri: vscode.Uri): void {
    this.refuse('delete', uri);
  }
  rename(uri: vscode.Uri): void {
    this.refuse('rename', uri);
  }
  private typeOf(uri: vscode.Uri): vscode.FileType {
    if (uri.path === '/' || uri.path === '/notes') return vscode.FileType.Directory;
    if (uri.path === '/notes/tickets.txt') return vscode.FileType.File;
    throw vscode.FileSystemError.FileNotFound(uri);
  }
  private refuse(op: string, uri: vscode.Uri): never {
    this.writes.push(`${op} ${uri.toString()}`);
    throw vscode.FileSystemError.NoPermissions(uri);
  }
}

/** Every file under `dir` with its content (what a command may not change). */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const file = path.join(entry.parentPath, entry.name);
    files.set(path.relative(dir, file), entry.isFile() ? fs.readFileSync(file, 'utf8') : '(folder)');
  }
  return files;
}

export function registerNonFileSuite(): void {
  describe('Few-Shot Labeler on documents that are not local files', () => {
    const folder = () => vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    const memFs = new MemFs();
    let registration: vscode.Disposable;
    let api: FewShotApi;

    before(async () => {
      registration = vscode.workspace.registerFileSystemProvider(SCHEME, memFs, { isCaseSensitive: true, isReadonly: true });
      api = await vscode.extensions.getExtension<FewShotApi>(EXTENSION_ID)!.activate();
    });
    after(() => registration.dispose());

    for (const kind of ['untitled', SCHEME] as const) {
      it(`refuses to label a line of a${kind === 'untitled' ? 'n untitled document' : ` ${SCHEME}: document`} and writes nothing`, async () => {
        const doc =
          kind === 'untitled'
            ? await vscode.workspace.openTextDocument({ language: 'plaintext', content: TEXT })
            : await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: SCHEME, path: '/notes/tickets.txt' }));
        assert.equal(doc.uri.scheme, kind);
        assert.equal(doc.languageId, 'plaintext', 'a language Few-Shot classifies: only the scheme keeps it out');
        await vscode.window.showTextDocument(doc);
        await api.whenIdle();
        await api.flushLabels();
        const before = snapshot(folder());
        // Where labels would go if the document's made-up local path were taken for a file.
        const madeUp = path.resolve(path.dirname(doc.uri.fsPath), '.fewshot');
        const madeUpExisted = fs.existsSync(madeUp);

        // undefined: the command's error path (a message), not 0 lines labeled.
        assert.equal(await vscode.commands.executeCommand('fewshot.labelLine', 'billing', doc.uri, [0]), undefined);
        editorSelect(doc);
        assert.equal(await vscode.commands.executeCommand('fewshot.labelLine', 'billing'), undefined);
        await api.flushLabels();
        await api.whenIdle();

        assert.deepEqual(snapshot(folder()), before);
        assert.equal(fs.existsSync(madeUp), madeUpExisted);
        assert.deepEqual(memFs.writes, []);
        assert.equal(fewShot(doc.uri).length, 0);
        await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      });
    }
  });
}

/** Puts the cursor on the first line of the document's editor (the command's no-argument form). */
function editorSelect(doc: vscode.TextDocument): void {
  const editor = vscode.window.activeTextEditor;
  assert.equal(editor?.document.uri.toString(), doc.uri.toString());
  editor!.selection = new vscode.Selection(0, 0, 0, 0);
}
