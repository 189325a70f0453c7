// Connects the labeling panel (src/extension/panel/) to the label store and the classifier:
// the panel shows every line of the open included documents with its label or prediction.
import * as vscode from 'vscode';
import { RpcError } from '../protocol/rpc';
import type { FewShotContext } from './context';
import { LabelError } from './labelStore';
import { countElsewhere } from './panel/labelCounts';
import {
  registerLabelingPanel,
  type PanelChange,
  type PanelDataSource,
  type PanelSourceLine,
  type LineRef,
  type PanelLabel,
  type LeaveOneOutResult,
} from './panel';

/** Leave-one-out re-adapts once per labeled line; beyond this many it samples. */
const LOO_LIMIT = 200;

export function activatePanel(ctx: FewShotContext): void {
  const source = new StoreDataSource(ctx);
  ctx.subscriptions.push(
    source,
    registerLabelingPanel(ctx.extension, source, (m) => ctx.log(`panel: ${m}`)),
  );
}

class StoreDataSource implements PanelDataSource, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<PanelChange>();
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];
  /** Documents edited since the panel last heard of it (edits are gathered, not sent per key). */
  private edited = new Set<string>();
  private editTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly ctx: FewShotContext) {
    const documents = (uris: readonly vscode.Uri[]) => this.changed.fire({ documents: uris.map((u) => u.toString()) });
    const inFolder = (folder: vscode.Uri | undefined) =>
      folder
        ? vscode.workspace.textDocuments.filter((d) => ctx.labels.folderOf(d.uri)?.uri.toString() === folder.toString()).map((d) => d.uri)
        : undefined;
    this.subscriptions = [
      this.changed,
      ctx.labels.onDidChange((folder) => {
        const uris = inFolder(folder);
        this.changed.fire(uris ? { documents: uris.map((u) => u.toString()) } : {});
      }),
      ctx.classifier.onDidUpdate(documents),
      ctx.structured.onDidRead((d) => documents([d.uri])),
      // Stats and labels only: no document's lines change.
      ctx.onDidChangeEngine(() => this.changed.fire({ documents: [] })),
      ctx.palette.onDidChange(() => this.changed.fire({ documents: [] })),
      ctx.onDidChangeConfig(() => this.changed.fire({})),
      vscode.workspace.onDidOpenTextDocument((d) => documents([d.uri])),
      vscode.workspace.onDidCloseTextDocument((d) => documents([d.uri])),
      vscode.workspace.onDidChangeTextDocument((e) => e.contentChanges.length && this.edit(e.document.uri)),
      { dispose: () => this.editTimer && clearTimeout(this.editTimer) },
    ];
  }

  /** Typing in a long document re-reads its lines at most once per update delay. */
  private edit(uri: vscode.Uri): void {
    this.edited.add(uri.toString());
    if (this.editTimer) return;
    this.editTimer = setTimeout(
      () => {
        this.editTimer = undefined;
        const documents = [...this.edited];
        this.edited.clear();
        this.changed.fire({ documents });
      },
      Math.max(50, this.ctx.config.updateDelayMs),
    );
  }

  getLines(documents?: readonly string[]): readonly PanelSourceLine[] {
    const wanted = documents && new Set(documents);
    const out: PanelSourceLine[] = [];
    for (const doc of this.listedDocuments()) {
      if (wanted && !wanted.has(doc.uri.toString())) continue;
      const uri = doc.uri.toString();
      const labels = this.ctx.labels.labelsOf(doc);
      const result = this.ctx.classifier.resultFor(doc);
      // A structured document lists its records (on their first line, with their text column), once read.
      const units = this.ctx.structured.unitsOf(doc);
      if (units === 'pending') continue;
      for (let line = 0; line < doc.lineCount; line++) {
        const text = units ? units.lines[line]! : doc.lineAt(line).text;
        if (text.trim() === '') continue;
        const entry: PanelSourceLine = { uri, line, text };
        const label = labels.get(line);
        if (label !== undefined) entry.label = label;
        const index = result?.labelIndex[line] ?? -1;
        if (result && index >= 0) {
          entry.prediction = { label: result.labels[index]!, confidence: result.confidence[line]!, uncertainty: result.uncertainty[line]! };
        }
        out.push(entry);
      }
    }
    return out;
  }

  /** The documents whose lines the panel lists: the open, included ones. */
  private listedDocuments(): vscode.TextDocument[] {
    return vscode.workspace.textDocuments.filter((doc) => this.ctx.isIncluded(doc));
  }

  getLabels(): readonly PanelLabel[] {
    const labels = this.ctx.palette.labels(this.ctx.labels.labelNames());
    const elsewhere = countElsewhere(
      this.ctx.labels.all().flatMap((s) => s.records.map((r) => r.label)),
      this.listedDocuments().flatMap((doc) => [...this.ctx.labels.labelsOf(doc).values()]),
    );
    return labels.map((l) => (elsewhere.has(l.name) ? { ...l, elsewhere: elsewhere.get(l.name)! } : l));
  }

  getStats() {
    const last = this.ctx.classifier.lastRun;
    return { backend: this.ctx.engine.info?.backend ?? 'loading', lastAdaptationMs: last ? Math.round(last.adaptMs) : null };
  }

  async setLabel(ref: LineRef, label: string): Promise<void> {
    const doc = await this.document(ref);
    await this.ctx.labels.setLabel(doc, [ref.line], label);
  }

  async removeLabel(ref: LineRef): Promise<void> {
    await this.ctx.labels.removeLabel(await this.document(ref), [ref.line]);
  }

  async createLabel(name: string, color?: string): Promise<void> {
    if (this.getLabels().some((l) => l.name === name)) throw new LabelError(`There is already a label named ${name}.`);
    await this.ctx.palette.create(name, color);
  }

  async renameLabel(from: string, to: string): Promise<void> {
    // The palette first, so the renamed label keeps its colour and key when the store fires.
    await this.ctx.palette.rename(from, to);
    try {
      await this.ctx.labels.renameLabel(from, to);
    } catch (e) {
      await this.ctx.palette.rename(to, from);
      throw e;
    }
  }

  async setLabelColor(name: string, color: string): Promise<void> {
    // The palette fires on change: the decorations repaint and the panel gets the new colour.
    if (!(await this.ctx.palette.setColor(name, color))) throw new LabelError(`There is no label named ${name}.`);
  }

  async deleteLabel(name: string): Promise<void> {
    await this.ctx.labels.deleteLabel(name);
    await this.ctx.palette.remove(name);
  }

  async reveal(ref: LineRef): Promise<void> {
    const doc = await this.document(ref);
    const position = new vscode.Position(Math.min(ref.line, doc.lineCount - 1), 0);
    await vscode.window.showTextDocument(doc, { selection: new vscode.Range(position, position), viewColumn: vscode.ViewColumn.One });
  }

  /** Each labeled line is predicted by a model adapted to all the other labels. */
  async leaveOneOutAccuracy(): Promise<LeaveOneOutResult> {
    const all = this.ctx.labels.all().flatMap((s) => s.records.map((r) => ({ text: r.text, label: r.label })));
    const step = Math.max(1, all.length / LOO_LIMIT);
    const picked = [...new Set(Array.from({ length: Math.min(all.length, LOO_LIMIT) }, (_, i) => Math.floor(i * step)))];
    let right = 0;
    let n = 0;
    for (const k of picked) {
      const rest = all.filter((_, i) => i !== k);
      if (new Set(rest.map((r) => r.label)).size < 2) return { accuracy: null, n: 0 };
      try {
        const result = await this.ctx.engine.classify({ support: rest, text: all[k]!.text });
        if (result.labels[result.labelIndex[0]!] === all[k]!.label) right++;
        n++;
      } catch (e) {
        if (e instanceof RpcError && e.code === 'input') return { accuracy: null, n: 0 };
        throw e;
      }
    }
    return { accuracy: n ? right / n : null, n };
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
  }

  private async document(ref: LineRef): Promise<vscode.TextDocument> {
    return vscode.workspace.openTextDocument(vscode.Uri.parse(ref.uri));
  }
}
