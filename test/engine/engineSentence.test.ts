// The engine with the sentence block (Engine.adapt's `sentence` option): the refined method uses
// the block, weight 0 is today's method, and no line is ever scored without its vector.
import assert from 'node:assert/strict';
import { MODEL_DIR, SUPPORT } from './engineFixture';
import { Engine, EngineInputError, type SentenceVectors } from '../../src/engine/engine';

const DIM = 16;
const LABELS = ['billing', 'bug', 'question'];
const LINES = [
  'I was billed two times this month',
  'app freezes on startup',
  'how can I invite a teammate',
  'the invoice shows a wrong amount',
];

/** A unit vector along axis `c` plus a little line-specific noise (so lines are not identical). */
function axis(c: number, salt: number): Float32Array {
  const v = new Float32Array(DIM);
  for (let j = 0; j < DIM; j++) v[j] = 0.05 * Math.sin(salt * 7.1 + j * 1.3);
  v[c] = 1;
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

/** Sentence vectors that say each support line and name is its label, and each of LINES is `claims[i]`. */
function vectors(claims: number[], leaveOut?: string): SentenceVectors {
  const map = new Map<string, Float32Array>();
  SUPPORT.forEach((ex, i) => {
    map.set(ex.text, axis(LABELS.indexOf(ex.label), i));
  });
  LABELS.forEach((l, c) => {
    map.set(l, axis(c, 10 + c));
  });
  LINES.forEach((t, i) => {
    map.set(t, axis(claims[i] as number, 20 + i));
  });
  if (leaveOut !== undefined) map.delete(leaveOut);
  return { dim: DIM, get: (text) => map.get(text) };
}

describe('Engine with the sentence block', function () {
  this.timeout(120_000);
  let engine: Engine;
  before(async () => {
    engine = await Engine.load({ modelDir: MODEL_DIR, backend: 'wasm' });
  });

  it('with weight 0 predicts as today', () => {
    const today = engine.adapt(SUPPORT, { pool: LINES }).classify(LINES);
    const zero = engine.adapt(SUPPORT, { pool: LINES, sentence: vectors([2, 0, 1, 1]), sentenceWeight: 0 });
    assert.equal(zero.method, 'default+sentence@0');
    const p = zero.classify(LINES);
    assert.deepEqual([...p.labelIndex], [...today.labelIndex]);
    p.confidence.forEach((c, i) => {
      assert.ok(Math.abs(c - (today.confidence[i] as number)) < 1e-3, `line ${i}: ${c} vs ${today.confidence[i]}`);
    });
  });

  it('overwrites only the rows it built for the call: the same refinement twice, and today’s answer around it, stay the same', () => {
    // The sentence method transforms the augmented lines in place; the pool's encoding today's
    // method keeps between calls, the caller's vectors and the lines must come out untouched.
    const sentence = vectors([2, 0, 1, 1]);
    const before = sentence.get(LINES[0] as string)?.slice();
    const today = engine.adapt(SUPPORT, { pool: LINES }).classify(LINES);
    const first = engine.adapt(SUPPORT, { pool: LINES, sentence }).classify(LINES);
    const second = engine.adapt(SUPPORT, { pool: LINES, sentence }).classify(LINES);
    assert.deepEqual(second, first);
    assert.deepEqual(engine.adapt(SUPPORT, { pool: LINES }).classify(LINES), today);
    assert.deepEqual(sentence.get(LINES[0] as string), before);
  });

  it('uses the block: vectors that name other labels move the predictions towards them', () => {
    const today = engine.adapt(SUPPORT, { pool: LINES }).classify(LINES);
    assert.deepEqual([...today.labelIndex], [0, 1, 2, 0], "today's features get these lines right");
    // The block says otherwise for every line: billing -> question, bug -> billing, question -> bug.
    const claims = [2, 0, 1, 1];
    const refined = engine.adapt(SUPPORT, { pool: LINES, sentence: vectors(claims) });
    assert.equal(refined.method, 'default+sentence@2');
    const p = refined.classify(LINES);
    let moved = 0;
    LINES.forEach((_, i) => {
      const c = claims[i] as number;
      const before = today.labelIndex[i] === c ? (today.confidence[i] as number) : 0;
      const after = p.labelIndex[i] === c ? (p.confidence[i] as number) : 0;
      if (p.labelIndex[i] === c || after > before) moved++;
    });
    assert.ok(moved >= 3, `the block moved ${moved} of ${LINES.length} lines towards its label: ${[...p.labelIndex]}`);
  });

  it('never scores a line without its vector', () => {
    // A pool line without its vector: no refined adaptation.
    assert.throws(() => engine.adapt(SUPPORT, { pool: LINES, sentence: vectors([0, 1, 2, 0], LINES[3]) }), EngineInputError);
    const refined = engine.adapt(SUPPORT, { pool: LINES.slice(0, 3), sentence: vectors([0, 1, 2, 0], LINES[3]) });
    assert.throws(() => refined.classify([LINES[3] as string]), EngineInputError);
    assert.throws(() => engine.adapt(SUPPORT, { pool: LINES, sentence: vectors([0, 1, 2, 0], SUPPORT[0]?.text) }), EngineInputError);
    // Blank lines have no text to encode: they are no missing vector.
    assert.equal(refined.classify(['', LINES[0] as string]).labelIndex.length, 2);
  });

  it('keeps the warm states of the two feature views apart', () => {
    const today = engine.adapt(SUPPORT, { pool: LINES });
    const refined = engine.adapt(SUPPORT, { pool: LINES, sentence: vectors([0, 1, 2, 0]), ...(today.state ? { warm: today.state } : {}) });
    assert.equal(refined.warm, false, "today's head has another width");
    assert.equal(refined.state?.method, 'default+sentence@2');
    const again = engine.adapt(SUPPORT, {
      pool: LINES,
      sentence: vectors([0, 1, 2, 0]),
      ...(refined.state ? { warm: refined.state } : {}),
    });
    assert.equal(again.warm, true);
    assert.equal(engine.adapt(SUPPORT, { pool: LINES, ...(refined.state ? { warm: refined.state } : {}) }).warm, false);
  });
});
