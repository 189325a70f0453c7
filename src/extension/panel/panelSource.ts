// Connects the labeling panel (this folder) to the label store and the prediction scheduler:
// the panel shows every line of the open included documents with its label or prediction.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CancelSignal } from '../../protocol/rpc';
import type { FewShotContext } from '../context';
import { LabelError } from '../labelStore';
import { panelLine, workspacePanelLines } from '../workspacePanel';
import { labelsElsewhere } from './labelCounts';
import {
  registerLabelingPanel,
  type PanelChange,
  type PanelDataSource,
  type PanelSourceLine,
  type LineRef,
  type PanelLabel,
  type QualityEstimate,
} from '.';

/** Registers the panel; returns its data source (the integration tests drive it as the panel does). */
export function activatePanel(ctx: FewShotContext): PanelDataSource {
  const source = new StoreDataSource(ctx);
  ctx.subscriptions.push(
    source,
    registerLabelingPanel(ctx.extension, source, (m) => ctx.log(`panel: ${m}`)),
  );
  return source;
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
      ctx.scheduler.onDidUpdate(documents),
      ctx.workspace.onDidUpdate(documents),
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
      // A multi-label task's lines carry sets (labelSet.ts): the row shows the set.
      const sets = this.ctx.labels.isMultiLabel() ? this.ctx.labels.labelSetsOf(doc) : undefined;
      const result = this.ctx.scheduler.resultFor(doc);
      // A structured document lists its records (on their first line, with their text column), once read.
      const units = this.ctx.structured.unitsOf(doc);
      if (units === 'pending') continue;
      for (let line = 0; line < doc.lineCount; line++) {
        const text = units ? units.lines[line]! : doc.lineAt(line).text;
        if (text.trim() === '') continue;
        out.push(panelLine({ uri, line, text }, labels.get(line), sets?.get(line), result));
      }
    }
    // Closed files that Classify Workspace classified.
    for (const line of workspacePanelLines(this.ctx, wanted)) out.push(line);
    return out;
  }

  /** The documents whose lines the panel lists: the open, included ones. */
  private listedDocuments(): vscode.TextDocument[] {
    return vscode.workspace.textDocuments.filter((doc) => this.ctx.isIncluded(doc));
  }

  getLabels(): readonly PanelLabel[] {
    const labels = this.ctx.palette.labels(this.ctx.labels.labelNames());
    const elsewhere = labelsElsewhere(this.ctx.labels, [
      ...this.listedDocuments(),
      ...this.ctx.workspace.closedFiles().map((f) => vscode.Uri.parse(f.uri)),
    ]);
    return labels.map((l) => (elsewhere.has(l.name) ? { ...l, elsewhere: elsewhere.get(l.name)! } : l));
  }

  getStats() {
    const last = this.ctx.scheduler.lastRun;
    const backend = this.ctx.engine.info?.backend ?? (this.ctx.engine.isRunning ? 'loading' : 'idle');
    const tasks = this.ctx.labels.tasks();
    return {
      backend,
      lastAdaptationMs: last ? Math.round(last.adaptMs) : null,
      ...(tasks.length > 1 ? { tasks: { names: tasks.map((t) => t.name), active: this.ctx.labels.activeTask().name } } : {}),
      ...(this.ctx.labels.isMultiLabel() ? { multiLabel: true as const } : {}),
    };
  }

  async switchTask(name: string): Promise<void> {
    await vscode.commands.executeCommand('fewshot.switchTask', name);
  }

  async setLabel(ref: LineRef, label: string): Promise<void> {
    const doc = await this.document(ref);
    await this.ctx.labels.setLabel(doc, [ref.line], label);
    await this.ctx.recentLabels.use(label);
  }

  async setLabels(ref: LineRef, labels: string[]): Promise<void> {
    const doc = await this.document(ref);
    await this.ctx.labels.changeLabelSets(doc, [ref.line], () => labels);
    for (const l of labels) await this.ctx.recentLabels.use(l);
  }

  async removeLabel(ref: LineRef): Promise<void> {
    await this.ctx.labels.removeLabel(await this.document(ref), [ref.line]);
  }

  async createLabel(name: string, color?: string): Promise<void> {
    if (this.getLabels().some((l) => l.name === name)) throw new LabelError(vscode.l10n.t('There is already a label named {0}.', name));
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
    if (!(await this.ctx.palette.setColor(name, color))) throw new LabelError(vscode.l10n.t('There is no label named {0}.', name));
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

  async setLabelKey(name: string, key: string | null): Promise<void> {
    if (!(await this.ctx.palette.setKey(name, key))) throw new LabelError(vscode.l10n.t('There is no label named {0}.', name));
  }

  /** Scores the model of the asked document, or of the first listed one whose folder has labels. */
  async estimateQuality(uri: string | undefined, signal: CancelSignal): Promise<QualityEstimate> {
    const documents = this.listedDocuments();
    const doc = documents.find((d) => d.uri.toString() === uri) ?? documents.find((d) => this.ctx.labels.examplesFor(d.uri).length > 0);
    if (!doc) throw new LabelError(vscode.l10n.t('Open a document of a workspace folder with labels to estimate the quality.'));
    const { scheme, folds, n, correct, method } = await this.ctx.scheduler.estimateQuality(doc, signal);
    return { scheme, folds, n, correct, method, document: path.basename(doc.uri.fsPath) };
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
  }

  private async document(ref: LineRef): Promise<vscode.TextDocument> {
    return vscode.workspace.openTextDocument(vscode.Uri.parse(ref.uri));
  }
}
