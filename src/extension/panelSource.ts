// Connects the labeling panel (src/extension/panel/) to the label store and the classifier:
// the panel shows every line of the open included documents with its label or prediction.
import * as vscode from 'vscode';
import { RpcError } from '../protocol/rpc';
import type { FewShotContext } from './context';
import { registerLabelingPanel, type PanelDataSource, type PanelSourceLine, type LineRef, type PanelLabel, type LeaveOneOutResult } from './panel';

const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
const COLORS_KEY = 'fewshot.labelColors';
/** Leave-one-out re-adapts once per labeled line; beyond this many it samples. */
const LOO_LIMIT = 200;

export function activatePanel(ctx: FewShotContext): void {
  const source = new StoreDataSource(ctx);
  ctx.subscriptions.push(source, registerLabelingPanel(ctx.extension, source, (m) => ctx.log(`panel: ${m}`)));
}

class StoreDataSource implements PanelDataSource, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];
  /** Labels created in the panel before any line uses them, and chosen colours (kept per workspace). */
  private colors: Record<string, string>;

  constructor(private readonly ctx: FewShotContext) {
    this.colors = ctx.extension.workspaceState.get<Record<string, string>>(COLORS_KEY, {});
    const fire = () => this.changed.fire();
    this.subscriptions = [
      this.changed,
      ctx.labels.onDidChange(fire),
      ctx.classifier.onDidUpdate(fire),
      ctx.onDidChangeEngine(fire),
      vscode.workspace.onDidOpenTextDocument(fire),
      vscode.workspace.onDidCloseTextDocument(fire),
    ];
  }

  getLines(): readonly PanelSourceLine[] {
    const out: PanelSourceLine[] = [];
    for (const doc of vscode.workspace.textDocuments) {
      if (!this.ctx.isIncluded(doc)) continue;
      const uri = doc.uri.toString();
      const labels = this.ctx.labels.labelsOf(doc);
      const result = this.ctx.classifier.resultFor(doc);
      for (let line = 0; line < doc.lineCount; line++) {
        const text = doc.lineAt(line).text;
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

  getLabels(): readonly PanelLabel[] {
    const names = [...this.ctx.labels.labelNames()];
    for (const name of Object.keys(this.colors)) if (!names.includes(name)) names.push(name);
    return names.map((name, i) => ({ name, color: this.colors[name] ?? PALETTE[i % PALETTE.length]! }));
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
    const index = this.getLabels().length;
    await this.saveColors({ ...this.colors, [name]: color ?? this.colors[name] ?? PALETTE[index % PALETTE.length]! });
  }

  async renameLabel(from: string, to: string): Promise<void> {
    await this.ctx.labels.renameLabel(from, to);
    const { [from]: color, ...rest } = this.colors;
    await this.saveColors(color ? { ...rest, [to]: color } : rest);
  }

  async deleteLabel(name: string): Promise<void> {
    await this.ctx.labels.deleteLabel(name);
    const { [name]: _, ...rest } = this.colors;
    await this.saveColors(rest);
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

  private async saveColors(colors: Record<string, string>): Promise<void> {
    this.colors = colors;
    await this.ctx.extension.workspaceState.update(COLORS_KEY, colors);
    this.changed.fire();
  }
}
