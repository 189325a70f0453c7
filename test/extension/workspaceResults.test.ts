import * as assert from 'node:assert/strict';
import {
  entryRanges,
  lineStartsOf,
  lineText,
  mostUncertainInWorkspace,
  progressMessage,
  skippedSummary,
  WorkspaceResults,
} from '../../src/extension/workspaceResults';
import type { WorkspaceFileResult } from '../../src/protocol/workspace';

const result = (text: string, labelIndex: number[], uncertainty: number[]): WorkspaceFileResult => ({
  path: '/w/a.txt',
  text,
  labelIndex: Int32Array.from(labelIndex),
  confidence: Float32Array.from(labelIndex, (l) => (l < 0 ? 0 : 0.8)),
  uncertainty: Float32Array.from(uncertainty),
});

describe('workspace results', () => {
  it('finds every line of a text, LF or CRLF, with or without a final newline', () => {
    const file = { text: 'one\r\n  two\n\nfour', lineStarts: lineStartsOf('one\r\n  two\n\nfour') };
    assert.deepEqual(Array.from(file.lineStarts), [0, 5, 11, 12]);
    assert.deepEqual(
      [0, 1, 2, 3].map((l) => lineText(file, l)),
      ['one', '  two', '', 'four'],
    );
    const trailing = { text: 'a\n', lineStarts: lineStartsOf('a\n') };
    assert.deepEqual(
      [0, 1].map((l) => lineText(trailing, l)),
      ['a', ''],
    );
  });

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
  });
});
