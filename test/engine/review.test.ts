import assert from 'node:assert/strict';
import fc from 'fast-check';
import { leastCertainLines } from '../../src/engine/review';

describe('engine: leastCertainLines (what to review next)', () => {
  it('picks the least certain eligible lines, least sure first, earlier line on ties', () => {
    const u = [0.1, 0.9, 0.5, 0.9, 0.7, 0.2];
    assert.deepEqual(
      leastCertainLines(u, () => true, 3),
      [1, 3, 4],
    );
    assert.deepEqual(
      leastCertainLines(u, (i) => i !== 1, 2),
      [3, 4],
    );
    assert.deepEqual(
      leastCertainLines(u, () => false, 2),
      [],
    );
    assert.deepEqual(
      leastCertainLines(u, () => true, 0),
      [],
    );
  });

  it('equals a stable sort by uncertainty, descending', () => {
    fc.assert(
      fc.property(fc.array(fc.float({ min: 0, max: 1, noNaN: true }), { maxLength: 60 }), fc.nat(8), fc.nat(), (u, count, mask) => {
        const eligible = (i: number) => ((mask >>> (i % 31)) & 1) === 1;
        const expected = u
          .map((x, i) => ({ x, i }))
          .filter(({ i }) => eligible(i))
          .sort((a, b) => b.x - a.x || a.i - b.i)
          .slice(0, count)
          .map(({ i }) => i);
        assert.deepEqual(leastCertainLines(u, eligible, count), expected);
      }),
    );
  });
});
