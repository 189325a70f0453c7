// Multi-label tasks through the facade, on the shipped model: sets in, sets out.
import assert from 'node:assert/strict';
import path from 'node:path';
import { Engine, EngineInputError } from '../../src/engine/engine';
import {
  capLabeledLines,
  checkLabelSets,
  describeLabelSet,
  MAX_MULTI_LABEL_LINES,
  type MultiLabelExample,
  namedLabelSets,
} from '../../src/engine/multiLabel';

const MODEL_DIR = path.resolve(__dirname, '../../../models');

const SUPPORT: MultiLabelExample[] = [
  { text: 'my card was charged twice for one purchase', labels: ['billing'] },
  { text: 'refund the duplicate charge on my invoice', labels: ['billing'] },
  { text: 'why is my bill higher this month', labels: ['billing'] },
  { text: 'the app crashes when I open settings', labels: ['bug'] },
  { text: 'error 500 after clicking save', labels: ['bug'] },
  { text: 'the page freezes and shows a blank screen', labels: ['bug'] },
  { text: 'I was charged twice and the app crashed during checkout', labels: ['billing', 'bug'] },
  { text: 'how do I export my data to csv', labels: ['question'] },
  { text: 'where can I change my password', labels: ['question'] },
  { text: 'how can I invite a teammate to my workspace', labels: ['question'] },
  { text: 'lovely weather for a picnic in the park today', labels: [] },
  { text: 'the cat sleeps on the sofa all afternoon', labels: ['none'] },
];

describe('Engine.adaptMultiLabel', function () {
  this.timeout(120_000);
  let engine: Engine;
  before(async () => {
    engine = await Engine.load({ modelDir: MODEL_DIR, backend: 'wasm' });
  });

  it('gives a line with two labels’ words both labels, and a plain line one', () => {
    const model = engine.adaptMultiLabel(SUPPORT);
    assert.deepEqual(model.labels, ['billing', 'bug', 'question']);
    const sets = namedLabelSets(model, [
      'I got charged twice on my invoice and the app crashes with error 500',
      'refund the double charge on my card please',
      'how do I change my password',
    ]);
    assert.deepEqual(sets[0]?.map((x) => x.label).sort(), ['billing', 'bug']);
    assert.deepEqual(
      sets[1]?.map((x) => x.label),
      ['billing'],
    );
    assert.deepEqual(
      sets[2]?.map((x) => x.label),
      ['question'],
    );
    for (const set of sets) for (const x of set) assert.ok(x.confidence >= 0 && x.confidence <= 1);
  });

  it('reads a line of three intents clause by clause: all three labels, where whole lines blur them', () => {
    const joined: MultiLabelExample[] = [
      ...SUPPORT,
      { text: 'refund the charge on my card and the app freezes on save', labels: ['billing', 'bug'] },
      { text: 'how do I rename a project and my invoice total is wrong', labels: ['billing', 'question'] },
      { text: 'the upload button does nothing and where do I find the docs', labels: ['bug', 'question'] },
    ];
    const sets = namedLabelSets(engine.adaptMultiLabel(joined), [
      'how do I export my data to csv and I was charged twice this month and the app crashes when I click save',
      'where can I change my password and the page shows error 500 and why is my bill higher',
    ]);
    for (const set of sets) assert.deepEqual(set.map((x) => x.label).sort(), ['billing', 'bug', 'question']);
  });

  it('predicts the empty set for lines unlike every label', () => {
    const model = engine.adaptMultiLabel(SUPPORT);
    // No "and" in them: with three lines per label, the word is evidence of `bug` (two of its four lines have it).
    const lines = [
      'the dog naps under the tree in the garden',
      'my grandmother bakes bread on sundays',
      'the train to paris leaves at noon',
      'birds sing in the morning',
      'we watched a movie about pirates',
    ];
    const sets = namedLabelSets(model, lines);
    assert.deepEqual(
      sets,
      lines.map(() => []),
    );
    assert.equal(describeLabelSet(sets[0] ?? []), 'none');
  });

  it('fits its thresholds on the labeled lines: the same lines give the same thresholds whatever is classified', () => {
    const a = engine.adaptMultiLabel(SUPPORT);
    const b = engine.adaptMultiLabel(SUPPORT);
    a.classify(['anything at all']);
    assert.deepEqual([...a.thresholds], [...b.thresholds]);
    for (const t of a.thresholds) assert.ok(t > 0 && t < 1, `threshold ${t}`);
  });

  it('refuses sets that cannot train a model', () => {
    assert.throws(() => engine.adaptMultiLabel([{ text: 'a line', labels: [] }]), EngineInputError);
    assert.throws(
      () =>
        engine.adaptMultiLabel([
          { text: 'a line', labels: ['x'] },
          { text: 'another', labels: ['x', 'y'] },
        ]),
      /every labeled line carries 'x'/,
    );
  });

  it('describes a set by its labels and confidences', () => {
    assert.equal(
      describeLabelSet([
        { label: 'bug', confidence: 0.912 },
        { label: 'billing', confidence: 0.6 },
      ]),
      'bug (0.91), billing (0.60)',
    );
  });
});

describe('checkLabelSets', () => {
  it('treats `none` and an empty list as the empty set and skips blank lines', () => {
    const checked = checkLabelSets([
      { text: 'a', labels: ['p', 'q'] },
      { text: '  ', labels: ['p'] },
      { text: 'b', labels: ['none'] },
      { text: 'c', labels: [] },
    ]);
    assert.ok(!('problem' in checked));
    assert.deepEqual(checked.labels, ['p', 'q']);
    assert.deepEqual(checked.texts, ['a', 'b', 'c']);
    assert.deepEqual([...checked.sets.member], [1, 1, 0, 0, 0, 0]);
  });
});

describe('the bound on labeled lines per multi-label adaptation', () => {
  const many = (n: number, labels: string[], word: string) => Array.from({ length: n }, (_, i) => ({ text: `${word} ${i}`, labels }));

  it('thins the lines past MAX_MULTI_LABEL_LINES label by label: a rare label keeps every line, the note says so', () => {
    const support = [...many(700, ['common'], 'c'), ...many(12, ['rare', 'common'], 'r'), ...many(100, [], 'n')];
    const kept = capLabeledLines(support);
    assert.equal(kept.length, MAX_MULTI_LABEL_LINES);
    assert.equal(kept.filter((ex) => ex.labels.includes('rare')).length, 12);
    assert.equal(kept.filter((ex) => ex.labels.length === 0).length, 100);
    // Deterministic, in the lines' order.
    assert.deepEqual(capLabeledLines(support), kept);
    assert.deepEqual(
      kept.map((ex) => support.indexOf(ex)),
      kept.map((ex) => support.indexOf(ex)).sort((a, b) => a - b),
    );
    const checked = checkLabelSets(support);
    assert.ok(!('problem' in checked));
    assert.equal(checked.sets.n, MAX_MULTI_LABEL_LINES);
    assert.match(checked.note ?? '', new RegExp(`^812 labeled lines: .* ${MAX_MULTI_LABEL_LINES} of them`));
    const few = checkLabelSets(support.slice(690, 720));
    assert.ok(!('problem' in few) && few.note === undefined && few.sets.n === 30);
  });
});
