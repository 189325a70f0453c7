// Keeping labels on their lines through edits, the line arithmetic (recordAnchoring.ts): editor
// changes as line edits, and which labeled records of a structured document an edit moved,
// touched or deleted, and what then becomes of their labels once the new version is read.
import assert from 'node:assert/strict';
import {
  type ContentChange,
  countLineBreaks,
  type DocumentUnits,
  lineEdits,
  newTexts,
  noteRecordEdits,
  touchedOutcomes,
  untouchedRecords,
} from '../../src/extension/recordAnchoring';

/** A change replacing lines [start, end] (columns given) by `text`. */
function change(start: number, end: number, text: string, startCharacter = 3): ContentChange {
  return { range: { start: { line: start, character: startCharacter }, end: { line: end }, isEmpty: false }, text };
}
/** Whole lines inserted above `line`. */
function insertAbove(line: number, lines: number): ContentChange {
  return { range: { start: { line, character: 0 }, end: { line }, isEmpty: true }, text: 'x\n'.repeat(lines) };
}

/** Units from records given as [first line, last line, text]; other lines belong to none. */
function units(lineCount: number, records: Array<[number, number, string]>): DocumentUnits {
  const lines = new Array<string>(lineCount).fill('');
  for (const [first, , text] of records) lines[first] = text;
  const of = (line: number) => records.find(([f, l]) => line >= f && line <= l);
  return { lines, startOf: (line) => of(line)?.[0] ?? -1, endOf: (line) => of(line)?.[1] ?? line };
}

// A CSV: the header on line 0, a one-line record on 1, a three-line record on 2-4, one-line records on 5 and 6.
const before = units(7, [
  [1, 1, 'invoice overdue'],
  [2, 4, 'cannot log in\nsince the reset\nplease help'],
  [5, 5, 'dark mode please'],
  [6, 6, 'refund twice'],
]);
const labeled = [
  { task: undefined, line: 1, label: 'billing' },
  { task: undefined, line: 2, label: 'account' },
  { task: 'urgency', line: 2, label: 'high' },
  { task: undefined, line: 5, label: 'feature' },
];

describe('record anchoring', () => {
  it('turns an editor change into line edits (the line breaks it inserts)', () => {
    assert.equal(countLineBreaks('a\nb\n\nc'), 3);
    assert.deepEqual(lineEdits([change(3, 4, 'one\ntwo\n'), change(9, 9, 'x')]), [
      { startLine: 3, endLine: 4, insertedLineBreaks: 2 },
      { startLine: 9, endLine: 9, insertedLineBreaks: 0 },
    ]);
  });

  it('starts from the labeled records, one per task and line, each spanning its record as last read', () => {
    const records = untouchedRecords(labeled, before);
    assert.deepEqual(
      [...records.values()].map((r) => [r.task ?? '-', r.stored, r.line, r.span, r.touched, r.deleted]),
      [
        ['-', 1, 1, 0, false, false],
        ['-', 2, 2, 2, false, false],
        ['urgency', 2, 2, 2, false, false],
        ['-', 5, 5, 0, false, false],
      ],
    );
    assert.equal([...untouchedRecords(labeled, undefined).values()][1]?.span, 0, 'nothing read yet: one line each');
  });

  it('lines inserted above move records; an edit inside a record touches it; an edit above shifts the records below', () => {
    const records = untouchedRecords(labeled, before);
    noteRecordEdits(records, [insertAbove(1, 2)]); // two lines above the first record: everything moves down 2
    const at = () => [...records.values()].map((r) => `${r.label}@${r.line}+${r.span}${r.touched ? ' touched' : ''}`);
    assert.deepEqual(at(), ['billing@3+0', 'account@4+2', 'high@4+2', 'feature@7+0']);
    noteRecordEdits(records, [change(5, 5, 'typed\nmore')]); // a line break typed inside the second line of the long record
    assert.deepEqual(at(), ['billing@3+0', 'account@4+3 touched', 'high@4+3 touched', 'feature@8+0']);
    noteRecordEdits(records, [change(2, 3, '', 0)]); // line 2 joined into the first record's line: the records below move up 1
    assert.deepEqual(at(), ['billing@2+0 touched', 'account@3+3 touched', 'high@3+3 touched', 'feature@7+0']);
  });

  it('a deletion spanning a whole record deletes it; what becomes of each label once the new version is read', () => {
    const records = untouchedRecords(labeled, before);
    noteRecordEdits(records, [change(4, 6, '', 0)]); // from inside the long record over the whole of line 5's record
    const feature = [...records.values()].find((r) => r.label === 'feature')!;
    assert.ok(feature.deleted);
    noteRecordEdits(records, [change(1, 1, 'invoice overdue since May', 15)]); // the first record edited in place
    // The new version as the worker reads it: line 1 still starts a record (new text); line 2's
    // record now runs to 4 and ends with what was left of line 6.
    const after = units(5, [
      [1, 1, 'invoice overdue since May'],
      [2, 4, 'cannot log in\nsince the reset\nrefund twice'],
    ]);
    assert.deepEqual(touchedOutcomes(records, after), [
      { kind: 'retext', task: undefined, stored: 1, text: 'invoice overdue since May', label: 'billing' },
      { kind: 'retext', task: undefined, stored: 2, text: 'cannot log in\nsince the reset\nrefund twice', label: 'account' },
      { kind: 'retext', task: 'urgency', stored: 2, text: 'cannot log in\nsince the reset\nrefund twice', label: 'high' },
      { kind: 'remove', task: undefined, stored: 5 },
    ]);
  });

  it('a touched record whose first line no longer starts a record, or has no text, loses its label; untouched ones are left alone', () => {
    const records = untouchedRecords(labeled, before);
    noteRecordEdits(records, [change(1, 1, '', 0)]); // the first record's text removed
    noteRecordEdits(records, [change(5, 5, 'x')]);
    const after = units(7, [
      [2, 4, 'cannot log in\nsince the reset\nplease help'],
      [4, 5, 'merged'],
      [6, 6, 'refund twice'],
    ]);
    assert.deepEqual(touchedOutcomes(records, after), [
      { kind: 'remove', task: undefined, stored: 1 },
      { kind: 'remove', task: undefined, stored: 5 },
    ]);
  });

  it('a new text column: labels take their records’ new texts, except where the record has none there', () => {
    const attached = [
      { line: 1, label: 'billing', text: 'invoice overdue' },
      { line: 2, label: 'account', text: 'cannot log in\nsince the reset\nplease help' },
      { line: 5, label: 'feature', text: 'dark mode please' },
    ];
    // The subject column instead of the body: record 1 reads differently, record 2 the same, record 5 is empty there.
    const subject = units(7, [
      [1, 1, 'Invoice'],
      [2, 4, 'cannot log in\nsince the reset\nplease help'],
      [5, 5, '  '],
    ]);
    assert.deepEqual(newTexts(attached, subject), [{ line: 1, label: 'billing', text: 'Invoice' }]);
  });
});
