import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { entryRanges, LineCache, mostUncertainInWorkspace, WorkspaceResults, withLines } from '../../src/extension/workspaceResults';
import { progressMessage, skippedSummary } from '../../src/extension/workspaceRun';
import { CancelSource } from '../../src/protocol/rpc';
import type { WorkspaceFileResult } from '../../src/protocol/workspace';
import { lineColumns, splitLines } from '../../src/engine/data/readText';
import { classifyWorkspace } from '../../src/worker/workspace';
import { fakeEngine } from '../worker/fakeEngine';
import { inLanguage } from './fakeVscode';
import { tempFolders } from '../worker/tempFolders';

/** The worker's result for a file of this text (as src/worker/workspace.ts builds it). */
const result = (text: string, labelIndex: number[], uncertainty: number[], file = '/w/a.txt'): WorkspaceFileResult => ({
  path: file,
  bytes: Buffer.byteLength(text),
  columns: lineColumns(splitLines(text)),
  labelIndex: Int32Array.from(labelIndex),
  confidence: Float32Array.from(labelIndex, (l) => (l < 0 ? 0 : 0.8)),
  uncertainty: Float32Array.from(uncertainty),
});

/** Every string reachable from a value (the keys too). */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (typeof value === 'object' && value !== null && !ArrayBuffer.isView(value))
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      strings(v, out);
    }
  return out;
}

describe('workspace results', () => {
  const make = tempFolders('fewshot-wsresults-');

  it('gives capped diagnostic entries their ranges from the first non-blank character to the line end', () => {
    const store = new WorkspaceResults();
    const file = store.add('file:///w/a.txt', result('one\r\n  two\n\nfour', [0, 1, -1, 0], [0.1, 0.2, 0, 0.3]), ['x', 'y']);
    const ranges = entryRanges(file, new Set([3]), { minConfidence: 0, maxPerFile: 10, priority: 'confidence' });
    assert.deepEqual(
      ranges.map((r) => [r.line, r.start, r.end, r.entry.label]),
      [
        [0, 0, 3, 'x'],
        [1, 2, 5, 'y'],
      ],
    );
    assert.equal(entryRanges(file, new Set(), { minConfidence: 0, maxPerFile: 1, priority: 'confidence' }).length, 1, 'capped per file');
  });

  // Issue 16 item 4: the store held every classified file's text (100,000 files: up to 400 MB).
  it('keeps no file text from a run; the lines are read again when asked for, and not when the file changed', async () => {
    const root = make({ 'a.txt': 'my invoice\n  reset password\n', 'b.txt': 'invoice two\n' });
    const store = new WorkspaceResults();
    let labels: string[] = [];
    const support = [
      { text: 'invoice', label: 'billing' },
      { text: 'password', label: 'account' },
    ];
    const scope = { root, include: ['**/*.txt'], exclude: [], useIgnoreFiles: false, maxFileBytes: 1000 };
    await classifyWorkspace(
      fakeEngine({ adapt: [], predictedLines: 0 }),
      { run: 1, scope, support, poolSize: 10 },
      new CancelSource(),
      (e) => {
        if (e.type === 'scanned') labels = e.labels;
        else store.add(`file://${e.file.path}`, e.file, labels);
      },
    );
    assert.equal(store.size, 2);
    const held = strings([...store.values()]);
    for (const text of ['invoice', 'password'])
      assert.ok(!held.some((s) => s.includes(text)), `no stored string holds the text "${text}": ${held.join(' | ')}`);

    const [a, b] = [...store.values()];
    assert.deepEqual(
      entryRanges(a!, new Set(), { minConfidence: 0, maxPerFile: 10, priority: 'confidence' }).map((r) => [r.line, r.start, r.end]),
      [
        [0, 0, 10],
        [1, 2, 16],
      ],
    );
    fs.appendFileSync(path.join(root, 'a.txt'), 'a line the run did not see\n');
    fs.writeFileSync(path.join(root, 'b.txt'), 'x\ny\nz\n');
    assert.deepEqual(
      (await withLines([a!, b!])).map((f) => [path.basename(f.file.path), f.lines]),
      [['a.txt', ['my invoice', '  reset password', '']]],
      'a.txt is read up to the bytes the run read; b.txt, rewritten, no longer has the lines its predictions are for',
    );

    const loaded: string[][] = [];
    let done!: () => void;
    const settled = new Promise<void>((r) => (done = r));
    const cache = new LineCache((uris) => {
      loaded.push(uris);
      done();
    });
    assert.equal(cache.get(a!), undefined, 'not read yet: read in the background');
    await settled;
    assert.deepEqual(loaded, [[a!.uri]]);
    assert.deepEqual(cache.get(a!), ['my invoice', '  reset password', '']);
    assert.equal(cache.size, 'my invoice'.length + '  reset password'.length);
  });

  it('keeps re-read lines up to its budget, the least recently used dropped first, and does not retry a changed file', async () => {
    const root = make({ 'a.txt': 'aaaa\n', 'b.txt': 'bbbb\n', 'c.txt': 'cccc\n' });
    const store = new WorkspaceResults();
    const [a, b, c] = ['a.txt', 'b.txt', 'c.txt'].map((name) =>
      store.add(`file:///${name}`, result(fs.readFileSync(path.join(root, name), 'utf8'), [0, -1], [0.5, 0], path.join(root, name)), ['x']),
    );
    let notify: (uris: string[]) => void = () => {};
    const cache = new LineCache((uris) => notify(uris), 8);
    const read = (file: typeof a) =>
      new Promise<string[]>((resolve) => {
        notify = resolve;
        assert.equal(cache.get(file!), undefined);
      });
    assert.deepEqual(await read(a), [a!.uri]);
    assert.deepEqual(await read(b), [b!.uri]);
    assert.deepEqual(cache.get(a!), ['aaaa', ''], 'a and b fit the 8 characters');
    assert.deepEqual(await read(c), [c!.uri]);
    assert.equal(cache.size, 8, 'b, the least recently used, was dropped for c');
    assert.deepEqual(cache.get(a!), ['aaaa', '']);
    assert.deepEqual(await read(b), [b!.uri], 'b is read again');

    const another = (name: string) => {
      fs.writeFileSync(path.join(root, name), 'dd\n');
      return store.add(`file:///${name}`, result('dd\n', [0, -1], [0.5, 0], path.join(root, name)), ['x']);
    };
    const cPath = path.join(root, 'c.txt');
    const changed = store.add(c!.uri, result('one\ntwo\n', [0, 0, -1], [0.5, 0.5, 0], cPath), ['x']);
    fs.writeFileSync(cPath, 'one line now\n');
    assert.equal(cache.get(changed), undefined);
    const d = another('d.txt');
    assert.deepEqual(await read(d), [d.uri], 'c, changed since its run, is not served (read before d)');
    fs.writeFileSync(cPath, 'one\ntwo\n');
    assert.equal(cache.get(changed), undefined);
    const e = another('e.txt');
    assert.deepEqual(await read(e), [e.uri], 'c, whose re-read failed, is not read again until its next result');
  });

  it('finds the most uncertain unlabeled line across files, skipping the current one', () => {
    const store = new WorkspaceResults();
    store.add('file:///w/a.txt', result('a\nb', [0, 0], [0.4, 0.9]), ['x']);
    store.add('file:///w/b.txt', result('c\nd', [0, -1], [0.7, 0]), ['x']);
    const none = () => new Set<number>();
    assert.deepEqual(mostUncertainInWorkspace(store.values(), none), { uri: 'file:///w/a.txt', line: 1, uncertainty: Math.fround(0.9) });
    assert.equal(mostUncertainInWorkspace(store.values(), none, { uri: 'file:///w/a.txt', line: 1 })?.uri, 'file:///w/b.txt');
    const labeled = (uri: string) => new Set(uri.endsWith('a.txt') ? [1] : []);
    assert.deepEqual(mostUncertainInWorkspace(store.values(), labeled), { uri: 'file:///w/b.txt', line: 0, uncertainty: Math.fround(0.7) });
    assert.equal(store.lineCount, 4);
    assert.deepEqual(
      store.retain((f) => f.uri.endsWith('b.txt')),
      ['file:///w/a.txt'],
    );
    assert.equal(store.size, 1);
  });
});

describe('workspace run messages', () => {
  it('shows files done, lines per second and the time left', () => {
    assert.equal(
      progressMessage({ filesDone: 12, filesTotal: 200, linesDone: 60_000, linesTotal: 1_000_000, elapsedMs: 2000 }),
      '12 of 200 files · 30,000 lines/s · about 32 s left',
    );
    assert.equal(
      progressMessage({ filesDone: 1, filesTotal: 2000, linesDone: 1000, linesTotal: 1_000_000, elapsedMs: 1000 }),
      '1 of 2,000 files · 1,000 lines/s · about 17 min left',
    );
    assert.equal(
      progressMessage({ filesDone: 1, filesTotal: 3, linesDone: 1, linesTotal: 10, elapsedMs: 5 }),
      '1 of 3 files',
      'no rate in the first second: it would say more about start-up than speed',
    );
    assert.equal(
      progressMessage({ filesDone: 0, filesTotal: 3, linesDone: 0, linesTotal: 10, elapsedMs: 1500 }),
      '0 of 3 files · 0 lines/s',
    );
  });

  it('sums up skipped files by reason', () => {
    assert.equal(skippedSummary([]), '');
    assert.equal(
      skippedSummary([
        { path: 'a', reason: 'binary', detail: '' },
        { path: 'b', reason: 'too-large', detail: '' },
        { path: 'c', reason: 'binary', detail: '' },
      ]),
      '3 skipped: 2 binary, 1 too large',
    );
    // In the user's language, numbers and all.
    const zh: Record<string, string> = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../l10n/bundle.l10n.zh-cn.json'), 'utf8'));
    assert.equal(
      inLanguage(zh, () =>
        skippedSummary([
          { path: 'a', reason: 'binary', detail: '' },
          { path: 'b', reason: 'unreadable', detail: 'EACCES' },
        ]),
      ),
      '跳过 2 个：1 个二进制文件，1 个无法读取',
    );
    assert.equal(
      inLanguage(zh, () => progressMessage({ filesDone: 1, filesTotal: 2000, linesDone: 1000, linesTotal: 1_000_000, elapsedMs: 1000 })),
      '2,000 个文件中的 1 个 · 每秒 1,000 行 · 约剩 17 分钟',
    );
  });
});
