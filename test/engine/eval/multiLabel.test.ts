// The multi-intent episodes (MixSNIPS construction) and the multi-label figures of eval/multiLabel.ts.
import assert from 'node:assert/strict';
import type { Example } from '../../../src/engine/types';
import { fakeEngine } from '../../cli/helpers';
import {
  evaluateMultiLabel,
  formatMultiLabelReport,
  JOINER,
  type MultiLabelEvaluateOptions,
  MultiLabelSampler,
  multiLabelFigures,
} from '../../../src/engine/eval/multiLabel';
import type { MultiLabelMethod, MultiLabelTextMethod } from '../../../src/engine/learners/multiLabelMethods';

/** `per` utterances of each label, named after it (`a3`), so a joined line says which labels it has. */
function dataset(labels: string[], per: number, tag = ''): Example[] {
  return labels.flatMap((label) => Array.from({ length: per }, (_, i) => ({ text: `${label}${tag}${i}`, label })));
}

const labelOf = (utterance: string) => utterance.replace(/[0-9]+$/, '').replace(/-train$/, '');

describe('multi-label figures', () => {
  it('pool decisions for micro-F1, average labels for macro-F1, count whole sets for exact match', () => {
    // Three lines x three labels.
    const truth = Uint8Array.from([1, 1, 0, 0, 1, 0, 1, 0, 1]);
    const predicted = Uint8Array.from([1, 0, 0, 0, 1, 1, 1, 0, 1]);
    const f = multiLabelFigures(truth, predicted, 3);
    // TP 4 (a0, b1, a2, c2), FP 1 (c1), FN 1 (b0).
    assert.equal(f.microF1, 8 / 10);
    // a: 2/2 -> 1; b: tp 1, fn 1 -> 2/3; c: tp 1, fp 1 -> 2/3.
    assert.ok(Math.abs(f.macroF1 - (1 + 2 / 3 + 2 / 3) / 3) < 1e-12);
    assert.equal(f.exactMatch, 1 / 3);
  });

  it('leave out of macro-F1 a label neither carried nor predicted', () => {
    const f = multiLabelFigures(Uint8Array.from([1, 0, 1, 0]), Uint8Array.from([1, 0, 0, 0]), 2);
    assert.equal(f.macroF1, 2 / 3);
    assert.equal(f.exactMatch, 1 / 2);
  });
});

describe('MultiLabelSampler', () => {
  const labels = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
  const test = dataset(labels, 60);
  const train = dataset(labels, 60, '-train');
  const spec = { way: 5, shot: 5, query: 6, intents: [2, 3] as [number, number], supportIntents: [1, 3] as [number, number] };

  it('joins utterances of distinct labels of the episode with "and", and the sets say which', () => {
    const sampler = new MultiLabelSampler(test, spec, train);
    const episode = sampler.episode(7, 0);
    assert.equal(episode.labels.length, 5);
    assert.equal(episode.query.length, 5 * 6);
    const check = (lines: string[], member: Uint8Array, lo: number, hi: number, train: boolean) => {
      lines.forEach((line, i) => {
        const parts = line.split(JOINER);
        assert.ok(parts.length >= lo && parts.length <= hi, `${parts.length} intents in "${line}"`);
        for (const part of parts) assert.equal(part.includes('-train'), train, part);
        const carried = parts.map(labelOf);
        assert.equal(new Set(carried).size, carried.length, `a label twice in "${line}"`);
        const expected = episode.labels.map((l) => (carried.includes(l) ? 1 : 0));
        assert.deepEqual([...member.subarray(i * 5, (i + 1) * 5)], expected);
      });
    };
    check(episode.query, episode.querySets.member, 2, 3, false);
    check(episode.support, episode.supportSets.member, 1, 3, true);
    // Every label carries at least `shot` support lines; no utterance is used twice.
    for (let l = 0; l < 5; l++) {
      let count = 0;
      for (let i = 0; i < episode.support.length; i++) count += episode.supportSets.member[i * 5 + l]!;
      assert.ok(count >= 5);
    }
    const utterances = [...episode.support, ...episode.query].flatMap((line) => line.split(JOINER));
    assert.equal(new Set(utterances).size, utterances.length);
    // The pool: the queries, and single utterances of the labels outside the episode.
    const outside = episode.pool.filter((line) => !episode.query.includes(line));
    assert.equal(outside.length, episode.query.length);
    for (const line of outside) assert.ok(!episode.labels.includes(labelOf(line)));
  });

  it('gives the same episode for the same seed and index (whatever the order of the labels in the file), another for another index', () => {
    const a = new MultiLabelSampler(test, spec, train).episode(3, 4);
    // The labels' blocks in another order in the file: the same episode.
    const b = new MultiLabelSampler(dataset([...labels].reverse(), 60), spec, train).episode(3, 4);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a.query, new MultiLabelSampler(test, spec, train).episode(3, 5).query);
  });

  it('draws support and queries from one set without sharing an utterance, and refuses too few lines', () => {
    const episode = new MultiLabelSampler(test, { ...spec, supportIntents: [2, 2] }, undefined).episode(1, 0);
    const utterances = [...episode.support, ...episode.query].flatMap((line) => line.split(JOINER));
    assert.equal(new Set(utterances).size, utterances.length);
    assert.throws(() => new MultiLabelSampler(dataset(labels, 20), spec), /need 5 labels with enough lines/);
    assert.throws(() => new MultiLabelSampler(test, { ...spec, intents: [2, 6] }), /intents/);
  });
});

describe('evaluateMultiLabel', () => {
  // Rows of zeros: the methods below look at nothing but the number of lines.
  const zeros = fakeEngine().encode;
  /** Predicts every label (all) or none for every line. */
  const constant = (name: string, on: 0 | 1): MultiLabelMethod => ({
    name,
    transductive: false,
    adapt: (_support, sets) => ({
      thresholds: new Float32Array(sets.nLabels).fill(0.5),
      predictSets: (lines) => ({
        probs: new Float32Array(lines.n * sets.nLabels).fill(on),
        sets: new Uint8Array(lines.n * sets.nLabels).fill(on),
      }),
    }),
  });

  /** Episodes of all four labels, queries of two intents, support lines of one, on rows of zeros. */
  const FOUR_LABELS: Omit<MultiLabelEvaluateOptions, 'episodes' | 'methods'> = {
    examples: dataset(['a', 'b', 'c', 'd'], 40),
    spec: { way: 4, query: 3, intents: [2, 2], supportIntents: [1, 1] },
    shots: [2],
    seed: 1,
    encode: zeros,
  };

  it('scores every method on the same episodes, with paired gains over the baseline', () => {
    const report = evaluateMultiLabel({
      ...FOUR_LABELS,
      episodes: 5,
      methods: [constant('all', 1), constant('nothing', 0)],
      baseline: 'nothing',
    });
    const [all, nothing] = report.results;
    // Every line carries 2 of 4 labels: predicting all 4 is half right, F1 = 2 * 2 / (2 * 2 + 2) = 2/3.
    assert.ok(Math.abs(all!.microF1.mean - 2 / 3) < 1e-12);
    assert.equal(all!.exactMatch.mean, 0);
    assert.equal(nothing!.microF1.mean, 0);
    assert.ok(Math.abs(all!.microF1Gain!.mean - 2 / 3) < 1e-12);
    assert.equal(all!.microF1Gain!.ci95, 0);
    const table = formatMultiLabelReport(report);
    assert.match(table, /4 labels, 12 query lines of 2 intents, support lines of 1 intents/);
    assert.match(table, /all\s+2\s+66\.7 ± 0\.0/);
  });

  it('hands a method that reads texts the episode’s texts, and scores the sets it reads from them', () => {
    const seen = { pool: 0, names: 0 };
    // Reads each line's labels from its utterances' names (`a3 and c7`): always right.
    const reader: MultiLabelTextMethod = {
      name: 'reader',
      transductive: true,
      adaptTexts(input, encode) {
        seen.pool += input.pool?.length ?? 0;
        seen.names += input.names?.length ?? 0;
        const labels = input.names ?? [];
        return {
          predictSets(texts) {
            assert.equal(encode([...texts]).n, texts.length);
            const sets = new Uint8Array(texts.length * labels.length);
            texts.forEach((text, i) => {
              for (const u of text.split(JOINER)) sets[i * labels.length + labels.indexOf(labelOf(u))] = 1;
            });
            return { probs: Float32Array.from(sets), sets };
          },
        };
      },
    };
    const report = evaluateMultiLabel({ ...FOUR_LABELS, episodes: 3, methods: [reader] });
    assert.equal(report.results[0]!.microF1.mean, 1);
    assert.equal(seen.names, 3 * 4);
    // Every label of the data is in the episode: no distractors, the pool is the queries alone.
    assert.equal(seen.pool, 3 * 12);
  });
});
