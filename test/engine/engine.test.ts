// The facade over the shipped model: bad support sets, hostile lines, determinism across backends.
import assert from 'node:assert/strict';
import path from 'node:path';
import { MODEL_DIR, SUPPORT } from './engineFixture';
import { Engine, EngineInputError, checkSupport, namedPredictions } from '../../src/engine/engine';

const LINES = [
  'I was billed two times this month',
  'app freezes on startup with a null pointer exception',
  'how can I invite a teammate',
  '',
  '<img src=x onerror=alert(1)>',
  '\u0000\u0001\u0002 binary \uFFFD junk',
  'x'.repeat(10 * 1024 * 1024),
  'مرحبا بالعالم 🙂',
];

describe('Engine', function () {
  this.timeout(120_000);
  let engine: Engine;
  before(async () => {
    engine = await Engine.load({ modelDir: MODEL_DIR, backend: 'wasm' });
  });

  it('reports its backend, model and methods', () => {
    const info = engine.info();
    assert.equal(info.backend, 'wasm');
    assert.ok(info.methods.includes('default') && info.methods.includes('default-inductive') && info.methods.includes('logreg'));
    assert.ok(info.vocabulary > 10_000);
    assert.match(info.modelHash, /^[0-9a-f]{64}$/);
  });

  it('classifies the obvious lines correctly', () => {
    const model = engine.adapt(SUPPORT, { pool: LINES });
    const got = namedPredictions(model, LINES.slice(0, 3)).map((p) => p.label);
    assert.deepEqual(got, ['billing', 'bug', 'question']);
  });

  it('never returns NaN, whatever the line', () => {
    for (const method of ['default', 'default-inductive', 'logreg', 'protonet']) {
      const preds = namedPredictions(engine.adapt(SUPPORT, { method, pool: LINES }), LINES);
      assert.equal(preds.length, LINES.length);
      for (const p of preds) {
        assert.ok(Number.isFinite(p.confidence) && p.confidence > 0 && p.confidence <= 1, `${method}: confidence ${p.confidence}`);
        assert.ok(Number.isFinite(p.uncertainty) && p.uncertainty >= 0 && p.uncertainty <= 1);
        assert.ok(['billing', 'bug', 'question'].includes(p.label));
      }
    }
  });

  it('classifies lines encoded once as it classifies the lines (two tasks share one encoding), with abstention too', () => {
    const lines = LINES.slice(0, 6);
    const encoded = engine.encode(lines);
    const urgency = SUPPORT.map((s, i) => ({ text: s.text, label: i % 2 ? 'high' : 'low' }));
    for (const model of [engine.adapt(SUPPORT, { pool: LINES, abstain: 'on' }), engine.adapt(urgency, { pool: LINES })]) {
      assert.deepEqual(model.classifyEncoded!(lines, encoded), model.classify(lines));
    }
    assert.throws(() => engine.adapt(SUPPORT).classifyEncoded!(lines.slice(1), encoded), EngineInputError);
  });

  it('refuses unusable support sets with a clear message', () => {
    assert.throws(
      () => engine.adapt([]),
      (e: Error) =>
        e instanceof EngineInputError &&
        e.message === 'at least two labels need examples (found none); label a line with each of two labels',
    );
    assert.throws(
      () => engine.adapt(SUPPORT.filter((s) => s.label === 'bug')),
      (e: Error) =>
        e instanceof EngineInputError &&
        e.message === 'at least two labels need examples (found only "bug"); label a line with a second label',
    );
    assert.throws(
      () =>
        engine.adapt([
          { text: '   ', label: 'a' },
          { text: '', label: 'b' },
        ]),
      EngineInputError,
    );
    assert.throws(() => engine.adapt(SUPPORT, { method: 'nope' }), /unknown method 'nope'/);
  });

  it('works with one example per label', () => {
    const preds = namedPredictions(engine.adapt([SUPPORT[0], SUPPORT[2]]), ['charged twice', 'crash on save']);
    assert.deepEqual(
      preds.map((p) => p.label),
      ['billing', 'bug'],
    );
  });

  it('orders labels stably and ignores the order of the support set', () => {
    const a = namedPredictions(engine.adapt(SUPPORT, { pool: LINES }), LINES.slice(0, 3));
    const b = namedPredictions(engine.adapt([...SUPPORT].reverse(), { pool: LINES }), LINES.slice(0, 3));
    assert.deepEqual(
      a.map((p) => p.label),
      b.map((p) => p.label),
    );
    assert.deepEqual(checkSupport([...SUPPORT].reverse()).labels, ['billing', 'bug', 'question']);
  });

  it('gives bit-identical features and predictions on the cpu and wasm backends', async () => {
    const texts = LINES.slice(0, 3).concat(['fooBar_baz-qux /usr/local/bin 42']);
    const onWasm = engine.encode(texts);
    const predWasm = namedPredictions(engine.adapt(SUPPORT, { pool: LINES }), texts);
    const cpu = await Engine.load({ modelDir: MODEL_DIR, backend: 'cpu' });
    assert.equal(cpu.info().backend, 'cpu');
    const onCpu = cpu.encode(texts);
    assert.deepEqual(onCpu.word, onWasm.word);
    assert.deepEqual(onCpu.charIndex, onWasm.charIndex);
    assert.deepEqual(onCpu.charValue, onWasm.charValue);
    assert.deepEqual(namedPredictions(cpu.adapt(SUPPORT, { pool: LINES }), texts), predWasm);
  });

  it('a pool like the last one reuses its encoding; a changed line gives what a fresh engine gives', async () => {
    // Over 256 lines: the pool's block sums and pseudo-label candidates are kept with its encoding.
    const poolA = Array.from({ length: 400 }, (_, i) => `${LINES[i % 3]} case ${i}`);
    const poolB = poolA.map((t, i) => (i === 123 ? 'the export to csv button does nothing at all' : t));
    const lines = [...LINES.slice(0, 3), poolB[123]];
    const fresh = await Engine.load({ modelDir: MODEL_DIR, backend: 'wasm' });
    const expected = namedPredictions(fresh.adapt(SUPPORT, { pool: poolB }), lines);
    namedPredictions(engine.adapt(SUPPORT, { pool: poolA }), lines);
    assert.deepEqual(namedPredictions(engine.adapt(SUPPORT, { pool: poolB }), lines), expected, 'after another pool');
    assert.deepEqual(namedPredictions(engine.adapt(SUPPORT, { pool: [...poolB] }), lines), expected, 'the same pool again');
    fresh.dispose();
  });

  it('fails with a clear message when the model folder is wrong', async () => {
    await assert.rejects(Engine.load({ modelDir: path.join(MODEL_DIR, 'nope'), backend: 'cpu' }), /vectors\.bin is missing/);
  });
});
