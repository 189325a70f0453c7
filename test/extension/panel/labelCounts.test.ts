// Each label's records outside the panel's line list, so its count covers every label file.

import assert from 'node:assert/strict';
import { countElsewhere } from '../../../src/extension/panel/labelCounts';

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
});
