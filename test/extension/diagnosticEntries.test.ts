import * as assert from 'node:assert/strict';
import {
  allTasksMessage,
  buildEntries,
  capEntries,
  capNotice,
  formatLabelSet,
  formatPrediction,
  mostUncertainLine,
  predictedSet,
  type DocumentPredictions,
} from '../../src/extension/diagnosticEntries';

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
    assert.deepEqual(
      entries.map((e) => e.line),
      [0, 2, 4],
    );
    assert.equal(entries[0]!.message, 'billing 93%');
    assert.equal(entries[1]!.label, 'account');
  });

  it('drops predictions under the minimum confidence', () => {
    assert.deepEqual(
      buildEntries(p, new Set(), { ...all, minConfidence: 0.75 }).map((e) => e.line),
      [0, 3],
    );
  });

  it('caps per file, keeping the surest or the least sure lines', () => {
    assert.deepEqual(
      buildEntries(p, new Set(), { ...all, maxPerFile: 2 }).map((e) => e.line),
      [0, 3],
    );
    assert.deepEqual(
      buildEntries(p, new Set(), { ...all, maxPerFile: 2, priority: 'uncertainty' }).map((e) => e.line),
      [2, 4],
    );
    assert.deepEqual(buildEntries(p, new Set(), { ...all, maxPerFile: 0 }), []);
  });

  it('says what the cap hides: how many of how many, which were kept, where the rest are', () => {
    assert.deepEqual(
      [capEntries(p, new Set([3]), { ...all, maxPerFile: 2 })].map(({ entries, total }) => [entries.length, total]),
      [[2, 3]],
      'the labeled line is not counted as hidden',
    );
    assert.equal(
      capNotice(1000, 1844, 'uncertainty'),
      'Few-Shot: 1,000 of 1,844 predictions shown (the least certain; fewshot.diagnostics.maxPerFile) — open the panel for all',
    );
    assert.match(capNotice(2, 3, 'confidence')!, /^Few-Shot: 2 of 3 predictions shown \(the most confident;/);
    assert.equal(capNotice(3, 3, 'uncertainty'), undefined, 'nothing hidden, nothing said');
    assert.equal(capEntries(p, new Set(), { ...all, maxPerFile: 0 }).total, 4);
  });

  it('finds the least sure unlabeled line, skipping the current one', () => {
    assert.equal(mostUncertainLine(p, new Set()), 2);
    assert.equal(mostUncertainLine(p, new Set(), 2), 4);
    assert.equal(mostUncertainLine(p, new Set([0, 2, 3, 4])), -1);
  });
});

describe('prediction view cap on large documents', () => {
  it('keeps exactly the top scores, ties broken by line order, matching a full sort', () => {
    const n = 5000;
    let seed = 7;
    const rand = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    // Scores rounded to 2 decimals so there are many ties.
    const confidence = Float32Array.from({ length: n }, () => Math.round(rand() * 100) / 100);
    const p: DocumentPredictions = {
      labels: ['a', 'b'],
      labelIndex: new Int32Array(n).fill(0),
      confidence,
      uncertainty: new Float32Array(n),
    };
    for (const cap of [1, 37, 1000, 4999]) {
      const got = buildEntries(p, new Set([3, 4]), { minConfidence: 0, maxPerFile: cap, priority: 'confidence' }).map((e) => e.line);
      const expected = Array.from({ length: n }, (_, i) => i)
        .filter((i) => i !== 3 && i !== 4)
        .sort((a, b) => confidence[b]! - confidence[a]! || a - b)
        .slice(0, cap)
        .sort((a, b) => a - b);
      assert.deepEqual(got, expected, `cap ${cap}`);
    }
  });
});

describe('prediction view: lines that fit no label', () => {
  const p: DocumentPredictions = {
    labels: ['billing', 'none', 'tech'],
    labelIndex: Int32Array.from([0, 1, -1, 2, 1]),
    confidence: Float32Array.from([0.9, 0.8, 0, 0.7, 0.95]),
    uncertainty: Float32Array.from([0.1, 0.3, 0, 0.4, 0.05]),
  };
  const options = { minConfidence: 0, maxPerFile: 100, priority: 'confidence' as const };

  it('gives lines predicted as none no entry by default, and they do not use up the cap', () => {
    assert.deepEqual(
      buildEntries(p, new Set(), options).map((e) => [e.line, e.label, e.none]),
      [
        [0, 'billing', false],
        [3, 'tech', false],
      ],
    );
    assert.deepEqual(
      buildEntries(p, new Set(), { ...options, maxPerFile: 2 }).map((e) => e.line),
      [0, 3],
    );
  });

  it('shows them, marked as none, when asked', () => {
    const entries = buildEntries(p, new Set([4]), { ...options, showNone: true });
    assert.deepEqual(
      entries.map((e) => [e.line, e.none]),
      [
        [0, false],
        [1, true],
        [3, false],
      ],
    );
    assert.equal(entries[1]!.message, 'none (fits no label) 80%');
  });
});

describe('prediction view: every task on one line (fewshot.diagnostics.allTasks)', () => {
  it('puts the active task first, then each other task: its label where it labeled the line, else its prediction', () => {
    const urgency = {
      labels: ['high', 'low'],
      labelIndex: Int32Array.from([0, -1, 1]),
      confidence: Float32Array.from([0.714, 0, 0.6]),
      uncertainty: new Float32Array(3),
    };
    const others = [
      { name: 'urgency', labels: new Map<number, string>(), predictions: urgency },
      { name: 'tone', labels: new Map([[0, 'angry']]), predictions: undefined },
    ];
    const active = { name: 'intent', message: formatPrediction('billing', 0.93) };
    assert.equal(allTasksMessage(0, active, others), 'intent: billing 93% · urgency: high 71% · tone: angry (labeled)');
    assert.equal(allTasksMessage(1, active, others), 'intent: billing 93%', 'a task without a prediction for the line is left out');
    assert.equal(allTasksMessage(2, active, others), 'intent: billing 93% · urgency: low 60%');
  });
});

describe('prediction view of a multi-label task (predicted sets)', () => {
  // Line 0: {bug 0.91, billing 0.6}; line 1: the empty set (none, 0.8); line 2: no prediction; line 3: {billing 0.7}.
  const p: DocumentPredictions = {
    labels: ['billing', 'bug', 'none'],
    labelIndex: Int32Array.of(1, 2, -1, 0),
    confidence: Float32Array.of(0.91, 0.8, 0, 0.7),
    uncertainty: Float32Array.of(0.3, 0.1, 0, 0.5),
    sets: { start: Int32Array.of(0, 2, 2, 2, 3), label: Int32Array.of(1, 0, 0), confidence: Float32Array.of(0.91, 0.6, 0.7) },
  };
  const all = { minConfidence: 0, maxPerFile: 100, priority: 'confidence' as const };

  it('one entry per line listing the set with each confidence; the empty set is none, shown only with showNone', () => {
    assert.deepEqual(predictedSet(p, 0), [
      { label: 'bug', confidence: p.sets!.confidence[0] },
      { label: 'billing', confidence: p.sets!.confidence[1] },
    ]);
    assert.deepEqual(
      buildEntries(p, new Set(), all).map((e) => [e.line, e.message]),
      [
        [0, 'bug 91% · billing 60%'],
        [3, 'billing 70%'],
      ],
    );
    const withNone = buildEntries(p, new Set(), { ...all, showNone: true });
    assert.deepEqual(
      withNone.map((e) => [e.line, e.message, e.none, e.set?.length]),
      [
        [0, 'bug 91% · billing 60%', false, 2],
        [1, 'none (fits no label) 80%', true, 0],
        [3, 'billing 70%', false, 1],
      ],
    );
    assert.equal(formatLabelSet([], 0.5), 'none (fits no label) 50%');
  });

  it('another task that is multi-label shows its set in the all-tasks message', () => {
    assert.equal(
      allTasksMessage(0, { name: 'intent', message: 'refund 90%' }, [{ name: 'topics', labels: new Map(), predictions: p }]),
      'intent: refund 90% · topics: bug 91% · billing 60%',
    );
    // Its labeled lines by their whole set (the empty set: none), not the set's first label.
    const labeled = new Map<number, readonly string[]>([
      [0, ['billing', 'bug']],
      [1, []],
    ]);
    const others = [{ name: 'topics', labels: labeled, predictions: p }];
    assert.equal(
      allTasksMessage(0, { name: 'intent', message: 'refund 90%' }, others),
      'intent: refund 90% · topics: billing · bug (labeled)',
    );
    assert.equal(allTasksMessage(1, { name: 'intent', message: 'refund 90%' }, others), 'intent: refund 90% · topics: none (labeled)');
  });
});
