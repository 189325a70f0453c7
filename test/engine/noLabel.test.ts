// Lines that fit no label, through the engine facade over the shipped model: the `none` label as a
// background class, and abstention without examples (models/abstention.json).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { AUTO_MIN_SHOTS } from '../../src/engine/abstention/mode';
import { type AdaptedModel, Engine, namedPredictions } from '../../src/engine/engine';
import { NONE_LABEL } from '../../src/engine/labels/none';
import { loadAbstention } from '../../src/engine/model';
import type { Example } from '../../src/engine/types';

const MODEL_DIR = path.resolve(__dirname, '../../../models');
const FIXTURE = path.resolve(__dirname, '../../../test/fixtures/no-label/tickets.json');
const DATA = path.resolve(__dirname, '../../../data');
const TICKETS = path.resolve(__dirname, '../../../samples/demo/tickets.gold.jsonl');

function readJsonl(file: string): Example[] {
  return fs
    .readFileSync(path.join(DATA, file), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Example);
}

interface Fixture {
  support: Example[];
  inScope: Example[];
  unrelated: string[];
  none: Example[];
  greetings: string[];
}

/** Named predictions with each line's P(out of scope) beside them. */
function predict(model: AdaptedModel, lines: string[]) {
  const typed = model.classify(lines);
  return namedPredictions(model, lines).map((p, i) => ({ ...p, outOfScope: typed.outOfScope?.[i] }));
}

describe('Engine: lines that fit no label', function () {
  this.timeout(120_000);
  let engine: Engine;
  const fx = JSON.parse(fs.readFileSync(FIXTURE, 'utf8')) as Fixture;
  const document = [...fx.inScope.map((e) => e.text), ...fx.unrelated, ...fx.greetings];

  before(async () => {
    engine = await Engine.load({ modelDir: MODEL_DIR, backend: 'wasm' });
  });
  after(() => engine.dispose());

  it('ships fitted abstention rules beside the model', () => {
    const rules = loadAbstention(MODEL_DIR);
    assert.ok(rules, 'models/abstention.json is missing: run `fewshot fit-abstention --data DIR`');
    assert.ok(rules.learned.features.length > 1);
    assert.deepEqual(rules.confidence.features, ['maxProb']);
  });

  it('marks lines of an unrelated domain `none` and keeps the lines of the labels', () => {
    for (const pool of [document, undefined]) {
      const model = engine.adapt(fx.support, { pool, abstain: 'on' });
      const inScope = predict(
        model,
        fx.inScope.map((e) => e.text),
      );
      const unrelated = predict(model, fx.unrelated);
      const kept = inScope.filter((p, i) => p.label === fx.inScope[i]!.label).length;
      const caught = unrelated.filter((p) => p.label === NONE_LABEL).length;
      const where = pool ? 'with the document as pool' : 'without a pool';
      assert.ok(kept >= fx.inScope.length - 1, `${where}: ${kept}/${fx.inScope.length} in-scope lines kept their label`);
      assert.ok(caught >= fx.unrelated.length - 2, `${where}: ${caught}/${fx.unrelated.length} unrelated lines marked none`);
      for (const p of [...inScope, ...unrelated]) {
        assert.ok(p.outOfScope !== undefined && p.outOfScope >= 0 && p.outOfScope <= 1);
        if (p.label === NONE_LABEL) assert.equal(p.confidence, p.outOfScope, 'a `none` from abstention is as sure as the rule');
      }
      const mean = (ps: typeof inScope) => ps.reduce((s, p) => s + p.outOfScope!, 0) / ps.length;
      assert.ok(mean(unrelated) > mean(inScope) + 0.3, `${where}: P(out of scope) ${mean(unrelated)} vs ${mean(inScope)}`);
    }
  });

  it('never says `none` unless asked to abstain or a line is labeled none (the default)', () => {
    const model = engine.adapt(fx.support, { pool: document });
    const predictions = predict(model, fx.unrelated);
    assert.ok(predictions.every((p) => p.label !== NONE_LABEL && p.outOfScope === undefined));
  });

  it('trains on lines labeled `none` as a background class: lines like them are predicted `none`', () => {
    const support = [...fx.support, ...fx.none];
    const model = engine.adapt(support, { pool: document });
    assert.ok(model.labels.includes(NONE_LABEL));
    const greetings = predict(model, fx.greetings);
    assert.deepEqual(
      greetings.map((p) => p.label),
      fx.greetings.map(() => NONE_LABEL),
    );
    const inScope = predict(
      model,
      fx.inScope.map((e) => e.text),
    );
    const kept = inScope.filter((p, i) => p.label === fx.inScope[i]!.label).length;
    assert.ok(kept >= fx.inScope.length - 1, `${kept}/${fx.inScope.length} in-scope lines kept their label beside a none class`);
  });

  it('with both: `none` examples and abstention still keep the labeled lines and set the unrelated ones apart', () => {
    const model = engine.adapt([...fx.support, ...fx.none], { pool: document, abstain: 'on' });
    const unrelated = predict(model, fx.unrelated);
    const greetings = predict(model, fx.greetings);
    assert.ok(unrelated.filter((p) => p.label === NONE_LABEL).length >= fx.unrelated.length - 2);
    assert.ok(greetings.every((p) => p.label === NONE_LABEL));
    const inScope = predict(
      model,
      fx.inScope.map((e) => e.text),
    );
    assert.ok(inScope.filter((p, i) => p.label === fx.inScope[i]!.label).length >= fx.inScope.length - 1);
  });

  describe('auto: the rule applies once every label has AUTO_MIN_SHOTS labeled lines', () => {
    // Three banking intents of CLINC150; unrelated lines from a far domain and from its out-of-scope file.
    const test = readJsonl('clinc150.test.jsonl');
    const intents = ['pin_change', 'report_fraud', 'transfer'];
    const of = (label: string) => test.filter((e) => e.label === label);
    const k = AUTO_MIN_SHOTS;
    const supportOf = (shots: number) => intents.flatMap((label) => of(label).slice(0, shots));
    const inLabel = intents.flatMap((label) => of(label).slice(k, k + 4));
    const unrelated = [
      ...of('recipe')
        .slice(0, 4)
        .map((e) => e.text),
      ...readJsonl('clinc150.oos.jsonl')
        .slice(0, 4)
        .map((e) => e.text),
    ];
    const pool = [...inLabel.map((e) => e.text), ...unrelated];

    it(`at ${k} lines per label: unrelated lines are reported none, and no fewer in-label lines kept than by the trained threshold`, () => {
      const model = engine.adapt(supportOf(k), { pool, abstain: 'auto' });
      const keptBy = (m: AdaptedModel) =>
        predict(
          m,
          inLabel.map((e) => e.text),
        ).filter((p, i) => p.label === inLabel[i]!.label).length;
      const caught = predict(model, unrelated);
      assert.ok(
        caught.filter((p) => p.label === NONE_LABEL).length >= unrelated.length - 1,
        caught.map((p, i) => `${unrelated[i]} -> ${p.label} (${p.outOfScope})`).join('; '),
      );
      // On one 12-line document the share kept varies (this one: 7 of 12 at 3 lines per label); the
      // >= 90% is a mean over documents, checked on the tickets below and in docs/accuracy.md.
      // The calibration only ever raises the threshold: auto keeps at least what `on` keeps.
      const trained = engine.adapt(supportOf(k), { pool, abstain: 'on' });
      assert.ok(keptBy(model) >= keptBy(trained), `auto ${keptBy(model)}, on ${keptBy(trained)}`);
    });

    it(`below ${k}: nothing is reported none, though the rule would set lines apart when on`, () => {
      const auto = predict(engine.adapt(supportOf(k - 1), { pool, abstain: 'auto' }), unrelated);
      assert.ok(auto.every((p) => p.label !== NONE_LABEL && p.outOfScope === undefined));
      const on = predict(engine.adapt(supportOf(k - 1), { pool, abstain: 'on' }), unrelated);
      assert.ok(on.some((p) => p.label === NONE_LABEL));
    });

    it(`at ${k} lines per label on support tickets (text unlike the rule's training queries), auto keeps at least 90% of them`, () => {
      // The demo's tickets, six labels of 15: three splits, each labeling 3 tickets per label and
      // judging the other 12 with 10 CLINC150 out-of-scope queries in the document. The trained
      // threshold alone keeps about two thirds of them; calibrated on the document it keeps >= 90%.
      const tickets = JSON.parse(`[${fs.readFileSync(TICKETS, 'utf8').trim().split('\n').join(',')}]`) as Example[];
      const ticketLabels = [...new Set(tickets.map((t) => t.label))];
      const outOfScope = readJsonl('clinc150.oos.jsonl')
        .slice(0, 10)
        .map((e) => e.text);
      let kept = 0;
      let judged = 0;
      for (const start of [0, 5, 10]) {
        const byLabel = ticketLabels.map((label) => tickets.filter((t) => t.label === label));
        const labeled = byLabel.flatMap((list) => list.slice(start, start + k));
        const inScope = byLabel.flatMap((list) => [...list.slice(0, start), ...list.slice(start + k)]);
        const lines = [...inScope.map((t) => t.text), ...outOfScope];
        const predictions = predict(engine.adapt(labeled, { pool: lines, abstain: 'auto' }), lines);
        kept += predictions.slice(0, inScope.length).filter((p) => p.label !== NONE_LABEL).length;
        judged += inScope.length;
      }
      assert.ok(kept >= 0.9 * judged, `kept ${kept} of ${judged} in-scope tickets`);
    });

    it("the calibration's refits poll the request's cancellation too", () => {
      const polls = (abstain: 'on' | 'auto') => {
        let n = 0;
        engine.adapt(supportOf(k), {
          pool,
          abstain,
          shouldStop: () => {
            n++;
            return false;
          },
        });
        return n;
      };
      // `on` keeps the trained threshold: one adaptation; `auto` adds the refits.
      assert.ok(polls('auto') > polls('on'));
    });

    it('without a pool (where it was measured to keep fewer in-scope lines), auto leaves the rule off', () => {
      const predictions = predict(engine.adapt(supportOf(k), { abstain: 'auto' }), unrelated);
      assert.ok(predictions.every((p) => p.label !== NONE_LABEL && p.outOfScope === undefined));
    });
  });
});
