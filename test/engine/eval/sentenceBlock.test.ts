import assert from 'node:assert/strict';
import { sentenceMethod } from '../../../src/engine/eval/sentenceBlock';
import { augmentLines, SentenceBlockMethod, withoutSentence } from '../../../src/engine/learners/sentenceBlock';
import { HAND_SET, LogregMethod } from '../../../src/engine/learners/adaptation';
import { blockMeans, type Centre } from '../../../src/engine/learners/featureView';
import type { EncodedLines } from '../../../src/engine/types';
import { clusteredLines, lcg, repeatLabels } from '../learners/synthetic';

const C = 4;
const SD = 8;
const layout = { wordDim: 6, sentenceDim: SD };
const LOGREG = { ...HAND_SET, rounds: [], nameWeight: 0 };

/** Sentence vectors: one cluster per class (tight), or noise when `labels` is undefined. */
function sentenceRows(n: number, labels: ArrayLike<number> | undefined, seed: number): Float32Array {
  const rnd = lcg(seed);
  const centres = lcg(7);
  const means = Array.from({ length: C }, () => Array.from({ length: SD }, () => centres() * 2 - 1));
  return Float32Array.from({ length: n * SD }, (_, k) => {
    const i = Math.floor(k / SD);
    const noise = rnd() * 2 - 1;
    return labels ? (means[labels[i] as number]?.[k % SD] as number) + 0.2 * noise : noise;
  });
}

function accuracy(probs: Float32Array, labels: Int32Array): number {
  let ok = 0;
  for (let i = 0; i < labels.length; i++) {
    const row = Array.from(probs.subarray(i * C, (i + 1) * C));
    if (row.indexOf(Math.max(...row)) === labels[i]) ok++;
  }
  return ok / labels.length;
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

describe('sentence block (ablation methods)', () => {
  const supportLabels = repeatLabels(C, 2);
  const poolLabels = repeatLabels(C, 12);
  const plainSupport = clusteredLines(supportLabels, C, 11, 0.8);
  const plainPool = clusteredLines(poolLabels, C, 12, 0.8);
  const centre: Centre = blockMeans([plainPool]);
  const aug = (lines: EncodedLines, labels: Int32Array | undefined, seed: number) =>
    augmentLines(lines, sentenceRows(lines.n, labels, seed), SD);
  const support = aug(plainSupport, supportLabels, 1);
  const pool = aug(plainPool, poolLabels, 2);

  it('leaves a method given augmented lines exactly as it is on today’s lines', () => {
    const method = new LogregMethod('default', HAND_SET, true, centre);
    const today = method.adapt(plainSupport, supportLabels, C, plainPool).predictProbs(plainPool);
    const wrapped = withoutSentence(method, layout).adapt(support, supportLabels, C, pool).predictProbs(pool);
    assert.deepEqual(wrapped, today);
  });

  for (const transductive of [false, true]) {
    it(`with the sentence block at weight 0 is today's regression (${transductive ? 'transductive' : 'inductive'})`, () => {
      const hyper = transductive ? HAND_SET : LOGREG;
      const today = new LogregMethod('t', hyper, transductive, centre)
        .adapt(plainSupport, supportLabels, C, plainPool)
        .predictProbs(plainPool);
      const zero = new SentenceBlockMethod({ name: 'z', hyper, transductive, corpusCentre: centre, layout, sentence: 0 });
      const probs = zero.adapt(support, supportLabels, C, pool).predictProbs(pool);
      assert.ok(maxDiff(probs, today) < 1e-3, `max difference ${maxDiff(probs, today)}`);
      const weighted = new SentenceBlockMethod({ name: 'w', hyper, transductive, corpusCentre: centre, layout, sentence: 1 });
      assert.ok(maxDiff(weighted.adapt(support, supportLabels, C, pool).predictProbs(pool), today) > 0.01);
    });
  }

  it('learns from the sentence block where today’s features carry nothing', () => {
    // Today's blocks of every line come from one class: nothing in them tells the classes apart.
    const blind = (labels: Int32Array, seed: number) =>
      augmentLines(clusteredLines(new Int32Array(labels.length), C, seed, 0.8), sentenceRows(labels.length, labels, seed + 1), SD);
    const blindSupport = blind(supportLabels, 20);
    const blindPool = blind(poolLabels, 30);
    const alone = new SentenceBlockMethod({
      name: 's',
      hyper: LOGREG,
      transductive: false,
      corpusCentre: centre,
      layout,
      sentence: 'alone',
    });
    const both = new SentenceBlockMethod({ name: 'b', hyper: LOGREG, transductive: false, corpusCentre: centre, layout, sentence: 1 });
    const today = withoutSentence(new LogregMethod('logreg', LOGREG, false, centre), layout);
    const acc = (m: { adapt: typeof alone.adapt }) => accuracy(m.adapt(blindSupport, supportLabels, C).predictProbs(blindPool), poolLabels);
    assert.ok(acc(alone) > 0.95, `alone ${acc(alone)}`);
    assert.ok(acc(both) > 0.9 && acc(today) < 0.5, `both ${acc(both)}, today ${acc(today)}`);
  });

  it('builds the named methods on the engine’s regressions', () => {
    const engine = (name: string) =>
      name === 'logreg'
        ? new LogregMethod('logreg', LOGREG, false, centre)
        : name === 'default'
          ? new LogregMethod('default', HAND_SET, true, centre)
          : undefined;
    assert.equal(sentenceMethod('logreg', engine, centre, layout), undefined);
    assert.equal(sentenceMethod('sentence-logreg', engine, centre, layout)?.transductive, false);
    assert.equal(sentenceMethod('both-logreg@0.5', engine, centre, layout)?.name, 'both-logreg@0.5');
    assert.equal(sentenceMethod('default+sentence@2', engine, centre, layout)?.transductive, true);
    assert.throws(() => sentenceMethod('default+sentence', engine, centre, layout), /weight/);
    assert.throws(() => sentenceMethod('both-logreg', () => undefined, centre, layout), /no logreg/);
  });

  it("default+sentence is the model's procedure meta-learned with the block, on default's large-set schedule", () => {
    const large = { protoScale: 5, steps: 15, roundSteps: 8 };
    const engine = (name: string) => (name === 'default' ? new LogregMethod('default', { ...HAND_SET, large }, true, centre) : undefined);
    const learned = { ...HAND_SET, lr: 9, temperature: 2 };
    const method = sentenceMethod('default+sentence', engine, centre, layout, { source: 'meta-learned', hyper: learned, weight: 2.5 });
    assert.ok(method instanceof SentenceBlockMethod);
    const { hyper, sentence } = method.options;
    assert.equal(sentence, 2.5, 'the learned weight');
    assert.equal(hyper.lr, 9, 'the learned hyper-parameters');
    // The large-set schedule is no meta-parameter: default's own, so 45-way 5-shot sets switch to it as default's do.
    assert.deepEqual(hyper.large, large);
    assert.equal(
      sentenceMethod('default+sentence@2', engine, centre, layout, { source: 'meta-learned', hyper: learned, weight: 2.5 })?.name,
      'default+sentence@2',
    );
  });
});
