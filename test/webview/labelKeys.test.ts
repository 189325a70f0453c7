// Label keys and the label chooser's matching, in Node.

import assert from 'node:assert/strict';
import { isLabelKey, RESERVED_KEYS, type PanelLabel } from '../../src/protocol/panel';
import { BINDINGS } from '../../src/webview/keys';
import { CHOOSER_LIMIT, matchLabels } from '../../src/webview/labelChooser';

const label = (name: string): PanelLabel => ({ name, color: '#123456' });

describe('label keys and the label chooser', () => {
  it('no label key can be a key of a panel command', () => {
    const commandKeys = BINDINGS.filter((b) => !b.keys.includes('1')).flatMap((b) => b.keys.filter((k) => k.length === 1));
    for (const k of commandKeys) assert.equal(isLabelKey(k), false, `${k} is a command key`);
    for (const k of RESERVED_KEYS) assert.ok(commandKeys.includes(k), `${k} is reserved but no command uses it`);
  });

  it('finds a label by a few letters of its name, best match first', () => {
    const labels = ['transfer', 'card_declined', 'change_pin', 'cancel_transfer', 'credit_limit'].map(label);
    assert.equal(matchLabels('cdec', labels)[0]?.name, 'card_declined');
    assert.equal(matchLabels('transfer', labels)[0]?.name, 'transfer', 'an exact name comes first');
    assert.deepEqual(
      matchLabels('zzz', labels).map((l) => l.name),
      [],
    );
  });

  it('lists the recently used labels first before anything is typed, and at most CHOOSER_LIMIT', () => {
    const labels = Array.from({ length: 80 }, (_, i) => label(`intent_${i}`));
    const listed = matchLabels('', labels, ['intent_42', 'gone', 'intent_7']);
    assert.deepEqual(
      listed.slice(0, 3).map((l) => l.name),
      ['intent_42', 'intent_7', 'intent_0'],
    );
    assert.equal(listed.length, CHOOSER_LIMIT);
    assert.equal(new Set(listed.map((l) => l.name)).size, listed.length, 'each label once');
  });
});
