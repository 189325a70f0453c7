// When the engine applies its abstention rule: `on` and `off` as asked, `auto` from the support set
// (src/engine/abstention/mode.ts). The rule itself on a real model: test/engine/noLabel.test.ts.
import assert from 'node:assert/strict';
import {
  ABSTENTION_MODES,
  AUTO_MAX_LABELS,
  AUTO_MIN_SHOTS,
  CALIBRATE_BELOW_SHOTS,
  calibrationApplies,
  abstentionApplies,
  fewestShots,
  isAbstentionMode,
} from '../../../src/engine/abstention/mode';
import { NONE_LABEL } from '../../../src/engine/labels/none';

/** A support set of `counts[i]` lines of label i, as the engine indexes it. */
function support(counts: Record<string, number>) {
  const labels = Object.keys(counts).sort();
  const supportLabels = Int32Array.from(labels.flatMap((label, id) => Array.from({ length: counts[label]! }, () => id)));
  return { labels, supportLabels };
}

describe('abstention: when the rule applies', () => {
  it('counts the fewest labeled lines of any label, leaving out the none label', () => {
    const fewest = (counts: Record<string, number>) => {
      const { labels, supportLabels } = support(counts);
      return fewestShots(labels, supportLabels);
    };
    assert.equal(fewest({ bug: 4, billing: 7 }), 4);
    assert.equal(fewest({ bug: 4, billing: 7, [NONE_LABEL]: 1 }), 4);
    assert.equal(fewest({ [NONE_LABEL]: 3 }), 0);
  });

  it('on and off apply as asked, whatever the support set', () => {
    for (const context of [
      { ...support({ a: 1, b: 1 }), pooled: false },
      { ...support({ a: 50, b: 50 }), pooled: true },
    ]) {
      assert.equal(abstentionApplies('on', context), true);
      assert.equal(abstentionApplies('off', context), false);
    }
  });

  it('auto applies once every label has AUTO_MIN_SHOTS lines and the adaptation has a pool', () => {
    const k = AUTO_MIN_SHOTS;
    assert.equal(abstentionApplies('auto', { ...support({ a: k, b: k - 1 }), pooled: true }), false, 'one label short');
    assert.equal(abstentionApplies('auto', { ...support({ a: k, b: k }), pooled: true }), true);
    assert.equal(abstentionApplies('auto', { ...support({ a: k + 5, b: k }), pooled: true }), true);
    assert.equal(abstentionApplies('auto', { ...support({ a: k, b: k }), pooled: false }), false, 'no pool');
    // Lines labeled none are the background class: a single one does not hold auto back.
    assert.equal(abstentionApplies('auto', { ...support({ a: k, b: k, [NONE_LABEL]: 1 }), pooled: true }), true);
  });

  it('auto stays off past AUTO_MAX_LABELS labels (none not counted), where the rule is unmeasured', () => {
    const k = AUTO_MIN_SHOTS;
    const labels = (n: number, extra: Record<string, number> = {}) =>
      Object.fromEntries([...Array.from({ length: n }, (_, i) => [`label${i}`, k] as const), ...Object.entries(extra)]);
    assert.equal(abstentionApplies('auto', { ...support(labels(AUTO_MAX_LABELS)), pooled: true }), true);
    assert.equal(abstentionApplies('auto', { ...support(labels(AUTO_MAX_LABELS, { [NONE_LABEL]: 2 })), pooled: true }), true);
    assert.equal(abstentionApplies('auto', { ...support(labels(AUTO_MAX_LABELS + 1)), pooled: true }), false);
    assert.equal(abstentionApplies('on', { ...support(labels(77)), pooled: true }), true, 'on is on whatever the size');
  });

  it('auto calibrates its threshold on the labeled lines, on does only when asked', () => {
    assert.equal(calibrationApplies('auto', undefined, 3), true);
    assert.equal(calibrationApplies('auto', undefined, CALIBRATE_BELOW_SHOTS - 1), true);
    // From 9 lines per label the trained threshold stands, and the refits' cost stays bounded.
    assert.equal(calibrationApplies('auto', undefined, CALIBRATE_BELOW_SHOTS), false);
    assert.equal(calibrationApplies('on', undefined, 3), false);
    assert.equal(calibrationApplies('on', true, 50), true);
    assert.equal(calibrationApplies('auto', false, 3), false);
  });

  it('knows exactly the modes the setting offers', () => {
    assert.deepEqual([...ABSTENTION_MODES], ['auto', 'on', 'off']);
    assert.ok(ABSTENTION_MODES.every(isAbstentionMode));
    for (const bad of ['ON', 'true', true, 1, null, undefined, '']) assert.equal(isAbstentionMode(bad), false, String(bad));
  });
});
