// Engine.adaptMultiLabel with the sentence block (the editor's refinement of a multi-label task):
// weight 0 gives the sets without it, the block moves the sets towards what the vectors say, and no
// line is ever scored without its vector.
import assert from 'node:assert/strict';
import { MODEL_DIR } from './engineFixture';
import { Engine, EngineInputError, MULTI_LABEL_SENTENCE_WEIGHT, type SentenceVectors } from '../../src/engine/engine';
import type { MultiLabelExample } from '../../src/engine/multiLabel';

const DIM = 16;
const LABELS = ['billing', 'bug', 'question'];
const SUPPORT: MultiLabelExample[] = [
  { text: 'my card was charged twice for one purchase', labels: ['billing'] },
  { text: 'refund the duplicate charge on my invoice', labels: ['billing'] },
  { text: 'the app crashes when I open settings', labels: ['bug'] },
  { text: 'error 500 after clicking save', labels: ['bug'] },
  // Sets whose labels are not separate clauses: the lines do not split by label, so whole lines are
  // read (a task whose lines split by label keeps its clause model when refined: the last test).
  { text: 'I was charged twice, then the app crashed', labels: ['billing', 'bug'] },
  { text: 'how do I get a refund for the double charge', labels: ['billing', 'question'] },
  { text: 'why does the app crash whenever I pay', labels: ['bug', 'question'] },
  { text: 'how do I export my data to csv', labels: ['question'] },
  { text: 'where can I change my password', labels: ['question'] },
  { text: 'lovely weather for a picnic', labels: [] },
];
const LINES = ['the invoice shows a wrong amount', 'the screen freezes after login', 'how can I invite a teammate'];

/** Unit vector along the axes `on` (a set's labels; axis 3 for the empty set) plus a little line-specific noise. */
function along(on: number[], salt: number): Float32Array {
  const v = new Float32Array(DIM);
  for (let j = 0; j < DIM; j++) v[j] = 0.05 * Math.sin(salt * 7.1 + j * 1.3);
  for (const c of on.length ? on : [3]) v[c] = (v[c] as number) + 1;
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

/** Vectors saying each support line is its set, each name its label, and each of LINES is `claims[i]`. */
function vectors(claims: number[][], leaveOut?: string): SentenceVectors {
  const map = new Map<string, Float32Array>();
  for (const [i, ex] of SUPPORT.entries())
    map.set(
      ex.text,
      along(
        ex.labels.map((l) => LABELS.indexOf(l)),
        i,
      ),
    );
  for (const [c, l] of LABELS.entries()) map.set(l, along([c], 10 + c));
  for (const [i, t] of LINES.entries()) map.set(t, along(claims[i]!, 20 + i));
  if (leaveOut !== undefined) map.delete(leaveOut);
  return { dim: DIM, get: (text) => map.get(text) };
}

describe('Engine.adaptMultiLabel with the sentence block', function () {
  this.timeout(120_000);
  let engine: Engine;
  before(async () => {
    engine = await Engine.load({ modelDir: MODEL_DIR, backend: 'wasm' });
  });

  it('with weight 0 gives the sets of the model without the block', () => {
    const today = engine.adaptMultiLabel(SUPPORT, { pool: LINES });
    const zero = engine.adaptMultiLabel(SUPPORT, { pool: LINES, sentence: vectors([[1], [2], [0]]), sentenceWeight: 0 });
    assert.deepEqual(zero.labels, today.labels);
    const a = today.classify(LINES);
    const b = zero.classify(LINES);
    assert.deepEqual([...b.member], [...a.member]);
    for (const [k, p] of b.probs.entries()) assert.ok(Math.abs(p - (a.probs[k] as number)) < 1e-3, `entry ${k}: ${p} vs ${a.probs[k]}`);
  });

  it('uses the block (weight 1 by default): vectors naming other labels raise their probabilities', () => {
    const L = LABELS.length;
    // Each line's vector names the label its words do not: billing words -> bug, bug words -> question, question words -> billing.
    const claims = [[1], [2], [0]];
    const today = engine.adaptMultiLabel(SUPPORT, { pool: LINES }).classify(LINES);
    const model = engine.adaptMultiLabel(SUPPORT, { pool: LINES, sentence: vectors(claims) });
    assert.equal(MULTI_LABEL_SENTENCE_WEIGHT, 1);
    assert.equal(model.thresholds.length, L);
    const refined = model.classify(LINES);
    claims.forEach(([c], i) => {
      const k = i * L + c!;
      assert.ok(
        (refined.probs[k] as number) > (today.probs[k] as number) + 0.05,
        `line ${i}, ${LABELS[c!]}: ${refined.probs[k]} vs ${today.probs[k]}`,
      );
    });
  });

  it('refuses a line without its vector rather than scoring it without one', () => {
    assert.throws(
      () => engine.adaptMultiLabel(SUPPORT, { pool: LINES, sentence: vectors([[1], [2], [0]], SUPPORT[4]!.text) }),
      (e: unknown) => e instanceof EngineInputError && /1 of \d+ lines have no sentence vector/.test(e.message),
    );
    const model = engine.adaptMultiLabel(SUPPORT, { sentence: vectors([[1], [2], [0]]) });
    assert.throws(() => model.classify(['a line nobody embedded']), EngineInputError);
  });

  it("says what the refined sets left out with the note's template, for the user's language", () => {
    // More labeled lines than one adaptation fits on: the sets are learned from some of them.
    const many: MultiLabelExample[] = Array.from({ length: 300 }, (_, i) => ({
      text: `${['invoice', 'crash', 'password'][i % 3]} number ${i}, ${i % 2 ? 'charged' : 'frozen'}`,
      labels: i % 2 ? [LABELS[i % 3]!, LABELS[(i + 1) % 3]!] : [LABELS[i % 3]!],
    }));
    const model = engine.adaptMultiLabel(many, { sentence: { dim: DIM, get: (t) => along([t.length % 3], t.length) } });
    assert.ok(model.note, 'a note');
    assert.ok(model.noteTemplate?.template.includes('{0}'), 'with its template');
  });

  it('a task whose lines split by label (a clause per label) keeps its clause model when refined', () => {
    // Every labeled line has as many clauses as labels: the clause model reads them, and the sentence
    // vectors (the whole lines') would only blur it (docs/multilabel.md): refining gives the same sets.
    const byClauses: MultiLabelExample[] = [
      ...SUPPORT.filter((ex) => ex.labels.length < 2),
      { text: 'I was charged twice and the app crashed', labels: ['billing', 'bug'] },
    ];
    const claims = [[1], [2], [0]];
    const map = new Map<string, Float32Array>();
    for (const [i, t] of [...byClauses.map((ex) => ex.text), ...LABELS, ...LINES].entries()) map.set(t, along(claims[i % 3]!, i));
    const today = engine.adaptMultiLabel(byClauses, { pool: LINES }).classify(LINES);
    const refined = engine.adaptMultiLabel(byClauses, { pool: LINES, sentence: { dim: DIM, get: (t) => map.get(t) } }).classify(LINES);
    assert.deepEqual([...refined.member], [...today.member]);
    assert.deepEqual([...refined.probs], [...today.probs]);
    // So the worker does not refine it at all; whole lines it does.
    assert.equal(engine.refinesLabelSets(byClauses), false);
    assert.equal(engine.refinesLabelSets(SUPPORT), true);
  });
});
