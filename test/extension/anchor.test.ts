import * as assert from 'node:assert/strict';
import {
  DocumentLabels,
  reanchor,
  shiftLine,
  type Anchored,
  type AnchoredLabel,
  type LineEdit,
  type LineSource,
} from '../../src/extension/anchor';

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
  describe('DocumentLabels (incremental anchoring, item 1)', () => {
    /** A document as an array of lines that counts the lines read, and applies edits like VS Code. */
    class Doc implements LineSource {
      reads = 0;
      constructor(public lines: string[]) {}
      get lineCount() {
        return this.lines.length;
      }
      lineAt(line: number) {
        this.reads++;
        return this.lines[line]!;
      }
      /** Replaces lines start..end (whole lines) with `insert`; returns the edit VS Code would report. */
      replace(start: number, end: number, insert: string[]): LineEdit {
        const removed = this.lines.splice(start, end - start + 1, ...insert);
        // Reported as a replacement from the start of `start` to the end of `end` (same line count math).
        return { startLine: start, endLine: start + removed.length - 1, insertedLineBreaks: insert.length - 1 };
      }
    }
    const label = (line: number, text: string): AnchoredLabel => ({ line, text });

    it('an edit with 10,000 detached labels reads only the changed lines', () => {
      const doc = new Doc(Array.from({ length: 10_000 }, (_, i) => `line ${i}`));
      const labels = new DocumentLabels<AnchoredLabel>();
      for (let i = 0; i < 10_000; i++) labels.add({ line: i, text: `gone ${i}`, detached: true });
      labels.add(label(5, 'line 5'));
      // Typing on line 7.
      doc.lines[7] = 'line 7!';
      let outcome = labels.applyEdits([{ startLine: 7, endLine: 7, insertedLineBreaks: 0 }], doc);
      assert.equal(outcome.linesRead, 1);
      assert.equal(doc.reads, 1);
      // Pasting three lines at line 2: reads the three changed lines, shifts the label below.
      doc.reads = 0;
      doc.lines.splice(2, 0, 'p1', 'p2', 'p3');
      outcome = labels.applyEdits([{ startLine: 2, endLine: 2, insertedLineBreaks: 3 }], doc);
      assert.ok(outcome.linesRead <= 4, `read ${outcome.linesRead} lines`);
      assert.equal(labels.at(8)?.text, 'line 5');
      assert.equal(labels.size, 10_001);
    });

    it('a detached label re-attaches when an edit brings its text back (found by text, not by scanning)', () => {
      const doc = new Doc(['a', 'b', 'c']);
      const labels = new DocumentLabels<AnchoredLabel>();
      const gone = { line: 1, text: 'spam here', detached: true };
      labels.add(gone);
      doc.lines[2] = 'spam here';
      const outcome = labels.applyEdits([{ startLine: 2, endLine: 2, insertedLineBreaks: 0 }], doc);
      assert.equal(outcome.changed, true);
      assert.equal(gone.detached, false);
      assert.equal(labels.at(2), gone);
    });

    it('typing keeps the label with the new text; emptying or deleting the line drops it', () => {
      const doc = new Doc(['alpha', 'beta', 'gamma', 'delta']);
      const labels = new DocumentLabels<AnchoredLabel>();
      const beta = label(1, 'beta');
      const gamma = label(2, 'gamma');
      const delta = label(3, 'delta');
      for (const l of [beta, gamma, delta]) labels.add(l);
      doc.lines[1] = 'beta edited';
      labels.applyEdits([{ startLine: 1, endLine: 1, insertedLineBreaks: 0 }], doc);
      assert.deepEqual([beta.line, beta.text], [1, 'beta edited']);
      doc.lines[2] = '';
      assert.deepEqual(labels.applyEdits([{ startLine: 2, endLine: 2, insertedLineBreaks: 0 }], doc).dropped, [gamma]);
      // Delete line 2 (the empty one) entirely: delta moves up.
      const edit = doc.replace(1, 2, ['beta edited']);
      labels.applyEdits([edit], doc);
      assert.deepEqual([delta.line, delta.text], [2, 'delta']);
    });

    it('move line down: the label follows its text within the change', () => {
      const doc = new Doc(['one', 'two', 'three']);
      const labels = new DocumentLabels<AnchoredLabel>();
      const one = label(0, 'one');
      labels.add(one);
      const edit = doc.replace(0, 1, ['two', 'one']);
      labels.applyEdits([edit], doc);
      assert.equal(one.line, 1);
    });

    it('full re-anchoring: 2,000 detached labels in a 50,000-line document read it once', () => {
      const doc = new Doc(Array.from({ length: 50_000 }, (_, i) => `row ${i}`));
      const labels = new DocumentLabels<AnchoredLabel>();
      for (let i = 0; i < 2000; i++) labels.add({ line: i, text: `missing ${i}`, detached: true });
      labels.add({ line: 0, text: 'row 49999' });
      labels.anchorAll(doc);
      assert.ok(doc.reads <= 50_000 + 2001, `${doc.reads} reads`);
      assert.equal(labels.at(49_999)?.text, 'row 49999');
    });

    it('full re-anchoring with every label still on its line reads only those lines', () => {
      const doc = new Doc(Array.from({ length: 1_000_000 }, (_, i) => `row ${i}`));
      const labels = new DocumentLabels<AnchoredLabel>();
      for (let i = 0; i < 100; i++) labels.add({ line: i * 1000, text: `row ${i * 1000}` });
      assert.equal(labels.anchorAll(doc), false);
      assert.equal(doc.reads, 100);
    });
  });
});
