import assert from 'node:assert/strict';
import { RECENT_KEY, RECENT_LIMIT, RecentLabels } from '../../src/extension/recentLabels';
import { Memento } from './memento';

describe('recent labels (quick pick order)', () => {
  it('puts the labels used most recently first, the rest in their order, and remembers them', async () => {
    const memento = new Memento();
    const recent = new RecentLabels(memento);
    const names = ['alpha', 'beta', 'gamma', 'delta'];
    assert.deepEqual(recent.order(names), names);
    await recent.use('gamma');
    await recent.use('alpha');
    await recent.use('gamma');
    assert.deepEqual(recent.order(names), ['gamma', 'alpha', 'beta', 'delta']);
    // A remembered label that no longer exists is not offered.
    assert.deepEqual(recent.order(['beta', 'alpha']), ['alpha', 'beta']);
    assert.deepEqual(new RecentLabels(memento).order(names), ['gamma', 'alpha', 'beta', 'delta']);
  });

  it('keeps a bounded list and ignores bad stored values', async () => {
    const memento = new Memento();
    memento.values.set(RECENT_KEY, ['ok', 7, ' bad', 'ok']);
    const recent = new RecentLabels(memento);
    assert.deepEqual(recent.recent, ['ok']);
    for (let i = 0; i < RECENT_LIMIT + 5; i++) await recent.use(`l${i}`);
    assert.equal(recent.recent.length, RECENT_LIMIT);
    assert.equal(recent.recent[0], `l${RECENT_LIMIT + 4}`);
  });
});
