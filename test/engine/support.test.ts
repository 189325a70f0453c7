// The one rule for a labeled set the engine can learn from, and its one wording.
import assert from 'node:assert/strict';
import { supportProblem } from '../../src/engine/support';

describe('engine: supportProblem', () => {
  it('needs two labels with a usable example each; blank texts and labels do not count', () => {
    assert.equal(supportProblem([]), 'at least two labels need examples (found none); label a line with each of two labels');
    assert.equal(
      supportProblem([
        { text: 'a', label: 'bug' },
        { text: 'b', label: 'bug' },
        { text: '  ', label: 'feature' },
        { text: 'c', label: ' ' },
      ]),
      'at least two labels need examples (found only "bug"); label a line with a second label',
    );
    assert.equal(
      supportProblem([
        { text: 'a', label: 'bug' },
        { text: 'b', label: 'feature' },
      ]),
      undefined,
    );
  });
});
