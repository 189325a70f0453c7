// Owns the long-lived parts of the extension (settings, log, engine worker, label store,
// prediction scheduler) and every disposable; features receive it and subscribe to its events.
import { sayMessage } from '../engine/messageTemplate';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { PredictionScheduler } from './predictionScheduler';
import { readConfig, type FewShotConfig } from './config';
import { EngineClient } from './engineClient';
import { activeModelDir } from './modelChoice';
import { LabelStore } from './labelStore';
import { LabelPalette } from './labelPalette';
import { RecentLabels } from './recentLabels';
import { WorkspaceRun } from './workspaceRun';
import { StructuredDocuments } from './structured';
import { inFewshotFolder } from './workspaceScope';
import { recordTask, type TaskInfo } from './taskFile';

/** The workspace-state key of this window's active task (its name). */
const ACTIVE_TASK_KEY = 'fewshot.activeTask';

export class FewShotContext implements vscode.Disposable {
  readonly subscriptions: vscode.Disposable[] = [];
  config: FewShotConfig = readConfig();
  readonly output = vscode.window.createOutputChannel('Few-Shot Labeler', { log: true });
  readonly engine: EngineClient;
  readonly labels: LabelStore;
  readonly scheduler: PredictionScheduler;
  /** Each label's colour and key position, for the panel and the decorations (workspace state). */
  readonly palette: LabelPalette;
  readonly recentLabels: RecentLabels;
  /** Classify Workspace: predictions for closed files too. */
  readonly workspace: WorkspaceRun;
  /** CSV/TSV/JSONL documents: their records and text columns. */
  readonly structured: StructuredDocuments;
  engineError: string | undefined;
  private readonly configChanged = new vscode.EventEmitter<FewShotConfig>();
  private readonly engineChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeConfig = this.configChanged.event;
  readonly onDidChangeEngine = this.engineChanged.event;

  private constructor(readonly extension: vscode.ExtensionContext) {
    this.subscriptions.push(this.output, this.configChanged, this.engineChanged);
    const log = (m: string) => this.output.info(m);
    this.engine = new EngineClient({
      workerPath: extension.asAbsolutePath('out/worker.js'),
      // The shipped model, or the one Improve the Model adopted for this workspace.
      modelDir: activeModelDir(extension),
      backend: this.config.backend,
      // The extension's own storage: sentence vectors never go into the user's folder.
      sentenceCacheDir: path.join(extension.globalStorageUri.fsPath, 'sentence'),
      log,
      // The worker starts with the first request (not on activation) and stops when idle.
      onStateChange: (error, said) => {
        // Shown in the status bar's tooltip, in the user's language.
        this.engineError = said ? sayMessage(said, vscode.l10n.t) : error;
        this.engineChanged.fire();
      },
    });
    // In an untrusted workspace, settings cannot move the label file out of .fewshot/.
    this.labels = new LabelStore(this.config.labelsFile, log, () => vscode.workspace.isTrusted);
    this.labels.restoreActiveTask(extension.workspaceState.get<string>(ACTIVE_TASK_KEY));
    this.structured = new StructuredDocuments(this.engine, extension.workspaceState, log);
    this.labels.setUnitSource(this.structured);
    this.palette = new LabelPalette(extension.workspaceState);
    this.recentLabels = new RecentLabels(extension.workspaceState);
    this.scheduler = new PredictionScheduler(
      this.engine,
      this.labels,
      () => ({
        method: this.config.method,
        abstention: this.config.abstention,
        refine: this.config.refine,
        isIncluded: (d) => this.isIncluded(d),
        records: (d) => this.structured.paramsOf(d),
        task: recordTask(this.labels.activeTask()),
        otherTasks: this.config.allTasks ? this.otherTasks().map(recordTask) : undefined,
        isMultiLabel: (task) => this.labels.isMultiLabel(task),
      }),
      log,
    );
    this.workspace = new WorkspaceRun(this);
    this.subscriptions.push(this.engine.onRefine((n) => this.scheduler.refined(n)));
    this.subscriptions.push(this.engine, this.labels, this.structured, this.scheduler, this.workspace);
  }

  static async create(extension: vscode.ExtensionContext): Promise<FewShotContext> {
    const ctx = new FewShotContext(extension);
    await ctx.labels.load();
    ctx.watchWorkspace();
    return ctx;
  }

  /** The tasks but the active one, in list order. */
  otherTasks(): TaskInfo[] {
    const active = this.labels.activeTask();
    return this.labels.tasks().filter((t) => t.name !== active.name);
  }

  log(message: string): void {
    this.output.info(message);
  }

  /**
   * Documents the extension classifies: local files in a workspace folder, not the label file nor
   * anything under a `.fewshot` folder (exports go there), of an included language or glob.
   */
  isIncluded(doc: vscode.TextDocument): boolean {
    if (doc.uri.scheme !== 'file' || this.labels.isLabelFile(doc.uri)) return false;
    const folder = this.labels.folderOf(doc.uri);
    if (!folder || inFewshotFolder(path.relative(folder.uri.fsPath, doc.uri.fsPath).split(path.sep).join('/'))) return false;
    if (this.config.languages.includes(doc.languageId)) return true;
    return this.config.include.some((pattern) => vscode.languages.match({ pattern }, doc) > 0);
  }

  private watchWorkspace(): void {
    const delay = () => this.config.updateDelayMs;
    this.subscriptions.push(
      vscode.workspace.onDidOpenTextDocument((d) => {
        this.structured.schedule(d, 0);
        this.labels.anchorDocument(d);
        this.scheduler.schedule(d, 0);
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (!this.isIncluded(e.document) || e.contentChanges.length === 0) return;
        this.labels.onDocumentChange(e);
        this.structured.schedule(e.document, delay());
        this.scheduler.schedule(e.document, delay());
      }),
      vscode.workspace.onDidCloseTextDocument((d) => {
        this.scheduler.clear(d.uri);
        this.structured.forget(d.uri);
      }),
      // A structured document's records were read: its labels anchor to them.
      this.structured.onDidRead((d) => this.labels.anchorDocument(d)),
      // A new label, a removal or a reload from disk re-adapts every document of that folder.
      this.labels.onDidChange((folder) => {
        this.scheduler.scheduleAll(20, folder);
        this.workspace.labelsChanged();
      }),
      // Another task: its cached predictions show at once (resultFor is per task); the runs scheduled
      // by the label change that setActiveTask fires refresh them.
      this.labels.onDidChangeTasks(() => {
        void this.extension.workspaceState.update(ACTIVE_TASK_KEY, this.labels.activeTask().name);
        this.scheduler.showActiveTask(vscode.workspace.textDocuments.map((d) => d.uri));
        // Closed files: Classify Workspace classified every task, so theirs show at once too.
        this.workspace.activeTaskChanged();
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.labels.load()),
      // Trust granted: the label file settings apply again.
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.labels.load()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('fewshot')) return;
        const before = this.config;
        this.config = readConfig();
        this.configChanged.fire(this.config);
        if (before.backend !== this.config.backend) {
          this.log(`backend setting changed to ${this.config.backend}: restarting the engine`);
          void this.engine.restart({ backend: this.config.backend });
        }
        if (before.labelsFile !== this.config.labelsFile) void this.labels.setLabelsFile(this.config.labelsFile);
        this.scheduler.scheduleAll(0);
      }),
    );
    for (const d of vscode.workspace.textDocuments) {
      this.structured.schedule(d, 0);
      this.scheduler.schedule(d, 0);
    }
  }

  dispose(): void {
    for (const d of this.subscriptions.splice(0).reverse()) d.dispose();
  }
}
