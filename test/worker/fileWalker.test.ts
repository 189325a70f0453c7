import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { walkFiles } from '../../src/worker/fileWalker';
import { isBinary, skipReason } from '../../src/engine/data/readText';
import type { WorkspaceScope } from '../../src/protocol/workspace';
import { tempFolders } from './tempFolders';

const scope = (root: string, over: Partial<WorkspaceScope> = {}): WorkspaceScope => ({
  root,
  include: ['**/*.{txt,log}'],
  exclude: [],
  useIgnoreFiles: true,
  maxFileBytes: 1000,
  ...over,
});

const names = async (s: WorkspaceScope) => (await walkFiles(s)).map((f) => f.relative);

describe('workspace file walker', () => {
  const make = tempFolders('fewshot-walker-');

  it('lists included files in a stable order, at any depth, with their sizes', async () => {
    const root = make({ 'b.txt': 'two\n', 'a.log': 'one\n', 'sub/deep/c.txt': 'three', 'notes.md': '# no', 'x.txtx': 'no' });
    const files = await walkFiles(scope(root));
    assert.deepEqual(
      files.map((f) => f.relative),
      ['a.log', 'b.txt', 'sub/deep/c.txt'],
    );
    assert.equal(files[2]!.bytes, 5);
    assert.equal(files[2]!.path, path.join(root, 'sub', 'deep', 'c.txt'));
  });

  it('includes by any of several globs, dot files too', async () => {
    const root = make({ 'a.txt': 'a', 'data/t.tsv': 'x', '.hidden/h.txt': 'h', 'other.md': 'm' });
    assert.deepEqual(await names(scope(root, { include: ['**/*.txt', 'data/*.tsv'] })), ['.hidden/h.txt', 'a.txt', 'data/t.tsv']);
  });

  it('leaves out excluded files and prunes excluded folders', async () => {
    const root = make({ 'keep.txt': 'k', 'node_modules/p/r.txt': 'r', 'out/x.log': 'x', 'secret.log': 's', 'a/.fewshot/labels.txt': 'l' });
    assert.deepEqual(await names(scope(root, { exclude: ['**/node_modules', 'out/**', '**/secret.log', '**/.fewshot'] })), ['keep.txt']);
  });

  it('never enters .git', async () => {
    const root = make({ '.git/info.txt': 'g', 'a.txt': 'a' });
    assert.deepEqual(await names(scope(root)), ['a.txt']);
  });

  it('honours .gitignore files, nested ones relative to their own folder, negations included', async () => {
    const root = make({
      '.gitignore': 'build/\n*.log\n!keep.log\n',
      'build/a.txt': 'no',
      'app.log': 'no',
      'keep.log': 'yes',
      'docs/.gitignore': 'draft-*.txt\n/local.txt\n',
      'docs/draft-1.txt': 'no',
      'docs/final.txt': 'yes',
      'docs/local.txt': 'no',
      'local.txt': 'yes (the docs rule is anchored to docs/)',
      'other/draft-2.txt': 'yes (docs/.gitignore does not reach here)',
    });
    assert.deepEqual(await names(scope(root)), ['docs/final.txt', 'keep.log', 'local.txt', 'other/draft-2.txt']);
    // With ignore files off, everything included is listed.
    assert.equal((await names(scope(root, { useIgnoreFiles: false }))).length, 8);
  });

  it('skips symbolic links (no cycles, nothing outside the folder)', async () => {
    const root = make({ 'a.txt': 'a' });
    fs.symlinkSync(root, path.join(root, 'loop'));
    fs.symlinkSync(path.join(root, 'a.txt'), path.join(root, 'link.txt'));
    assert.deepEqual(await names(scope(root)), ['a.txt']);
  });

  it('reports an unreadable folder and goes on', async () => {
    const problems: string[] = [];
    const files = await walkFiles(scope(path.join(os.tmpdir(), 'fewshot-walker-does-not-exist')), (p) => problems.push(p));
    assert.deepEqual(files, []);
    assert.equal(problems.length, 1);
  });
});

describe('binary and huge files', () => {
  it('calls a file binary when its first 8 KB hold a NUL byte, and only then', () => {
    assert.equal(isBinary(Buffer.from('plain text\nwith lines\n')), false);
    assert.equal(isBinary(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01])), true);
    const late = Buffer.alloc(9000, 0x61);
    late[8500] = 0;
    assert.equal(isBinary(late), false, 'a NUL after the first 8 KB is not looked at');
    late[8191] = 0;
    assert.equal(isBinary(late), true);
    assert.equal(isBinary(Buffer.from('caf\u00e9 \u2713', 'utf8')), false, 'UTF-8 text is text');
  });

  it('skips files over the size limit before looking at their bytes', () => {
    assert.equal(skipReason(1001, undefined, 1000), 'too-large');
    assert.equal(skipReason(1000, Buffer.from('ok'), 1000), undefined);
    assert.equal(skipReason(3, Buffer.from([1, 0, 2]), 1000), 'binary');
  });
});
