// When a folder's labels are written (saveSchedule.ts), on a fake clock.
import assert from 'node:assert/strict';
import { SaveSchedule, type Timers } from '../../src/extension/saveSchedule';

/** Timers that run only when the test advances the clock. */
function fakeTimers() {
  let now = 0;
  let next = 0;
  const pending = new Map<number, { at: number; run: () => void }>();
  const timers: Timers = {
    set: (run, ms) => {
      pending.set(++next, { at: now + ms, run });
      return next;
    },
    clear: (handle) => pending.delete(handle as number),
  };
  const advance = (ms: number) => {
    now += ms;
    for (const [id, t] of [...pending].sort((x, y) => x[1].at - y[1].at))
      if (t.at <= now) {
        pending.delete(id);
        t.run();
      }
  };
  return { timers, advance, count: () => pending.size };
}

describe('save schedule', () => {
  it('writes once the edits pause: each schedule restarts the wait, and only the last write runs', () => {
    const clock = fakeTimers();
    const schedule = new SaveSchedule(500, clock.timers);
    const writes: string[] = [];
    schedule.schedule(() => writes.push('first'));
    clock.advance(400);
    schedule.schedule(() => writes.push('second'));
    clock.advance(400);
    assert.equal(writes.length, 0, 'no write while edits keep coming');
    assert.ok(schedule.pending);
    clock.advance(100);
    assert.deepEqual(writes, ['second']);
    assert.ok(!schedule.pending);
    assert.equal(clock.count(), 0, 'one timer at a time');
  });

  it('cancel drops the pending write (a commit writes everything itself)', () => {
    const clock = fakeTimers();
    const schedule = new SaveSchedule(500, clock.timers);
    const writes: string[] = [];
    schedule.schedule(() => writes.push('moved lines'));
    schedule.cancel();
    assert.ok(!schedule.pending);
    clock.advance(1000);
    assert.equal(writes.length, 0);
    schedule.cancel(); // nothing pending: nothing to do
    schedule.schedule(() => writes.push('later'));
    clock.advance(500);
    assert.deepEqual(writes, ['later']);
  });
});
