import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import type { AdaptOptions, AdaptedModel, EngineApi } from '../../../src/engine/engine';
import { EngineInputError } from '../../../src/engine/engine';
import { assignFolds, crossValidate, DEFAULT_FOLDS, LEAVE_ONE_OUT_MAX } from '../../../src/engine/eval/crossValidate';
import type { Example } from '../../../src/engine/types';

/**
 * A fake engine that counts adaptations and records what each one saw; it predicts the label of
 * the first support line sharing the line's first word, else the first label.
 */
function countingEngine(onAdapt: (support: Example[], options: AdaptOptions | undefined) => void = () => {}) {
  const seen: { support: Example[]; options: AdaptOptions | undefined }[] = [];
  const predicted: string[] = [];
  const engine: Pick<EngineApi, 'adapt'> = {
    adapt(support, options): AdaptedModel {
      seen.push({ support, options });
      onAdapt(support, options);
      const labels = [...new Set(support.map((s) => s.label))].sort();
      if (labels.length < 2) throw new EngineInputError('need two labels');
      return {
        labels,
        method: options?.method ?? 'fake-default',
        adaptMs: 0,
        encodeMs: 0,
        warm: false,
        classify: (lines) => {
          predicted.push(...lines);
          const labelIndex = Int32Array.from(lines, (line) => {
            const hit = support.find((s) => s.text.split(' ')[0] === line.split(' ')[0]);
            return hit ? labels.indexOf(hit.label) : 0;
          });
          return { labelIndex, confidence: new Float32Array(lines.length).fill(1), uncertainty: new Float32Array(lines.length) };
        },
      };
    },
  };
  return { engine, seen, predicted };
}

/** n lines over `labels` labels; the first word of a line names its label (so the fake gets it right). */
function dataset(n: number, labels: number): Example[] {
  return Array.from({ length: n }, (_, i) => ({ text: `w${i % labels} line ${i}`, label: `label-${i % labels}` }));
}

describe('crossValidate', () => {
  it('uses leave-one-out up to the limit and stratified k-fold past it', () => {
    const small = assignFolds(dataset(LEAVE_ONE_OUT_MAX, 3).map((e) => e.label));
    assert.equal(small.scheme, 'leave-one-out');
    assert.equal(small.count, LEAVE_ONE_OUT_MAX);
    const big = assignFolds(dataset(LEAVE_ONE_OUT_MAX + 1, 3).map((e) => e.label));
    assert.equal(big.scheme, 'k-fold');
    assert.equal(big.count, DEFAULT_FOLDS);
  });

  it('makes disjoint, stratified folds covering every line (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 12 }), { minLength: LEAVE_ONE_OUT_MAX + 1, maxLength: 400 }),
        fc.integer({ min: 2, max: 10 }),
        fc.integer(),
        (classes, folds, seed) => {
          const labels = classes.map((c) => `c${c}`);
          const { fold, count } = assignFolds(labels, folds, seed);
          assert.equal(count, Math.min(folds, labels.length));
          // One fold per line (disjoint by construction) and every fold index in range.
          assert.equal(fold.length, labels.length);
          for (const f of fold) assert.ok(f >= 0 && f < count);
          // Stratified: each label is spread as evenly as possible over the folds.
          for (const label of new Set(labels)) {
            const perFold = new Array<number>(count).fill(0);
            for (let i = 0; i < labels.length; i++) if (labels[i] === label) perFold[fold[i]!]++;
            assert.ok(Math.max(...perFold) - Math.min(...perFold) <= 1, `label ${label} spread ${perFold}`);
          }
          // Fold sizes differ by at most one.
          const sizes = new Array<number>(count).fill(0);
          for (const f of fold) sizes[f]++;
          assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `fold sizes ${sizes}`);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('is reproducible for a seed and changes with it', () => {
    const labels = dataset(200, 7).map((e) => e.label);
    assert.deepEqual(assignFolds(labels, 5, 1), assignFolds(labels, 5, 1));
    assert.notDeepEqual([...assignFolds(labels, 5, 1).fold], [...assignFolds(labels, 5, 2).fold]);
  });

  it('scores every labeled line exactly once, with a model adapted without it', async () => {
    for (const n of [12, 250]) {
      const support = dataset(n, 4);
      const { engine, seen, predicted } = countingEngine();
      const r = (await crossValidate(engine, support, { method: 'm', pool: ['a', 'b'] }))!;
      assert.equal(r.n, n);
      assert.equal(seen.length, r.folds, 'one adaptation per fold');
      assert.equal(r.folds, n <= LEAVE_ONE_OUT_MAX ? n : DEFAULT_FOLDS);
      assert.deepEqual([...predicted].sort(), support.map((s) => s.text).sort(), 'each line predicted once');
      // The lines each fold left out, over all folds: every line exactly once.
      const leftOut: string[] = [];
      for (const s of seen) {
        assert.equal(s.options?.method, 'm', 'same method as classify');
        assert.deepEqual(s.options?.pool, ['a', 'b'], 'same pool as classify');
        const taught = new Set(s.support.map((e) => e.text));
        leftOut.push(...support.filter((e) => !taught.has(e.text)).map((e) => e.text));
      }
      assert.deepEqual(leftOut.sort(), support.map((s) => s.text).sort(), 'folds are disjoint and cover every line');
      // The fake is right whenever another line of the label remains: every line here.
      assert.equal(r.correct, n);
      assert.equal(r.method, 'm');
    }
  });

  it('counts wrong predictions', async () => {
    // Label b's lines share their first word with label a's: the fake predicts a for them.
    const support: Example[] = [
      ...Array.from({ length: 20 }, (_, i) => ({ text: `x ${i}`, label: 'a' })),
      ...Array.from({ length: 20 }, (_, i) => ({ text: `x other ${i}`, label: 'b' })),
    ];
    const r = (await crossValidate(countingEngine().engine, support))!;
    assert.equal(r.scheme, 'k-fold');
    assert.equal(r.n, 40);
    assert.equal(r.correct, 20);
  });

  it('scores a fold whose training part has one label against that label, without adapting', async () => {
    const support: Example[] = [
      { text: 'p one', label: 'p' },
      { text: 'q one', label: 'q' },
    ];
    const { engine, seen } = countingEngine();
    const r = (await crossValidate(engine, support))!;
    assert.deepEqual([r.scheme, r.n, r.correct, seen.length], ['leave-one-out', 2, 0, 0]);
  });

  it('gives no estimate for fewer than two labels', async () => {
    const { engine, seen } = countingEngine();
    const r = (await crossValidate(engine, [{ text: 'a', label: 'x' }]))!;
    assert.deepEqual([r.n, r.folds, seen.length], [0, 0, 0]);
  });

  it('stops between folds when cancelled, yielding between them', async () => {
    const signal = { isCancellationRequested: false };
    let yields = 0;
    const { engine, seen } = countingEngine(() => {
      if (seen.length === 2) signal.isCancellationRequested = true;
    });
    const r = await crossValidate(engine, dataset(25, 5), { signal, yieldBetweenFolds: async () => void yields++ });
    assert.equal(r, undefined, 'a cancelled estimate has no result');
    assert.equal(seen.length, 2, 'no fold adapted after the cancel');
    assert.equal(yields, 1, 'yielded before the second fold');
    // The fold adapting when the cancel came was told to stop early too.
    assert.equal(seen[1]!.options?.shouldStop?.(), true);
  });
});
