// The abstention rule: its signals on synthetic clusters, its fit, its threshold, its file checks.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  NEIGHBOURS_PER_LABEL,
  ABSTAIN_FEATURES,
  Abstainer,
  AbstainFeatures,
  type AbstainParams,
  type ContextThreshold,
  checkAbstainParams,
  outOfScopeProbability,
  type SupportContext,
  thresholdFor,
} from '../../../src/engine/abstention/abstainer';
import { HAND_SET, LogregMethod } from '../../../src/engine/learners/adaptation';
import { selectRows } from '../../../src/engine/learners/featureView';
import { ABSTENTION_FILE, loadAbstention } from '../../../src/engine/model';
import { abstentionSamplers, fitContextThreshold, fitLogistic, fitRule, keepThreshold } from '../../../src/engine/abstention/fit';
import { clusteredLines, repeatLabels } from '../learners/synthetic';

const mean = (xs: ArrayLike<number>) => Array.from(xs).reduce((a, b) => a + b, 0) / xs.length;

describe('abstention rule', () => {
  // Six clusters: the first three are the labels, the other three fit none of them.
  const C = 6;
  const known = 3;
  const all = clusteredLines(repeatLabels(C, 5), C, 1, 0.3);
  const supportRows = Array.from({ length: all.n }, (_, i) => i).filter((i) => i % C < known);
  const support = selectRows(all, supportRows);
  const supportLabels = Int32Array.from(supportRows, (i) => i % C);
  const queryTruth = repeatLabels(C, 20);
  const queries = clusteredLines(queryTruth, C, 2, 0.3);
  const isOos = Array.from(queryTruth, (c) => c >= known);
  const centre = { word: new Float32Array(all.wordDim), char: new Float32Array(all.charDim) };
  const classifier = new LogregMethod('logreg', { ...HAND_SET, rounds: [] }, false, centre).adapt(support, supportLabels, known);
  const input = { classifier, support, supportLabels, nClasses: known };

  it('every signal reads higher on lines of the labels than on lines of other clusters', () => {
    const f = new AbstainFeatures(input, centre).compute(queries);
    for (const name of ABSTAIN_FEATURES.filter((n) => n !== 'shots')) {
      const inside = mean(f[name].filter((_, i) => !isOos[i]));
      const outside = mean(f[name].filter((_, i) => isOos[i]));
      assert.ok(inside > outside, `${name}: in scope ${inside.toFixed(3)} <= out of scope ${outside.toFixed(3)}`);
    }
  });

  it('gives every line of a document the log of its labeled lines per label, `none` lines left out', () => {
    assert.ok(new AbstainFeatures(input, centre).compute(queries).shots.every((v) => Math.abs(v - Math.log(5)) < 1e-12));
    // Label 2 as the background: 10 lines of 2 labels.
    const withNone = new AbstainFeatures({ ...input, background: 2 }, centre).compute(queries);
    assert.ok(withNone.shots.every((v) => Math.abs(v - Math.log(5)) < 1e-12));
    const oneShot = selectRows(support, [0, 1, 2]);
    const f = new AbstainFeatures({ ...input, support: oneShot, supportLabels: Int32Array.from([0, 1, 2]) }, centre).compute(queries);
    assert.ok(f.shots.every((v) => v === 0));
  });

  it('re-centres the similarity signals on the labeled lines, and does not depend on how lines are batched', () => {
    const features = new AbstainFeatures(input, centre);
    const whole = features.compute(queries);
    const first = features.compute(
      selectRows(
        queries,
        Array.from({ length: 50 }, (_, i) => i),
      ),
    );
    const rest = features.compute(
      selectRows(
        queries,
        Array.from({ length: queries.n - 50 }, (_, i) => 50 + i),
      ),
    );
    for (const name of ABSTAIN_FEATURES) {
      const joined = [...first[name], ...rest[name]];
      for (const [i, v] of joined.entries()) assert.ok(Math.abs(v - whole[name][i]!) < 1e-9, `${name} row ${i}`);
    }
    // The reference is each labeled line's nearest *other* labeled line: a labeled line itself is
    // nearer than that (it is its own neighbour), so it reads above 0.
    const own = features.compute(support);
    assert.ok(Array.from(own.nearestWord).every((v) => v > 0));
  });

  it('a fitted rule separates the clusters, and its threshold keeps the asked fraction of in-scope lines', () => {
    const f = new AbstainFeatures(input, centre).compute(queries);
    const samples = {
      features: Object.fromEntries(ABSTAIN_FEATURES.map((n) => [n, Array.from(f[n])])) as Record<
        (typeof ABSTAIN_FEATURES)[number],
        number[]
      >,
      outOfScope: isOos.map((b) => (b ? 1 : 0)),
      episode: isOos.map(() => 0),
      contexts: [new AbstainFeatures(input, centre).context],
    };
    const rule = fitRule(samples, [...ABSTAIN_FEATURES], 0.9);
    const p = outOfScopeProbability(rule, samples.features, queries.n);
    const kept = p.filter((v, i) => !isOos[i] && v < rule.threshold).length / isOos.filter((b) => !b).length;
    assert.ok(kept >= 0.9, `kept ${kept}`);
    const caught = p.filter((v, i) => isOos[i] && v >= rule.threshold).length / isOos.filter(Boolean).length;
    assert.ok(caught > 0.9, `caught ${caught}`);
    const abstainer = new Abstainer(rule, input, centre);
    assert.deepEqual(Array.from(abstainer.outOfScope(queries)), Array.from(p));
    assert.equal(rule.byContext, undefined, 'one threshold unless asked (format 1)');
    assert.equal(abstainer.threshold, rule.threshold);
    // Asked for one per context: one episode here, so its threshold keeps the same share of it.
    const perContext = fitRule(samples, [...ABSTAIN_FEATURES], 0.9, true);
    assert.deepEqual(perContext.byContext?.features, ['shots', 'labels', 'length']);
    const bound = new Abstainer(perContext, input, centre);
    const keptThere = p.filter((v, i) => !isOos[i] && !bound.abstains(v)).length / isOos.filter((b) => !b).length;
    assert.ok(keptThere >= 0.9 && keptThere < 0.95, `kept ${keptThere} at the context's threshold ${bound.threshold}`);
  });

  it(`compares with at most ${NEIGHBOURS_PER_LABEL} labeled lines per label (the cost stays linear in the labels), all of them below that`, () => {
    assert.equal(new AbstainFeatures(input, centre).neighbourLines, support.n);
    const many = clusteredLines(repeatLabels(known, 40), known, 3, 0.3);
    const manyLabels = repeatLabels(known, 40);
    const features = new AbstainFeatures({ ...input, support: many, supportLabels: manyLabels }, centre);
    assert.equal(features.neighbourLines, known * NEIGHBOURS_PER_LABEL);
    const f = features.compute(queries);
    // Still signals of the labels: lines of the labels' clusters sit nearer than the others.
    const inScope = mean(Array.from(queryTruth, (c, i) => (c < known ? f.nearestWord[i]! : Number.NaN)).filter(Number.isFinite));
    const outOfScope = mean(Array.from(queryTruth, (c, i) => (c >= known ? f.nearestWord[i]! : Number.NaN)).filter(Number.isFinite));
    assert.ok(inScope > outOfScope, `in scope ${inScope}, out of scope ${outOfScope}`);
  });

  it('does not count `none` lines of the support as lines of the labels', () => {
    // Class 2 is the background (`none`) class: a line of its cluster looks out of scope to the neighbour signals.
    const withNone = new AbstainFeatures({ ...input, background: 2 }, centre).compute(queries);
    const without = new AbstainFeatures(input, centre).compute(queries);
    const ofTwo = Array.from(queryTruth, (c, i) => (c === 2 ? i : -1)).filter((i) => i >= 0);
    for (const name of ['nearestWord', 'nearestChar', 'prototype'] as const) {
      assert.ok(mean(ofTwo.map((i) => withNone[name][i]!)) < mean(ofTwo.map((i) => without[name][i]!)), name);
    }
  });

  it('fitLogistic finds the direction and the threshold keeps exactly the asked share', () => {
    const x = Array.from({ length: 200 }, (_, i) => (i < 100 ? i / 100 : 1 + i / 100));
    const y = x.map((v) => (v > 1.5 ? 1 : 0));
    const fit = fitLogistic([x], y);
    assert.ok(fit.weights[0]! > 1, `weight ${fit.weights[0]}`);
    assert.equal(keepThreshold([0.1, 0.2, 0.3, 0.4], 0.75) > 0.3, true);
    assert.equal(keepThreshold([0.1, 0.2, 0.3, 0.4], 0.75) <= 0.4, true);
    assert.throws(() => keepThreshold([0.1], 0), /keep must be in/);
  });

  it('rejects a malformed rule file with a message naming the problem', () => {
    const good: AbstainParams = { features: ['maxProb'], mean: [0], scale: [1], weights: [-1], bias: 0, threshold: 0.5 };
    assert.deepEqual(checkAbstainParams(good, 'f'), good);
    assert.throws(() => checkAbstainParams({ ...good, features: ['loudness'] }, 'f'), /unknown feature 'loudness'/);
    assert.throws(() => checkAbstainParams({ ...good, weights: [] }, 'f'), /must be 1 finite numbers/);
    assert.throws(() => checkAbstainParams({ ...good, threshold: Number.NaN }, 'f'), /threshold must be/);
    assert.throws(() => checkAbstainParams(null, 'f'), /no features/);
    const byContext: ContextThreshold = { features: ['shots'], weights: [0.5], bias: 0, lower: [0], upper: [2] };
    assert.deepEqual(checkAbstainParams({ ...good, byContext }, 'f'), { ...good, byContext });
    assert.throws(() => checkAbstainParams({ ...good, byContext: { ...byContext, features: ['mood'] } }, 'f'), /unknown context 'mood'/);
    assert.throws(() => checkAbstainParams({ ...good, byContext: { ...byContext, upper: [] } }, 'f'), /must be 1 finite numbers/);
    assert.throws(() => checkAbstainParams({ ...good, byContext: { ...byContext, lower: [3] } }, 'f'), /lower bound is above/);
  });

  it('knows how many labels, lines per label and how long the labeled lines are, before judging any line', () => {
    const context = new AbstainFeatures(input, centre).context;
    assert.ok(Math.abs(context.shots - Math.log(5)) < 1e-12);
    assert.ok(Math.abs(context.labels - Math.log(known)) < 1e-12);
    let grams = 0;
    for (let i = 0; i < support.n; i++) grams += support.charOffsets[i + 1]! - support.charOffsets[i]!;
    assert.ok(Math.abs(context.length - Math.log(grams / support.n)) < 1e-12);
    // The `none` lines are no label's lines: label 2 as the background leaves two labels.
    assert.ok(Math.abs(new AbstainFeatures({ ...input, background: 2 }, centre).context.labels - Math.log(2)) < 1e-12);
  });
});

describe('abstention threshold per context', () => {
  /**
   * Episodes whose in-scope log-odds all sit higher the fewer the labeled lines (as with real
   * rules: with one example per label every line looks far from the labels) and the longer the lines.
   */
  const contexts: SupportContext[] = [];
  const z: number[] = [];
  const episode: number[] = [];
  const level = (c: SupportContext) => -3 - 1.5 * c.shots + 0.8 * c.length;
  for (const shots of [1, 3, 5, 10])
    for (const length of [20, 60])
      for (let rep = 0; rep < 3; rep++) {
        const context = { shots: Math.log(shots), labels: Math.log(5), length: Math.log(length) };
        const e = contexts.push(context) - 1;
        // 60 in-scope lines spread evenly around the episode's level.
        for (let i = 0; i < 60; i++) {
          z.push(level(context) + (i - 30) / 15 + rep * 0.01);
          episode.push(e);
        }
      }
  /** A rule whose own weights do not matter here: only its thresholds are read. */
  const ruleWith = (byContext: ContextThreshold, threshold = 0.5): AbstainParams => ({
    features: ['maxProb'],
    mean: [0],
    scale: [1],
    weights: [1],
    bias: 0,
    threshold,
    byContext,
  });
  const keptIn = (e: number, threshold: number) => {
    const zs = z.filter((_, i) => episode[i] === e);
    return zs.filter((v) => 1 / (1 + Math.exp(-v)) < threshold).length / zs.length;
  };

  it('keeps the asked share in every context, where one threshold for all keeps far less in some', () => {
    const fitted = fitContextThreshold(z, episode, contexts, 0.9);
    assert.ok(Math.abs(fitted.weights[0]! - -1.5) < 0.1, `shots weight ${fitted.weights[0]}`);
    assert.ok(Math.abs(fitted.weights[2]! - 0.8) < 0.1, `length weight ${fitted.weights[2]}`);
    const params = ruleWith(fitted);
    const single = keepThreshold(
      z.map((v) => 1 / (1 + Math.exp(-v))),
      0.9,
    );
    let worstSingle = 1;
    contexts.forEach((c, e) => {
      const kept = keptIn(e, thresholdFor(params, c));
      assert.ok(kept >= 0.88 && kept <= 0.95, `context ${JSON.stringify(c)}: kept ${kept}`);
      worstSingle = Math.min(worstSingle, keptIn(e, single));
    });
    assert.ok(worstSingle < 0.7, `one threshold for all keeps at worst ${worstSingle}`);
  });

  it('stays at the edge of the fitted range past it, and a rule without one uses its single threshold', () => {
    const fitted = fitContextThreshold(z, episode, contexts, 0.9);
    const params = ruleWith(fitted, 0.42);
    const at = (shots: number) => thresholdFor(params, { ...contexts[0]!, shots: Math.log(shots), length: Math.log(20) });
    assert.equal(at(40), at(10));
    assert.equal(at(0.5), at(1));
    assert.ok(at(3) < at(1), 'fewer labeled lines, higher threshold');
    const { byContext: _, ...single } = params;
    assert.equal(thresholdFor(single, { ...contexts[0]!, shots: 0 }), 0.42);
  });

  it('the keep share applies to the mean over episodes, not the pooled lines', () => {
    assert.throws(() => fitContextThreshold(z, episode, contexts, 1), /keep must be in/);
    const fitted = fitContextThreshold(z, episode, contexts, 0.8, ['shots']);
    assert.deepEqual(fitted.features, ['shots']);
    const params = ruleWith(fitted);
    const mean = contexts.reduce((s, c, e) => s + keptIn(e, thresholdFor(params, c)), 0) / contexts.length;
    assert.ok(mean > 0.8 - 1e-9 && mean < 0.82, `mean kept ${mean}`);
  });

  it('gives each group only the label counts it has labels to spare for (the out-of-scope lines come from the rest)', () => {
    const group = (labels: number) => Array.from({ length: labels * 20 }, (_, i) => ({ text: `line ${i}`, label: `l${i % labels}` }));
    const samplers = abstentionSamplers({
      groups: [group(6), group(25)],
      shots: [1, 5],
      ways: [5, 8, 20],
      query: 15,
      openSetRatio: 0.25,
      distractorRatios: [1],
    });
    const plan = samplers.map((s) => `${s.labels.length}:${s.way}x${s.spec.shot}`);
    assert.deepEqual(plan, ['6:5x1', '6:5x5', '25:5x1', '25:8x1', '25:20x1', '25:5x5', '25:8x5', '25:20x5']);
    assert.throws(
      () => abstentionSamplers({ groups: [group(4)], shots: [1], ways: [5], query: 15, openSetRatio: 0.25, distractorRatios: [1] }),
      /no group has labels/,
    );
  });

  it('abstention.json: format 1 (one threshold) and format 2 (per context) load, another version is refused', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fewshot-abstention-'));
    try {
      const single: AbstainParams = { features: ['maxProb'], mean: [0], scale: [1], weights: [-1], bias: 0, threshold: 0.5 };
      const write = (formatVersion: number, rule: AbstainParams) =>
        fs.writeFileSync(
          path.join(dir, ABSTENTION_FILE),
          JSON.stringify({ format: 'fewshot-abstention', formatVersion, method: 'default', rules: { learned: rule, confidence: rule } }),
        );
      write(1, single);
      assert.equal(loadAbstention(dir)?.learned.byContext, undefined);
      const byContext = fitContextThreshold(z, episode, contexts, 0.9);
      write(2, { ...single, byContext });
      assert.deepEqual(loadAbstention(dir)?.learned.byContext, byContext);
      write(3, single);
      assert.throws(() => loadAbstention(dir), /format version 1 or 2/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
