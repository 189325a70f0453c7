import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FolderLabels } from '../../src/extension/folderLabels';
import { parseLabels, serializeLabels } from '../../src/extension/labelFile';
import { afterPick, labelSetOf, mergeLabelSets, setFields, sharedLabels, toggled } from '../../src/extension/labelSet';
import { textOf } from './labelWriter';

const quiet = { log: () => {}, settle: { quietMs: 10, confirmMs: 50 } };
const line = (n: number, labels: string[]) => [{ line: n, text: textOf('x.txt', n), labels }];

/** Two stores (two windows) on one new label file, the task `topics` multi-label in both. */
async function twoStores(multi = true) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fewshot-sets-'));
  const file = path.join(root, '.fewshot', 'labels.jsonl');
  const options = { ...quiet, isMultiLabel: (task: string | undefined) => multi && task === 'topics' };
  const a = new FolderLabels(root, file, options);
  const b = new FolderLabels(root, file, options);
  await a.load();
  await b.load();
  return { file, a, b };
}

const setsOn = (file: string) =>
  parseLabels(fs.readFileSync(file, 'utf8')).records.map((r) => `${r.line}:${r.task ?? ''}:${labelSetOf(r).join('+') || 'none'}`);

describe('multi-label sets in the label file', () => {
  it('a set of two or more is one record with label and labels; one label and none stay plain records', () => {
    assert.deepEqual(setFields(['bug', 'billing', 'bug']), { label: 'billing', labels: ['billing', 'bug'] });
    assert.deepEqual(setFields(['bug']), { label: 'bug' });
    assert.deepEqual(setFields([]), { label: 'none' });
    assert.deepEqual(setFields(['none']), { label: 'none' });
    assert.deepEqual(labelSetOf({ label: 'none' }), []);
    // A reader that knows only `label` relabeled the line: its label is the set.
    assert.deepEqual(labelSetOf({ label: 'urgent', labels: ['billing', 'bug'] }), ['urgent']);
    assert.deepEqual(toggled(['bug'], 'billing'), ['billing', 'bug']);
    assert.deepEqual(toggled(['billing', 'bug'], 'bug'), ['billing']);
  });

  it('Label Line As for several lines: the labels they all have are shown chosen; a label only some have stays', () => {
    const sets = [
      ['billing', 'bug'],
      ['bug', 'ui'],
    ];
    const shown = sharedLabels(sets);
    assert.deepEqual(shown, ['bug']);
    // bug unchosen, urgent chosen: bug goes from both, billing and ui stay where they were.
    assert.deepEqual(
      sets.map((set) => afterPick(set, shown, ['urgent'])),
      [
        ['billing', 'urgent'],
        ['ui', 'urgent'],
      ],
    );
    assert.deepEqual(afterPick(['bug'], ['bug'], []), [], 'nothing chosen: none');
    assert.deepEqual(sharedLabels([]), []);
  });

  it('round-trips a set through the file, unknown fields kept, and old records load unchanged', () => {
    const records = [
      '{"document":"a.txt","line":1,"text":"t","label":"billing","labels":["billing","bug"],"task":"topics"}',
      '{"note":12345678901234567890,"document":"a.txt","line":2,"text":"u","label":"none","task":"topics"}',
      '{"document":"a.txt","line":3,"text":"v","label":"one"}',
    ];
    const content = `${records.join('\n')}\n`;
    const parsed = parseLabels(content);
    assert.deepEqual(parsed.problems, []);
    assert.deepEqual(parsed.records[0]!.labels, ['billing', 'bug']);
    assert.equal(parsed.records[2]!.labels, undefined);
    assert.equal(serializeLabels(parsed.records), content);
  });

  it('a labels field this version cannot read is kept as written and the label stands alone', () => {
    const content = '{"document":"a.txt","line":1,"text":"t","label":"bug","labels":"bug,billing"}\n';
    const parsed = parseLabels(content);
    assert.deepEqual(parsed.problems, []);
    assert.deepEqual(labelSetOf(parsed.records[0]!), ['bug']);
    assert.equal(serializeLabels(parsed.records), '{"labels":"bug,billing","document":"a.txt","line":1,"text":"t","label":"bug"}\n');
  });

  it('merges per label: base plus what each side added, less what each side removed', () => {
    assert.deepEqual(mergeLabelSets(['bug'], ['billing', 'bug'], ['bug', 'urgent']), ['billing', 'bug', 'urgent']);
    assert.deepEqual(mergeLabelSets(['billing', 'bug'], ['bug'], ['billing', 'bug', 'urgent']), ['bug', 'urgent']);
  });

  it('two windows toggling different labels of one line at once keep both toggles', async () => {
    const { file, a, b } = await twoStores();
    a.setLabelSets('x.txt', line(0, ['bug']), 'topics');
    await a.save();
    await b.load();
    a.setLabelSets('x.txt', line(0, ['billing', 'bug']), 'topics');
    b.setLabelSets('x.txt', line(0, ['bug', 'urgent']), 'topics');
    await a.save();
    await b.save();
    assert.deepEqual(setsOn(file), ['0:topics:billing+bug+urgent']);
    // One window removes a label the other just added another beside: the removal stays.
    await a.load();
    a.setLabelSets('x.txt', line(0, ['billing', 'urgent']), 'topics');
    b.setLabelSets('x.txt', line(0, ['billing', 'bug', 'urgent', 'later']), 'topics');
    await a.save();
    await b.save();
    assert.deepEqual(setsOn(file), ['0:topics:billing+later+urgent']);
  });

  it('sets of one label merge per label in a multi-label task; a single-label task keeps the last writer', async () => {
    for (const multi of [true, false]) {
      const { file, a, b } = await twoStores(multi);
      a.setLabelSets('x.txt', line(0, ['bug']), 'topics');
      await a.save();
      await b.load();
      a.setLabelSets('x.txt', line(0, ['billing']), 'topics');
      b.setLabelSets('x.txt', line(0, ['urgent']), 'topics');
      await a.save();
      await b.save();
      assert.deepEqual(setsOn(file), [multi ? '0:topics:billing+urgent' : '0:topics:urgent']);
    }
  });

  it('renaming and deleting a label change it inside sets; the rest of a set stays', async () => {
    const { file, a } = await twoStores();
    a.setLabelSets('x.txt', [...line(0, ['bug', 'billing']), ...line(1, ['bug'])], 'topics');
    assert.equal(a.renameLabel('bug', 'defect', 'topics'), 2);
    await a.save();
    assert.deepEqual(setsOn(file), ['0:topics:billing+defect', '1:topics:defect']);
    assert.equal(a.deleteLabel('defect', 'topics'), 2);
    await a.save();
    assert.deepEqual(setsOn(file), ['0:topics:billing']);
    // An unchanged set writes nothing.
    assert.equal(a.setLabelSets('x.txt', line(0, ['billing']), 'topics'), 0);
  });
});
