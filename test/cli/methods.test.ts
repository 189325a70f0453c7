import * as assert from 'node:assert/strict';
import { UsageError } from '../../src/cli/args';
import { expandMethodNames } from '../../src/cli/methods';
import { fakeEngine } from './helpers';

describe('cli: method names', () => {
  it('lists each method once when the engine registry names `default` itself (issue 8 item 11)', () => {
    const engine = fakeEngine();
    const withDefault = { ...engine, methods: () => ['default', ...engine.methods()] };
    let message = '';
    try {
      expandMethodNames(['nosuch'], withDefault);
    } catch (e) {
      assert.ok(e instanceof UsageError);
      message = e.message;
    }
    const available = /available: (.*)$/.exec(message)?.[1]?.split(', ') ?? [];
    assert.ok(available.length > 0, message);
    assert.equal(available.filter((m) => m === 'default').length, 1, message);
    assert.deepEqual(available, [...new Set(available)]);
  });
});
