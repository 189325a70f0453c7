// What the status bar says about the classified field of a structured document, and what
// Choose Text Column offers: every field (nested ones by path) with a value of it.
import assert from 'node:assert/strict';
import { parseRecords, withoutFields } from '../../src/engine/data/records';
import { textColumnItems } from '../../src/extension/commands';
import { describeTextField } from '../../src/extension/textFieldStatus';

describe('text field status and Choose Text Column', () => {
  const lines = [
    { id: 'r1', msg: { text: 'my card was charged twice for one order', lang: 'en' } },
    { id: 'r2', msg: { text: 'the parcel never arrived at my door', lang: 'en' } },
  ];
  const table = withoutFields(parseRecords(lines.map((l) => JSON.stringify(l)).join('\n'), 'jsonl'));

  it('names the classified field and how it was picked; says when there is none', () => {
    assert.deepEqual(describeTextField(table, false), {
      text: '$(symbol-field) Few-Shot text: msg.text',
      tooltip: 'Few-Shot classifies the field "msg.text" of each record (detected from the values). Click to choose another.',
    });
    assert.match(describeTextField({ format: 'csv', column: 'summary' }, true).tooltip, /the column "summary" .*\(chosen with Choose/);
    assert.equal(describeTextField({ format: 'csv', column: undefined }, false).text, '$(warning) Few-Shot: no text column');
  });

  it('lists nested fields with a sample value each; "detect" comes first only after a choice', () => {
    const items = textColumnItems(table, false);
    assert.deepEqual(
      items.map((i) => [i.label, i.description, i.detail, i.column]),
      [
        ['id', undefined, 'e.g. r1', 'id'],
        ['msg.text', 'current (detected)', 'e.g. my card was charged twice for one order', 'msg.text'],
        ['msg.lang', undefined, 'e.g. en', 'msg.lang'],
      ],
    );
    const chosen = textColumnItems({ ...table, column: 'id' }, true);
    assert.equal(chosen[0]!.column, null);
    assert.equal(chosen.find((i) => i.column === 'id')!.description, 'current (chosen)');
  });

  it('a sample is one line, cut when long', () => {
    const csv = withoutFields(parseRecords(`id,text\n1,"first line\nsecond line"\n2,${'word '.repeat(60)}\n`, 'csv'));
    assert.equal(csv.samples[1], 'first line second line');
    const long = withoutFields(parseRecords(`text\n${'word '.repeat(60)}\n`, 'csv'));
    assert.equal(long.samples[0]!.length, 120);
    assert.ok(long.samples[0]!.endsWith('…'));
  });
});
