import assert from 'node:assert/strict';
import {
  type AdaptHyper,
  adaptLogreg,
  capPerClass,
  HAND_SET,
  LARGE_ROWS,
  planAdaptation,
  prototypeHead,
} from '../../../src/engine/learners/adaptation';
import { blockMeans, FeatureView } from '../../../src/engine/learners/featureView';
import { fitLogreg } from '../../../src/engine/learners/kernelLogreg';
import { useKernel } from '../../../src/engine/learners/kernel/scope';
import { jsExec } from './kernel/jsKernel';
import { summarizeProbs } from '../../../src/engine/learners/probs';
import { fitPrimal, sparseRows } from '../../../src/engine/learners/primalLogreg';
import { clusteredLines, repeatLabels } from './synthetic';

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

describe('primal logistic regression', () => {
  const C = 5;
  const labels = repeatLabels(C, 4);
  const lines = clusteredLines(labels, C, 3, 0.8, 6, 32);
  const pool = clusteredLines(repeatLabels(C, 20), C, 4, 0.8, 6, 32);
  const view = new FeatureView({ ...blockMeans([lines, pool]) }, { word: 0.9, char: 1.4 });
  const weights = Float32Array.from(labels, (_, i) => (i % 3 === 0 ? 0.5 : 1));
  const hp = { steps: 25, lr: 9.5, weightDecay: 7e-4 };

  it('runs the same gradient-descent iterates as the dual form (to rounding)', () => {
    const dual = fitLogreg(view.dense(lines), view.dim, labels, weights, C, hp);
    const primal = fitPrimal(sparseRows(view, [{ lines }]), labels, weights, C, hp);
    assert.ok(maxAbsDiff(dual.W, primal.W) < 1e-4, `W differs by ${maxAbsDiff(dual.W, primal.W)}`);
    assert.ok(maxAbsDiff(dual.b, primal.b) < 1e-4);
    const sd = view.scores(pool, dual.W, dual.b, C);
    const sp = view.scores(pool, primal.W, primal.b, C);
    assert.ok(maxAbsDiff(sd, sp) < 1e-3, `scores differ by ${maxAbsDiff(sd, sp)}`);
  });

  it("a classifier's line summary is what its probabilities say (best class, its probability, normalised entropy)", () => {
    const classifier = adaptLogreg(view, lines, labels, C, { ...HAND_SET, temperature: 1.7, rounds: [5] }, pool);
    const fast = classifier.predictSummary(pool);
    const slow = summarizeProbs(classifier.predictProbs(pool), C);
    assert.deepEqual([...fast.best], [...slow.best]);
    assert.ok(maxAbsDiff(fast.confidence, slow.confidence) < 1e-5, `confidence differs by ${maxAbsDiff(fast.confidence, slow.confidence)}`);
    assert.ok(
      maxAbsDiff(fast.uncertainty, slow.uncertainty) < 1e-5,
      `uncertainty differs by ${maxAbsDiff(fast.uncertainty, slow.uncertainty)}`,
    );
  });

  it('the WebAssembly and the plain-JS kernels fit the same head', () => {
    const rows = sparseRows(view, [{ lines }]);
    useKernel(jsExec);
    const js = fitPrimal(rows, labels, weights, C, hp);
    useKernel();
    const wasm = fitPrimal(rows, labels, weights, C, hp);
    useKernel();
    assert.ok(maxAbsDiff(js.W, wasm.W) < 1e-4, `W differs by ${maxAbsDiff(js.W, wasm.W)}`);
    assert.ok(maxAbsDiff(js.b, wasm.b) < 1e-4);
  });

  it('sparse rows reproduce the dense transformed rows, row selections included', () => {
    const rows = [7, 2, 11];
    const sparse = sparseRows(view, [{ lines, rows }]);
    const dense = view.dense(lines, rows);
    for (let r = 0; r < rows.length; r++) {
      const x = new Float32Array(view.dim);
      for (let j = 0; j < sparse.wordDim; j++) x[j] = sparse.word[r * sparse.wordDim + j];
      for (let k = 0; k < sparse.charDim; k++) x[sparse.wordDim + k] = -sparse.charScale[r] * sparse.charMean[k];
      for (let p = sparse.charOffsets[r]; p < sparse.charOffsets[r + 1]; p++)
        x[sparse.wordDim + sparse.charIndex[p]] += sparse.charValue[p];
      assert.ok(maxAbsDiff(x, dense.subarray(r * view.dim, (r + 1) * view.dim)) < 1e-5);
    }
  });

  it('starts from a given head: zero steps return it unchanged', () => {
    const start = prototypeHead(sparseRows(view, [{ lines }]), labels, weights, C, 3);
    const out = fitPrimal(sparseRows(view, [{ lines }]), labels, weights, C, { ...hp, steps: 0 }, start);
    assert.ok(maxAbsDiff(out.W, start.W) < 1e-6);
  });

  it('the prototype head has rows of the given length and classifies clusters', () => {
    const rows = sparseRows(view, [{ lines }]);
    const head = prototypeHead(rows, labels, new Float32Array(labels.length).fill(1), C, 2);
    for (let c = 0; c < C; c++) {
      let sq = 0;
      for (let j = 0; j < view.dim; j++) sq += head.W[c * view.dim + j] ** 2;
      assert.ok(Math.abs(Math.sqrt(sq) - 2) < 1e-4);
    }
    const poolLabels = repeatLabels(C, 20);
    const scores = view.scores(pool, head.W, head.b, C);
    let ok = 0;
    for (let i = 0; i < pool.n; i++) {
      let best = 0;
      for (let c = 1; c < C; c++) if (scores[i * C + c] > scores[i * C + best]) best = c;
      if (best === poolLabels[i]) ok++;
    }
    assert.ok(ok / pool.n > 0.8, `prototype accuracy ${ok / pool.n}`);
  });
});

describe('adaptation plan and guard rails', () => {
  const hp: AdaptHyper = { ...HAND_SET, steps: 25, rounds: [5, 10] };

  it('keeps everything when the work fits the budget', () => {
    const plan = planAdaptation([5, 5, 5], 3, 100, 100, 2148, hp, 1000, 25, 1e12);
    assert.equal(plan.rowsPerClass, Infinity);
    assert.deepEqual(plan.rounds, [5, 10]);
    assert.equal(plan.note, undefined);
    assert.equal(plan.form, 'dual');
  });

  it('picks the primal form when the labeled set is large', () => {
    const plan = planAdaptation(new Array(50).fill(400), 50, 100, 100, 2148, hp, 10000, 25, 1e15);
    assert.equal(plan.form, 'primal');
  });

  it('caps the rows per class, then rounds, then falls back to the prototype head, saying so', () => {
    const counts = new Array(100).fill(1000);
    const capped = planAdaptation(counts, 100, 100, 100, 2148, hp, 10000, 25, 2.5e9);
    assert.ok(capped.rowsPerClass >= 1 && capped.rowsPerClass < 1000);
    assert.ok(capped.work <= 2.5e9);
    assert.match(capped.note ?? '', /100000 labeled lines over 100 labels/);
    const none = planAdaptation(counts, 100, 100, 100, 2148, hp, 10000, 25, 1e6);
    assert.equal(none.steps, 0);
    assert.match(none.note ?? '', /prototype head/);
  });

  it('work grows linearly with the labeled lines in the primal form', () => {
    const w1 = planAdaptation(new Array(50).fill(200), 0, 100, 100, 2148, { ...hp, rounds: [] }, 0, 25, 1e15).work;
    const w2 = planAdaptation(new Array(50).fill(400), 0, 100, 100, 2148, { ...hp, rounds: [] }, 0, 25, 1e15).work;
    assert.ok(w2 / w1 <= 2.01, `ratio ${w2 / w1}`);
  });

  it('capPerClass spreads the kept rows over each class', () => {
    const labels = Int32Array.from([0, 0, 0, 0, 1, 1, 2]);
    assert.deepEqual([...capPerClass(labels, 3, 2)], [0, 2, 4, 5, 6]);
    assert.deepEqual([...capPerClass(labels, 3, Infinity)], [0, 1, 2, 3, 4, 5, 6]);
  });
});

describe('adaptation: forms, warm start, budget', () => {
  const C = 6;
  const supportLabels = repeatLabels(C, 3);
  const support = clusteredLines(supportLabels, C, 11, 0.9, 6, 32);
  const poolLabels = repeatLabels(C, 25);
  const pool = clusteredLines(poolLabels, C, 12, 0.9, 6, 32);
  const view = new FeatureView(blockMeans([support, pool]), { word: 1, char: 1 });
  const hp: AdaptHyper = { ...HAND_SET, steps: 25, lr: 9.5, rounds: [5, 10] };
  const argmax = (p: Float32Array, i: number) => {
    let best = 0;
    for (let c = 1; c < C; c++) if (p[i * C + c] > p[i * C + best]) best = c;
    return best;
  };
  const agreement = (a: Float32Array, b: Float32Array) => {
    let same = 0;
    for (let i = 0; i < pool.n; i++) if (argmax(a, i) === argmax(b, i)) same++;
    return same / pool.n;
  };

  it('a warm start from the previous solution predicts like a cold fit after one more label', () => {
    const before = adaptLogreg(view, support, supportLabels, C, hp, pool);
    const extra = clusteredLines([2], C, 77, 0.9, 6, 32);
    const lines2 = {
      ...support,
      n: support.n + 1,
      word: Float32Array.from([...support.word, ...extra.word]),
      charOffsets: Int32Array.from([
        ...support.charOffsets,
        ...Array.from(extra.charOffsets.subarray(1), (o) => o + support.charOffsets[support.n]),
      ]),
      charIndex: Int32Array.from([...support.charIndex, ...extra.charIndex]),
      charValue: Float32Array.from([...support.charValue, ...extra.charValue]),
    };
    const labels2 = Int32Array.from([...supportLabels, 2]);
    const cold = adaptLogreg(view, lines2, labels2, C, hp, pool);
    const warm = adaptLogreg(view, lines2, labels2, C, hp, pool, undefined, {
      warm: { head: before.head, known: new Array(C).fill(true) },
    });
    assert.ok(agreement(cold.predictProbs(pool), warm.predictProbs(pool)) >= 0.95);
  });

  it('a tiny budget still gives a working classifier (the prototype head) and a note', () => {
    const out = adaptLogreg(view, support, supportLabels, C, hp, pool, undefined, { budget: 1 });
    assert.match(out.plan?.note ?? '', /prototype head/);
    const probs = out.predictProbs(pool);
    let ok = 0;
    for (let i = 0; i < pool.n; i++) if (argmax(probs, i) === poolLabels[i]) ok++;
    assert.ok(ok / pool.n > 0.6, `accuracy ${ok / pool.n}`);
  });

  it('stops between steps when asked', () => {
    let polls = 0;
    adaptLogreg(view, support, supportLabels, C, { ...hp, protoScale: 1 }, pool, undefined, {
      shouldStop: () => ++polls > 3,
    });
    assert.ok(polls <= 6, `polled ${polls} times`);
  });
});

describe('the large-set schedule', () => {
  const hp: AdaptHyper = { ...HAND_SET, steps: 25, lr: 9.5, rounds: [5], large: { protoScale: 5, steps: 15, roundSteps: 8 } };
  it(`takes over from ${LARGE_ROWS} labeled rows: a 5-way set of 10 lines per label keeps the meta-learned procedure`, () => {
    const C = 30;
    const small = repeatLabels(C, 1);
    const big = repeatLabels(C, 20);
    const pool = clusteredLines(repeatLabels(C, 4), C, 5, 0.9, 100, 2048);
    const view = new FeatureView(blockMeans([pool]), { word: 1, char: 1 });
    const one = adaptLogreg(view, clusteredLines(small, C, 6, 0.9, 100, 2048), small, C, hp, pool);
    const many = adaptLogreg(view, clusteredLines(big, C, 7, 0.9, 100, 2048), big, C, hp, pool);
    assert.equal(one.plan?.large, false);
    assert.equal(one.plan?.form, 'dual');
    assert.equal(many.plan?.large, true);
    assert.equal(many.plan?.form, 'primal');
    // 5 x 10 = 50 rows: the primal form is about as cheap as the dual here, and the procedure is
    // still the meta-learned one (the abstention rule was fitted on its probabilities).
    const five = repeatLabels(5, 10);
    const fivePool = clusteredLines(repeatLabels(5, 10), 5, 8, 0.9, 100, 2048);
    const fiveWay = adaptLogreg(view, clusteredLines(five, 5, 9, 0.9, 100, 2048), five, 5, hp, fivePool);
    assert.equal(fiveWay.plan?.large, false);
    const justBelow = repeatLabels(C, Math.floor((LARGE_ROWS - 1) / C));
    assert.equal(adaptLogreg(view, clusteredLines(justBelow, C, 10, 0.9, 100, 2048), justBelow, C, hp, pool).plan?.large, false);
  });
});
