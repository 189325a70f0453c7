// The Label Line As... quick pick's items: what is typed finds existing labels first; a new label
// is offered after every match, never in their place.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import fuzzysort from 'fuzzysort';
import fs from 'node:fs';
import path from 'node:path';
import { acceptedLabel, labelPickItems } from '../../src/extension/labelPick';
import { inLanguage } from './fakeVscode';

const existing = ['none', 'request_refund', 'billing', 'refund_status', 'login'];
const recent = new Set(['billing']);

describe('Label Line As... items', () => {
  it('typing part of an existing name puts the matching labels above the new label', () => {
    const items = labelPickItems('refund', existing, recent);
    assert.deepEqual(
      items.map((i) => [i.name, i.isNew ?? false]),
      [
        ['refund_status', false],
        ['request_refund', false],
        ['refund', true],
      ],
    );
    assert.ok(
      items.every((i) => i.alwaysShow),
      'listed as ranked here, whatever VS Code filter thinks',
    );
    // The new label's label is an icon alone: VS Code's filter never highlights it, so it never sorts above a match.
    assert.match(items.at(-1)!.label, /^\$\([a-z-]+\)$/);
    assert.equal(items.at(-1)!.description, 'new label "refund"');
  });

  it('fuzzy like the panel: letters in order find the label; an exact name offers no new label', () => {
    assert.deepEqual(
      labelPickItems('rqrf', existing, recent).map((i) => i.name),
      ['request_refund', 'rqrf'],
    );
    assert.deepEqual(
      labelPickItems('billing', existing, recent).map((i) => [i.name, i.description]),
      [['billing', 'recently used']],
    );
  });

  it('nothing typed: every label in the order given, none, current and recent ones described', () => {
    assert.deepEqual(
      labelPickItems('  ', existing, recent, new Set(['login'])).map((i) => [i.name, i.description]),
      [
        ['none', '— fits no label'],
        ['request_refund', undefined],
        ['billing', 'recently used'],
        ['refund_status', undefined],
        ['login', 'current label'],
      ],
    );
  });

  it('a name the store would refuse says why', () => {
    const items = labelPickItems('a\u202Eb', existing, recent);
    assert.match(items.at(-1)!.description!, /is not allowed: .*control/);
  });

  it('whatever is typed, the new label is never above an existing label that matches', () => {
    const name = fc.stringMatching(/^[a-z_]{1,12}$/);
    fc.assert(
      fc.property(fc.uniqueArray(name, { maxLength: 12 }), name, (names, typed) => {
        const items = labelPickItems(typed, names, new Set());
        const fresh = items.findIndex((i) => i.isNew);
        const matching = fuzzysort.go(typed, names, { threshold: 0 }).length;
        assert.equal(items.length, matching + (names.includes(typed) ? 0 : 1));
        if (fresh >= 0) assert.equal(fresh, items.length - 1);
      }),
    );
  });

  it('an Enter that came before the typed list selected nothing: the typed value gives the first item of its list', () => {
    // The e2e run lost labels this way: the pick was accepted with nothing selected.
    assert.equal(acceptedLabel(undefined, 'bill', existing, recent), 'billing');
    const refund = acceptedLabel(undefined, 'refund', existing, recent);
    assert.ok(refund === 'request_refund' || refund === 'refund_status', `an existing label, not a new one (got ${refund})`);
    assert.equal(acceptedLabel(undefined, 'brand_new', existing, recent), 'brand_new', 'a new label only when it is first');
    assert.equal(acceptedLabel({ label: 'login', name: 'login' }, 'bill', existing, recent), 'login', 'a selected item wins');
  });

  it('says why a name is refused in the user’s language (the label-name rule’s problem translated too)', () => {
    const zh: Record<string, string> = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../l10n/bundle.l10n.zh-cn.json'), 'utf8'));
    const refused = inLanguage(zh, () => labelPickItems('a\u200bb', existing, recent)).at(-1)!;
    assert.equal(refused.description, '“a\u200bb”不允许：标签名不能包含控制字符、双向控制字符或不可见字符（其中含有 U+200B）');
    assert.equal(inLanguage(zh, () => labelPickItems('refund', existing, recent)).at(-1)!.description, '新标签“refund”');
    // In English, the rule's own wording.
    assert.equal(
      labelPickItems('a\u200bb', existing, recent).at(-1)!.description,
      '"a\u200bb" is not allowed: a label name cannot contain control, bidirectional or invisible characters (it holds U+200B)',
    );
  });
});
