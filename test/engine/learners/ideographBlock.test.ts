import assert from 'node:assert/strict';
import { HAND_SET, LogregMethod } from '../../../src/engine/learners/adaptation';
import { blockMeans } from '../../../src/engine/learners/featureView';
import { appendIdeographs, hasIdeographs, ideographFrequency, IdeographMethod } from '../../../src/engine/learners/ideographBlock';
import type { EncodedLines } from '../../../src/engine/types';
import { clusteredLines, lcg, repeatLabels } from './synthetic';

const IDEO_DIM = 64;

/** The lines with an ideograph block whose row i holds the given buckets (count 1 each). */
function withIdeographs(lines: EncodedLines, buckets: number[][]): EncodedLines {
  const offsets = new Int32Array(lines.n + 1);
  for (let i = 0; i < lines.n; i++) offsets[i + 1] = offsets[i] + (buckets[i]?.length ?? 0);
  const index = Int32Array.from(lines.n ? buckets.slice(0, lines.n).flatMap((b) => [...b].sort((x, y) => x - y)) : []);
  return { ...lines, ideo: { dim: IDEO_DIM, offsets, index, value: new Float32Array(index.length).fill(1) } };
}

const charRow = (lines: EncodedLines, i: number): Array<[number, number]> =>
  Array.from(lines.charIndex.subarray(lines.charOffsets[i], lines.charOffsets[i + 1]), (k, p) => [
    k,
    lines.charValue[lines.charOffsets[i] + p],
  ]);

describe('ideograph block (learner)', () => {
  const C = 3;

  it("appends each line's weighted ideograph entries after the char block, at `weight` times unit length", () => {
    const base = clusteredLines(repeatLabels(C, 2), C, 1);
    const lines = withIdeographs(base, [[1, 5], [], [5]]);
    const weights = Float32Array.from({ length: IDEO_DIM }, (_, k) => (k === 5 ? 3 : 1));
    const out = appendIdeographs(lines, weights, 2);
    assert.equal(out.charDim, base.charDim + IDEO_DIM);
    for (let i = 0; i < lines.n; i++) {
      const row = charRow(out, i);
      const hashed = row.filter(([k]) => k < base.charDim);
      assert.deepEqual(hashed, charRow(base, i), `line ${i}: the char block as it was`);
      const ideo = row.filter(([k]) => k >= base.charDim);
      const norm = Math.sqrt(ideo.reduce((s, [, v]) => s + v * v, 0));
      assert.ok(ideo.length === 0 || Math.abs(norm - 2) < 1e-6, `line ${i}: length ${norm}`);
    }
    // Bucket 5 weighs 3 times bucket 1 on line 0.
    const line0 = new Map(charRow(out, 0));
    assert.ok(Math.abs(line0.get(base.charDim + 5)! / line0.get(base.charDim + 1)! - 3) < 1e-6);
    // Lines without the block (or empty rows) just get the wider char block.
    assert.deepEqual(charRow(appendIdeographs(base, weights, 2), 3), charRow(base, 3));
  });

  it('counts document frequencies over the lines it is given (support, pool, names), once per line, no labels involved', () => {
    const support = withIdeographs(clusteredLines(repeatLabels(C, 1), C, 2), [[1, 2], [2], []]);
    const pool = withIdeographs(clusteredLines(repeatLabels(C, 2), C, 3), [[2], [7], [], [], [], []]);
    const { df, lines } = ideographFrequency([support, pool], IDEO_DIM);
    assert.equal(lines, 9);
    assert.equal(df[2], 3);
    assert.equal(df[1], 1);
    assert.equal(df[7], 1, 'a gram seen only in the pool counts');
    assert.equal(df[3], 0);
    assert.ok(hasIdeographs(pool));
    assert.ok(!hasIdeographs(clusteredLines(repeatLabels(C, 1), C, 4)));
  });

  // Word and char blocks that say nothing about the class; the ideograph block says it all.
  const labels = repeatLabels(C, 3);
  const queryLabels = repeatLabels(C, 10);
  const rnd = lcg(7);
  // Each class's lines share one gram; a second, drawn from grams every class uses, is noise.
  const grams = (ls: Int32Array) => Array.from(ls, (c) => [c * 10, 40 + Math.floor(rnd() * 10)]);
  const noise = (n: number, seed: number) => clusteredLines(new Int32Array(n), 1, seed, 1.5);
  const support = withIdeographs(noise(labels.length, 11), grams(labels));
  const queries = withIdeographs(noise(queryLabels.length, 12), grams(queryLabels));
  const centre = blockMeans([support]);
  const block = { power: 1, weight: 2 };

  it("learns from the ideograph block where today's blocks carry nothing", () => {
    const accuracy = (p: Float32Array) => {
      let right = 0;
      for (let i = 0; i < queryLabels.length; i++) {
        const row = Array.from(p.subarray(i * C, (i + 1) * C));
        if (row.indexOf(Math.max(...row)) === queryLabels[i]) right++;
      }
      return right / queryLabels.length;
    };
    for (const transductive of [true, false]) {
      const cjk = new IdeographMethod('cjk', HAND_SET, transductive, centre, block).adapt(support, labels, C, queries);
      const plain = new LogregMethod('plain', HAND_SET, transductive, centre).adapt(support, labels, C, queries);
      assert.ok(accuracy(cjk.predictProbs(queries)) >= 0.9, `transductive ${transductive}: ${accuracy(cjk.predictProbs(queries))}`);
      assert.ok(accuracy(plain.predictProbs(queries)) < 0.6, `without the block: ${accuracy(plain.predictProbs(queries))}`);
    }
  });

  it('is exactly the regression it extends on lines without ideographs (English is untouched)', () => {
    const english = clusteredLines(labels, C, 21);
    const pool = clusteredLines(queryLabels, C, 22);
    for (const [s, p] of [
      [english, pool],
      [withIdeographs(english, []), withIdeographs(pool, [])],
    ]) {
      for (const transductive of [true, false]) {
        const expected = new LogregMethod('plain', HAND_SET, transductive, centre).adapt(s, labels, C, p).predictProbs(p);
        const got = new IdeographMethod('cjk', HAND_SET, transductive, centre, block).adapt(s, labels, C, p).predictProbs(p);
        assert.deepEqual(got, expected);
      }
    }
  });

  it('drops a warm start of another width (the document had no ideographs then) instead of failing', () => {
    const method = new IdeographMethod('cjk', HAND_SET, true, centre, block);
    const before = new LogregMethod('plain', HAND_SET, true, centre).adapt(noise(labels.length, 11), labels, C, noise(30, 12));
    const head = before.head;
    assert.ok(head);
    const warm = { head, known: [true, true, true] };
    const cold = method.adapt(support, labels, C, queries).predictProbs(queries);
    assert.deepEqual(method.adapt(support, labels, C, queries, undefined, { warm }).predictProbs(queries), cold);
  });
});
