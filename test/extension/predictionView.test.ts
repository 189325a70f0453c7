import * as assert from 'node:assert/strict';
import { buildEntries, formatPrediction, mostUncertainLine, type DocumentPredictions } from '../../src/extension/predictionView';

function predictions(rows: Array<[number, number, number]>): DocumentPredictions {
  return {
    labels: ['account', 'billing'],
    labelIndex: Int32Array.from(rows.map((r) => r[0])),
    confidence: Float32Array.from(rows.map((r) => r[1])),
    uncertainty: Float32Array.from(rows.map((r) => r[2])),
  };
}

describe('prediction view (diagnostic entries)', () => {
  const p = predictions([
    [1, 0.93, 0.2], // 0
    [-1, 0, 0], // 1 empty line
    [0, 0.55, 0.9], // 2
    [1, 0.8, 0.5], // 3 labeled
    [0, 0.7, 0.6], // 4
  ]);
  const all = { minConfidence: 0, maxPerFile: 100, priority: 'confidence' as const };

  it('formats messages as label and rounded percentage', () => {
    assert.equal(formatPrediction('billing', 0.934), 'billing 93%');
    assert.equal(formatPrediction('x', Number.NaN), 'x 0%');
    assert.equal(formatPrediction('x', 1.2), 'x 100%');
  });

  it('skips empty and labeled lines, keeps line order', () => {
    const entries = buildEntries(p, new Set([3]), all);
    assert.deepEqual(entries.map((e) => e.line), [0, 2, 4]);
    assert.equal(entries[0]!.message, 'billing 93%');
    assert.equal(entries[1]!.label, 'account');
  });

  it('drops predictions under the minimum confidence', () => {
    assert.deepEqual(buildEntries(p, new Set(), { ...all, minConfidence: 0.75 }).map((e) => e.line), [0, 3]);
  });

  it('caps per file, keeping the surest or the least sure lines', () => {
    assert.deepEqual(buildEntries(p, new Set(), { ...all, maxPerFile: 2 }).map((e) => e.line), [0, 3]);
    assert.deepEqual(buildEntries(p, new Set(), { ...all, maxPerFile: 2, priority: 'uncertainty' }).map((e) => e.line), [2, 4]);
    assert.deepEqual(buildEntries(p, new Set(), { ...all, maxPerFile: 0 }), []);
  });

  it('finds the least sure unlabeled line, skipping the current one', () => {
    assert.equal(mostUncertainLine(p, new Set()), 2);
    assert.equal(mostUncertainLine(p, new Set(), 2), 4);
    assert.equal(mostUncertainLine(p, new Set([0, 2, 3, 4])), -1);
  });
});
