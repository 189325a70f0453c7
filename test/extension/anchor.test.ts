import * as assert from 'node:assert/strict';
import { reanchor, shiftLine, type Anchored } from '../../src/extension/anchor';

describe('re-anchoring labels', () => {
  const doc = ['alpha', 'beta', 'gamma', 'delta'];

  it('keeps labels on unchanged lines', () => {
    assert.deepEqual(reanchor([{ line: 1, text: 'beta' }], doc), [{ line: 1, text: 'beta' }]);
  });

  it('follows the text when lines are inserted above (no edit information)', () => {
    const after = ['new', 'new 2', ...doc];
    assert.deepEqual(
      reanchor(
        [
          { line: 2, text: 'gamma' },
          { line: 0, text: 'alpha' },
        ],
        after,
      ),
      [
        { line: 4, text: 'gamma' },
        { line: 2, text: 'alpha' },
      ],
    );
  });

  it('picks the nearest of several identical lines and never puts two labels on one line', () => {
    const lines = ['same', 'x', 'x', 'same', 'same'];
    const labels: Anchored[] = [
      { line: 3, text: 'same' },
      { line: 3, text: 'same' },
    ];
    assert.deepEqual(
      reanchor(labels, lines).map((l) => l.line),
      [3, 4],
    );
  });

  it('detaches a label whose text is gone, and re-attaches when the text comes back', () => {
    const detached = reanchor([{ line: 1, text: 'beta' }], ['alpha', 'BETA changed', 'gamma']);
    assert.deepEqual(detached, [{ line: -1, text: 'beta' }]);
    assert.deepEqual(reanchor(detached, ['beta', 'alpha']), [{ line: 0, text: 'beta' }]);
  });

  it('an edited line keeps its label with the new text; an emptied line loses it', () => {
    const lines = ['alpha', 'beta edited', '', 'delta'];
    const result = reanchor(
      [
        { line: 1, text: 'beta' },
        { line: 2, text: 'gamma' },
      ],
      lines,
      [true, true],
    );
    assert.deepEqual(result, [
      { line: 1, text: 'beta edited' },
      { line: -1, text: 'gamma' },
    ]);
  });

  it('ignores trailing whitespace differences (CRLF files)', () => {
    assert.deepEqual(reanchor([{ line: 0, text: 'alpha' }], ['alpha \r']), [{ line: 0, text: 'alpha' }]);
  });

  describe('shiftLine', () => {
    it('moves lines below an edit by the change in line count', () => {
      // Replace lines 1..2 with text holding 3 line breaks (4 lines): +2.
      assert.deepEqual(shiftLine(5, [{ startLine: 1, endLine: 2, insertedLineBreaks: 3 }]), { line: 7, touched: false, deleted: false });
      assert.deepEqual(shiftLine(0, [{ startLine: 1, endLine: 2, insertedLineBreaks: 3 }]), { line: 0, touched: false, deleted: false });
    });

    it('marks the first and last lines of an edit as touched and inner lines as deleted', () => {
      // Replace from line 2 to line 6 with text without line breaks.
      const edit = [{ startLine: 2, endLine: 6, insertedLineBreaks: 0 }];
      assert.deepEqual(shiftLine(2, edit), { line: 2, touched: true, deleted: false });
      assert.deepEqual(shiftLine(4, edit), { line: 2, touched: false, deleted: true });
      assert.deepEqual(shiftLine(6, edit), { line: 2, touched: true, deleted: false });
      // Enter in the middle of line 2: its tail moves to line 3.
      assert.deepEqual(shiftLine(2, [{ startLine: 2, endLine: 2, insertedLineBreaks: 1 }]), { line: 2, touched: true, deleted: false });
    });

    it('applies several edits in order', () => {
      const edits = [
        { startLine: 8, endLine: 8, insertedLineBreaks: 2 },
        { startLine: 0, endLine: 1, insertedLineBreaks: 0 },
      ];
      assert.deepEqual(shiftLine(10, edits), { line: 11, touched: false, deleted: false });
    });

    it('with an Enter at the start of a labeled line, the text rule finds the moved line', () => {
      const shifted = shiftLine(1, [{ startLine: 1, endLine: 1, insertedLineBreaks: 1 }]);
      const lines = ['alpha', '', 'beta', 'gamma'];
      assert.deepEqual(reanchor([{ line: shifted.line, text: 'beta' }], lines, [shifted.touched]), [{ line: 2, text: 'beta' }]);
    });
  });
});
