import assert from 'node:assert/strict';
import { HAND_SET, LinearClassifier, LogregMethod } from '../../../src/engine/learners/adaptation';
import { charDocumentFrequency, idfWeights, weightChars } from '../../../src/engine/learners/charWeighting';
import { blockMeans, selectRows } from '../../../src/engine/learners/featureView';
import type { EncodedLines } from '../../../src/engine/types';
import { clusteredLines, repeatLabels } from './synthetic';

/** Lines whose char rows hold the given buckets, each with value 1 before normalising. */
function linesWith(buckets: number[][], charDim = 8): EncodedLines {
  const offsets = new Int32Array(buckets.length + 1);
  buckets.forEach((b, i) => {
    offsets[i + 1] = offsets[i] + b.length;
  });
  const value = buckets.flatMap((b) => b.map(() => 1 / Math.sqrt(b.length)));
  return {
    n: buckets.length,
    wordDim: 2,
    word: Float32Array.from({ length: buckets.length * 2 }, (_, i) => (i % 3) + 1),
    charDim,
    charOffsets: offsets,
    charIndex: Int32Array.from(buckets.flat()),
    charValue: Float32Array.from(value),
  };
}

const rowOf = (lines: EncodedLines, i: number) =>
  new Map(
    Array.from(lines.charIndex.subarray(lines.charOffsets[i], lines.charOffsets[i + 1]), (k, p) => [
      k,
      lines.charValue[lines.charOffsets[i] + p],
    ]),
  );

describe('char block IDF weighting', () => {
  // Bucket 0 is in every line (a function character), bucket 5 in one, bucket 3 in two.
  const lines = linesWith([
    [0, 5],
    [0, 3],
    [0, 3],
    [0, 1],
  ]);
  const { df, lines: n } = charDocumentFrequency([lines], lines.charDim);

  it('a frequent n-gram weighs less than a rare one, and each weighted row is unit length again', () => {
    assert.deepEqual(Array.from(df), [4, 1, 0, 2, 0, 1, 0, 0]);
    assert.equal(n, 4);
    const w = idfWeights(df, n, 1);
    assert.ok(w[0] < w[3] && w[3] < w[5], `weights ${Array.from(w)}`);
    assert.ok(Math.abs(w[0] - (Math.log(5 / 5) + 1)) < 1e-6);
    const weighted = weightChars(lines, w);
    const first = rowOf(weighted, 0);
    assert.ok((first.get(0) ?? 0) < (first.get(5) ?? 0), `row 0 ${[...first]}`);
    for (let i = 0; i < weighted.n; i++) {
      const norm = Math.hypot(...rowOf(weighted, i).values());
      assert.ok(Math.abs(norm - 1) < 1e-6, `row ${i} norm ${norm}`);
    }
    // The input is untouched and the word block is the same.
    assert.deepEqual(Array.from(lines.charValue.subarray(0, 2)), [Math.fround(Math.SQRT1_2), Math.fround(Math.SQRT1_2)]);
    assert.equal(weighted.word, lines.word);
  });

  it('a higher power weighs a frequent n-gram down further; power 0 is the identity', () => {
    const share = (power: number) => {
      const row = rowOf(weightChars(lines, idfWeights(df, n, power)), 0);
      return (row.get(0) ?? 0) / (row.get(5) ?? 1);
    };
    assert.ok(share(2) < share(1) && share(1) < share(0.5), `${share(2)} ${share(1)} ${share(0.5)}`);
    const none = idfWeights(df, n, 0);
    assert.ok(none.every((v) => v === 1));
    assert.deepEqual(weightChars(lines, none).charValue, lines.charValue);
  });

  const C = 3;
  const supportLabels = repeatLabels(C, 2);
  const poolLabels = repeatLabels(C, 12);
  const support = clusteredLines(supportLabels, C, 21, 0.9);
  const pool = clusteredLines(poolLabels, C, 22, 0.9);
  const names = clusteredLines(repeatLabels(C, 1), C, 23, 0.3);
  const centre = blockMeans([pool]);
  const idf = new LogregMethod('idf', { ...HAND_SET, charIdf: 1 }, true, centre);

  it('weights come from the lines the adaptation sees (support, pool, names), never from labels', () => {
    const a = idf.adapt(support, supportLabels, C, pool, names) as LinearClassifier;
    const { df, lines } = charDocumentFrequency([support, pool, names], support.charDim);
    assert.deepEqual(a.charWeights, idfWeights(df, lines, 1));
    // Other labels on the same lines: the same weights.
    const relabelled = Int32Array.from(supportLabels, (c) => (c + 1) % C);
    const b = idf.adapt(support, relabelled, C, pool, names) as LinearClassifier;
    assert.deepEqual(b.charWeights, a.charWeights);
    // Lines scored afterwards get the adaptation's weights (and the same head and view).
    const weights = a.charWeights ?? new Float32Array(0);
    const unweighted = new LinearClassifier(a.view, a.head, a.temperature);
    assert.deepEqual(a.predictProbs(pool), unweighted.predictProbs(weightChars(pool, weights)));
    assert.notDeepEqual(a.predictProbs(pool), unweighted.predictProbs(pool));
    // Scoring lines does not move the weights: a line scores the same alone or in a batch.
    const all = a.predictProbs(pool);
    const one = a.predictProbs(selectRows(pool, [7]));
    assert.deepEqual(Array.from(one), Array.from(all.subarray(7 * C, 8 * C)));
  });

  it('is the unweighted procedure when disabled, and without a pool', () => {
    const plain = new LogregMethod('plain', HAND_SET, true, centre);
    const zero = new LogregMethod('zero', { ...HAND_SET, charIdf: 0 }, true, centre);
    const expected = plain.adapt(support, supportLabels, C, pool, names).predictProbs(pool);
    assert.deepEqual(zero.adapt(support, supportLabels, C, pool, names).predictProbs(pool), expected);
    assert.notDeepEqual(idf.adapt(support, supportLabels, C, pool, names).predictProbs(pool), expected);
    const inductive = new LogregMethod('i', { ...HAND_SET, charIdf: 1 }, false, centre);
    const plainInductive = new LogregMethod('pi', HAND_SET, false, centre);
    assert.deepEqual(
      inductive.adapt(support, supportLabels, C, pool, names).predictProbs(pool),
      plainInductive.adapt(support, supportLabels, C, pool, names).predictProbs(pool),
    );
  });
});
