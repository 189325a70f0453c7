// Each label's records outside the panel's line list, so its count covers every label file.

import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { countElsewhere, labelsElsewhere } from '../../../src/extension/panel/labelCounts';

describe('label counts outside the line list', () => {
  it('counts the records of closed documents, per label', () => {
    // Two folders' records: bug x3, feature x2, question x1; the open documents hold bug x1, feature x2.
    const all = ['bug', 'feature', 'bug', 'question', 'feature', 'bug'];
    const listed = ['feature', 'bug', 'feature'];
    assert.deepEqual([...countElsewhere(all, listed)].sort(), [
      ['bug', 2],
      ['question', 1],
    ]);
  });

  it('never goes below zero for a listed label the records do not have yet', () => {
    assert.deepEqual([...countElsewhere(['bug'], ['bug', 'bug', 'new'])], []);
    assert.deepEqual([...countElsewhere([], [])], []);
  });

  it("a multi-label task: every label of a record's or a listed line's set counts (the empty set as none)", () => {
    const record = (document: string, line: number, label: string, labels?: string[], task: string | null = 'topics') => ({
      document,
      line,
      text: `line ${line}`,
      label,
      ...(labels ? { labels } : {}),
      ...(task ? { task } : {}),
    });
    const listed = vscode.Uri.file('/w/open.txt');
    const elsewhere = labelsElsewhere(
      {
        activeTask: () => ({ name: 'topics', kind: 'multi-label', isDefault: false }),
        isMultiLabel: () => true,
        all: () => [
          {
            folder: { uri: vscode.Uri.file('/w'), name: 'w', index: 0 },
            file: '/w/.fewshot/labels.jsonl',
            records: [
              record('open.txt', 0, 'billing', ['billing', 'bug']),
              record('open.txt', 1, 'none'),
              // A closed document's set: `ui` is no record's first label.
              record('closed.txt', 0, 'billing', ['billing', 'ui']),
              // Another task's label of the same name is another label.
              record('open.txt', 0, 'bug', undefined, null),
            ],
          },
        ],
        labelsOf: () =>
          new Map([
            [0, 'billing'],
            [1, 'none'],
          ]),
        labelSetsOf: () =>
          new Map([
            [0, ['billing', 'bug']],
            [1, []],
          ]),
      },
      [listed],
    );
    assert.deepEqual([...elsewhere].sort(), [
      ['billing', 1],
      ['ui', 1],
    ]);
  });
});
