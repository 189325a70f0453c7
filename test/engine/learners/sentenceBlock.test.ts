// The sentence block's rows are built once, reading today's blocks in place from the augmented
// lines (no copy of today's lines for the centre or the transform). The oracle below is the way
// they were built before, through copies (todayLines) and the view's writeWord on them: the new
// rows must equal it bit for bit, so the refined predictions do not move.
import assert from 'node:assert/strict';
import { blockMeans, type Centre, commonComponent, FeatureView } from '../../../src/engine/learners/featureView';
import {
  augmentLines,
  augmentLinesWith,
  type SentenceFeatureOptions,
  sentenceFeatures,
  todayLines,
} from '../../../src/engine/learners/sentenceBlock';
import type { EncodedLines } from '../../../src/engine/types';
import { clusteredLines, lcg, repeatLabels } from './synthetic';

const C = 3;
const SD = 8;

function noise(n: number, seed: number): Float32Array {
  const rnd = lcg(seed);
  return Float32Array.from({ length: n * SD }, () => rnd() * 2 - 1);
}

/** sentenceFeatures as it was: today's lines copied out of the augmented ones for the centre and for each row. */
function copiedFeatures(options: SentenceFeatureOptions, support: EncodedLines, pool?: EncodedLines) {
  const { layout, corpusCentre, sentence } = options;
  const today = (lines: EncodedLines) => todayLines(lines, layout);
  const ref = pool && pool.n > 0 ? pool : undefined;
  const todayCentre = ref ? { ...blockMeans([today(support), today(ref)]), common: corpusCentre.common } : corpusCentre;
  const sentenceCentre = new Float64Array(layout.sentenceDim);
  if (ref) {
    const batches = [support, ref];
    const n = support.n + ref.n;
    for (const b of batches)
      for (let i = 0; i < b.n; i++)
        for (let j = 0; j < SD; j++)
          sentenceCentre[j] = (sentenceCentre[j] as number) + (b.word[i * b.wordDim + layout.wordDim + j] as number);
    for (let j = 0; j < SD; j++) sentenceCentre[j] = Math.fround((sentenceCentre[j] as number) / n);
  }
  const alone = sentence === 'alone';
  const lambda = alone ? 1 : sentence;
  const view = new FeatureView(todayCentre, { word: 1, char: 1 });
  const dim = (alone ? 0 : layout.wordDim) + SD;
  return (lines: EncodedLines): Float32Array => {
    const word = new Float32Array(lines.n * dim);
    const plain = today(lines);
    for (let i = 0; i < lines.n; i++) {
      const o = i * dim;
      if (!alone) view.writeWord(plain, i, word, o);
      const so = o + (alone ? 0 : layout.wordDim);
      let sq = 0;
      for (let j = 0; j < SD; j++) {
        const v = (lines.word[i * lines.wordDim + layout.wordDim + j] as number) - Math.fround(sentenceCentre[j] as number);
        word[so + j] = v;
        sq += v * v;
      }
      const s = sq > 0 ? lambda / Math.sqrt(sq) : 0;
      for (let j = 0; j < SD; j++) word[so + j] = (word[so + j] as number) * s;
    }
    return word;
  };
}

describe('sentence block rows', () => {
  const plainSupport = clusteredLines(repeatLabels(C, 3), C, 41, 0.8);
  const plainPool = clusteredLines(repeatLabels(C, 20), C, 42, 0.8);
  const layout = { wordDim: plainSupport.wordDim, sentenceDim: SD };
  // A common component, so the in-place read goes through its projection too.
  const corpusCentre: Centre = { ...blockMeans([plainPool]), common: commonComponent(plainPool) };
  const support = augmentLines(plainSupport, noise(plainSupport.n, 1), SD);
  const pool = augmentLines(plainPool, noise(plainPool.n, 2), SD);
  const scales = { word: 0.9, char: 1.4 };

  for (const [what, sentence, withPool] of [
    ['transductive, weight 2', 2, true],
    ['inductive, weight 1', 1, false],
    ['the block alone', 'alone', true],
  ] as const) {
    it(`equals the rows built from copies of today's lines, bit for bit (${what})`, () => {
      const options: SentenceFeatureOptions = { corpusCentre, layout, sentence, hyper: { scales } };
      const built = sentenceFeatures(options, support, withPool ? pool : undefined);
      const copied = copiedFeatures(options, support, withPool ? pool : undefined);
      for (const lines of [support, pool]) assert.deepEqual(built.transform(lines).word, copied(lines));
    });
  }

  it('overwrites lines built for one use with the same rows, bit for bit (inPlace, as the engine builds them)', () => {
    const options: SentenceFeatureOptions = { corpusCentre, layout, sentence: 2, hyper: { scales } };
    // Fresh copies: the transform writes into them, and the centre was read before any row was.
    const fresh = (lines: EncodedLines) => ({ ...lines, word: lines.word.slice() });
    const [s, p] = [fresh(support), fresh(pool)];
    const inPlace = sentenceFeatures({ ...options, inPlace: true }, s, p);
    const copied = copiedFeatures(options, support, pool);
    for (const [own, original] of [
      [s, support],
      [p, pool],
    ] as const) {
      const rows = inPlace.transform(own).word;
      assert.equal(rows, own.word);
      assert.deepEqual(rows, copied(original));
    }
    // Without it the lines handed over are left as they were.
    const kept = fresh(pool);
    sentenceFeatures(options, support, pool).transform(kept);
    assert.deepEqual(kept.word, pool.word);
  });

  it('centres today’s blocks on the prefix of the augmented rows exactly as on copies of them', () => {
    const inPlace = blockMeans([support, pool], layout.wordDim);
    const copies = blockMeans([todayLines(support, layout), todayLines(pool, layout)]);
    assert.deepEqual(inPlace.word, copies.word);
    assert.deepEqual(inPlace.char, copies.char);
    // The whole width (what every other caller reads) is untouched by the prefix's sums.
    assert.equal(blockMeans([support, pool]).word.length, layout.wordDim + SD);
  });

  it('appends vectors looked up per line as the table of rows would, zeros where a line has none', () => {
    const rows = noise(plainSupport.n, 3);
    const table = augmentLines(plainSupport, rows, SD);
    const looked = augmentLinesWith(plainSupport, (i) => rows.subarray(i * SD, (i + 1) * SD), SD);
    assert.deepEqual(looked.word, table.word);
    const blank = augmentLinesWith(plainSupport, (i) => (i === 1 ? undefined : rows.subarray(i * SD, (i + 1) * SD)), SD);
    const dim = layout.wordDim + SD;
    assert.deepEqual(blank.word.subarray(dim + layout.wordDim, 2 * dim), new Float32Array(SD));
    assert.deepEqual(blank.word.subarray(0, dim), table.word.subarray(0, dim));
    assert.throws(() => augmentLinesWith(plainSupport, () => new Float32Array(SD - 1), SD), /length 7, expected 8/);
  });
});
