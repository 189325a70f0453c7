import assert from 'node:assert/strict';
import { blockMeans, commonComponent, FeatureView } from '../../../src/engine/learners/featureView';
import { softmaxRows, summarizeProbs } from '../../../src/engine/learners/probs';
import { paddedClasses, SPLIT_WORK, useKernel, useKernelThreads } from '../../../src/engine/learners/kernel/scope';
import { jsExec, KERNELS } from './kernel/jsKernel';
import { clusteredLines, lcg, repeatLabels } from './synthetic';

describe('FeatureView', () => {
  const lines = clusteredLines(repeatLabels(3, 7), 3, 5);
  const view = new FeatureView(blockMeans([lines]), { word: 1.3, char: 0.7 });

  it('normalises each block to its scale after re-centring', () => {
    const X = view.dense(lines);
    for (let i = 0; i < lines.n; i++) {
      const row = X.subarray(i * view.dim, (i + 1) * view.dim);
      const w = Math.hypot(...row.subarray(0, lines.wordDim));
      const c = Math.hypot(...row.subarray(lines.wordDim));
      assert.ok(Math.abs(w - 1.3) < 1e-4, `word block norm ${w}`);
      assert.ok(Math.abs(c - 0.7) < 1e-4, `char block norm ${c}`);
    }
  });

  it('scores sparse lines exactly as the dense rows would', () => {
    const rnd = lcg(3);
    const nOut = 4;
    const W = Float32Array.from({ length: nOut * view.dim }, () => rnd() - 0.5);
    const b = Float32Array.from({ length: nOut }, () => rnd());
    const fast = view.scores(lines, W, b, nOut);
    const X = view.dense(lines);
    for (let i = 0; i < lines.n; i++) {
      for (let c = 0; c < nOut; c++) {
        let s = b[c];
        for (let k = 0; k < view.dim; k++) s += W[c * view.dim + k] * X[i * view.dim + k];
        assert.ok(Math.abs(s - fast[i * nOut + c]) < 1e-4, `line ${i} class ${c}: ${s} vs ${fast[i * nOut + c]}`);
      }
    }
  });

  it('scores as the dense rows with a common component removed, across the kernel chunks of a long document and blocks of outputs', () => {
    const long = clusteredLines(repeatLabels(3, 1400), 3, 5);
    const withCommon = new FeatureView({ ...blockMeans([long]), common: commonComponent(long) }, { word: 0.9, char: 1.4 });
    const rnd = lcg(5);
    const nOut = 261; // three blocks of outputs, the last one short
    const W = Float32Array.from({ length: nOut * withCommon.dim }, () => rnd() - 0.5);
    const b = Float32Array.from({ length: nOut }, () => rnd());
    const fast = withCommon.scores(long, W, b, nOut);
    const rows = [0, 1, 4095, 4096, 4097, long.n - 1];
    const X = withCommon.dense(long, rows);
    rows.forEach((i, r) => {
      for (let c = 0; c < nOut; c++) {
        let s = b[c];
        for (let k = 0; k < withCommon.dim; k++) s += W[c * withCommon.dim + k] * X[r * withCommon.dim + k];
        assert.ok(Math.abs(s - fast[i * nOut + c]) < 1e-4, `line ${i} class ${c}: ${s} vs ${fast[i * nOut + c]}`);
      }
    });
  });

  it('scores a long document the same whether its chunks are split between two threads or not', async () => {
    const long = clusteredLines(repeatLabels(3, 1400), 3, 5, 0.6, 24, 64);
    const v = new FeatureView({ ...blockMeans([long]), common: commonComponent(long) }, { word: 0.9, char: 1.4 });
    const rnd = lcg(6);
    const nOut = 77;
    const nnz = long.charOffsets[long.n];
    assert.ok(paddedClasses(nOut) * (4096 * long.wordDim + (nnz * 4096) / long.n) >= SPLIT_WORK, 'a chunk is split');
    const W = Float32Array.from({ length: nOut * v.dim }, () => rnd() - 0.5);
    const b = Float32Array.from({ length: nOut }, () => rnd());
    try {
      useKernelThreads(false);
      const alone = v.scores(long, W, b, nOut);
      useKernelThreads(true);
      v.scores(long, W, b, nOut);
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.deepEqual(v.scores(long, W, b, nOut), alone);
      // The plain-JS products split the same chunks (no helper): the same scores to rounding.
      useKernel(jsExec);
      const js = v.scores(long, W, b, nOut);
      for (let q = 0; q < js.length; q++) assert.ok(Math.abs(js[q] - alone[q]) < 1e-4, `${q}: js ${js[q]}, wasm ${alone[q]}`);
    } finally {
      useKernelThreads(undefined);
      useKernel();
    }
  });

  it('summarises each line as the softmax of its scores says, across blocks of outputs, with both kernels', () => {
    const long = clusteredLines(repeatLabels(3, 100), 3, 5, 0.6, 24, 64);
    const v = new FeatureView(blockMeans([long]), { word: 1.1, char: 0.8 });
    const rnd = lcg(12);
    for (const nOut of [1, 7, 130]) {
      const W = Float32Array.from({ length: nOut * v.dim }, () => 4 * (rnd() - 0.5));
      const b = Float32Array.from({ length: nOut }, () => rnd());
      const expected = summarizeProbs(softmaxRows(v.scores(long, W, b, nOut), nOut, 2.5), nOut);
      for (const kind of ['js', 'wasm-simd'] as const) {
        useKernel(KERNELS[kind]);
        const got = v.summary(long, W, b, nOut, 2.5);
        useKernel();
        assert.deepEqual([...got.best], [...expected.best], `${kind}, ${nOut} outputs: best`);
        for (let i = 0; i < long.n; i++) {
          assert.ok(Math.abs(got.confidence[i] - expected.confidence[i]) < 1e-5, `${kind} ${nOut}: confidence ${i}`);
          assert.ok(Math.abs(got.uncertainty[i] - expected.uncertainty[i]) < 1e-5, `${kind} ${nOut}: uncertainty ${i}`);
        }
      }
    }
  });

  it('summarises a line with no finite best score as -1, and one with a NaN or infinite score as NaN', () => {
    const nOut = 3;
    const W = new Float32Array(nOut * view.dim);
    for (const kind of ['js', 'wasm-simd'] as const) {
      useKernel(KERNELS[kind]);
      const none = view.summary(lines, W, Float32Array.from([-Infinity, -Infinity, -Infinity]), nOut, 1);
      const nan = view.summary(lines, W, Float32Array.from([0, Number.NaN, 1]), nOut, 1);
      const inf = view.summary(lines, W, Float32Array.from([0, Infinity, 1]), nOut, 1);
      const minusInf = view.summary(lines, W, Float32Array.from([0, -Infinity, 1]), nOut, 1);
      useKernel();
      assert.ok(
        none.best.every((c) => c === -1),
        kind,
      );
      assert.ok(nan.best.every((c) => c === 2) && nan.confidence.every(Number.isNaN), kind);
      assert.ok(inf.best.every((c) => c === 2) && inf.confidence.every(Number.isNaN), kind);
      // -Infinity is a probability of zero, nothing wrong.
      const p = 1 / (1 + Math.exp(-1));
      assert.ok(minusInf.best.every((c) => c === 2) && minusInf.confidence.every((x) => Math.abs(x - p) < 1e-6), kind);
    }
  });

  it('scores alike with the WebAssembly kernel and the plain-JS one (per-row block scales included)', () => {
    const rnd = lcg(9);
    const nOut = 19;
    const W = Float32Array.from({ length: nOut * view.dim }, () => rnd() - 0.5);
    const b = Float32Array.from({ length: nOut }, () => rnd());
    useKernel(jsExec);
    const js = view.scores(lines, W, b, nOut);
    useKernel();
    const wasm = view.scores(lines, W, b, nOut);
    useKernel();
    for (let q = 0; q < js.length; q++) assert.ok(Math.abs(js[q] - wasm[q]) < 1e-4, `${q}: js ${js[q]}, wasm ${wasm[q]}`);
  });

  it('scores lines at and near the centre as the dense rows do (the word block is centred before the product)', () => {
    const rnd = lcg(11);
    const wd = 300;
    const base = Array.from({ length: wd }, () => 2 * rnd() - 1);
    const word = Float32Array.from([...base, ...base.map((v) => v + 1e-3 * (2 * rnd() - 1))]);
    // No character n-grams: only the word block, whose scale is large this close to the centre.
    const near = {
      n: 2,
      wordDim: wd,
      word,
      charDim: 16,
      charOffsets: Int32Array.from([0, 0, 0]),
      charIndex: new Int32Array(0),
      charValue: new Float32Array(0),
    };
    const centred = new FeatureView(blockMeans([near]), { word: 1, char: 1 });
    const nOut = 5;
    const W = Float32Array.from({ length: nOut * centred.dim }, () => 4 * rnd() - 2);
    const b = new Float32Array(nOut);
    const fast = centred.scores(near, W, b, nOut);
    const X = centred.dense(near);
    for (let i = 0; i < near.n; i++) {
      for (let c = 0; c < nOut; c++) {
        let s = 0;
        for (let k = 0; k < centred.dim; k++) s += W[c * centred.dim + k] * X[i * centred.dim + k];
        assert.ok(Math.abs(s - fast[i * nOut + c]) < 1e-4, `line ${i} class ${c}: ${s} vs ${fast[i * nOut + c]}`);
      }
    }
  });

  it('gives finite features for an all-zero line', () => {
    const empty = { ...lines, n: 1, word: new Float32Array(lines.wordDim), charOffsets: Int32Array.from([0, 0]) };
    assert.ok([...view.dense(empty)].every(Number.isFinite));
    assert.ok([...view.scores(empty, new Float32Array(view.dim), new Float32Array(1), 1)].every(Number.isFinite));
  });
});
