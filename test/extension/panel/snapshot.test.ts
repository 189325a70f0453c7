// The snapshot tracker sends only what changed, and the webview's Dataset.patch turns those
// updates back into exactly what a fresh snapshot would show.

import assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import type { PanelChange, PanelDataSource, PanelLabel, PanelSourceLine, PanelStats } from '../../../src/extension/panel/model';
import { SnapshotTracker } from '../../../src/extension/panel/snapshot';
import { LABEL_PALETTE, LIMITS, lineKey, parseUpdate, type PanelSnapshot, type PanelUpdate } from '../../../src/protocol/panel';
import { Dataset } from '../../../src/webview/dataset';

const A = 'file:///w/a.txt';
const B = 'file:///w/b.txt';
const C = 'file:///w/c.txt';

class Source implements PanelDataSource {
  lines: PanelSourceLine[] = [];
  labels: PanelLabel[] = [
    { name: 'bug', color: '#ff0000' },
    { name: 'feature', color: '#00ff00' },
  ];
  stats: PanelStats = { backend: 'wasm', lastAdaptationMs: 10 };
  reads: (readonly string[] | undefined)[] = [];
  onDidChange: vscode.Event<PanelChange> = () => ({ dispose() {} });
  getLines = (documents?: readonly string[]) => {
    this.reads.push(documents);
    return documents ? this.lines.filter((l) => documents.includes(l.uri)) : this.lines;
  };
  getLabels = () => this.labels;
  getStats = () => this.stats;
  setLabel = async () => {};
  removeLabel = async () => {};
  setLabels = async () => {};
  createLabel = async () => {};
  renameLabel = async () => {};
  deleteLabel = async () => {};
  setLabelColor = async () => {};
  reveal = async () => {};
  setLabelKey = async () => {};
  switchTask = async () => {};
  estimateQuality = async () => ({ scheme: 'leave-one-out' as const, folds: 0, n: 0, correct: 0, method: 'default' });
  find(uri: string, line: number): PanelSourceLine {
    const l = this.lines.find((x) => x.uri === uri && x.line === line);
    if (!l) throw new Error(`no line ${line} in ${uri}`);
    return l;
  }
}

function documentOf(uri: string, n: number): PanelSourceLine[] {
  return Array.from({ length: n }, (_, line) => ({
    uri,
    line,
    text: `${uri.slice(-5)} line ${line}`,
    prediction: { label: line % 2 ? 'bug' : 'feature', confidence: 0.5 + (line % 50) / 100, uncertainty: 0.3 },
  }));
}

/** What a snapshot shows, independent of line order and document indices. */
function content(s: PanelSnapshot) {
  const lines = s.lines.map((l) => ({
    key: lineKey({ uri: s.documents[l.doc]!.uri, line: l.line }),
    text: l.text,
    label: l.label,
    prediction: l.prediction,
  }));
  lines.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { documents: s.documents.map((d) => d.uri).sort(), lines, labels: s.labels, stats: s.stats };
}

/** An update through the wire: JSON and the webview's validator, as the real panel gets it. */
function wire(u: PanelUpdate | undefined): PanelUpdate | undefined {
  if (!u) return undefined;
  const parsed = parseUpdate(JSON.parse(JSON.stringify(u)));
  if (!parsed.ok) throw new Error(`the webview would refuse the update: ${parsed.error}`);
  return parsed.value;
}

describe('panel snapshot tracker', () => {
  it('sends one changed line of a 100,000-line document, not the document', () => {
    const source = new Source();
    source.lines = [...documentOf(A, 100_000), ...documentOf(B, 10)];
    const tracker = new SnapshotTracker(source);
    const first = tracker.snapshot();
    assert.equal(first.lines.length, 100_010);
    source.find(A, 70_000).label = 'bug';
    const u = wire(tracker.update([A]))!;
    assert.deepEqual(u.replaced, []);
    assert.deepEqual(u.removed, []);
    assert.deepEqual(
      u.lines.map((l) => [l.doc, l.line, l.label]),
      [[0, 70_000, 'bug']],
    );
    assert.equal(u.labels, undefined, 'unchanged labels are not sent');
    assert.equal(u.stats, undefined, 'unchanged stats are not sent');
    assert.deepEqual(source.reads.at(-1), [A], 'only the changed document was read');
  });

  it('sends a prediction that became refined, even with the same label and confidence, and marks it', () => {
    const source = new Source();
    source.lines = documentOf(A, 5);
    const tracker = new SnapshotTracker(source);
    tracker.snapshot();
    const line = source.find(A, 2);
    line.prediction = { ...line.prediction!, refined: true };
    const u = wire(tracker.update([A]))!;
    assert.deepEqual(
      u.lines.map((l) => [l.line, l.prediction?.refined]),
      [[2, true]],
    );
    assert.equal(tracker.update([A]), undefined, 'then nothing more');
  });

  it('sends nothing when nothing changed, and stats alone when only they changed', () => {
    const source = new Source();
    source.lines = documentOf(A, 20);
    const tracker = new SnapshotTracker(source);
    tracker.snapshot();
    assert.equal(tracker.update([A]), undefined);
    assert.equal(tracker.update(), undefined);
    source.stats = { backend: 'cpu', lastAdaptationMs: 12 };
    source.labels = [...source.labels, { name: 'question', color: '#0000ff' }];
    const u = wire(tracker.update([]))!;
    assert.deepEqual(u.stats, { backend: 'cpu', lastAdaptationMs: 12 });
    assert.deepEqual(
      u.labels?.map((l) => l.name),
      ['bug', 'feature', 'question'],
    );
    assert.deepEqual([u.lines, u.removed, u.replaced], [[], [], []]);
  });

  it('says how many labels it leaves out (past the limit, or names the panel refuses) instead of hiding them silently (issue 8 item 9)', () => {
    const source = new Source();
    source.lines = documentOf(A, 5);
    const many = Array.from({ length: LIMITS.labels + 3 }, (_, i) => ({ name: `label ${i}`, color: '#ff0000' }));
    source.labels = [{ name: 'bad\u202ename', color: '#00ff00' }, ...many];
    const tracker = new SnapshotTracker(source);
    const snapshot = tracker.snapshot();
    assert.equal(snapshot.labels.length, LIMITS.labels);
    assert.equal(snapshot.stats.hiddenLabels, 4, 'three past the limit and one with a bidi mark');
    source.labels = many.slice(0, 10);
    const u = wire(tracker.update([]))!;
    assert.deepEqual(u.stats, { backend: 'wasm', lastAdaptationMs: 10 }, 'nothing hidden: the field is gone');
  });

  it("gives a label without a usable colour the label palette's next free colour", () => {
    const source = new Source();
    source.lines = documentOf(A, 5);
    source.labels = [
      { name: 'bug', color: LABEL_PALETTE[0]! },
      { name: 'odd', color: 'red; background: url(x)' },
      { name: 'none', color: '' },
    ];
    const colors = new SnapshotTracker(source).snapshot().labels.map((l) => l.color);
    assert.deepEqual(colors, [LABEL_PALETTE[0], LABEL_PALETTE[1], LABEL_PALETTE[2]]);
  });

  it("sends each label's lines outside the list, repaired, and again when they change", () => {
    const source = new Source();
    source.lines = documentOf(A, 5);
    source.labels = [
      { name: 'bug', color: '#ff0000', elsewhere: 7 },
      { name: 'feature', color: '#00ff00', elsewhere: 0 },
      { name: 'odd', color: '#0000ff', elsewhere: Number.NaN },
      { name: 'neg', color: '#0000ff', elsewhere: -2 },
    ];
    const tracker = new SnapshotTracker(source);
    const first = tracker.snapshot();
    assert.deepEqual(
      first.labels.map((l) => [l.name, l.elsewhere]),
      [
        ['bug', 7],
        ['feature', undefined],
        ['odd', undefined],
        ['neg', undefined],
      ],
    );
    // A label closed in an editor: its count outside the list grows, nothing else changes.
    source.labels = source.labels.map((l) => (l.name === 'feature' ? { ...l, elsewhere: 2 } : l));
    const u = wire(tracker.update([]))!;
    assert.deepEqual(
      u.labels?.map((l) => [l.name, l.elsewhere]),
      [
        ['bug', 7],
        ['feature', 2],
        ['odd', undefined],
        ['neg', undefined],
      ],
    );
    assert.equal(tracker.update([]), undefined);
  });

  it('drops a closed document from the table and sends a new one whole', () => {
    const source = new Source();
    source.lines = [...documentOf(A, 5), ...documentOf(B, 5)];
    const tracker = new SnapshotTracker(source);
    tracker.snapshot();
    source.lines = [...documentOf(B, 5), ...documentOf(C, 3)];
    const u = wire(tracker.update([A, C]))!;
    assert.deepEqual(
      u.documents.map((d) => d.uri),
      [B, C],
    );
    assert.deepEqual(u.replaced, [1]);
    assert.deepEqual(
      u.lines.map((l) => [l.doc, l.line]),
      [
        [1, 0],
        [1, 1],
        [1, 2],
      ],
      'only the new document goes out; B keeps its lines',
    );
  });

  it('sends a line the webview changed on its own again, even when the source did not change it', () => {
    const source = new Source();
    source.lines = documentOf(A, 5);
    const tracker = new SnapshotTracker(source);
    tracker.snapshot();
    tracker.forget({ uri: A, line: 3 });
    const u = wire(tracker.update([A]))!;
    assert.deepEqual(
      u.lines.map((l) => l.line),
      [3],
    );
    assert.equal(tracker.update([A]), undefined, 'and only once');
  });

  it('keeps the webview equal to a fresh snapshot through random changes', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const source = new Source();
    source.lines = [...documentOf(A, 40), ...documentOf(B, 40)];
    const tracker = new SnapshotTracker(source);
    let dataset = new Dataset(tracker.snapshot());
    const uris = [A, B, C];
    for (let step = 0; step < 300; step++) {
      const uri = uris[rand(3)]!;
      const mine = source.lines.filter((l) => l.uri === uri);
      const op = rand(7);
      if (op === 0 && mine.length) mine[rand(mine.length)]!.label = ['bug', 'feature'][rand(2)];
      else if (op === 1 && mine.length) delete mine[rand(mine.length)]!.label;
      else if (op === 2 && mine.length) mine[rand(mine.length)]!.text = `edited ${step}`;
      else if (op === 3 && mine.length) source.lines = source.lines.filter((l) => l !== mine[rand(mine.length)]);
      else if (op === 4) source.lines.push({ uri, line: 100 + step, text: `new ${step}` });
      else if (op === 5)
        source.lines = rand(2)
          ? source.lines.filter((l) => l.uri !== uri)
          : [...source.lines.filter((l) => l.uri !== uri), ...documentOf(uri, 1 + rand(30))];
      else for (const l of mine) if (l.prediction) l.prediction = { ...l.prediction, confidence: rand(100) / 100 };
      if (rand(5) === 0) tracker.forget({ uri, line: rand(40) });
      const update = wire(tracker.update(rand(4) ? [uri] : undefined));
      if (update) dataset = dataset.patch(update);
      assert.deepEqual(
        content(dataset.snapshot),
        content(new SnapshotTracker(source).snapshot()),
        `after step ${step} (op ${op} on ${uri})`,
      );
      for (let i = 0; i < dataset.lines.length; i++) assert.equal(dataset.indexOf(dataset.keys[i]!), i);
    }
  });
});
