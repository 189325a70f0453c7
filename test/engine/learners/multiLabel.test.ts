// One-vs-rest heads and per-label thresholds (learners/multiLabel.ts) on synthetic lines whose
// features are the sum of their labels' clusters.
import assert from 'node:assert/strict';
import type { EncodedLines } from '../../../src/engine/types';
import {
  adaptMultiLabel,
  bestF1Threshold,
  crossValidate,
  DEFAULT_THRESHOLD,
  fitThresholds,
  logregHeads,
  type MultiLabelHyper,
  setsOf,
} from '../../../src/engine/learners/multiLabel';
import { gram } from '../../../src/engine/learners/kernelLogreg';
import { labelSets, lcg, withCharBuckets } from './synthetic';
import { augmentLines } from '../../../src/engine/learners/sentenceBlock';
import {
  type MultiLabelMethod,
  multiLabelMethods,
  multiLabelWithoutSentence,
  sentenceMultiLabelMethod,
} from '../../../src/engine/learners/multiLabelMethods';
import { sentenceMultiLabelMethodNamed } from '../../../src/engine/eval/sentenceBlock';
import { multiLabelFigures } from '../../../src/engine/eval/multiLabel';

const HP: MultiLabelHyper = { scales: { word: 1, char: 1 }, steps: 50, lr: 5, weightDecay: 1e-3, temperature: 1, nameWeight: 0 };
const WORD = 8;
const CHAR = 32;
const CENTRE = { word: new Float32Array(WORD), char: new Float32Array(CHAR) };

/** Lines carrying the given label sets: word block = the sum of the labels' directions plus noise; char buckets of each label. */
function linesOf(sets: number[][], seed: number, noise = 0.3): EncodedLines {
  const rnd = lcg(seed);
  const word = new Float32Array(sets.length * WORD);
  const buckets = sets.map((set, i) => {
    for (let j = 0; j < WORD; j++) word[i * WORD + j] = noise * (rnd() * 2 - 1);
    // Label l owns word direction l and char buckets 4l..4l+2; an empty set owns direction 7.
    for (const l of set.length ? set : [7]) word[i * WORD + l] += 1;
    return [...(set.length ? set : [7]).flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2]), Math.floor(rnd() * CHAR)];
  });
  return withCharBuckets(word, WORD, CHAR, buckets);
}

const SUPPORT_SETS = [[0], [0], [0], [1], [1], [1], [2], [2], [2], [0, 1], [1, 2], [0, 2], [], []];

describe('multi-label heads', () => {
  it('give a line with two labels’ features both labels, a plain line its one, an unrelated line none', () => {
    const model = adaptMultiLabel({ support: linesOf(SUPPORT_SETS, 1), sets: labelSets(SUPPORT_SETS, 3) }, CENTRE, HP, logregHeads(HP), {
      kind: 'cv',
      folds: 5,
      prior: 4,
    });
    const query = [[0, 2], [1], [0, 1], []];
    const { sets } = model.predictSets(linesOf(query, 2));
    assert.deepEqual([...sets], [...labelSets(query, 3).member]);
  });

  it('are fitted on the support alone: the thresholds do not depend on what is classified', () => {
    const input = { support: linesOf(SUPPORT_SETS, 1), sets: labelSets(SUPPORT_SETS, 3) };
    const a = adaptMultiLabel(input, CENTRE, HP, logregHeads(HP), { kind: 'cv', folds: 5, prior: 4 });
    const b = adaptMultiLabel({ ...input, pool: linesOf([[0], [1]], 3) }, CENTRE, HP, logregHeads(HP), { kind: 'fixed', value: 0.7 });
    assert.deepEqual([...b.thresholds], [0.7, 0.7, 0.7].map(Math.fround));
    a.predictSets(linesOf([[1, 2]], 4));
    const again = adaptMultiLabel(input, CENTRE, HP, logregHeads(HP), { kind: 'cv', folds: 5, prior: 4 });
    assert.deepEqual([...a.thresholds], [...again.thresholds]);
  });

  it('predict with the folds’ committee when asked: the same thresholds, other heads', () => {
    const input = { support: linesOf(SUPPORT_SETS, 1), sets: labelSets(SUPPORT_SETS, 3) };
    const refit = adaptMultiLabel(input, CENTRE, HP, logregHeads(HP), { kind: 'cv', folds: 5, prior: 4 });
    const committee = adaptMultiLabel(input, CENTRE, HP, logregHeads(HP), { kind: 'cv', folds: 5, prior: 4, committee: true });
    assert.deepEqual([...committee.thresholds], [...refit.thresholds]);
    assert.notDeepEqual([...committee.head.W], [...refit.head.W]);
    // Each fold sees 4/5 of the lines: their mean is less sure of a labeled line than the refit on all.
    const line = linesOf([[0]], 5);
    assert.ok(committee.predictProbs(line)[0]! < refit.predictProbs(line)[0]!);
  });

  it('keep each set within the labeled lines’ range of set sizes when asked', () => {
    const single = [[0], [0], [0], [1], [1], [1], [2], [2], [2]];
    const input = { support: linesOf(single, 1), sets: labelSets(single, 3) };
    const query = linesOf([[], [0, 1], [2]], 2);
    const sizes = (sets: Uint8Array) => [0, 1, 2].map((i) => sets[3 * i]! + sets[3 * i + 1]! + sets[3 * i + 2]!);
    // A threshold every label passes gives full sets, one none passes empty sets; every labeled line carries
    // one label, so with the rule every set is one label, the most probable.
    for (const [value, free] of [
      [0, [3, 3, 3]],
      [1.5, [0, 0, 0]],
    ] as const) {
      const rule = { kind: 'fixed', value } as const;
      assert.deepEqual(sizes(adaptMultiLabel(input, CENTRE, HP, logregHeads(HP), rule).predictSets(query).sets), free);
      const sized = adaptMultiLabel(input, CENTRE, HP, logregHeads(HP), { ...rule, sizes: true }).predictSets(query);
      assert.deepEqual(sizes(sized.sets), [1, 1, 1]);
      for (const i of [0, 1, 2]) {
        const row = [...sized.probs.subarray(3 * i, 3 * i + 3)];
        assert.equal(sized.sets[3 * i + row.indexOf(Math.max(...row))], 1);
      }
    }
  });

  it('score each held-out line with heads that never saw it', () => {
    const support = linesOf(SUPPORT_SETS, 1);
    const L = 3;
    const sets = labelSets(SUPPORT_SETS, L);
    const K = gram(denseOf(support), support.n, WORD + CHAR);
    const weights = new Float32Array(support.n).fill(1);
    const before = crossValidate(K, support.n, sets.member, L, weights, support.n, logregHeads(HP), 1, 5).probs;
    // Line 0 (fold 0) relabeled: its own held-out probabilities stay; lines of other folds move.
    const relabeled = Uint8Array.from(sets.member);
    relabeled.set([0, 1, 1], 0);
    const after = crossValidate(K, support.n, relabeled, L, weights, support.n, logregHeads(HP), 1, 5).probs;
    assert.deepEqual([...after.subarray(0, L)], [...before.subarray(0, L)]);
    assert.notDeepEqual([...after.subarray(L, 2 * L)], [...before.subarray(L, 2 * L)]);
  });
});

/** The raw rows as a dense matrix (word block then char block): enough for the Gram matrix of a test. */
function denseOf(lines: EncodedLines): Float32Array {
  const dim = WORD + CHAR;
  const X = new Float32Array(lines.n * dim);
  for (let i = 0; i < lines.n; i++) {
    X.set(lines.word.subarray(i * WORD, (i + 1) * WORD), i * dim);
    for (let p = lines.charOffsets[i]; p < lines.charOffsets[i + 1]; p++) X[i * dim + WORD + lines.charIndex[p]] = lines.charValue[p];
  }
  return X;
}

describe('per-label thresholds', () => {
  it('cut between the positives and the negatives when they separate', () => {
    assert.equal(bestF1Threshold([0.9, 0.2, 0.7, 0.1], [1, 0, 1, 0]), (0.7 + 0.2) / 2);
  });

  it('take the F1-best cut when they overlap', () => {
    // Cuts: top 1 -> F1 2/4; top 2 (0.8, 0.6) -> 2/4; top 3 -> 4/5 (0.8 + 0.5 positives); all four -> 4/6.
    assert.equal(bestF1Threshold([0.8, 0.6, 0.5, 0.1], [1, 0, 1, 0]), (0.5 + 0.1) / 2);
  });

  it('keep tied scores together and ignore scores that are not finite', () => {
    assert.equal(bestF1Threshold([0.6, 0.6, Number.NaN, 0.2], [1, 0, 1, 0]), (0.6 + 0.2) / 2);
    assert.equal(bestF1Threshold([0.3, 0.2], [0, 0]), undefined);
  });

  it('shrink a label with few lines towards the threshold all labels share', () => {
    // Two labels, six lines. Label 0 alone would cut at 0.45, label 1 at 0.25; pooled, 0.35.
    const probs = Float32Array.from([0.9, 0.8, 0.5, 0.3, 0.4, 0.2, 0.4, 0.2, 0.1, 0.1, 0.1, 0.1]);
    const truth = Uint8Array.from([1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    const shared = bestF1Threshold(probs, truth)!;
    const own0 = bestF1Threshold([0.9, 0.5, 0.4, 0.4, 0.1, 0.1], [1, 1, 0, 0, 0, 0])!;
    const own1 = bestF1Threshold([0.8, 0.3, 0.2, 0.2, 0.1, 0.1], [1, 1, 0, 0, 0, 0])!;
    const t = fitThresholds(probs, truth, 2, 4);
    assert.ok(Math.abs(t[0]! - (2 * own0 + 4 * shared) / 6) < 1e-6);
    assert.ok(Math.abs(t[1]! - (2 * own1 + 4 * shared) / 6) < 1e-6);
    const alone = fitThresholds(probs, truth, 2, 0);
    assert.ok(Math.abs(alone[0]! - own0) < 1e-6 && Math.abs(alone[1]! - own1) < 1e-6);
  });

  it('fall back to the shared threshold for a label no line carries, and to the default when no line carries any', () => {
    // Two lines x two labels; only line 0 carries label 0. Pooled, the best cut is (0.9 + 0.3) / 2.
    const t = fitThresholds(Float32Array.from([0.9, 0.2, 0.1, 0.3]), Uint8Array.from([1, 0, 0, 0]), 2, 4);
    assert.ok(Math.abs(t[1]! - 0.6) < 1e-6, `label 1: ${t[1]}`);
    assert.ok(Math.abs(t[0]! - (1 * 0.5 + 4 * 0.6) / 5) < 1e-6, `label 0: ${t[0]}`);
    assert.deepEqual(
      [...fitThresholds(Float32Array.from([0.9, 0.2]), Uint8Array.from([0, 0]), 2, 4)],
      [DEFAULT_THRESHOLD, DEFAULT_THRESHOLD],
    );
  });

  it('predict a label where its probability reaches its threshold, never on NaN', () => {
    const sets = setsOf(Float32Array.from([0.5, 0.49, Number.NaN, 0.2]), Float32Array.from([0.5, 0.5]));
    assert.deepEqual([...sets], [1, 0, 0, 0]);
  });
});

/** The whole-line method (what the sentence block is added to), at the encoded level. */
function wholeLines(hp: MultiLabelHyper): MultiLabelMethod {
  const method = multiLabelMethods(CENTRE, hp).get('whole-lines');
  if (!method || !('adapt' in method)) throw new Error('whole-lines is a method on encoded lines');
  return method;
}

describe('multi-label heads with the sentence block (default+sentence@W)', () => {
  const SD = 8;
  const layout = { wordDim: WORD, sentenceDim: SD };
  /** Sentence vectors of lines carrying `sets`: the sum of the labels' directions (7 for none) plus noise. */
  const sentenceOf = (sets: number[][], seed: number) => {
    const rnd = lcg(seed);
    const rows = Float32Array.from({ length: sets.length * SD }, () => 0.3 * (rnd() * 2 - 1));
    sets.forEach((set, i) => {
      for (const l of set.length ? set : [7]) rows[i * SD + l] += 1;
    });
    return rows;
  };
  const augmented = (lines: EncodedLines, sets: number[][], seed: number) => augmentLines(lines, sentenceOf(sets, seed), SD);
  const QUERY = [[0, 2], [1], [0, 1], [], [2], [1, 2], [0], [0, 1, 2], [2, 1], [0], [], [1, 0]];
  const POOL = [...QUERY, [1], [2, 0]];
  const NAMES = [[0], [1], [2]];
  const hp = { ...HP, nameWeight: 2 };

  it('at weight 0 predicts what the whole-line method does on today’s features', () => {
    const names = linesOf(NAMES, 9);
    // Name 2's words are unknown to the model (an empty word block): default leaves it out, so must this.
    names.word.fill(0, 2 * WORD, 3 * WORD);
    const today = wholeLines(hp)
      .adapt(linesOf(SUPPORT_SETS, 1), labelSets(SUPPORT_SETS, 3), linesOf(POOL, 3), names)
      .predictSets(linesOf(QUERY, 2));
    const method = sentenceMultiLabelMethod('default+sentence@0', CENTRE, hp, layout, 0);
    const augNames = augmented(names, NAMES, 19);
    const zero = method
      .adapt(
        augmented(linesOf(SUPPORT_SETS, 1), SUPPORT_SETS, 11),
        labelSets(SUPPORT_SETS, 3),
        augmented(linesOf(POOL, 3), POOL, 13),
        augNames,
      )
      .predictSets(augmented(linesOf(QUERY, 2), QUERY, 12));
    assert.deepEqual([...zero.sets], [...today.sets]);
    const gap = Math.max(...zero.probs.map((p, k) => Math.abs(p - today.probs[k]!)));
    assert.ok(gap < 1e-4, `probabilities differ by up to ${gap}`);
    assert.equal(method.transductive, true);
  });

  it('reads the labels from the sentence vectors where today’s features carry none', () => {
    // Today's blocks of every line look like a line with no label: only the sentence block tells the sets apart.
    const blind = (sets: number[][], seed: number) =>
      augmented(
        linesOf(
          sets.map(() => []),
          seed,
        ),
        sets,
        seed + 100,
      );
    const support = blind(SUPPORT_SETS, 1);
    const query = blind(QUERY, 2);
    const truth = labelSets(QUERY, 3).member;
    const predict = (weight: number) =>
      sentenceMultiLabelMethod('s', CENTRE, hp, layout, weight)
        .adapt(support, labelSets(SUPPORT_SETS, 3), blind(POOL, 3))
        .predictSets(query).sets;
    const withBlock = predict(1);
    assert.equal(withBlock.length, QUERY.length * 3);
    const micro = (sets: Uint8Array) => multiLabelFigures(truth, sets, 3).microF1;
    assert.ok(micro(withBlock) > 0.85 && micro(predict(0)) < 0.6, `with the block ${micro(withBlock)}, without ${micro(predict(0))}`);
    const today = multiLabelWithoutSentence(wholeLines(hp), layout);
    // The wrapper hands the method today’s lines, the pool included: the same sets as the block at weight 0.
    assert.deepEqual([...today.adapt(support, labelSets(SUPPORT_SETS, 3), blind(POOL, 3)).predictSets(query).sets], [...predict(0)]);
  });

  it('is named default+sentence@W, the weight required', () => {
    assert.equal(sentenceMultiLabelMethodNamed('default+sentence@2', CENTRE, hp, layout)?.name, 'default+sentence@2');
    assert.equal(sentenceMultiLabelMethodNamed('default', CENTRE, hp, layout), undefined);
    assert.throws(() => sentenceMultiLabelMethodNamed('default+sentence', CENTRE, hp, layout), /weight/);
  });
});
