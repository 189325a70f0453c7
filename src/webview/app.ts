// The panel app: owns all state (view state, data, pending label changes), turns user actions
// into protocol requests, and asks the views to render from the state.

import { isNoneLabel, NONE_LABEL } from '../engine/labels/none';
import {
  lineKey,
  parseHostMessage,
  parseLeaveOneOut,
  type LeaveOneOutResult,
  type LineRef,
  type PanelLabel,
  type PanelRequests,
} from '../protocol/panel';
import { RpcClient } from '../protocol/rpc';
import { Dataset } from './dataset';
import { sample } from './stats';
import { HISTORY_LIMIT, restoreViewState, type Decision, type DecisionKind, type ViewState } from './state';
import type { VsCodeApi } from './vscodeApi';

/** The labels keys 1..9 give, in order: every label but the built-in `none`, which has key 0. */
export function numberedLabels(labels: readonly PanelLabel[]): PanelLabel[] {
  return labels.filter((l) => !isNoneLabel(l.name));
}

/** The key that gives a label in the panel ('0' for `none`), or undefined beyond 9. */
export function labelKey(labels: readonly PanelLabel[], name: string): string | undefined {
  if (isNoneLabel(name)) return '0';
  const i = numberedLabels(labels).findIndex((l) => l.name === name);
  return i >= 0 && i < 9 ? String(i + 1) : undefined;
}

/** Lines sampled by one "check precision" run. */
export const PRECISION_SAMPLE = 20;

export interface Ephemeral {
  help: boolean;
  confirmDelete: string | null;
  renaming: string | null;
  loo: LeaveOneOutResult | 'pending' | null;
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
  ui: Ephemeral = { help: false, confirmDelete: null, renaming: null, loo: null, message: null };
  dataset: Dataset | undefined;
  /** Indices into dataset.lines, in list order. */
  order: Int32Array = new Int32Array(0);
  /** Label changes sent but not yet seen in a snapshot: key -> label (null = removed). */
  private pending = new Map<string, { label: string | null; settled: boolean }>();
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
      this.say(`Ignored a malformed message from the extension: ${parsed.error}`, true);
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
      if (i !== undefined) setLineLabel(dataset, i, p.label);
    }
    this.dataset = dataset;
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
    if (this.dataset) this.decide('label', NONE_LABEL);
  }

  assignNth(n: number): void {
    const label = numberedLabels(this.dataset?.snapshot.labels ?? [])[n - 1];
    if (!label) return this.say(`There is no label ${n}.`, true);
    this.decide('label', label.name);
  }

  accept(): void {
    const i = this.cursorIndex();
    if (!this.dataset || i === undefined) return;
    const line = this.dataset.lines[i];
    if (line.label !== undefined && !line.prediction) return this.decide('skip', undefined);
    if (!line.prediction) return this.say('This line has no prediction yet.', true);
    this.decide('accept', line.prediction.label);
  }

  skip(): void {
    this.decide('skip', undefined);
  }

  undo(): void {
    const d = this.view.history.pop();
    if (!d) return this.say('Nothing to undo.');
    if (d.kind !== 'skip') this.setLabel(d.ref, d.before);
    this.focusLine(d.ref);
    this.say(d.kind === 'skip' ? 'Back to the skipped line.' : 'Undone.');
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
    if (await this.request('renameLabel', { from, to })) {
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

  async deleteLabel(name: string): Promise<void> {
    this.ui.confirmDelete = null;
    this.invalidate('ui');
    await this.request('deleteLabel', { name });
  }

  // ---- quality ------------------------------------------------------------------------------

  async leaveOneOut(): Promise<void> {
    this.ui.loo = 'pending';
    this.invalidate('ui');
    const r = await this.request('leaveOneOut', {});
    const parsed = parseLeaveOneOut(r);
    this.ui.loo = parsed.ok ? parsed.value : null;
    if (r !== undefined && !parsed.ok) this.say(parsed.error, true);
    this.invalidate('ui');
  }

  startPrecision(label: string): void {
    if (!this.dataset) return;
    const picked = sample(this.dataset.predictedAs(label), PRECISION_SAMPLE);
    if (picked.length === 0) return this.say(`No unlabeled line is predicted as ${label}.`, true);
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

function setLineLabel(dataset: Dataset, index: number, label: string | null): void {
  const line = dataset.lines[index];
  if (label === null) delete line.label;
  else line.label = label;
}
