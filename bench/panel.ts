// Labeling panel data path at 100,000 lines: what one change costs the extension host (reading
// the lines, building the message, serialising it as postMessage does) and the webview
// (parsing and validating, indexing, ordering the list), for a full snapshot against an
// incremental update. Node only: the vscode calls are replaced by a source that builds its
// lines from arrays, like the real one does from the open documents.
// Usage: npm run build && node out/bench/panel.js [--lines 100000] [--trials 9]
import { performance } from 'node:perf_hooks';
import type { PanelDataSource, PanelSourceLine } from '../src/extension/panel/model';
import { SnapshotTracker } from '../src/extension/panel/snapshot';
import { parseHostMessage, type HostToWebview } from '../src/protocol/panel';
import { Dataset } from '../src/webview/dataset';
import { positiveArg } from './lib/args';

const arg = (name: string, fallback: number) => Math.floor(positiveArg(name, fallback));
const LINES = arg('lines', 100_000);
const TRIALS = arg('trials', 9);
const LABELS = ['billing', 'account', 'bug', 'shipping'];
const URI = 'file:///workspace/tickets.txt';

/** One big document: texts, labels and predictions in arrays, read into objects per call. */
class ArraySource implements PanelDataSource {
  texts = Array.from({ length: LINES }, (_, i) => `ticket ${i}: the ${LABELS[i % 4]} page shows something odd again`);
  labels = new Map<number, string>();
  confidence = Float64Array.from({ length: LINES }, (_, i) => 0.4 + ((i * 7919) % 600) / 1000);
  onDidChange = () => ({ dispose() {} });
  getLines(): PanelSourceLine[] {
    const out: PanelSourceLine[] = new Array(LINES);
    for (let line = 0; line < LINES; line++) {
      const entry: PanelSourceLine = { uri: URI, line, text: this.texts[line]! };
      const label = this.labels.get(line);
      if (label !== undefined) entry.label = label;
      const c = this.confidence[line]!;
      entry.prediction = { label: LABELS[line % 4]!, confidence: c, uncertainty: 1 - c };
      out[line] = entry;
    }
    return out;
  }
  getLabels = () => LABELS.map((name, i) => ({ name, color: ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2'][i]! }));
  getStats = () => ({ backend: 'wasm', lastAdaptationMs: 40 });
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
}

const time = (fn: () => void): number => {
  const t = performance.now();
  fn();
  return performance.now() - t;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const view = { sort: 'uncertainty', filter: 'all', doc: null, search: '' } as const;

interface Row {
  host: number[];
  webview: number[];
  bytes: number;
  lines: number;
}

function run(name: string, change: (source: ArraySource, trial: number) => void, full: boolean): [string, Row] {
  const source = new ArraySource();
  const tracker = new SnapshotTracker(source);
  let dataset = new Dataset(tracker.snapshot());
  const row: Row = { host: [], webview: [], bytes: 0, lines: 0 };
  for (let t = 0; t <= TRIALS; t++) {
    change(source, t);
    let wire = '';
    let sentLines = 0;
    // The host's task: read the lines, build the message, serialise it (postMessage copies it).
    const host = time(() => {
      let message: HostToWebview | undefined;
      if (full) message = { kind: 'snapshot', snapshot: tracker.snapshot() };
      else {
        const update = tracker.update([URI]);
        if (update) message = { kind: 'update', update };
      }
      if (message) wire = JSON.stringify(message);
      sentLines =
        message?.kind === 'snapshot' ? message.snapshot.lines.length : message?.kind === 'update' ? message.update.lines.length : 0;
    });
    // The webview's task: parse and validate, apply, and order the list again.
    const webview = time(() => {
      if (!wire) throw new Error(`bench: ${name} sent nothing at trial ${t}`);
      const parsed = parseHostMessage(JSON.parse(wire));
      if (!parsed.ok) throw new Error(`bench: the webview refused the message: ${parsed.error}`);
      const m = parsed.value;
      if (m.kind === 'snapshot') dataset = new Dataset(m.snapshot);
      else if (m.kind === 'update') dataset = dataset.patch(m.update);
      dataset.view(view);
    });
    if (t === 0) continue; // warm-up
    row.host.push(host);
    row.webview.push(webview);
    row.bytes = wire.length;
    row.lines = sentLines;
  }
  return [name, row];
}

const labelOne = (s: ArraySource, t: number) => s.labels.set(1000 + t * 37, LABELS[t % 4]!);
const rerun = (s: ArraySource, t: number) => {
  for (let i = 0; i < s.confidence.length; i++) s.confidence[i] = 0.4 + ((i * 7919 + (t + 1) * 104729) % 600) / 1000;
};

const rows = [
  run('one label set, full snapshot (before)', labelOne, true),
  run('one label set, incremental update', labelOne, false),
  run('new predictions for every line, full snapshot (before)', rerun, true),
  run('new predictions for every line, incremental update', rerun, false),
];
console.log(
  `\nLabeling panel: one change at ${LINES} lines, median of ${TRIALS} (ms on this machine; host = extension host main thread)\n`,
);
console.log('| change | host ms | webview ms | message KB | lines sent |');
console.log('|---|---:|---:|---:|---:|');
for (const [name, r] of rows) {
  console.log(`| ${name} | ${median(r.host).toFixed(1)} | ${median(r.webview).toFixed(1)} | ${(r.bytes / 1024).toFixed(1)} | ${r.lines} |`);
}
