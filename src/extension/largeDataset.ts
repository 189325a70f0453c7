// `Few-Shot: Classify Large Dataset File...`: a CSV, TSV or JSONL file too big for an editor,
// classified and written back with `label`, `label_source` and `confidence` (Export Dataset's
// columns). The extension host sends the file's path only: the worker reads it from disk part by
// part (src/worker/datasetFile.ts), so no copy of the file is ever held here. A cancellable
// notification shows the records done, the rate and the time left.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { leftOutNote } from '../engine/data/dataset';
import { formatOfPath } from '../engine/data/records';
import type { Example } from '../engine/types';
import { supportProblem } from '../engine/support';
import { CancelSource } from '../protocol/rpc';
import type { ClassifyDatasetResult, DatasetProgress } from '../protocol/worker';
import type { FewShotContext } from './context';
import { LabelError } from './labelStore';
import { recordTask } from './taskFile';

/** Which labels teach the model: the active task's in the file's folder, or only those on this file's lines. */
export type LabelSource = 'task' | 'file';

export interface LargeDatasetOptions {
  /** Where the labeled file goes; absent: asked, the folder's .fewshot/exports/ offered. */
  out?: string;
  /** Absent: asked when the file has labels of its own, else the task's. */
  labels?: LabelSource;
}

/** Run ids: each run's progress goes to its own notification. */
let nextRun = 1;

/** No rate or time left before this much of the run: the first parts' rate says little. */
const RATE_AFTER_MS = 2000;

/**
 * The notification's line: the pass and the records it read; in the classifying pass (the second:
 * the first samples the pool) also its rate and the time left at that rate.
 */
export function datasetProgressMessage(p: DatasetProgress): string {
  const records = `${p.records.toLocaleString('en')} records`;
  if (p.phase === 'pool') return `Reading the pool: ${records} (${Math.floor((100 * p.bytes) / Math.max(p.bytesTotal, 1))} %)`;
  if (p.elapsedMs < RATE_AFTER_MS || p.bytes === 0) return `Classifying: ${records}`;
  const seconds = p.elapsedMs / 1000;
  const left = ((p.bytesTotal - p.bytes) / p.bytes) * seconds;
  const rate = Math.round(p.records / seconds).toLocaleString('en');
  return `Classifying: ${records} · ${rate} records/s · about ${left < 60 ? `${Math.ceil(left)} s` : `${Math.ceil(left / 60)} min`} left`;
}

/** Share (0-100) of the run's work a progress report stands for. */
export function datasetShare(p: DatasetProgress): number {
  if (p.bytesTotal === 0) return 0;
  return (50 * ((p.phase === 'classify' ? p.bytesTotal : 0) + p.bytes)) / p.bytesTotal;
}

/** Where an export named `name` of `source` is offered by default (commands.ts: the folder's .fewshot/exports/). */
type DefaultOut = (source: vscode.Uri, name: string) => Promise<vscode.Uri>;

export function classifyLargeDataset(ctx: FewShotContext, defaultOut: DefaultOut) {
  return async (file?: vscode.Uri | string, options: LargeDatasetOptions = {}): Promise<ClassifyDatasetResult | undefined> => {
    let uri = typeof file === 'string' ? vscode.Uri.file(file) : file;
    if (!uri) {
      const picked = await vscode.window.showOpenDialog({
        title: vscode.l10n.t('Classify a large CSV, TSV or JSONL file'),
        canSelectMany: false,
        filters: { Datasets: ['csv', 'tsv', 'tab', 'jsonl', 'ndjson'] },
      });
      uri = picked?.[0];
      if (!uri) return undefined;
    }
    const format = formatOfPath(uri.fsPath);
    if (!format) throw new LabelError(vscode.l10n.t('{0} is not a CSV, TSV or JSONL file.', path.basename(uri.fsPath)));
    const support = await pickSupport(ctx, uri, options.labels);
    if (!support) return undefined;
    const problem = supportProblem(support.examples, vscode.l10n.t);
    if (problem) throw new LabelError(vscode.l10n.t('Cannot classify {0} with {1}: {2}', path.basename(uri.fsPath), support.what, problem));
    const out = options.out ?? (await pickOut(uri, format, defaultOut));
    if (!out) return undefined;
    if (path.resolve(out) === path.resolve(uri.fsPath))
      throw new LabelError(vscode.l10n.t('Pick another file: the export never overwrites its source.'));

    const source = uri;
    const stopFlag = new Int32Array(new SharedArrayBuffer(4));
    const cancel = new CancelSource();
    const column = ctx.structured.chosenColumns()[source.fsPath];
    const result = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: vscode.l10n.t('Few-Shot: {0}', path.basename(source.fsPath)),
        cancellable: true,
      },
      async (progress, token) => {
        token.onCancellationRequested(() => {
          Atomics.store(stopFlag, 0, 1);
          cancel.cancel();
        });
        let reported = 0;
        try {
          return await ctx.engine.classifyDataset(
            {
              run: nextRun++,
              file: source.fsPath,
              format,
              ...(column === undefined ? {} : { column }),
              out,
              support: support.examples,
              method: ctx.config.method,
              abstention: ctx.config.abstention,
              stopFlag,
            },
            (p) => {
              const share = datasetShare(p);
              progress.report({ message: datasetProgressMessage(p), increment: share - reported });
              reported = share;
            },
            cancel,
          );
        } catch (error) {
          if (cancel.isCancellationRequested) return undefined;
          throw error;
        }
      },
    );
    if (!result) {
      ctx.log(`classify large dataset: ${source.fsPath} cancelled; nothing was written`);
      if (!options.out) void vscode.window.showInformationMessage(vscode.l10n.t('Few-Shot: cancelled; nothing was written.'));
      return undefined;
    }
    // The worker names the first bad rows and counts the rest.
    const leftOut = leftOutNote(result.problems, result.unread);
    const note = leftOut ? `; ${leftOut}` : '';
    const summary =
      `classified ${result.classified.toLocaleString('en')} of ${result.records.toLocaleString('en')} records ` +
      `(${result.labeled.toLocaleString('en')} labeled, column ${result.column ?? 'none'}) in ${(result.ms / 1000).toFixed(1)} s ` +
      `to ${path.basename(result.out)}${note}`;
    ctx.log(`classify large dataset: ${source.fsPath}: ${summary} (${result.out})`);
    for (const p of result.problems) ctx.log(`classify large dataset: ${source.fsPath}:${p.line}: ${p.message}`);
    if (!options.out) {
      const said = [
        result.classified.toLocaleString('en'),
        result.records.toLocaleString('en'),
        result.labeled.toLocaleString('en'),
        result.column ?? vscode.l10n.t('none'),
        (result.ms / 1000).toFixed(1),
        path.basename(result.out),
      ];
      const message = leftOut
        ? vscode.l10n.t(
            'Few-Shot: classified {0} of {1} records ({2} labeled, column {3}) in {4} s to {5}; {6}.',
            ...said,
            leftOutNote(result.problems, result.unread, vscode.l10n.t) ?? leftOut,
          )
        : vscode.l10n.t('Few-Shot: classified {0} of {1} records ({2} labeled, column {3}) in {4} s to {5}.', ...said);
      void (leftOut ? vscode.window.showWarningMessage(message) : vscode.window.showInformationMessage(message));
    }
    return result;
  };
}

/** The support set the user picks (or `wanted` says), with its description for messages. */
async function pickSupport(
  ctx: FewShotContext,
  uri: vscode.Uri,
  wanted: LabelSource | undefined,
): Promise<{ examples: Example[]; what: string } | undefined> {
  const task = recordTask(ctx.labels.activeTask());
  const folder = ctx.labels.folderOf(uri) ?? vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new LabelError(vscode.l10n.t('Open a folder first: its labels teach the model.'));
  const all = ctx.labels.all().find((s) => s.folder.uri.toString() === folder.uri.toString())?.records ?? [];
  const ofTask = all.filter((r) => r.task === task);
  const relative = path.relative(folder.uri.fsPath, uri.fsPath).split(path.sep).join('/');
  const ofFile = ofTask.filter((r) => r.document === relative);
  const taskName = ctx.labels.activeTask().name;
  const choices = {
    task: { examples: ofTask, what: vscode.l10n.t('the {0} labels of task {1} in {2}', ofTask.length, taskName, folder.name) },
    file: { examples: ofFile, what: vscode.l10n.t('the {0} labels of {1}', ofFile.length, path.basename(uri.fsPath)) },
  };
  let source = wanted;
  if (source === undefined) {
    if (ofFile.length === 0) source = 'task';
    else {
      const items: Array<vscode.QuickPickItem & { source: LabelSource }> = [
        { label: vscode.l10n.t("The task's labels in this folder"), description: choices.task.what, source: 'task' },
        { label: vscode.l10n.t("This file's own labels"), description: choices.file.what, source: 'file' },
      ];
      source = (await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Which labels teach the model?') }))?.source;
      if (!source) return undefined;
    }
  }
  const chosen = choices[source];
  return { examples: chosen.examples.map((r) => ({ text: r.text, label: r.label })), what: chosen.what };
}

/** Where the labeled file goes: the user picks, the folder's .fewshot/exports/ offered (beside the file outside every folder). */
async function pickOut(uri: vscode.Uri, ext: string, defaultOut: DefaultOut): Promise<string | undefined> {
  const name = `${path.basename(uri.fsPath).replace(/\.[^.]+$/, '')}.labeled.${ext}`;
  const picked = await vscode.window.showSaveDialog({
    title: vscode.l10n.t('Save the labeled dataset'),
    defaultUri: await defaultOut(uri, name),
    filters: { [ext.toUpperCase()]: [ext] },
  });
  return picked?.fsPath;
}
