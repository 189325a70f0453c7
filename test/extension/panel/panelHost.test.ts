// The panel host with a minimal fake of the webview API: its HTML and CSP, the ready
// handshake, validation of incoming messages, requests and snapshots.

import assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import type { LineRef, PanelChange, PanelDataSource, PanelLabel, PanelSourceLine, PanelStats } from '../../../src/extension/panel/model';
import { PanelHost, type WebviewLike } from '../../../src/extension/panel/panelHost';
import { PANEL_STRINGS } from '../../../src/protocol/panelStrings';
import { buildSnapshot } from '../../../src/extension/panel/snapshot';
import type { HostToWebview, PanelSnapshot } from '../../../src/protocol/panel';
import { RpcError, type CancelSignal } from '../../../src/protocol/rpc';
import { WORKER_MESSAGES } from '../../../src/protocol/workerMessages';
import { inLanguageUntil } from '../fakeVscode';

const EXT = 'file:///ext';
const CSP_SOURCE = 'https://file+.vscode-resource.vscode-cdn.net';
const uri = (s: string) => ({ toString: () => s, path: s.replace('file://', '') }) as unknown as vscode.Uri;

class FakeWebview implements WebviewLike {
  html = '';
  readonly cspSource = CSP_SOURCE;
  readonly posted: HostToWebview[] = [];
  private listeners: ((m: unknown) => void)[] = [];
  asWebviewUri(u: vscode.Uri): vscode.Uri {
    return uri(`${CSP_SOURCE}${u.path}`);
  }
  postMessage(message: unknown): Thenable<boolean> {
    this.posted.push(JSON.parse(JSON.stringify(message)));
    return Promise.resolve(true);
  }
  onDidReceiveMessage: vscode.Event<unknown> = (listener) => {
    this.listeners.push(listener as (m: unknown) => void);
    return { dispose: () => (this.listeners = this.listeners.filter((l) => l !== listener)) };
  };
  send(m: unknown): void {
    for (const l of this.listeners) l(m);
  }
  get listenerCount(): number {
    return this.listeners.length;
  }
}

class FakeSource implements PanelDataSource {
  lines: PanelSourceLine[] = [
    { uri: 'file:///w/a%20b.txt', line: 0, text: 'crash on save', label: 'bug' },
    { uri: 'file:///w/a%20b.txt', line: 1, text: 'add tabs', prediction: { label: 'feature', confidence: 1.7, uncertainty: -0.2 } },
    { uri: 'file:///w/c.txt', line: 4, text: '</script>', prediction: { label: 'bug', confidence: 0.6, uncertainty: 0.5 } },
  ];
  labels: PanelLabel[] = [
    { name: 'bug', color: '#ff0000' },
    { name: 'feature', color: 'url(javascript:1)' },
  ];
  stats: PanelStats = { backend: 'wasm', lastAdaptationMs: 12.5 };
  calls: string[] = [];
  /** When set, setLabel refuses with this message (like a corrupt label file). */
  refuse: string | undefined;
  private listeners: ((c: PanelChange) => void)[] = [];
  onDidChange: vscode.Event<PanelChange> = (listener) => {
    this.listeners.push(listener);
    return {
      dispose: () => {
        this.listeners = this.listeners.filter((l) => l !== listener);
      },
    };
  };
  fire(change: PanelChange = {}): void {
    for (const l of this.listeners) l(change);
  }
  getLines = (documents?: readonly string[]) => (documents ? this.lines.filter((l) => documents.includes(l.uri)) : this.lines);
  getLabels = () => this.labels;
  getStats = () => this.stats;
  async setLabel(ref: LineRef, label: string) {
    if (this.refuse) throw new Error(this.refuse);
    this.calls.push(`setLabel ${ref.uri}:${ref.line} ${label}`);
    const line = this.lines.find((l) => l.uri === ref.uri && l.line === ref.line);
    if (line) line.label = label;
    this.fire({ documents: [ref.uri] });
  }
  async setLabels(ref: LineRef, labels: string[]) {
    this.calls.push(`setLabels ${ref.line} ${labels.join('+')}`);
  }
  async removeLabel(ref: LineRef) {
    this.calls.push(`removeLabel ${ref.line}`);
  }
  async createLabel(name: string, color?: string) {
    if (this.labels.some((l) => l.name === name)) throw new Error(`label ${name} already exists`);
    this.calls.push(`createLabel ${name} ${color}`);
  }
  async renameLabel(from: string, to: string) {
    this.calls.push(`renameLabel ${from} ${to}`);
  }
  async deleteLabel(name: string) {
    this.calls.push(`deleteLabel ${name}`);
  }
  async setLabelColor(name: string, color: string) {
    const label = this.labels.find((l) => l.name === name);
    if (!label) throw new Error(`There is no label named ${name}.`);
    this.calls.push(`setLabelColor ${name} ${color}`);
    label.color = color;
    this.fire({ documents: [] });
  }
  async reveal(ref: LineRef) {
    this.calls.push(`reveal ${ref.line}`);
  }
  async setLabelKey(name: string, key: string | null) {
    this.calls.push(`setLabelKey ${name} ${key}`);
  }
  async switchTask(name: string) {
    this.calls.push(`switchTask ${name}`);
  }
  /** Answers once cancelled (the data source stops between folds), or after 40 ms. */
  async estimateQuality(uri: string | undefined, signal: CancelSignal) {
    this.calls.push(`estimateQuality ${uri}`);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 40);
      signal.onCancellationRequested(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    if (signal.isCancellationRequested) throw new RpcError('quality estimate cancelled', 'cancelled');
    return { scheme: 'k-fold' as const, folds: 5, n: 40, correct: 30, method: 'default' };
  }
}

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

function setup() {
  const webview = new FakeWebview();
  const source = new FakeSource();
  let calls = 0;
  const host = new PanelHost(
    webview,
    source,
    { script: uri(`${EXT}/media/panel.js`), style: uri(`${EXT}/media/panel.css`), codicons: uri(`${EXT}/media/codicons/codicon.css`) },
    { random: (n) => new Uint8Array(n).map(() => (calls++ * 37) % 256), snapshotDelayMs: 1 },
  );
  return { webview, source, host };
}

describe('panel host', () => {
  it('serves HTML with a nonce CSP, default-src none and only webview-local resources', () => {
    const { webview, host } = setup();
    const html = webview.html;
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
    assert.ok(csp, 'a CSP meta tag');
    const directives = new Map(
      csp
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([k, ...v]) => [k, v]),
    );
    assert.deepEqual(directives.get('default-src'), ["'none'"]);
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    assert.ok(nonce && nonce.length >= 24, 'a long nonce');
    assert.deepEqual(directives.get('script-src'), [`'nonce-${nonce}'`]);
    for (const d of ['style-src', 'font-src', 'img-src']) assert.deepEqual(directives.get(d), [CSP_SOURCE], d);
    const sources = [...directives.values()].flat();
    assert.ok(
      sources.every((v) => v === "'none'" || v === CSP_SOURCE || v === `'nonce-${nonce}'`),
      `only local sources: ${sources}`,
    );
    const scripts = [...html.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1]);
    assert.equal(scripts.length, 1);
    assert.ok(scripts[0].includes(`nonce="${nonce}"`));
    const urls = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(urls.sort(), [
      `${CSP_SOURCE}/ext/media/codicons/codicon.css`,
      `${CSP_SOURCE}/ext/media/panel.css`,
      `${CSP_SOURCE}/ext/media/panel.js`,
    ]);
    assert.ok(!html.includes('<style'), 'no inline styles');
    host.dispose();
  });

  it('puts the panel’s strings in the display language on the page, and the language on <html>', () => {
    const webview = new FakeWebview();
    const strings = { ...PANEL_STRINGS, 'help.title': '键盘快捷键' };
    const host = new PanelHost(
      webview,
      new FakeSource(),
      { script: uri(`${EXT}/media/panel.js`), style: uri(`${EXT}/media/panel.css`), codicons: uri(`${EXT}/media/codicons/codicon.css`) },
      { random: (n) => new Uint8Array(n), strings, lang: 'zh-cn' },
    );
    assert.match(webview.html, /<html lang="zh-cn">/);
    const attr = /<div id="app" class="app" data-strings="([^"]*)">/.exec(webview.html)?.[1] ?? '';
    assert.equal(JSON.parse(attr.replace(/&quot;/g, '"').replace(/&amp;/g, '&'))['help.title'], '键盘快捷键');
    host.dispose();
    // Without them (the tests' harness), the page is English and carries no table.
    const { webview: english, host: other } = setup();
    assert.match(english.html, /<html lang="en">/);
    assert.ok(!english.html.includes('data-strings'));
    other.dispose();
  });

  it('posts nothing before ready, then a snapshot; a later ready gets one again', async () => {
    const { webview, source, host } = setup();
    source.fire();
    await tick();
    assert.equal(webview.posted.length, 0, 'queued until ready');
    webview.send({ kind: 'ready' });
    await tick();
    assert.ok(webview.posted.length >= 1);
    assert.ok(webview.posted.every((m) => m.kind === 'snapshot'));
    const n = webview.posted.length;
    webview.send({ kind: 'ready' });
    await tick();
    assert.equal(webview.posted.length, n + 1);
    host.dispose();
  });

  it('repairs what the webview would refuse in the snapshot', () => {
    const s: PanelSnapshot = buildSnapshot(new FakeSource());
    assert.deepEqual(s.documents, [
      { uri: 'file:///w/a%20b.txt', name: 'a b.txt' },
      { uri: 'file:///w/c.txt', name: 'c.txt' },
    ]);
    assert.deepEqual(s.lines[1], { doc: 0, line: 1, text: 'add tabs', prediction: { label: 'feature', confidence: 1, uncertainty: 0 } });
    assert.equal(s.lines[2].doc, 1);
    assert.match(s.labels[1].color, /^#[0-9a-f]{6}$/);
    assert.equal(s.stats.lastAdaptationMs, 12.5);
  });

  it('sends the task list in stats, and switches tasks only for a valid name', async () => {
    const { webview, source } = setup();
    source.stats = { ...source.stats, tasks: { names: ['default', 'urgency'], active: 'default' } };
    webview.send({ kind: 'ready' });
    for (let waited = 0; waited < 2000 && !webview.posted.some((m) => m.kind === 'snapshot'); waited += 5) await tick();
    const snap = webview.posted.find((m) => m.kind === 'snapshot');
    assert.deepEqual(snap?.kind === 'snapshot' && snap.snapshot.stats.tasks, { names: ['default', 'urgency'], active: 'default' });
    webview.send({ kind: 'request', id: 1, method: 'switchTask', params: { name: 'urgency' } });
    webview.send({ kind: 'request', id: 2, method: 'switchTask', params: { name: '' } });
    for (let waited = 0; waited < 2000 && webview.posted.filter((m) => m.kind === 'response').length < 2; waited += 5) await tick();
    assert.deepEqual(source.calls, ['switchTask urgency']);
    const responses = webview.posted.filter((m) => m.kind === 'response');
    assert.ok(responses.some((r) => r.kind === 'response' && r.id === 2 && r.error));
  });

  it('answers valid requests through the data source and re-sends the data on change', async () => {
    const { webview, source, host } = setup();
    webview.send({ kind: 'ready' });
    await tick();
    const before = webview.posted.length;
    webview.send({ kind: 'request', id: 1, method: 'setLabel', params: { ref: { uri: 'file:///w/c.txt', line: 4 }, label: 'feature' } });
    webview.send({ kind: 'request', id: 2, method: 'setLabelKey', params: { name: 'feature', key: 'f' } });
    webview.send({ kind: 'request', id: 3, method: 'createLabel', params: { name: 'bug' } });
    // Three answers and the update they cause (the machine may be busy: wait for them, not a fixed time).
    for (let waited = 0; waited < 2000; waited += 5) {
      if (webview.posted.filter((m) => m.kind === 'response').length >= 3 && webview.posted.slice(before).some((m) => m.kind === 'update'))
        break;
      await tick();
    }
    await tick(20);
    assert.deepEqual(source.calls, ['setLabel file:///w/c.txt:4 feature', 'setLabelKey feature f']);
    const responses = webview.posted.filter((m) => m.kind === 'response');
    assert.deepEqual(responses[0], { kind: 'response', id: 1, result: null });
    assert.deepEqual(responses[1], { kind: 'response', id: 2, result: null });
    assert.equal(responses[2].kind === 'response' && responses[2].error?.message, 'label bug already exists');
    const updates = webview.posted.slice(before).filter((m) => m.kind === 'update');
    assert.equal(updates.length, 1, 'the change went out as one update');
    assert.deepEqual(updates[0].kind === 'update' && updates[0].update.lines, [
      { doc: 1, line: 4, text: '</script>', label: 'feature', prediction: { label: 'bug', confidence: 0.6, uncertainty: 0.5 } },
    ]);
    host.dispose();
  });

  it('answers a quality request, and stops one the webview cancels', async () => {
    const { webview, source, host } = setup();
    webview.send({ kind: 'ready' });
    await tick();
    webview.send({ kind: 'request', id: 1, method: 'quality', params: { uri: 'file:///w/c.txt' } });
    for (let waited = 0; waited < 2000 && !webview.posted.some((m) => m.kind === 'response' && m.id === 1); waited += 5) await tick();
    const first = webview.posted.find((m) => m.kind === 'response' && m.id === 1);
    assert.deepEqual(first, { kind: 'response', id: 1, result: { scheme: 'k-fold', folds: 5, n: 40, correct: 30, method: 'default' } });
    webview.send({ kind: 'request', id: 2, method: 'quality', params: {} });
    await tick();
    webview.send({ kind: 'cancel', id: 2 });
    await tick(10);
    const second = webview.posted.find((m) => m.kind === 'response' && m.id === 2);
    assert.ok(second?.kind === 'response' && second.error?.code === 'cancelled', 'the cancelled estimate answers at once, as cancelled');
    assert.deepEqual(source.calls, ['estimateQuality file:///w/c.txt', 'estimateQuality undefined']);
    host.dispose();
  });

  it("answers a request the worker failed with the error said in the user's language (the webview has no l10n)", async () => {
    const { webview, source, host } = setup();
    source.estimateQuality = async () => {
      throw RpcError.said('internal', WORKER_MESSAGES.noEncoder);
    };
    const zh = { [WORKER_MESSAGES.noEncoder]: '此工作线程中没有可用的句子编码器（请查看日志）' };
    await inLanguageUntil(zh, async () => {
      webview.send({ kind: 'ready' });
      await tick();
      webview.send({ kind: 'request', id: 1, method: 'quality', params: { uri: 'file:///w/c.txt' } });
      for (let waited = 0; waited < 2000 && !webview.posted.some((m) => m.kind === 'response' && m.id === 1); waited += 5) await tick();
    });
    const answer = webview.posted.find((m) => m.kind === 'response' && m.id === 1);
    assert.deepEqual(answer, {
      kind: 'response',
      id: 1,
      error: { message: '此工作线程中没有可用的句子编码器（请查看日志）', code: 'internal' },
    });
    host.dispose();
  });

  it('refuses reveal, setLabel, removeLabel and setLabels for a document it did not list (item 12)', async () => {
    const { webview, source, host } = setup();
    webview.send({ kind: 'ready' });
    await tick();
    const ref = { uri: 'file:///home/me/.bashrc', line: 0 };
    webview.send({ kind: 'request', id: 7, method: 'reveal', params: { ref } });
    webview.send({ kind: 'request', id: 8, method: 'setLabel', params: { ref, label: 'bug' } });
    webview.send({ kind: 'request', id: 9, method: 'removeLabel', params: { ref } });
    webview.send({ kind: 'request', id: 11, method: 'setLabels', params: { ref, labels: ['bug'] } });
    webview.send({ kind: 'request', id: 10, method: 'reveal', params: { ref: { uri: 'file:///w/c.txt', line: 4 } } });
    // A multi-label line's set, for a listed line, goes to the source.
    webview.send({
      kind: 'request',
      id: 12,
      method: 'setLabels',
      params: { ref: { uri: 'file:///w/c.txt', line: 4 }, labels: ['bug', 'ui'] },
    });
    await tick(20);
    assert.deepEqual(source.calls, ['reveal 4', 'setLabels 4 bug+ui']);
    const errors = webview.posted
      .filter((m) => m.kind === 'response' && m.error)
      .map((m) => m.kind === 'response' && [m.id, m.error?.code]);
    assert.deepEqual(errors, [
      [7, 'input'],
      [8, 'input'],
      [9, 'input'],
      [11, 'input'],
    ]);
    host.dispose();
  });

  it('sends a line again after a refused label, so the panel drops the label it showed', async () => {
    const { webview, source, host } = setup();
    webview.send({ kind: 'ready' });
    await tick();
    source.refuse = 'the label file has bad lines';
    const before = webview.posted.length;
    webview.send({ kind: 'request', id: 4, method: 'setLabel', params: { ref: { uri: 'file:///w/a%20b.txt', line: 1 }, label: 'bug' } });
    await tick(20);
    const after = webview.posted.slice(before);
    assert.deepEqual(
      after.map((m) => m.kind),
      ['response', 'update'],
    );
    assert.equal(after[0].kind === 'response' && after[0].error?.message, 'the label file has bad lines');
    assert.deepEqual(after[1].kind === 'update' && after[1].update.lines.map((l) => [l.line, l.label]), [[1, undefined]]);
    host.dispose();
  });

  it('sends only stats and labels when no document changed, and nothing when nothing did', async () => {
    const { webview, source, host } = setup();
    webview.send({ kind: 'ready' });
    await tick();
    const before = webview.posted.length;
    source.fire({ documents: [] });
    await tick(10);
    assert.equal(webview.posted.length, before, 'no change, no message');
    source.stats = { backend: 'cpu', lastAdaptationMs: 3 };
    source.fire({ documents: [] });
    await tick(10);
    const [m] = webview.posted.slice(before);
    assert.ok(m && m.kind === 'update');
    assert.deepEqual(m.update, {
      documents: [
        { uri: 'file:///w/a%20b.txt', name: 'a b.txt' },
        { uri: 'file:///w/c.txt', name: 'c.txt' },
      ],
      replaced: [],
      lines: [],
      removed: [],
      stats: { backend: 'cpu', lastAdaptationMs: 3 },
    });
    host.dispose();
  });

  it('changes a label colour through the data source and sends the new colour', async () => {
    const { webview, source, host } = setup();
    webview.send({ kind: 'ready' });
    await tick();
    const before = webview.posted.length;
    webview.send({ kind: 'request', id: 5, method: 'setLabelColor', params: { name: 'bug', color: '#00aa55' } });
    webview.send({ kind: 'request', id: 6, method: 'setLabelColor', params: { name: 'nope', color: '#00aa55' } });
    webview.send({ kind: 'request', id: 7, method: 'setLabelColor', params: { name: 'bug', color: 'javascript:1' } });
    await tick(20);
    assert.deepEqual(source.calls, ['setLabelColor bug #00aa55'], 'the bad colour never reaches the source');
    const after = webview.posted.slice(before);
    // The refused colour is answered at once, before the source's answers.
    const responses = after
      .filter((m) => m.kind === 'response')
      .sort((x, y) => (x.kind === 'response' && y.kind === 'response' ? x.id - y.id : 0));
    assert.deepEqual(
      responses.map((m) => m.kind === 'response' && [m.id, m.error?.message ?? null]),
      [
        [5, null],
        [6, 'There is no label named nope.'],
        [7, 'color must be #rrggbb'],
      ],
    );
    const update = after.find((m) => m.kind === 'update');
    assert.equal(update?.kind === 'update' && update.update.labels?.[0]?.color, '#00aa55');
    host.dispose();
  });

  it('rejects invalid messages, answering requests with an input error', async () => {
    const { webview, source, host } = setup();
    webview.send({ kind: 'ready' });
    await tick();
    const before = webview.posted.length;
    webview.send({ kind: 'request', id: 9, method: 'setLabel', params: { ref: { uri: 'file:///w/c.txt', line: -1 }, label: 'x' } });
    webview.send({ kind: 'request', id: 10, method: 'deleteEverything', params: {} });
    webview.send({ kind: 'request', id: 11, method: 'renameLabel', params: { from: 'bug', to: '' } });
    webview.send('<script>');
    webview.send({ kind: 'response', id: 1, result: 'spoof' });
    await tick(20);
    assert.deepEqual(source.calls, []);
    const replies = webview.posted.slice(before);
    assert.deepEqual(
      replies.map((m) => m.kind === 'response' && [m.id, m.error?.code]),
      [
        [9, 'input'],
        [10, 'input'],
        [11, 'input'],
      ],
    );
    host.dispose();
  });

  it('stops listening and posting when disposed', async () => {
    const { webview, source, host } = setup();
    webview.send({ kind: 'ready' });
    await tick();
    host.dispose();
    assert.equal(webview.listenerCount, 0);
    const n = webview.posted.length;
    source.fire();
    webview.send({ kind: 'request', id: 1, method: 'reveal', params: { ref: { uri: 'file:///w/c.txt', line: 4 } } });
    await tick(20);
    assert.equal(webview.posted.length, n);
    assert.deepEqual(source.calls, []);
  });
});
