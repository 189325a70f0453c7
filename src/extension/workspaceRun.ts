// `Few-Shot: Classify Workspace`: classifies every included file of the workspace folders,
// closed ones too. The worker walks and reads the files (src/worker/workspace.ts); this side shows
// a cancellable progress notification (files done, lines/s, time left), keeps each file's result
// (WorkspaceResults) for the panel, the Problems panel, the export and Next Uncertain Line, and
// re-runs the workspace when labels change once it has been classified. A run covers every task
// (label set) with labels enough: one walk per folder, each file's lines encoded once and
// classified by each task's adaptation (src/worker/workspace.ts); results are kept per task, and
// the active task's are shown (every task's on a line with fewshot.diagnostics.allTasks). A
// multi-label task is sent with its labeled sets and its files come back with a set per line.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { englishOf } from '../engine/messageTemplate';
import { checkLabelSets } from '../engine/multiLabel';
import { supportProblem } from '../engine/support';
import { CancelSource, RpcError } from '../protocol/rpc';
import type { ClassifyWorkspaceResult, WorkspaceEvent, WorkspaceProgress, WorkspaceScope, WorkspaceSkip } from '../protocol/workspace';
import type { FewShotConfig } from './config';
import type { EngineClient } from './engineClient';
import type { LabelStore } from './labelStore';
import type { PredictionScheduler } from './predictionScheduler';
import type { StructuredDocuments } from './structured';
import { recordTask } from './taskFile';
import { enabledExcludes, exactGlob, FEWSHOT_DIR, type LanguageContribution, languageGlobs } from './workspaceScope';
import { LineCache, SKIP_WORDS, type WorkspaceFile, WorkspaceResults, withLines } from './workspaceResults';

export interface WorkspaceSummary {
  files: number;
  lines: number;
  skipped: WorkspaceSkip[];
  seconds: number;
  cancelled: boolean;
  /** Whether the lines were classified with the sentence block too (RunOptions.sentence). */
  sentence: boolean;
  /** What classifying again with the sentence block would cost, over every folder (a fast run with `fewshot.refine` on). */
  refineCost?: { lines: number; seconds: number };
}

/** Below this much classifying time the rate says more about start-up than about speed: not shown yet. */
const RATE_AFTER_MS = 1000;

/** `1,234 of 5,000 files · 41,000 lines/s · about 12 s left` */
export function progressMessage(p: WorkspaceProgress): string {
  const files = vscode.l10n.t('{0} of {1} files', p.filesDone.toLocaleString('en'), p.filesTotal.toLocaleString('en'));
  if (p.elapsedMs < RATE_AFTER_MS) return files;
  const rate = p.linesDone / (p.elapsedMs / 1000);
  const left = rate > 0 ? Math.max(0, (p.linesTotal - p.linesDone) / rate) : undefined;
  const parts = [files, vscode.l10n.t('{0} lines/s', Math.round(rate).toLocaleString('en'))];
  if (left !== undefined)
    parts.push(left < 60 ? vscode.l10n.t('about {0} s left', Math.ceil(left)) : vscode.l10n.t('about {0} min left', Math.ceil(left / 60)));
  return parts.join(' · ');
}

/** `2 skipped: 1 binary, 1 too large` */
export function skippedSummary(skipped: readonly WorkspaceSkip[]): string {
  if (skipped.length === 0) return '';
  const counts = new Map<WorkspaceSkip['reason'], number>();
  for (const s of skipped) counts.set(s.reason, (counts.get(s.reason) ?? 0) + 1);
  const said = [...counts].map(([why, n]) =>
    why === 'binary'
      ? vscode.l10n.t('{0} binary', n)
      : why === 'too-large'
        ? vscode.l10n.t('{0} too large', n)
        : vscode.l10n.t('{0} unreadable', n),
  );
  // The list's separator is the language's too (Chinese separates with a full-width comma).
  return vscode.l10n.t('{0} skipped: {1}', skipped.length, said.join(vscode.l10n.t(', ')));
}

/**
 * The action a fast run's summary offers: classify again with the sentence block, its cost in
 * seconds shown (at least 1: the adaptation with the block takes time even when every vector is
 * cached). Undefined when there is nothing to offer: a cancelled or refined run, refinement off
 * or unavailable in the worker, no line classified.
 */
export function refineOffer(summary: WorkspaceSummary): string | undefined {
  if (summary.cancelled || summary.sentence || !summary.refineCost || summary.lines === 0) return undefined;
  return vscode.l10n.t('Refine with sentence features (about {0} s)', Math.max(1, Math.ceil(summary.refineCost.seconds)));
}

export interface RunOptions {
  /** A person asked: a cancellable notification and a summary message (else the status bar only). */
  interactive: boolean;
  /** Receives each progress message the notification shows. */
  onProgress?: (message: string) => void;
  /** Classify with the sentence block too (the summary's refineOffer): slower, better on most sets. */
  sentence?: boolean;
}

/**
 * What a run needs of the extension's context (FewShotContext provides it; named here so that
 * the context, which owns the run, and the run do not import each other).
 */
export interface WorkspaceRunContext {
  readonly config: FewShotConfig;
  readonly engine: Pick<EngineClient, 'classifyWorkspace'>;
  /** Where a task model's note (what its adaptation left out) is said, as for open documents. */
  readonly scheduler: Pick<PredictionScheduler, 'showNote'>;
  readonly labels: Pick<LabelStore, 'examplesFor' | 'labelSetExamplesFor' | 'fileFor' | 'activeTask' | 'tasks'>;
  /** The text columns chosen for structured files: closed ones are read with them too. */
  readonly structured: Pick<StructuredDocuments, 'chosenColumns'>;
  readonly output: { show(preserveFocus?: boolean): void };
  log(message: string): void;
}

export class WorkspaceRun implements vscode.Disposable {
  /** Each task's results, by task name. */
  private readonly byTask = new Map<string, WorkspaceResults>();
  private readonly updated = new vscode.EventEmitter<vscode.Uri[]>();
  /** Fires with the files whose workspace predictions changed. */
  readonly onDidUpdate = this.updated.event;
  /** The lines of closed files the panel lists, re-read on demand: `results` keeps no text. */
  readonly lines = new LineCache((uris) => this.updated.fire(uris.map((u) => vscode.Uri.parse(u))));
  private current: { cancel: CancelSource; done: Promise<WorkspaceSummary | undefined> } | undefined;
  private nextRun = 1;
  private rerunTimer: ReturnType<typeof setTimeout> | undefined;
  /** Set once the user classified the workspace: label changes then re-run it. */
  private active = false;
  lastSummary: WorkspaceSummary | undefined;

  constructor(private readonly ctx: WorkspaceRunContext) {}

  /** The active task's results (empty when the last run did not cover it). */
  get results(): WorkspaceResults {
    return this.resultsFor(this.ctx.labels.activeTask().name);
  }

  /** A task's results, by its name (empty when no run covered it). */
  resultsFor(task: string): WorkspaceResults {
    return this.byTask.get(task) ?? new WorkspaceResults();
  }

  /** The active task changed: the closed files show its results now (no re-run needed, every task was classified). */
  activeTaskChanged(): void {
    const uris = new Set([...this.byTask.values()].flatMap((r) => [...r.values()].map((f) => f.uri)));
    if (uris.size) this.updated.fire([...uris].map((u) => vscode.Uri.parse(u)));
  }

  get running(): boolean {
    return this.current !== undefined;
  }

  /**
   * The latest result of a file that is not open in an editor (open documents have their own), for
   * the active task or the task named.
   */
  closedFile(uri: string, task?: string): WorkspaceFile | undefined {
    const file = (task === undefined ? this.results : this.resultsFor(task)).get(uri);
    if (!file) return undefined;
    return vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri) ? undefined : file;
  }

  /** Results of files not open in an editor. */
  closedFiles(): WorkspaceFile[] {
    const open = new Set(vscode.workspace.textDocuments.map((d) => d.uri.toString()));
    return [...this.results.values()].filter((f) => !open.has(f.uri));
  }

  /**
   * The closed files with their lines read again (Export Labels with predictions), a few files at
   * a time; a file changed since the run is left out (its predictions are for other lines).
   */
  closedFilesWithLines(): Promise<Array<{ file: WorkspaceFile; lines: string[] }>> {
    return withLines(this.closedFiles());
  }

  /** Labels changed: once the workspace was classified, classify it again (after the update delay). */
  labelsChanged(): void {
    if (!this.active) return;
    if (this.rerunTimer) clearTimeout(this.rerunTimer);
    this.rerunTimer = setTimeout(
      () => {
        this.rerunTimer = undefined;
        void this.run({ interactive: false });
      },
      Math.max(200, this.ctx.config.updateDelayMs),
    );
  }

  /**
   * Classifies every folder; a run already going is cancelled first. Interactive runs show a
   * cancellable notification and a summary; re-runs after a label change show in the status bar.
   */
  async run(options: RunOptions = { interactive: true }): Promise<WorkspaceSummary | undefined> {
    this.active = true;
    this.current?.cancel.cancel();
    await this.current?.done.catch(() => undefined);
    const cancel = new CancelSource();
    const location = options.interactive ? vscode.ProgressLocation.Notification : vscode.ProgressLocation.Window;
    const done = Promise.resolve(
      vscode.window.withProgress(
        {
          location,
          title: options.sentence
            ? vscode.l10n.t('Few-Shot: classifying the workspace with sentence features')
            : vscode.l10n.t('Few-Shot: classifying the workspace'),
          cancellable: options.interactive,
        },
        (progress, token) => {
          token.onCancellationRequested(() => cancel.cancel());
          return this.runFolders(
            cancel,
            (message, increment) => {
              progress.report({ message, increment });
              options.onProgress?.(message);
            },
            options.sentence === true,
            options.interactive,
          );
        },
      ),
    );
    const current = { cancel, done };
    this.current = current;
    // Offers Few-Shot: Cancel Classify Workspace in the palette while a run goes.
    void vscode.commands.executeCommand('setContext', 'fewshot.workspaceRunning', true);
    try {
      const summary = await done;
      if (summary && options.interactive) this.announce(summary);
      return summary;
    } finally {
      if (this.current === current) {
        this.current = undefined;
        void vscode.commands.executeCommand('setContext', 'fewshot.workspaceRunning', false);
      }
    }
  }

  /** Cancels the run in progress; false when there is none. */
  cancel(): boolean {
    if (!this.current) return false;
    this.current.cancel.cancel();
    return true;
  }

  private async runFolders(
    cancel: CancelSource,
    report: (message: string, increment?: number) => void,
    sentence: boolean,
    interactive: boolean,
  ): Promise<WorkspaceSummary | undefined> {
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (folders.length === 0)
      throw new RpcError(vscode.l10n.t('Open a folder first: Classify Workspace classifies the files of the workspace folders.'), 'input');
    const started = Date.now();
    const summary: WorkspaceSummary = { files: 0, lines: 0, skipped: [], seconds: 0, cancelled: false, sentence };
    // The cost of a refinement is asked for only where one would be offered: an interactive run's
    // summary. A re-run after a label change shows none, and the estimate loads the encoder and
    // looks every line up in its caches.
    const estimateRefine = interactive && !sentence && this.ctx.config.refine;
    let reported = 0;
    const textColumns = this.ctx.structured.chosenColumns();
    // Every task, the active one first: its progress and summary are what the user asked about.
    const active = this.ctx.labels.activeTask();
    const tasks = [active, ...this.ctx.labels.tasks().filter((t) => t.name !== active.name)];
    /** Per task name, the files this run gave a result. */
    const seen = new Map<string, Set<string>>();
    /** The entry of `task` in `map`, made on first use. */
    const entry = <T>(map: Map<string, T>, task: string, make: () => T): T => {
      const have = map.get(task);
      if (have) return have;
      const made = make();
      map.set(task, made);
      return made;
    };
    for (const [k, folder] of folders.entries()) {
      const usable = tasks.flatMap((task) => {
        const field = recordTask(task);
        const support = this.ctx.labels.examplesFor(folder.uri, field);
        // A multi-label task learns from its sets; the engine's check says whether they can train one.
        const multiLabel = task.kind === 'multi-label' ? this.ctx.labels.labelSetExamplesFor(folder.uri, field) : undefined;
        const checked = multiLabel && checkLabelSets(multiLabel);
        const problem = checked ? ('problem' in checked ? englishOf(checked.problem) : undefined) : supportProblem(support);
        if (!problem) return [{ name: task.name, task: field, support, ...(multiLabel ? { multiLabel } : {}) }];
        this.ctx.log(`classify workspace: ${folder.name}${tasks.length > 1 ? ` (task ${task.name})` : ''} skipped: ${problem}`);
        return [];
      });
      const [first, ...others] = usable;
      if (!first) continue;
      const prefix = folders.length > 1 ? `${folder.name} (${k + 1}/${folders.length}): ` : '';
      /** Per task of the run (first, then others), its labels: what the file results index. */
      let labels: string[][] = [];
      let result: ClassifyWorkspaceResult;
      try {
        result = await this.ctx.engine.classifyWorkspace(
          {
            run: this.nextRun++,
            scope: this.scopeOf(folder),
            support: first.support,
            method: this.ctx.config.method,
            abstention: this.ctx.config.abstention,
            textColumns,
            ...(first.task === undefined ? {} : { task: first.task }),
            ...(first.multiLabel ? { multiLabel: first.multiLabel } : {}),
            ...(others.length
              ? {
                  otherTasks: others.map((t) => ({
                    ...(t.task === undefined ? {} : { task: t.task }),
                    support: t.support,
                    ...(t.multiLabel ? { multiLabel: t.multiLabel } : {}),
                  })),
                }
              : {}),
            ...(sentence ? { sentence } : {}),
            ...(estimateRefine ? { estimateRefine } : {}),
          },
          (event: WorkspaceEvent) => {
            if (event.type === 'scanned') {
              labels = [event.labels, ...(event.otherLabels ?? [])];
              report(`${prefix}${event.files.toLocaleString('en')} files, ${event.lines.toLocaleString('en')} lines`);
              return;
            }
            const uri = vscode.Uri.file(event.file.path).toString();
            const { otherTasks, sets, ...shared } = event.file;
            // Each task's own predictions (and sets: another task's are not the first one's) on the file's lines.
            const perTask = [{ ...shared, ...(sets ? { sets } : {}) }, ...(otherTasks ?? []).map((p) => ({ ...shared, ...p }))];
            for (const [t, task] of usable.entries()) {
              const predictions = perTask[t];
              if (!predictions) continue;
              entry(this.byTask, task.name, () => new WorkspaceResults()).add(uri, predictions, labels[t] ?? []);
              entry(seen, task.name, () => new Set<string>()).add(uri);
            }
            // One file per update: the main-thread work per message stays one file's worth.
            this.updated.fire([vscode.Uri.parse(uri)]);
            // Progress over all folders is approximate: each folder weighs the same.
            const share = (100 * (k + event.progress.filesDone / Math.max(1, event.progress.filesTotal))) / folders.length;
            report(prefix + progressMessage(event.progress), share - reported);
            reported = share;
          },
          cancel,
        );
      } catch (error) {
        if (error instanceof RpcError && error.code === 'cancelled') {
          summary.cancelled = true;
          break;
        }
        throw error;
      }
      // What a task's adaptation left out (a multi-label task fitted on some of its lines), as an open document's note is said.
      for (const [t, model] of [result, ...(result.otherTasks ?? [])].entries())
        if (model.note)
          this.ctx.scheduler.showNote(`classify workspace: ${folder.name}${usable.length > 1 ? ` (task ${usable[t]?.name})` : ''}`, model);
      summary.files += result.files;
      summary.lines += result.lines;
      if (result.refineCost) {
        const sum = summary.refineCost ?? { lines: 0, seconds: 0 };
        summary.refineCost = { lines: sum.lines + result.refineCost.lines, seconds: sum.seconds + result.refineCost.seconds };
      }
      summary.skipped.push(...result.skipped);
      for (const s of result.skipped)
        this.ctx.log(
          `classify workspace: skipped ${s.path} (${SKIP_WORDS[s.reason]}` +
            `${s.reason === 'unreadable' ? `: ${s.detail}` : `, ${s.detail} bytes`})`,
        );
      this.ctx.log(
        `classify workspace: ${folder.name}: ${result.files} files, ${result.lines} lines, ` +
          `${usable.length > 1 ? `tasks ${usable.map((t) => t.name).join(', ')} (each line encoded once), ` : ''}method ${result.method}, scan ` +
          `${Math.round(result.scanMs)} ms, adapt ${Math.round(result.adaptMs)} ms, total ${Math.round(result.totalMs)} ms`,
      );
    }
    if (!summary.cancelled) {
      // Files gone or excluded since the last run, and tasks this run did not cover (renamed, or
      // without labels enough now), lose their predictions.
      const dropped = new Set<string>();
      for (const [task, results] of this.byTask) {
        for (const uri of results.retain((f) => seen.get(task)?.has(f.uri) === true)) dropped.add(uri);
        if (results.size === 0) this.byTask.delete(task);
      }
      const kept = new Set([...this.byTask.values()].flatMap((r) => [...r.values()].map((f) => f.uri)));
      for (const uri of dropped) if (!kept.has(uri)) this.lines.forget(uri);
      if (dropped.size) this.updated.fire([...dropped].map((u) => vscode.Uri.parse(u)));
    }
    summary.seconds = (Date.now() - started) / 1000;
    this.lastSummary = summary;
    if (summary.cancelled) this.ctx.log(`classify workspace: cancelled after ${summary.files} files`);
    return summary;
  }

  private announce(summary: WorkspaceSummary): void {
    const skipped = skippedSummary(summary.skipped);
    const files = summary.files.toLocaleString('en');
    const lines = summary.lines.toLocaleString('en');
    const seconds = summary.seconds.toFixed(1);
    const text = summary.cancelled
      ? vscode.l10n.t('Few-Shot: Classify Workspace cancelled; files done so far keep their predictions.')
      : skipped
        ? vscode.l10n.t('Few-Shot: classified {0} files ({1} lines) in {2} s; {3}.', files, lines, seconds, skipped)
        : vscode.l10n.t('Few-Shot: classified {0} files ({1} lines) in {2} s.', files, lines, seconds);
    const refine = refineOffer(summary);
    const actions = [...(refine ? [refine] : []), ...(skipped ? [vscode.l10n.t('Show Log')] : [])];
    void vscode.window.showInformationMessage(text, ...actions).then((choice) => {
      if (choice === undefined) return;
      if (choice === refine) void this.run({ interactive: true, sentence: true });
      else this.ctx.output.show(true);
    });
  }

  /** What the worker reads in a folder. */
  scopeOf(folder: vscode.WorkspaceFolder): WorkspaceScope {
    const config = this.ctx.config;
    const contributions = vscode.extensions.all.flatMap(
      (e) =>
        ((e.packageJSON as { contributes?: { languages?: LanguageContribution[] } }).contributes?.languages ??
          []) as LanguageContribution[],
    );
    const labelsFile = this.ctx.labels.fileFor(folder.uri);
    const exclude = [...enabledExcludes(vscode.workspace.getConfiguration('files', folder.uri).get('exclude')), `**/${FEWSHOT_DIR}`];
    if (labelsFile) exclude.push(exactGlob(path.relative(folder.uri.fsPath, labelsFile)));
    return {
      root: folder.uri.fsPath,
      include: [...languageGlobs(config.languages, contributions), ...config.include],
      exclude,
      useIgnoreFiles: vscode.workspace.getConfiguration('search', folder.uri).get('useIgnoreFiles', true),
      maxFileBytes: config.workspaceMaxFileMB * 2 ** 20,
    };
  }

  dispose(): void {
    this.current?.cancel.cancel();
    if (this.rerunTimer) clearTimeout(this.rerunTimer);
    this.updated.dispose();
  }
}
