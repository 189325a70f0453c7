// The panel's pure parts in Node: statistics, the restored view state and the list's view.

import assert from 'node:assert/strict';
import type { PanelSnapshot } from '../../src/protocol/panel';
import { Dataset } from '../../src/webview/dataset';
import { restoreViewState, type StatusFilter } from '../../src/webview/state';
import { histogram, sample, wilson } from '../../src/webview/stats';

describe('panel logic', () => {
  it('computes the Wilson 95% interval', () => {
    // Reference values: 8/10 -> [0.4902, 0.9433]; 0/10 -> [0, 0.2775]; 20/20 -> [0.8389, 1].
    const a = wilson(8, 10)!;
    assert.ok(Math.abs(a.low - 0.4902) < 1e-3 && Math.abs(a.high - 0.9433) < 1e-3, JSON.stringify(a));
    const b = wilson(0, 10)!;
    assert.ok(b.low === 0 && Math.abs(b.high - 0.2775) < 1e-3, JSON.stringify(b));
    const c = wilson(20, 20)!;
    assert.ok(Math.abs(c.low - 0.8389) < 1e-3 && c.high === 1, JSON.stringify(c));
    assert.equal(wilson(0, 0), undefined);
    assert.equal(wilson(3, 2), undefined);
  });

  it('bins confidences and samples without repeats', () => {
    assert.deepEqual(histogram([0, 0.05, 0.1, 0.95, 1, Number.NaN], 10), [2, 1, 0, 0, 0, 0, 0, 0, 0, 2]);
    const s = sample([1, 2, 3, 4, 5, 6], 4, () => 0.5);
    assert.equal(new Set(s).size, 4);
    assert.equal(sample([1, 2], 5).length, 2);
  });

  it('restores view state defensively', () => {
    const s = restoreViewState({
      v: 1,
      sort: 'confidence',
      filter: 'predicted:bug',
      doc: 'file:///a',
      search: 'x',
      cursor: '3@file:///a',
      scrollTop: 52,
      history: [
        { ref: { uri: 'u', line: 2 }, kind: 'label', after: 'bug' },
        { ref: { uri: 'u', line: -1 }, kind: 'label' },
      ],
      precision: { label: 'bug', queue: [{ uri: 'u', line: 1 }], index: 9, correct: 1, wrong: 0 },
    });
    assert.equal(s.sort, 'confidence');
    assert.equal(s.filter, 'predicted:bug');
    assert.equal(s.history.length, 1, 'the bad decision is dropped');
    assert.equal(s.precision!.index, 1, 'the index is clamped to the queue');
    const junk = restoreViewState({ v: 1, sort: 'random', filter: 'predicted:', scrollTop: -5, history: 'x', precision: 3 });
    assert.deepEqual([junk.sort, junk.filter, junk.scrollTop, junk.history, junk.precision], ['uncertainty', 'all', 0, [], null]);
    assert.equal(restoreViewState(undefined).sort, 'uncertainty');
  });

  it('lists lines that fit no label (marked or predicted none) under their own filter; none is key 0', () => {
    const labels = [
      { name: 'x', color: '#000000' },
      { name: 'none', color: '#111111' },
      { name: 'y', color: '#ffffff' },
    ];
    const d = new Dataset({
      documents: [{ uri: 'a', name: 'a' }],
      lines: [
        { doc: 0, line: 0, text: 'hello', label: 'none' },
        { doc: 0, line: 1, text: 'refund', prediction: { label: 'x', confidence: 0.9, uncertainty: 0.1 } },
        { doc: 0, line: 2, text: 'weather', prediction: { label: 'none', confidence: 0.8, uncertainty: 0.3 } },
        { doc: 0, line: 3, text: 'marked x', label: 'x', prediction: { label: 'none', confidence: 0.8, uncertainty: 0.3 } },
      ],
      labels,
      stats: { backend: 'cpu', lastAdaptationMs: null },
    });
    assert.deepEqual(Array.from(d.view({ sort: 'document', filter: 'none', doc: null, search: '' })), [0, 2]);
    assert.equal(restoreViewState({ v: 1, filter: 'none' }).filter, 'none');
  });

  it('a multi-label task: a set counts for each of its labels, and a predicted set is found under each of its labels', () => {
    const d = new Dataset({
      documents: [{ uri: 'a', name: 'a' }],
      lines: [
        { doc: 0, line: 0, text: 'invoice crash', label: 'billing', labels: ['billing', 'bug'] },
        { doc: 0, line: 1, text: 'sunny', label: 'none', labels: [] },
        {
          doc: 0,
          line: 2,
          text: 'app crash bill',
          prediction: { label: 'bug', confidence: 0.9, uncertainty: 0.1, labels: ['bug', 'billing'] },
        },
        { doc: 0, line: 3, text: 'crash', prediction: { label: 'bug', confidence: 0.8, uncertainty: 0.2, labels: ['bug'] } },
        { doc: 0, line: 4, text: 'hello', prediction: { label: 'none', confidence: 0.7, uncertainty: 0.3, labels: [] } },
      ],
      labels: [
        { name: 'billing', color: '#000000' },
        { name: 'bug', color: '#111111' },
      ],
      stats: { backend: 'cpu', lastAdaptationMs: null, multiLabel: true },
    });
    assert.deepEqual([...d.labeledCounts()].sort(), [
      ['billing', 1],
      ['bug', 1],
      ['none', 1],
    ]);
    assert.deepEqual([...d.predictedCounts()].sort(), [
      ['billing', 1],
      ['bug', 2],
      ['none', 1],
    ]);
    const view = (filter: StatusFilter) => Array.from(d.view({ sort: 'document', filter, doc: null, search: '' }));
    assert.deepEqual(view('predicted:billing'), [2], 'the second label of a predicted set');
    assert.deepEqual(view('predicted:bug'), [2, 3]);
    assert.deepEqual(view('none'), [1, 4]);
    assert.deepEqual(d.predictedAs('billing'), [2]);
  });

  it('filters and orders the list', () => {
    const snapshot: PanelSnapshot = {
      documents: [
        { uri: 'a', name: 'a' },
        { uri: 'b', name: 'b' },
      ],
      lines: [
        { doc: 1, line: 0, text: 'Beta one', prediction: { label: 'x', confidence: 0.9, uncertainty: 0.1 } },
        { doc: 0, line: 1, text: 'alpha two', label: 'y' },
        { doc: 0, line: 0, text: 'alpha one', prediction: { label: 'y', confidence: 0.5, uncertainty: 0.8 } },
        { doc: 0, line: 2, text: 'alpha three', prediction: { label: 'x', confidence: 0.7, uncertainty: 0.4 } },
      ],
      labels: [
        { name: 'x', color: '#000000' },
        { name: 'y', color: '#ffffff' },
      ],
      stats: { backend: 'cpu', lastAdaptationMs: null },
    };
    const d = new Dataset(snapshot);
    const view = (o: object) => Array.from(d.view({ sort: 'uncertainty', filter: 'all', doc: null, search: '', ...o }));
    assert.deepEqual(view({}), [2, 3, 0, 1], 'most uncertain first, labeled last');
    assert.deepEqual(view({ sort: 'document' }), [2, 1, 3, 0]);
    assert.deepEqual(view({ sort: 'confidence' }), [0, 3, 2, 1]);
    assert.deepEqual(view({ filter: 'labeled' }), [1]);
    assert.deepEqual(view({ filter: 'unlabeled' }), [2, 3, 0]);
    assert.deepEqual(view({ filter: 'low' }), [2]);
    assert.deepEqual(view({ filter: 'predicted:x' }), [3, 0]);
    assert.deepEqual(view({ doc: 'b' }), [0]);
    assert.deepEqual(view({ doc: 'gone' }), []);
    assert.deepEqual(view({ search: ' ALPHA T' }), [3, 1]);
    assert.deepEqual(
      [...d.predictedCounts()],
      [
        ['x', 2],
        ['y', 1],
      ],
    );
    assert.deepEqual([...d.labeledCounts()], [['y', 1]]);
    assert.deepEqual(d.confidenceHistogram(), [0, 0, 0, 0, 0, 1, 0, 1, 0, 1]);
  });
});
