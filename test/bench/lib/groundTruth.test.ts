import * as assert from 'node:assert/strict';
import { judge, type LoggedOp } from '../../../bench/lib/groundTruth';

const op = (order: number, line: number, kind: LoggedOp['op'], label?: string): LoggedOp => ({
  order,
  document: 'a.txt',
  line,
  op: kind,
  label,
});

describe('stress ground truth (judge)', () => {
  it('reports nothing when the file holds what the last operations left', () => {
    const ops = [op(1, 0, 'label', 'x'), op(2, 0, 'relabel', 'y'), op(3, 1, 'label', 'x'), op(4, 1, 'remove')];
    const v = judge(ops, [{ document: 'a.txt', line: 0, label: 'y' }]);
    assert.deepEqual({ ...v, examples: [] }, { ops: 4, expected: 1, lost: 0, resurrected: 0, unexpected: 0, examples: [] });
  });

  it('reports a loss: a relabel whose value is not in the file, and a label missing from it', () => {
    const ops = [op(1, 0, 'label', 'x'), op(2, 0, 'relabel', 'y'), op(3, 2, 'label', 'z')];
    const v = judge(ops, [{ document: 'a.txt', line: 0, label: 'x' }]);
    assert.equal(v.lost, 2);
    assert.equal(v.resurrected, 0);
    assert.deepEqual(v.examples, ['a.txt:1 relabel y, holds x', 'a.txt:3 label z, holds nothing']);
  });

  it('reports a resurrection: a label removed last is in the file', () => {
    const ops = [op(1, 4, 'label', 'x'), op(2, 4, 'remove')];
    const v = judge(ops, [{ document: 'a.txt', line: 4, label: 'x' }]);
    assert.equal(v.resurrected, 1);
    assert.equal(v.lost, 0);
  });

  it('takes the highest order as last, whatever the log order (several writers logs concatenated)', () => {
    const ops = [op(5, 0, 'remove'), op(2, 0, 'label', 'x')];
    assert.equal(judge(ops, [{ document: 'a.txt', line: 0, label: 'x' }]).resurrected, 1);
    assert.equal(judge(ops, []).lost, 0);
  });

  it('counts records nobody wrote, and tells documents apart', () => {
    const ops = [op(1, 0, 'label', 'x')];
    const v = judge(ops, [
      { document: 'a.txt', line: 0, label: 'x' },
      { document: 'b.txt', line: 0, label: 'x' },
    ]);
    assert.equal(v.unexpected, 1);
    assert.equal(v.lost, 0);
  });
});
