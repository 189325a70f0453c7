import assert from 'node:assert/strict';
import { helperThreadsOn } from '../../../../src/engine/learners/kernel/helper';

describe('kernel helper thread policy', () => {
  it('is on from two cores (measured faster on a loaded 2-core machine too), off on one', () => {
    assert.equal(helperThreadsOn(1, undefined), false, 'one core');
    for (const cores of [2, 3, 4, 64]) assert.equal(helperThreadsOn(cores, undefined), true, `${cores} cores`);
  });

  it('the override says on or off whatever the cores; anything else leaves it to the cores', () => {
    assert.equal(helperThreadsOn(1, 'on'), true);
    assert.equal(helperThreadsOn(2, 'on'), true);
    assert.equal(helperThreadsOn(16, 'off'), false);
    assert.equal(helperThreadsOn(1, 'yes'), false);
    assert.equal(helperThreadsOn(8, ''), true);
  });
});
