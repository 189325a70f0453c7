// The panel app: owns all state (view state, data, pending label changes), turns user actions
// into protocol requests, and asks the views to render from the state.

import { isNoneLabel, NONE_LABEL } from '../engine/labels/none';
import { lineKey, parseHostMessage, parseQuality, type LineRef, type PanelRequests, type QualityEstimate } from '../protocol/panel';
import { CancelSource, RpcClient, RpcError } from '../protocol/rpc';
import { Dataset } from './dataset';
import { sample } from './stats';
import { t } from './strings';
import { HISTORY_LIMIT, restoreViewState, type Decision, type DecisionKind, type ViewState } from './state';
import type { VsCodeApi } from './vscodeApi';

/** Lines sampled by one "check precision" run. */
export const PRECISION_SAMPLE = 20;

/** The quality estimate: being computed (cancellable), its result, or dropped because the labels changed. */
export type QualityState = { kind: 'running'; cancel: CancelSource } | { kind: 'done'; estimate: QualityEstimate } | { kind: 'stale' };

export interface Ephemeral {
  help: boolean;
  confirmDelete: string | null;
  renaming: string | null;
  quality: QualityState | null;
  /** The label chooser (key `l`): what is typed and which match is highlighted. */
  chooser: { query: string; selected: number } | null;
  /** The label waiting for the user to press its new key. */
  keyFor: string | null;
  message: { text: string; error: boolean } | null;
}

export interface Renderer {
  /** Called after every state change (batched per animation frame). */
  render(app: App, what: Set<Dirty>): void;
}

/** What changed: the data (snapshot or a local label), the view options, the cursor, or the rest. */
export type Dirty = 'data' | 'view' | 'cursor' | 'ui';

export class App {
  view: ViewState;
  ui: Ephemeral = { help: false, confirmDelete: null, renaming: null, quality: null, chooser: null, keyFor: null, message: null };
  /** Who labeled what, as the quality estimate saw it: when it changes, the estimate is dropped. */
  private labelSignature = '';
  dataset: Dataset | undefined;
  /** Indices into dataset.lines, in list order. */
  order: Int32Array = new Int32Array(0);
  /** Label changes sent but not yet seen in a snapshot: key -> label (null = removed). */
  private pending = new Map<string, { label: string | null; labels?: string[]; settled: boolean }>();
  private readonly rpc: RpcClient<PanelRequests>;
  private dirty = new Set<Dirty>();
  private frame = 0;
  private restoredScroll = false;
  renderer: Renderer | undefined;

  constructor(private readonly vscode: VsCodeApi) {
    this.view = restoreViewState(vscode.getState());
    this.rpc = new RpcClient<PanelRequests>((m) => vscode.postMessage(m));
  }

  start(): void {
    window.addEventListener('message', (e: MessageEvent) => this.receive(e.data));
    this.vscode.postMessage({ kind: 'ready' });
    this.invalidate('ui');
  }

  // ---- rendering and persistence ------------------------------------------------------------

  invalidate(...what: Dirty[]): void {
    for (const w of what) this.dirty.add(w);
    if (what.includes('data') || what.includes('view')) this.recomputeOrder();
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => this.flush());
  }

  toggleHelp(): void {
    this.ui.help = !this.ui.help;
    this.invalidate('ui');
  }

  /** Renders now (tests and the first paint use it; normally a frame does). */
  flush(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    const what = this.dirty;
    this.dirty = new Set();
    this.renderer?.render(this, what);
    this.vscode.setState(this.view);
  }

  private recomputeOrder(): void {
    this.order = this.dataset ? this.dataset.view(this.view) : new Int32Array(0);
  }

  // ---- messages -----------------------------------------------------------------------------

  private receive(raw: unknown): void {
    const parsed = parseHostMessage(raw);
    if (!parsed.ok) {
      this.say(t('say.malformed', parsed.error), true);
      // An update builds on the ones before: after losing one, start over from a snapshot.
      if (typeof raw === 'object' && raw !== null && (raw as { kind?: unknown }).kind === 'update')
        this.vscode.postMessage({ kind: 'ready' });
      return;
    }
    const message = parsed.value;
    if (message.kind === 'snapshot') this.ingest(new Dataset(message.snapshot));
    // An update before any snapshot has nothing to build on; the snapshot is on its way.
    else if (message.kind === 'update') this.dataset && this.ingest(this.dataset.patch(message.update));
    else this.rpc.handle(message);
  }

  private ingest(dataset: Dataset): void {
    // Label changes the host has confirmed are in this data; the rest are still ours to show.
    for (const [key, p] of this.pending) if (p.settled) this.pending.delete(key);
    for (const [key, p] of this.pending) {
      const i = dataset.indexOf(key);
      if (i !== undefined) setLineLabel(dataset, i, p.label, p.labels);
    }
    this.dataset = dataset;
    this.dropQualityIfLabelsChanged();
    const snapshot = dataset.snapshot;
    const f = this.view.filter;
    if (f.startsWith('predicted:') && !snapshot.labels.some((l) => `predicted:${l.name}` === f)) this.view.filter = 'all';
    if (this.view.doc !== null && !snapshot.documents.some((d) => d.uri === this.view.doc)) this.view.doc = null;
    this.recomputeOrder();
    if (this.cursorPosition() < 0) this.view.cursor = this.order.length ? dataset.keys[this.order[0]] : null;
    this.invalidate('data');
    if (!this.restoredScroll) {
      this.restoredScroll = true;
      this.dirty.add('cursor');
    }
  }

  private async request<M extends keyof PanelRequests & string>(
    method: M,
    params: PanelRequests[M]['params'],
  ): Promise<PanelRequests[M]['result'] | undefined> {
    try {
      return await this.rpc.request(method, params);
    } catch (e) {
      this.say(e instanceof Error ? e.message : String(e), true);
      return undefined;
    }
  }

  say(text: string, error = false): void {
    this.ui.message = { text, error };
    this.invalidate('ui');
  }

  // ---- cursor -------------------------------------------------------------------------------

  /** Position of the cursor in the list, or -1. */
  cursorPosition(): number {
    if (!this.dataset || this.view.cursor === null) return -1;
    const i = this.dataset.indexOf(this.view.cursor);
    if (i === undefined) return -1;
    return this.order.indexOf(i);
  }

  cursorIndex(): number | undefined {
    const p = this.cursorPosition();
    return p < 0 ? undefined : this.order[p];
  }

  moveTo(position: number): void {
    if (!this.dataset || this.order.length === 0) return;
    const p = Math.max(0, Math.min(this.order.length - 1, position));
    this.view.cursor = this.dataset.keys[this.order[p]];
    this.invalidate('cursor');
  }

  move(delta: number): void {
    const p = this.cursorPosition();
    this.moveTo(p < 0 ? 0 : p + delta);
  }

  focusLine(ref: LineRef): void {
    this.view.cursor = lineKey(ref);
    this.invalidate('cursor');
  }

  /** Key of the line after the cursor, where a decision moves to. */
  private nextKey(): string | null {
    const p = this.cursorPosition();
    if (!this.dataset || p < 0) return null;
    const next = p + 1 < this.order.length ? p + 1 : p - 1;
    return next >= 0 ? this.dataset.keys[this.order[next]] : null;
  }

  // ---- decisions ----------------------------------------------------------------------------

  private record(d: Decision): void {
    this.view.history.push(d);
    if (this.view.history.length > HISTORY_LIMIT) this.view.history.splice(0, this.view.history.length - HISTORY_LIMIT);
  }

  /** Changes one line's label locally at once and in the store through the host. */
  setLabel(ref: LineRef, label: string | undefined): void {
    const key = lineKey(ref);
    const entry = { label: label ?? null, settled: false };
    this.pending.set(key, entry);
    const i = this.dataset?.indexOf(key);
    if (this.dataset && i !== undefined) setLineLabel(this.dataset, i, entry.label);
    this.invalidate('data');
    const done = label === undefined ? this.request('removeLabel', { ref }) : this.request('setLabel', { ref, label });
    void done.then((r) => {
      if (this.pending.get(key) !== entry) return;
      if (r === undefined)
        this.pending.delete(key); // failed: the next snapshot shows the truth
      else entry.settled = true;
    });
  }

  /** Whether the active task is multi-label: label keys toggle the line's labels, Enter confirms it. */
  get multiLabel(): boolean {
    return this.dataset?.snapshot.stats.multiLabel === true;
  }

  /** A multi-label line's set locally at once and in the store through the host (undefined: unlabeled). */
  setLabels(ref: LineRef, labels: string[] | undefined): void {
    if (labels === undefined) {
      this.setLabel(ref, undefined);
      return;
    }
    const key = lineKey(ref);
    const entry = { label: labels[0] ?? NONE_LABEL, labels, settled: false };
    this.pending.set(key, entry);
    const i = this.dataset?.indexOf(key);
    if (this.dataset && i !== undefined) setLineLabel(this.dataset, i, entry.label, labels);
    this.invalidate('data');
    void this.request('setLabels', { ref, labels }).then((r) => {
      if (this.pending.get(key) !== entry) return;
      if (r === undefined) this.pending.delete(key);
      else entry.settled = true;
    });
  }

  /** A multi-label line's set now (undefined: unlabeled; none is the empty set). */
  private setOf(index: number): string[] | undefined {
    const line = this.dataset?.lines[index];
    if (!line || line.label === undefined) return undefined;
    return line.labels ?? (isNoneLabel(line.label) ? [] : [line.label]);
  }

  /**
   * A multi-label task: gives the cursor's line the set `after(set)` (recorded for undo); with
   * `advance`, the cursor moves on (a confirmed line), else it stays (a toggle).
   */
  private decideSet(kind: DecisionKind, after: (set: readonly string[]) => string[], advance: boolean): void {
    const i = this.cursorIndex();
    if (!this.dataset || i === undefined) return;
    const ref = this.dataset.ref(i);
    const beforeSet = this.setOf(i);
    const afterSet = [...new Set(after(beforeSet ?? []))].filter((l) => !isNoneLabel(l)).sort();
    const changed = beforeSet === undefined || beforeSet.join('\n') !== afterSet.join('\n');
    if (changed) {
      this.record({ ref, kind, before: this.dataset.lines[i].label, after: afterSet[0] ?? NONE_LABEL, beforeSet, afterSet });
      this.setLabels(ref, afterSet);
    }
    if (advance) {
      this.view.cursor = this.nextKey() ?? this.view.cursor;
      this.invalidate('cursor');
    }
  }

  /** A multi-label task: the label goes in or out of the cursor's line set; the cursor stays. */
  toggle(name: string): void {
    this.decideSet('label', (set) => (set.includes(name) ? set.filter((l) => l !== name) : [...set, name]), false);
  }

  /** A multi-label task (Enter): the cursor's line keeps its set (an unlabeled line: none) and the cursor moves on. */
  confirm(): void {
    this.decideSet('label', (set) => [...set], true);
  }

  /** Enter: in a multi-label task, confirms the line; else shows it in its editor. */
  enter(): void {
    if (this.multiLabel) this.confirm();
    else this.reveal();
  }

  /** Labels the line under the cursor (or leaves it, for a skip) and moves on. */
  private decide(kind: DecisionKind, label: string | undefined): void {
    const i = this.cursorIndex();
    if (!this.dataset || i === undefined) return;
    const ref = this.dataset.ref(i);
    const before = this.dataset.lines[i].label;
    const next = this.nextKey();
    this.record({ ref, kind, before, after: kind === 'skip' ? before : label });
    if (kind !== 'skip' && label !== before) this.setLabel(ref, label);
    this.view.cursor = next ?? this.view.cursor;
    this.invalidate('cursor');
  }

  /** Marks the line as fitting no label (the built-in `none`, key 0) and goes on. */
  assignNone(): void {
    if (this.multiLabel) this.decideSet('label', () => [], true);
    else if (this.dataset) this.decide('label', NONE_LABEL);
  }

  /** Gives the cursor's line the label whose key is `key`. */
  assignKey(key: string): void {
    const label = this.dataset?.snapshot.labels.find((l) => l.key === key);
    if (!label) {
      this.say(t('say.noKey', key), true);
      return;
    }
    if (this.multiLabel) this.toggle(label.name);
    else this.decide('label', label.name);
  }

  /** Gives the cursor's line the label `name` (the chooser, the label bar). */
  assign(name: string): void {
    if (this.multiLabel) this.toggle(name);
    else this.decide('label', name);
  }

  /** Label names, the ones most recently given first (the chooser's order before typing). */
  recentLabels(): string[] {
    const out: string[] = [];
    for (let h = this.view.history.length - 1; h >= 0; h--) {
      const after = this.view.history[h].after;
      if (after !== undefined && !out.includes(after)) out.push(after);
    }
    return out;
  }

  openChooser(): void {
    if (!this.dataset || this.dataset.snapshot.labels.length === 0) {
      this.say(t('say.noLabels'), true);
      return;
    }
    this.ui.chooser = { query: '', selected: 0 };
    this.invalidate('ui');
  }

  closeChooser(): void {
    this.ui.chooser = null;
    this.invalidate('ui');
  }

  accept(): void {
    const i = this.cursorIndex();
    if (!this.dataset || i === undefined) return;
    const line = this.dataset.lines[i];
    if (line.label !== undefined && !line.prediction) {
      this.decide('skip', undefined);
      return;
    }
    if (!line.prediction) {
      this.say(t('say.noPrediction'), true);
      return;
    }
    const predicted = line.prediction.labels;
    if (this.multiLabel && predicted) this.decideSet('accept', () => [...predicted], true);
    else this.decide('accept', line.prediction.label);
  }

  skip(): void {
    this.decide('skip', undefined);
  }

  undo(): void {
    const d = this.view.history.pop();
    if (!d) {
      this.say(t('say.nothingToUndo'));
      return;
    }
    if (d.afterSet) this.setLabels(d.ref, d.beforeSet);
    else if (d.kind !== 'skip') this.setLabel(d.ref, d.before);
    this.focusLine(d.ref);
    this.say(d.kind === 'skip' ? t('say.backToSkipped') : t('say.undone'));
  }

  /** Changes an earlier decision from the recent decisions list. */
  editDecision(index: number, label: string | undefined): void {
    const d = this.view.history[index];
    if (!d || d.after === label) return;
    this.record({ ref: d.ref, kind: 'edit', before: d.after, after: label });
    this.setLabel(d.ref, label);
  }

  reveal(): void {
    const i = this.cursorIndex();
    if (this.dataset && i !== undefined) void this.request('reveal', { ref: this.dataset.ref(i) });
  }

  // ---- labels -------------------------------------------------------------------------------

  async createLabel(name: string, color?: string): Promise<boolean> {
    const r = await this.request('createLabel', color ? { name, color } : { name });
    return r !== undefined;
  }

  async renameLabel(from: string, to: string): Promise<void> {
    this.ui.renaming = null;
    this.invalidate('ui');
    if (from === to) return;
    // A successful request resolves to null; only a failed one (already reported) is undefined.
    if ((await this.request('renameLabel', { from, to })) !== undefined) {
      for (const d of this.view.history) {
        if (d.before === from) d.before = to;
        if (d.after === from) d.after = to;
      }
      if (this.view.filter === `predicted:${from}`) this.view.filter = `predicted:${to}`;
    }
  }

  /** Whether the host took the colour (its update then shows it everywhere). */
  async setLabelColor(name: string, color: string): Promise<boolean> {
    return (await this.request('setLabelColor', { name, color })) !== undefined;
  }

  /** Waits for the next key press to become the label's key (see keys.ts). */
  askKey(name: string | null): void {
    this.ui.keyFor = name;
    this.invalidate('ui');
  }

  async setLabelKey(name: string, key: string | null): Promise<void> {
    this.ui.keyFor = null;
    this.invalidate('ui');
    await this.request('setLabelKey', { name, key });
  }

  /** Makes another task active; the host sends that task's lines and labels. */
  async switchTask(name: string): Promise<void> {
    await this.request('switchTask', { name });
  }

  async deleteLabel(name: string): Promise<void> {
    this.ui.confirmDelete = null;
    this.invalidate('ui');
    await this.request('deleteLabel', { name });
  }

  // ---- quality ------------------------------------------------------------------------------

  /**
   * Estimates the quality of the model of the document in view (the document filter, else the
   * cursor's document, else the host's choice). Runs in the engine worker; cancellable.
   */
  async estimateQuality(): Promise<void> {
    this.cancelQuality();
    const i = this.cursorIndex();
    const uri = this.view.doc ?? (this.dataset && i !== undefined ? this.dataset.ref(i).uri : undefined);
    const state: QualityState = { kind: 'running', cancel: new CancelSource() };
    this.ui.quality = state;
    this.invalidate('ui');
    let result: unknown;
    try {
      result = await this.rpc.request('quality', uri === undefined ? {} : { uri }, state.cancel);
    } catch (e) {
      if (this.ui.quality !== state) return; // cancelled, dropped or superseded: already shown
      this.ui.quality = null;
      if (!(e instanceof RpcError && e.code === 'cancelled')) this.say(e instanceof Error ? e.message : String(e), true);
      this.invalidate('ui');
      return;
    }
    if (this.ui.quality !== state) return;
    const parsed = parseQuality(result);
    this.ui.quality = parsed.ok ? { kind: 'done', estimate: parsed.value } : null;
    if (!parsed.ok) this.say(parsed.error, true);
    this.invalidate('ui');
  }

  cancelQuality(): void {
    const q = this.ui.quality;
    if (q?.kind !== 'running') return;
    this.ui.quality = null;
    q.cancel.cancel();
    this.say(t('say.qualityCancelled'));
  }

  /** An estimate of other labels than the ones now set says nothing: drop it (and stop one running). */
  private dropQualityIfLabelsChanged(): void {
    const ds = this.dataset;
    if (!ds) return;
    const parts: string[] = ds.snapshot.labels.map((l) => `${l.name}\u0000${l.elsewhere ?? 0}`);
    ds.lines.forEach((l, i) => {
      if (l.label !== undefined) parts.push(`${ds.keys[i]}\u0000${l.label}`);
    });
    const signature = parts.join('\u0001');
    if (signature === this.labelSignature) return;
    this.labelSignature = signature;
    const q = this.ui.quality;
    if (!q || q.kind === 'stale') return;
    if (q.kind === 'running') q.cancel.cancel();
    this.ui.quality = { kind: 'stale' };
    this.invalidate('ui');
  }

  startPrecision(label: string): void {
    if (!this.dataset) return;
    const picked = sample(this.dataset.predictedAs(label), PRECISION_SAMPLE);
    if (picked.length === 0) {
      this.say(t('say.nonePredicted', label), true);
      return;
    }
    this.view.precision = { label, queue: picked.map((i) => this.dataset!.ref(i)), index: 0, correct: 0, wrong: 0, finished: false };
    this.invalidate('ui');
  }

  answerPrecision(correct: boolean): void {
    const s = this.view.precision;
    if (!s || s.finished) return;
    if (correct) s.correct++;
    else s.wrong++;
    s.index++;
    if (s.index >= s.queue.length) s.finished = true;
    this.invalidate('ui');
  }

  stopPrecision(): void {
    const s = this.view.precision;
    if (!s) return;
    if (s.finished || s.correct + s.wrong === 0) this.view.precision = null;
    else s.finished = true;
    this.invalidate('ui');
  }

  // ---- view options -------------------------------------------------------------------------

  setView(patch: Partial<Pick<ViewState, 'sort' | 'filter' | 'doc' | 'search'>>): void {
    Object.assign(this.view, patch);
    this.invalidate('view');
    // A new order or filter starts from its top.
    this.moveTo(0);
  }

  setScrollTop(top: number): void {
    this.view.scrollTop = top;
    this.vscode.setState(this.view);
  }
}

function setLineLabel(dataset: Dataset, index: number, label: string | null, labels?: string[]): void {
  const line = dataset.lines[index];
  if (label === null) delete line.label;
  else line.label = label;
  if (labels && label !== null) line.labels = labels;
  else delete line.labels;
}
