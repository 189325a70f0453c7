// Runs inside the test page, before the panel's script: a stubbed `acquireVsCodeApi` that
// records every posted message and keeps setState in sessionStorage (so it survives a reload,
// as VS Code's does), and a fake extension host that answers requests and sends snapshots.
// It is passed to Playwright's addInitScript as a function, so it must be self-contained.

export interface FakeHostOptions {
  lines: number;
  /** Texts placed at the start of the first document (index 0, 1, ...). */
  special: string[];
  /** Extra labels after bug, feature and question (`intent_<i>`, the first ones named `labelNames`). */
  extraLabels: number;
  labelNames: string[];
  /** How long a quality estimate takes to answer (unless cancelled first). */
  qualityMs: number;
}

export function installFakeHost(options: FakeHostOptions): void {
  type Line = {
    doc: number;
    line: number;
    text: string;
    label?: string;
    labels?: string[];
    prediction?: { label: string; confidence: number; uncertainty: number; labels?: string[] };
  };
  const w = window as unknown as Record<string, unknown>;
  const posted: unknown[] = [];
  const requests: { method: string; params: unknown }[] = [];
  w.__posted = posted;
  w.__requests = requests;
  w.__pwned = false;

  const labels: { name: string; color: string; key?: string }[] = [
    { name: 'bug', color: '#e5534b' },
    { name: 'feature', color: '#3fb950' },
    { name: 'question', color: '#d29922' },
  ];
  for (let i = 0; i < options.extraLabels; i++)
    labels.push({ name: options.labelNames[i] ?? `intent_${i}`, color: `#${(0x203040 + i * 0x010305).toString(16).slice(-6)}` });
  // Keys as the extension's palette gives them: the chosen ones, then digits 1-9 in label order.
  const chosen = new Map<string, string>();
  const assignKeys = () => {
    const taken = new Set(chosen.values());
    const free = ['1', '2', '3', '4', '5', '6', '7', '8', '9'].filter((k) => !taken.has(k));
    for (const l of labels) {
      const k = chosen.get(l.name) ?? free.shift();
      if (k) l.key = k;
      else delete l.key;
    }
  };
  assignKeys();
  const cancels: number[] = [];
  w.__cancels = cancels;
  const running = new Map<number, ReturnType<typeof setTimeout>>();
  const documents = [
    { uri: 'file:///work/tickets-a.txt', name: 'tickets-a.txt' },
    { uri: 'file:///work/tickets-b.txt', name: 'tickets-b.txt' },
  ];
  const words = [
    'crash when saving',
    'please add dark mode',
    'how do I export',
    'error on startup',
    'support for tabs',
    'where is the config',
    'slow scrolling',
    'new shortcut for',
    'is there a way to',
  ];
  // A small deterministic generator so every run sees the same data.
  let seed = 12345;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const half = Math.ceil(options.lines / 2);
  const lines: Line[] = [];
  for (let i = 0; i < options.lines; i++) {
    const doc = i < half ? 0 : 1;
    const text = i < options.special.length ? options.special[i] : `${words[i % words.length]} #${i}`;
    const l: Line = { doc, line: doc === 0 ? i : i - half, text };
    const r = rand();
    if (i % 7 === 3) l.label = labels[i % 3].name;
    else {
      const confidence = Math.round((0.34 + 0.66 * r) * 1000) / 1000;
      l.prediction = { label: labels[(i * 5) % 3].name, confidence, uncertainty: Math.round((1 - confidence) * 1000) / 1000 };
    }
    lines.push(l);
  }
  const stats: { backend: string; lastAdaptationMs: number; multiLabel?: true } = { backend: 'wasm', lastAdaptationMs: 42 };
  w.__data = { labels, documents, lines };
  // A test makes the active task multi-label (as the extension's stats say it), from the next snapshot on.
  w.__setMultiLabel = () => {
    stats.multiLabel = true;
    for (const l of lines) if (l.prediction) l.prediction.labels = [l.prediction.label];
    snapshot();
  };

  const send = (message: unknown) => window.postMessage(message, '*');
  const snapshot = () => {
    assignKeys();
    send({ kind: 'snapshot', snapshot: { documents, lines, labels, stats } });
  };
  w.__sendSnapshot = snapshot;
  w.__send = send;
  const find = (ref: { uri: string; line: number }) => {
    const doc = documents.findIndex((d) => d.uri === ref.uri);
    return lines.find((l) => l.doc === doc && l.line === ref.line);
  };
  const handlers: Record<string, (p: Record<string, unknown>) => unknown> = {
    setLabel: (p) => {
      const l = find(p.ref as { uri: string; line: number });
      if (!l) throw new Error('no such line');
      l.label = p.label as string;
      return null;
    },
    removeLabel: (p) => {
      const l = find(p.ref as { uri: string; line: number });
      if (l) {
        delete l.label;
        delete l.labels;
      }
      return null;
    },
    setLabels: (p) => {
      const l = find(p.ref as { uri: string; line: number });
      if (!l) throw new Error('no such line');
      const set = [...(p.labels as string[])].sort();
      l.label = set[0] ?? 'none';
      l.labels = set;
      return null;
    },
    createLabel: (p) => {
      if (labels.some((l) => l.name === p.name)) throw new Error(`label ${String(p.name)} exists`);
      labels.push({ name: p.name as string, color: (p.color as string) ?? '#888888' });
      return null;
    },
    renameLabel: (p) => {
      for (const l of labels) if (l.name === p.from) l.name = p.to as string;
      for (const l of lines) {
        if (l.label === p.from) l.label = p.to as string;
        if (l.prediction && l.prediction.label === p.from) l.prediction.label = p.to as string;
      }
      return null;
    },
    deleteLabel: (p) => {
      const i = labels.findIndex((l) => l.name === p.name);
      if (i >= 0) labels.splice(i, 1);
      for (const l of lines) if (l.label === p.name) delete l.label;
      return null;
    },
    setLabelColor: (p) => {
      const label = labels.find((l) => l.name === p.name);
      if (!label) throw new Error(`There is no label named ${String(p.name)}.`);
      label.color = p.color as string;
      return null;
    },
    reveal: () => null,
    switchTask: () => null,
    setLabelKey: (p) => {
      if (!labels.some((l) => l.name === p.name)) throw new Error(`There is no label named ${String(p.name)}.`);
      for (const [name, key] of chosen) if (key === p.key) chosen.delete(name);
      if (p.key === null) chosen.delete(p.name as string);
      else chosen.set(p.name as string, p.key as string);
      return null;
    },
  };
  const host = (m: { kind: string; id: number; method: string; params: Record<string, unknown> }) => {
    if (m.kind === 'ready') return snapshot();
    if (m.kind === 'cancel') {
      cancels.push(m.id);
      const timer = running.get(m.id);
      if (timer === undefined) return;
      clearTimeout(timer);
      running.delete(m.id);
      return send({ kind: 'response', id: m.id, error: { message: 'quality estimate cancelled', code: 'cancelled' } });
    }
    if (m.kind !== 'request') return;
    requests.push({ method: m.method, params: m.params });
    if (m.method === 'quality') {
      // 29 labeled lines, 22 right: 75.9%, the Wilson interval 57.9%-87.8%.
      const result = { scheme: 'k-fold', folds: 5, n: 29, correct: 22, method: 'default', document: 'tickets-a.txt' };
      running.set(
        m.id,
        setTimeout(() => {
          running.delete(m.id);
          send({ kind: 'response', id: m.id, result });
        }, options.qualityMs),
      );
      return;
    }
    try {
      const result = handlers[m.method](m.params);
      send({ kind: 'response', id: m.id, result });
      if (m.method !== 'reveal') snapshot();
    } catch (e) {
      send({ kind: 'response', id: m.id, error: { message: (e as Error).message, code: 'input' } });
    }
  };
  const key = 'fake-vscode-state';
  w.acquireVsCodeApi = () => ({
    postMessage(m: unknown) {
      const copy = JSON.parse(JSON.stringify(m));
      posted.push(copy);
      setTimeout(() => host(copy), 0);
    },
    getState() {
      const s = sessionStorage.getItem(key);
      return s === null ? undefined : JSON.parse(s);
    },
    setState(s: unknown) {
      sessionStorage.setItem(key, JSON.stringify(s));
    },
  });
}
