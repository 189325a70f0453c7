// The panel's lines of closed files (Classify Workspace results): a multi-label task's labeled set
// and predicted set reach the panel as an open document's do, so its counts and filters see them.
import assert from 'node:assert/strict';
import { workspacePanelLines } from '../../src/extension/workspacePanel';
import { WorkspaceResults } from '../../src/extension/workspaceResults';

describe('workspace panel lines', () => {
  it("a closed file of a multi-label task lists each line's labeled set and predicted set", () => {
    const results = new WorkspaceResults();
    // Line 0 labeled {billing, bug}; line 1 predicted {bug 0.9, billing 0.6}; line 2 the empty set.
    const file = results.add(
      'file:///w/a.txt',
      {
        path: '/w/a.txt',
        bytes: 30,
        columns: new Uint32Array(6),
        labelIndex: Int32Array.of(0, 1, 2),
        confidence: Float32Array.of(0.7, 0.9, 0.8),
        uncertainty: new Float32Array(3),
        sets: { start: Int32Array.of(0, 1, 3, 3), label: Int32Array.of(0, 1, 0), confidence: Float32Array.of(0.7, 0.9, 0.6) },
      },
      ['billing', 'bug', 'none'],
    );
    const lines = workspacePanelLines(
      {
        workspace: { closedFiles: () => [file], lines: { get: () => ['invoice crash', 'app crash bill', 'sunny'] } },
        labels: {
          labelsOf: () => new Map([[0, 'billing']]),
          isMultiLabel: () => true,
          labelSetsOf: () => new Map([[0, ['billing', 'bug']]]),
        },
      },
      undefined,
    );
    assert.deepEqual(
      lines.map((l) => [l.line, l.label, l.labels, l.prediction?.label, l.prediction?.labels]),
      [
        [0, 'billing', ['billing', 'bug'], 'billing', ['billing']],
        [1, undefined, undefined, 'bug', ['bug', 'billing']],
        [2, undefined, undefined, 'none', []],
      ],
    );
  });
});
