import assert from 'node:assert/strict';
import { HAND_SET, LogregMethod, meaningfulNames, PrototypeMethod, topKPerClass } from '../../../src/engine/learners/adaptation';
import { blockMeans } from '../../../src/engine/learners/featureView';
import { clusteredLines, repeatLabels } from './synthetic';

function accuracy(probs: Float32Array, labels: Int32Array, C: number): number {
  let ok = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let c = 1; c < C; c++) if (probs[i * C + c] > probs[i * C + best]) best = c;
    if (best === labels[i]) ok++;
  }
  return ok / labels.length;
}

describe('adaptation procedures', () => {
  it('topKPerClass takes at most k lines per predicted class, most confident first', () => {
    const probs = Float32Array.from([0.9, 0.1, 0.6, 0.4, 0.2, 0.8, 0.95, 0.05, 0.3, 0.7]);
    const { rows, labels } = topKPerClass(probs, 5, 2, 2);
    assert.deepEqual([...rows], [3, 0, 2, 4]);
    assert.deepEqual([...labels], [0, 0, 1, 1]);
  });

  const C = 4;
  const supportLabels = repeatLabels(C, 1);
  const poolLabels = repeatLabels(C, 30);

  it('probabilities are finite, sum to one, and labels are learned', () => {
    const support = clusteredLines(supportLabels, C, 1, 0.3);
    const query = clusteredLines(poolLabels, C, 2, 0.3);
    const method = new LogregMethod('logreg', { ...HAND_SET, rounds: [] }, false, blockMeans([query]));
    const probs = method.adapt(support, supportLabels, C).predictProbs(query);
    for (let i = 0; i < query.n; i++) {
      const s = probs.subarray(i * C, (i + 1) * C).reduce((a, v) => a + v, 0);
      assert.ok(Math.abs(s - 1) < 1e-5);
    }
    assert.ok(accuracy(probs, poolLabels, C) > 0.8);
  });

  it('self-training on the unlabeled lines beats the support alone on noisy one-shot tasks', () => {
    let inductive = 0;
    let transductive = 0;
    for (let seed = 0; seed < 12; seed++) {
      const support = clusteredLines(supportLabels, C, 100 + seed, 1.1);
      const pool = clusteredLines(poolLabels, C, 200 + seed, 1.1);
      const centre = blockMeans([pool]);
      inductive += accuracy(
        new LogregMethod('i', { ...HAND_SET, rounds: [] }, false, centre).adapt(support, supportLabels, C).predictProbs(pool),
        poolLabels,
        C,
      );
      transductive += accuracy(
        new LogregMethod('t', HAND_SET, true, centre).adapt(support, supportLabels, C, pool).predictProbs(pool),
        poolLabels,
        C,
      );
    }
    assert.ok(transductive > inductive + 0.12, `transductive ${transductive / 12} vs inductive ${inductive / 12}`);
  });

  it('keeps the pre-training probabilities of the lines it pseudo-labeled (they are inflated after)', () => {
    const support = clusteredLines(supportLabels, C, 41, 1.0);
    const pool = clusteredLines(poolLabels, C, 42, 1.0);
    const classifier = new LogregMethod('t', HAND_SET, true, blockMeans([pool])).adapt(support, supportLabels, C, pool);
    const heldOut = classifier.heldOut!;
    assert.ok(heldOut.size >= C * HAND_SET.rounds[0], `${heldOut.size} pseudo-labeled lines`);
    const final = classifier.predictProbs(pool);
    let before = 0;
    let after = 0;
    for (const [row, p] of heldOut) {
      assert.ok(Math.abs(p.reduce((a, v) => a + v, 0) - 1) < 1e-5);
      let best = 0;
      for (let c = 1; c < C; c++) if (p[c] > p[best]) best = c;
      before += p[best];
      after += final[row * C + best];
    }
    assert.ok(after > before, `final ${after / heldOut.size} vs before ${before / heldOut.size}`);
  });

  it('inductive methods ignore the pool', () => {
    const support = clusteredLines(supportLabels, C, 5, 0.8);
    const pool = clusteredLines(poolLabels, C, 6, 0.8);
    const m = new LogregMethod('logreg', HAND_SET, false, blockMeans([pool]));
    assert.deepEqual(m.adapt(support, supportLabels, C, pool).predictProbs(pool), m.adapt(support, supportLabels, C).predictProbs(pool));
  });

  it('label names count as extra examples, and names with no known word are ignored', () => {
    let without = 0;
    let withNames = 0;
    for (let seed = 0; seed < 12; seed++) {
      const support = clusteredLines(supportLabels, C, 300 + seed, 1.1);
      const names = clusteredLines(repeatLabels(C, 1), C, 400 + seed, 0.5);
      const query = clusteredLines(poolLabels, C, 500 + seed, 1.1);
      const m = new LogregMethod('i', { ...HAND_SET, rounds: [] }, false, blockMeans([query]));
      without += accuracy(m.adapt(support, supportLabels, C).predictProbs(query), poolLabels, C);
      withNames += accuracy(m.adapt(support, supportLabels, C, undefined, names).predictProbs(query), poolLabels, C);
    }
    assert.ok(withNames > without + 0.05, `with names ${withNames / 12} vs without ${without / 12}`);
    const support = clusteredLines(supportLabels, C, 9, 0.8);
    const query = clusteredLines(poolLabels, C, 10, 0.8);
    const unknown = { ...clusteredLines(repeatLabels(C, 1), C, 11), word: new Float32Array(C * 6) };
    assert.deepEqual(meaningfulNames(unknown), []);
    const m = new LogregMethod('i', HAND_SET, false, blockMeans([query]));
    assert.deepEqual(
      m.adapt(support, supportLabels, C, undefined, unknown).predictProbs(query),
      m.adapt(support, supportLabels, C).predictProbs(query),
    );
  });

  it('the prototype baseline classifies clean clusters', () => {
    const support = clusteredLines(repeatLabels(C, 3), C, 7, 0.3);
    const query = clusteredLines(poolLabels, C, 8, 0.3);
    const probs = new PrototypeMethod('protonet', blockMeans([query])).adapt(support, repeatLabels(C, 3), C).predictProbs(query);
    assert.ok(accuracy(probs, poolLabels, C) > 0.8);
  });
});
