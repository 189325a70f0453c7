// Label colours and key order: stable from first sight, kept in the workspace state, shared by
// the panel and the decorations.

import assert from 'node:assert/strict';
import { LabelPalette, PALETTE_KEY } from '../../src/extension/labelPalette';
import { LABEL_PALETTE } from '../../src/protocol/panel';
import { Memento } from './memento';

describe('label palette', () => {
  it('gives each label its own colour and keeps its place when the counts change', () => {
    const palette = new LabelPalette(new Memento());
    const first = palette.labels(['billing', 'bug']);
    assert.deepEqual(first, [
      { name: 'billing', color: LABEL_PALETTE[0], key: '1' },
      { name: 'bug', color: LABEL_PALETTE[1], key: '2' },
    ]);
    // The store lists labels most used first; the palette keeps first-seen order.
    assert.deepEqual(
      palette.labels(['bug', 'shipping', 'billing']).map((l) => l.name),
      ['billing', 'bug', 'shipping'],
    );
    assert.equal(palette.colorOf('shipping'), LABEL_PALETTE[2]);
    assert.equal(new Set(palette.labels(['bug', 'shipping', 'billing']).map((l) => l.color)).size, 3);
  });

  it('gives the built-in none key 0 and leaves the digits 1-9 to the other labels', () => {
    const palette = new LabelPalette(new Memento());
    const keys = palette.labels(['none', 'billing', 'bug']).map((l) => [l.name, l.key]);
    assert.deepEqual(keys, [
      ['none', '0'],
      ['billing', '1'],
      ['bug', '2'],
    ]);
  });

  it('persists colours, created labels, renames and deletions in the workspace state', async () => {
    const memento = new Memento();
    const palette = new LabelPalette(memento);
    palette.labels(['bug']);
    await palette.create('question', '#123ABC');
    await palette.create('idea');
    assert.deepEqual(
      palette.labels([]).map((l) => l.name),
      ['question', 'idea'],
      'created labels are listed while unused; unused seen ones are not',
    );
    await palette.rename('bug', 'defect');
    await palette.remove('idea');
    const reloaded = new LabelPalette(memento);
    assert.deepEqual(reloaded.labels(['defect']), [
      { name: 'defect', color: LABEL_PALETTE[0], key: '1' },
      { name: 'question', color: '#123abc', key: '2' },
    ]);
    assert.ok(Array.isArray(memento.get(PALETTE_KEY)));
  });

  it('tells listeners about changes and ignores bad stored entries', async () => {
    const memento = new Memento();
    memento.values.set(PALETTE_KEY, [
      { name: 'ok', color: '#00ff00' },
      { name: ' bad', color: '#000000' },
      { name: 'x', color: 'red' },
      42,
    ]);
    const palette = new LabelPalette(memento);
    let fired = 0;
    palette.onDidChange(() => fired++);
    assert.deepEqual(palette.labels(['ok', 'x']), [
      { name: 'ok', color: '#00ff00', key: '1' },
      { name: 'x', color: LABEL_PALETTE[0], key: '2' },
    ]);
    assert.equal(fired, 0, 'nothing new was seen');
    palette.colorOf('new');
    assert.equal(fired, 1);
  });

  it("changes a label's colour, keeping its place, and saves it for the decorations", async () => {
    const memento = new Memento();
    const palette = new LabelPalette(memento);
    palette.labels(['bug', 'feature']);
    let fired = 0;
    palette.onDidChange(() => fired++);
    assert.equal(await palette.setColor('feature', '#AB12CD'), true);
    assert.equal(fired, 1, 'listeners (the decorations, the panel) hear of it');
    assert.equal(palette.colorOf('feature'), '#ab12cd');
    assert.equal(await palette.setColor('feature', '#ab12cd'), true);
    assert.equal(fired, 1, 'the same colour again changes nothing');
    assert.equal(await palette.setColor('nope', '#000000'), false, 'an unknown label is refused');
    assert.equal(await palette.setColor('bug', 'red'), false, 'a colour that is not #rrggbb is refused');
    assert.deepEqual(new LabelPalette(memento).labels(['bug', 'feature']), [
      { name: 'bug', color: LABEL_PALETTE[0], key: '1' },
      { name: 'feature', color: '#ab12cd', key: '2' },
    ]);
  });

  it('reads the earlier name -> colour map once', () => {
    const memento = new Memento();
    memento.values.set('fewshot.labelColors', { spam: '#aa0000' });
    assert.deepEqual(new LabelPalette(memento).labels([]), [{ name: 'spam', color: '#aa0000', key: '1' }]);
  });

  it('gives the first nine labels the digits 1-9 by default, and keeps keys the user chose, unique', async () => {
    const memento = new Memento();
    const palette = new LabelPalette(memento);
    const names = Array.from({ length: 12 }, (_, i) => `label ${i}`);
    const keys = () => palette.labels(names).map((l) => l.key);
    assert.deepEqual(keys(), ['1', '2', '3', '4', '5', '6', '7', '8', '9', undefined, undefined, undefined]);
    // Label 11 takes q; label 10 takes 1 from label 0, which gets the next free digit.
    assert.equal(await palette.setKey('label 11', 'q'), true);
    assert.equal(await palette.setKey('label 10', '1'), true);
    assert.deepEqual(keys(), ['2', '3', '4', '5', '6', '7', '8', '9', undefined, undefined, '1', 'q']);
    // Another label taking q takes it away from label 11.
    await palette.setKey('label 9', 'q');
    assert.deepEqual(keys().slice(9), ['q', '1', undefined]);
    assert.equal(await palette.setKey('label 9', 'j'), false, 'a command key is refused');
    assert.equal(await palette.setKey('nope', 'w'), false, 'an unknown label is refused');
    // Null gives the default back; the keys survive a reload.
    await palette.setKey('label 10', null);
    assert.deepEqual(
      new LabelPalette(memento).labels(names).map((l) => l.key),
      [...keys()],
    );
    assert.deepEqual(keys().slice(0, 2), ['1', '2']);
    assert.equal(new Set(keys().filter(Boolean)).size, keys().filter(Boolean).length, 'no key twice');
  });

  it('drops stored keys that are not label keys or repeat one', () => {
    const memento = new Memento();
    memento.values.set(PALETTE_KEY, [
      { name: 'a', color: '#00ff00', key: 'w' },
      { name: 'b', color: '#00ff00', key: 'w' },
      { name: 'c', color: '#00ff00', key: 'x' },
      { name: 'd', color: '#00ff00', key: '<' },
    ]);
    assert.deepEqual(
      new LabelPalette(memento).labels(['a', 'b', 'c', 'd']).map((l) => l.key),
      ['w', '1', '2', '3'],
    );
  });
});
