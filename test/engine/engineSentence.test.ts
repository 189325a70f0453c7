// The engine with the sentence block (Engine.adapt's `sentence` option): the refined method uses
// the block, weight 0 is today's method, and no line is ever scored without its vector.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MODEL_DIR, SUPPORT } from './engineFixture';
import { Engine, EngineInputError, type SentenceVectors } from '../../src/engine/engine';
import { CheckpointError } from '../../src/engine/checkpoint';
import {
  CHECKPOINT_DIR,
  loadModel,
  loadSentenceProcedure,
  SENTENCE_PROCEDURE_VERSION,
  type SentenceProcedureFile,
  saveSentenceProcedure,
  VECTORS_FILE,
} from '../../src/engine/model';

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

  it("refines under `auto` abstention calibrated per document (3 lines per label): no error, today's rows left alone", () => {
    // The calibration refits the adaptation without each fold of the labeled lines and scores the
    // held-out ones: with the block those refits need rows of their own (the first adaptation
    // transforms its rows in place) and the held-out lines their vectors.
    const support = [
      ...SUPPORT,
      { text: 'why is there an extra fee on my bill', label: 'billing' },
      { text: 'the page goes blank when I upload a photo', label: 'bug' },
      { text: 'can I use the app offline', label: 'question' },
    ];
    const map = new Map<string, Float32Array>();
    support.forEach((ex, i) => {
      map.set(ex.text, axis(LABELS.indexOf(ex.label), i));
    });
    LABELS.forEach((l, c) => {
      map.set(l, axis(c, 10 + c));
    });
    LINES.forEach((t, i) => {
      map.set(t, axis(i % 3, 20 + i));
    });
    const sentence: SentenceVectors = { dim: DIM, get: (text) => map.get(text) };
    const options = { pool: LINES, abstain: 'auto' as const, sentence };
    const refined = engine.adapt(support, options);
    const first = refined.classify(LINES);
    assert.equal(first.labelIndex.length, LINES.length);
    // The same call again gives the same answer: nothing it read was changed by the first.
    assert.deepEqual(engine.adapt(support, options).classify(LINES), first);
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

describe('Engine with a procedure meta-learned with the sentence block (sentence-procedure.json)', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    // The shipped model's files, plus a procedure file of its own.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fewshot-sentence-procedure-'));
    fs.cpSync(path.join(MODEL_DIR, CHECKPOINT_DIR), path.join(dir, CHECKPOINT_DIR), { recursive: true });
    fs.symlinkSync(path.join(MODEL_DIR, VECTORS_FILE), path.join(dir, VECTORS_FILE));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = (weight: number, temperatureTimes: number) => {
    const hyper = loadModel(MODEL_DIR).config.defaultHyper;
    const file: SentenceProcedureFile = {
      format: 'fewshot-sentence-procedure',
      formatVersion: SENTENCE_PROCEDURE_VERSION,
      source: 'meta-learned',
      hyper: { ...hyper, temperature: hyper.temperature * temperatureTimes },
      weight,
    };
    saveSentenceProcedure(dir, file);
  };

  it('refines with its weight and its hyper-parameters; an explicit weight still means the default procedure', async () => {
    // Weight 0 (the block off) and the default's own hyper-parameters: the same predictions as
    // today's, under the learned weight's name; a checkpoint without the file refines at @2 (above).
    write(0, 1);
    const engine = await Engine.load({ modelDir: dir, backend: 'wasm' });
    const today = engine.adapt(SUPPORT, { pool: LINES }).classify(LINES);
    const refined = engine.adapt(SUPPORT, { pool: LINES, sentence: vectors([2, 0, 1, 1]) });
    assert.equal(refined.method, 'default+sentence@0');
    const p = refined.classify(LINES);
    p.confidence.forEach((c, i) => {
      assert.ok(Math.abs(c - (today.confidence[i] as number)) < 1e-3, `line ${i}: ${c} vs ${today.confidence[i]}`);
    });
    engine.dispose();
    // Its hyper-parameters are the ones used: a sharper output temperature gives surer predictions.
    write(0, 3);
    const sharper = await Engine.load({ modelDir: dir, backend: 'wasm' });
    const q = sharper.adapt(SUPPORT, { pool: LINES, sentence: vectors([2, 0, 1, 1]) }).classify(LINES);
    assert.deepEqual([...q.labelIndex], [...p.labelIndex]);
    q.confidence.forEach((c, i) => {
      assert.ok(c > (p.confidence[i] as number) + 1e-3, `line ${i}: ${c} vs ${p.confidence[i]}`);
    });
    assert.equal(sharper.adapt(SUPPORT, { pool: LINES, sentence: vectors([2, 0, 1, 1]), sentenceWeight: 2 }).method, 'default+sentence@2');
    sharper.dispose();
  });

  it('refuses a file it cannot use, and loads a model without one', () => {
    fs.writeFileSync(
      path.join(dir, 'sentence-procedure.json'),
      JSON.stringify({ format: 'fewshot-sentence-procedure', formatVersion: 99 }),
    );
    assert.throws(() => loadSentenceProcedure(dir), CheckpointError);
    write(-1, 1);
    assert.throws(() => loadSentenceProcedure(dir), /weight/);
    fs.rmSync(path.join(dir, 'sentence-procedure.json'));
    assert.equal(loadModel(dir).sentenceProcedure, undefined);
  });
});
