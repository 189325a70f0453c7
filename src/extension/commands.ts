// Every command is a factory `(ctx) => handler`, registered from one list so the palette's
// surface reads in one screen (all but fewshot.openPanel, which panel/index.ts registers with the
// panel it opens). Handlers take optional arguments so quick fixes and tests can
// call them without a prompt; a person gets the prompts.
import { fillMessage } from '../engine/data/labelName';
import { errorText } from '../protocol/rpc';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { datasetLabelSet, leftOutNote, type RecordLabel } from '../engine/data/dataset';
import type { RecordTable } from '../engine/data/records';
import { NONE_LABEL, isNoneLabel } from '../engine/labels/none';
import { supportProblem } from '../engine/support';
import type { FewShotContext } from './context';
import { LabelError } from './labelStore';
import { type ExportRow, labelExportContent, labeledRowFields, predictedRowFields, readLabelExport } from './labelExport';
import { writeFileAtomic } from './labelFile';
import { mostUncertainLine, predictedSet } from './diagnosticEntries';
import { acceptedLabel, labelPickItems, type LabelPickItem } from './labelPick';
import { mostUncertainInWorkspace, type WorkspaceFile } from './workspaceResults';
import { openSample } from './walkthrough';
import { improveModel, useShippedModel } from './improveModel';
import { acceptPredictedSets, labelSetLines, setLabels, toggleLabel } from './labelSetCommands';
import { classifyLargeDataset } from './largeDataset';
import { createTask, renameTask, switchTask } from './taskCommands';
import { recordTask } from './taskFile';
import { EXPORTS_DIR } from './workspaceScope';

// biome-ignore lint/suspicious/noExplicitAny: VS Code passes command arguments untyped; each handler declares those it takes.
export type Handler = (...args: any[]) => unknown;
type Factory = (ctx: FewShotContext) => Handler;

export const commands: Record<string, Factory> = {
  'fewshot.labelLine': labelLine,
  'fewshot.removeLabel': removeLabel,
  'fewshot.acceptPrediction': acceptPrediction,
  'fewshot.nextUncertainLine': nextUncertainLine,
  'fewshot.classifyWorkspace': (ctx) => (options?: { onProgress?: (message: string) => void }) =>
    ctx.workspace.run({ interactive: true, onProgress: options?.onProgress }),
  'fewshot.cancelClassifyWorkspace': (ctx) => () => ctx.workspace.cancel(),
  'fewshot.exportLabels': exportLabels,
  'fewshot.importLabels': importLabels,
  'fewshot.exportDataset': exportDataset,
  'fewshot.classifyLargeDataset': (ctx) => classifyLargeDataset(ctx, (source, name) => exportsUri(source, name)),
  'fewshot.chooseTextColumn': chooseTextColumn,
  'fewshot.clearLabels': clearLabels,
  'fewshot.showEngineInfo': showEngineInfo,
  'fewshot.showLog': (ctx) => () => ctx.output.show(true),
  'fewshot.openSample': openSample,
  'fewshot.improveModel': improveModel,
  'fewshot.useShippedModel': useShippedModel,
  'fewshot.createTask': createTask,
  'fewshot.renameTask': renameTask,
  'fewshot.switchTask': switchTask,
  // A multi-label task's lines (quick fixes, the panel; labelSetCommands.ts): not in the palette, they take arguments.
  'fewshot.toggleLabel': toggleLabel,
  'fewshot.setLabels': setLabels,
};

export function registerCommands(ctx: FewShotContext): void {
  for (const [id, factory] of Object.entries(commands)) {
    const handler = factory(ctx);
    ctx.subscriptions.push(vscode.commands.registerCommand(id, (...args: unknown[]) => guard(ctx, id, () => handler(...args))));
  }
}

/** Errors the user can fix become messages; anything else is logged too. */
async function guard(ctx: FewShotContext, id: string, run: () => unknown): Promise<unknown> {
  try {
    return await run();
  } catch (error) {
    // The log has the English; the user reads a worker's or the engine client's error in their language.
    if (!(error instanceof LabelError)) ctx.log(`${id} failed: ${errorText(error)}`);
    void vscode.window.showErrorMessage(vscode.l10n.t('Few-Shot: {0}', errorText(error, vscode.l10n.t)));
    return undefined;
  }
}

/** The document and lines a command acts on: given explicitly, else the active editor's selections. */
async function target(uri?: vscode.Uri | string, lines?: number[]): Promise<{ doc: vscode.TextDocument; lines: number[] }> {
  if (uri) {
    const doc = await vscode.workspace.openTextDocument(typeof uri === 'string' ? vscode.Uri.parse(uri) : uri);
    return { doc, lines: lines ?? [] };
  }
  const editor = vscode.window.activeTextEditor;
  if (!editor) throw new LabelError(vscode.l10n.t('Open a document and put the cursor on a line first.'));
  const selected = new Set<number>();
  for (const s of editor.selections) {
    // A selection ending at column 0 of the next line does not include that line.
    const end = s.end.line > s.start.line && s.end.character === 0 ? s.end.line - 1 : s.end.line;
    for (let l = s.start.line; l <= end; l++) selected.add(l);
  }
  return { doc: editor.document, lines: [...selected] };
}

function labelLine(ctx: FewShotContext): Handler {
  return async (label?: string, uri?: vscode.Uri | string, lines?: number[]) => {
    const t = await target(uri, lines);
    if (t.doc.uri.scheme !== 'file') throw new LabelError(notLocalFile(t.doc.uri));
    if (!ctx.isIncluded(t.doc))
      throw new LabelError(
        vscode.l10n.t(
          '{0} is not a document Few-Shot classifies (see the fewshot.languages and fewshot.include settings).',
          path.basename(t.doc.uri.fsPath),
        ),
      );
    if (ctx.labels.isMultiLabel()) return labelSetLines(ctx, t.doc, t.lines, label);
    // The labels the lines have now (a record's label sits on its first line).
    const units = ctx.structured.unitsOf(t.doc);
    const startOf = (line: number) => (units && units !== 'pending' ? units.startOf(line) : line);
    const labeled = ctx.labels.labelsOf(t.doc);
    const had = new Map<number, string>();
    for (const line of t.lines) {
      const l = labeled.get(startOf(line));
      if (l !== undefined) had.set(startOf(line), l);
    }
    const name = label ?? (await pickLabel(ctx, t.lines.length, new Set(had.values())));
    if (!name) return 0;
    // A line that already has the label is left alone; if that is every line, the user hears so.
    const todo = t.lines.filter((line) => had.get(startOf(line)) !== name);
    const n = todo.length ? await ctx.labels.setLabel(t.doc, todo, name) : 0;
    if (n) await ctx.recentLabels.use(name);
    else {
      const same = [...had].filter(([, l]) => l === name).map(([line]) => line);
      void vscode.window.showInformationMessage(
        same.length
          ? alreadyLabeled(same, name, ctx.structured.formatOf(t.doc) ? 'record' : 'line')
          : ctx.structured.formatOf(t.doc)
            ? vscode.l10n.t('Few-Shot: the header and blank lines cannot be labeled.')
            : vscode.l10n.t('Few-Shot: empty lines cannot be labeled.'),
      );
    }
    return n;
  };
}

/** The message for labeling lines with the label they have: nothing changes, but the user did ask. */
function alreadyLabeled(lines: readonly number[], label: string, unit: 'line' | 'record'): string {
  const where =
    lines.length > 1
      ? `The ${lines.length} selected ${unit}s are`
      : unit === 'line'
        ? `Line ${lines[0]! + 1} is`
        : `The record on line ${lines[0]! + 1} is`;
  return `Few-Shot: ${where} already labeled "${label}".`;
}

/** Why a document that is not a local file cannot be labeled: labels live in a label file in a folder on disk. */
function notLocalFile(uri: vscode.Uri): string {
  const name = path.posix.basename(uri.path) || uri.toString();
  return uri.scheme === 'untitled'
    ? vscode.l10n.t(
        "{0} is not saved: save it in a workspace folder to label its lines (labels are stored in the folder's label file).",
        name,
      )
    : vscode.l10n.t('{0} is not a file on this machine ({1}:): Few-Shot labels only local files in a workspace folder.', name, uri.scheme);
}

/**
 * Quick pick: the built-in `none` first, then the recently used labels; what is typed finds the
 * labels matching it, and a new label only when chosen explicitly (labelPick.ts).
 */
async function pickLabel(ctx: FewShotContext, lineCount: number, current: ReadonlySet<string>): Promise<string | undefined> {
  const existing = [NONE_LABEL, ...ctx.recentLabels.order(ctx.labels.labelNames().filter((l) => !isNoneLabel(l)))];
  const recent = new Set(ctx.recentLabels.recent);
  const pick = vscode.window.createQuickPick<LabelPickItem>();
  pick.title = lineCount === 1 ? vscode.l10n.t('Label line as...') : vscode.l10n.t('Label {0} lines as...', lineCount);
  pick.placeholder = vscode.l10n.t('Type part of a label name, or a new one');
  pick.items = labelPickItems('', existing, recent, current);
  pick.onDidChangeValue((value) => {
    pick.items = labelPickItems(value, existing, recent, current);
  });
  try {
    return await new Promise<string | undefined>((resolve) => {
      let accepted = false;
      pick.onDidAccept(() => {
        accepted = true;
        const selected = pick.selectedItems[0] ?? pick.activeItems[0];
        if (!selected) ctx.log(`Label Line As: Enter came before the list for "${pick.value}" (the typed value decides)`);
        resolve(acceptedLabel(selected, pick.value, existing, recent, current));
      });
      pick.onDidHide(() => {
        if (!accepted) resolve(undefined);
      });
      pick.show();
    });
  } finally {
    pick.dispose();
  }
}

function removeLabel(ctx: FewShotContext): Handler {
  return async (uri?: vscode.Uri | string, lines?: number[]) => {
    const t = await target(uri, lines);
    const n = await ctx.labels.removeLabel(t.doc, t.lines);
    if (!n) void vscode.window.showInformationMessage(vscode.l10n.t('Few-Shot: no label on the selected line(s).'));
    return n;
  };
}

/** Why a document has no predictions: the labels' problem when they have one, else they are on their way. */
function noPredictions(ctx: FewShotContext, doc: vscode.TextDocument): LabelError {
  const problem = supportProblem(ctx.labels.examplesFor(doc.uri), vscode.l10n.t);
  return new LabelError(
    problem
      ? vscode.l10n.t('No predictions for this document yet: {0}.', problem)
      : vscode.l10n.t('No predictions for this document yet (they are being computed).'),
  );
}

function acceptPrediction(ctx: FewShotContext): Handler {
  return async (uri?: vscode.Uri | string, lines?: number[]) => {
    const t = await target(uri, lines);
    const result = ctx.scheduler.resultFor(t.doc);
    if (!result) throw noPredictions(ctx, t.doc);
    // In a structured document the prediction sits on the record's first line: any of its lines accepts it.
    const units = ctx.structured.unitsOf(t.doc);
    const wanted = units && units !== 'pending' ? [...new Set(t.lines.map((l) => units.startOf(l)))] : t.lines;
    let n = 0;
    // A multi-label task's prediction is a set.
    if (result.sets) n = await acceptPredictedSets(ctx, t.doc, wanted);
    else
      for (const line of wanted) {
        const index = result.labelIndex[line] ?? -1;
        if (index < 0) continue;
        n += await ctx.labels.setLabel(t.doc, [line], result.labels[index]!);
      }
    if (!n) void vscode.window.showInformationMessage(vscode.l10n.t('Few-Shot: no prediction on the selected line(s).'));
    return n;
  };
}

function nextUncertainLine(ctx: FewShotContext): Handler {
  return async () => {
    const editor = vscode.window.activeTextEditor;
    // After Classify Workspace the next line may be in any file, closed ones included.
    if (ctx.workspace.results.size > 0) return nextUncertainInWorkspace(ctx, editor);
    if (!editor) throw new LabelError(vscode.l10n.t('Open a document first.'));
    const result = ctx.scheduler.resultFor(editor.document);
    if (!result) throw noPredictions(ctx, editor.document);
    const line = mostUncertainLine(result, new Set(ctx.labels.labelsOf(editor.document).keys()), editor.selection.active.line);
    if (line < 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Few-Shot: every classified line is labeled.'));
      return -1;
    }
    const position = new vscode.Position(line, 0);
    editor.selection = new vscode.Selection(position, position);
    editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    return line;
  };
}

/** The least certain unlabeled line over the open documents and the workspace's closed files; opens its file. */
async function nextUncertainInWorkspace(
  ctx: FewShotContext,
  editor: vscode.TextEditor | undefined,
): Promise<{ uri: string; line: number } | -1> {
  const open = vscode.workspace.textDocuments.flatMap((doc) => {
    const result = ctx.isIncluded(doc) ? ctx.scheduler.resultFor(doc) : undefined;
    return result ? [{ ...result, uri: doc.uri.toString() }] : [];
  });
  const skip = editor && { uri: editor.document.uri.toString(), line: editor.selection.active.line };
  const best = mostUncertainInWorkspace(
    [...open, ...ctx.workspace.closedFiles()],
    (uri) => new Set(ctx.labels.labelsOf(vscode.Uri.parse(uri)).keys()),
    skip,
  );
  if (!best) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Few-Shot: every classified line is labeled.'));
    return -1;
  }
  const position = new vscode.Position(best.line, 0);
  await vscode.window.showTextDocument(vscode.Uri.parse(best.uri), { selection: new vscode.Range(position, position) });
  return { uri: best.uri, line: best.line };
}

/** `closed`: the closed files Classify Workspace classified, with their lines read again (the results keep no text). */
function exportRows(
  ctx: FewShotContext,
  withPredictions: boolean,
  closed: ReadonlyArray<{ file: WorkspaceFile; lines: string[] }>,
): ExportRow[] {
  const rows: ExportRow[] = [];
  // In a multi-root workspace the same relative path can exist in two folders: name the folder.
  const multiRoot = (vscode.workspace.workspaceFolders?.length ?? 0) > 1;
  for (const { folder, records } of ctx.labels.all()) {
    const prefix = multiRoot ? `${folder.name}/` : '';
    for (const r of records)
      rows.push({
        document: prefix + r.document,
        line: r.line + 1,
        text: r.text,
        // A multi-label task's record exports its whole set.
        ...labeledRowFields(r, ctx.labels.isMultiLabel(r.task)),
        source: 'label',
        ...(r.task === undefined ? {} : { task: r.task }),
      });
  }
  const task = recordTask(ctx.labels.activeTask());
  const ofTask = task === undefined ? {} : { task };
  if (withPredictions) {
    for (const doc of vscode.workspace.textDocuments) {
      const result = ctx.scheduler.resultFor(doc);
      if (!result) continue;
      const labeled = ctx.labels.labelsOf(doc);
      const document = vscode.workspace.asRelativePath(doc.uri, multiRoot);
      // A structured document's prediction sits on its record's first line: export the record's text.
      const read = ctx.structured.unitsOf(doc);
      const units = read === 'pending' ? undefined : read;
      for (let line = 0; line < result.labelIndex.length; line++) {
        const predicted = labeled.has(line) ? undefined : predictedRowFields(result, line);
        if (predicted) rows.push({ document, line: line + 1, text: units?.lines[line] ?? doc.lineAt(line).text, ...predicted, ...ofTask });
      }
    }
    // Closed files classified by Classify Workspace.
    for (const { file, lines } of closed) {
      const uri = vscode.Uri.parse(file.uri);
      const labeled = ctx.labels.labelsOf(uri);
      const document = vscode.workspace.asRelativePath(uri, multiRoot);
      for (let line = 0; line < file.labelIndex.length; line++) {
        const predicted = labeled.has(line) ? undefined : predictedRowFields(file, line);
        if (predicted) rows.push({ document, line: line + 1, text: lines[line]!, ...predicted, ...ofTask });
      }
    }
  }
  return rows;
}

function exportLabels(ctx: FewShotContext): Handler {
  return async (targetPath?: string, withPredictions?: boolean) => {
    let file = targetPath;
    if (!file) {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      const uri = await vscode.window.showSaveDialog({
        title: vscode.l10n.t('Export Few-Shot labels'),
        defaultUri: folder && (await exportsUri(vscode.Uri.joinPath(folder, 'labels-export.jsonl'), 'labels-export.jsonl', folder)),
        filters: { 'JSON Lines': ['jsonl'], CSV: ['csv'] },
      });
      if (!uri) return undefined;
      file = uri.fsPath;
    }
    if (withPredictions === undefined) {
      const choice = await vscode.window.showQuickPick(
        [
          { label: vscode.l10n.t('Labeled lines'), predictions: false },
          {
            label: vscode.l10n.t('Labeled and predicted lines'),
            description: vscode.l10n.t('predictions of the open documents and of Classify Workspace'),
            predictions: true,
          },
        ],
        { title: vscode.l10n.t('Export which lines?') },
      );
      if (!choice) return undefined;
      withPredictions = choice.predictions;
    }
    const rows = exportRows(ctx, withPredictions, withPredictions ? await ctx.workspace.closedFilesWithLines() : []);
    const isMultiLabel = (t: string | undefined) => ctx.labels.isMultiLabel(t);
    const content = labelExportContent(rows, file.toLowerCase().endsWith('.csv') ? 'csv' : 'jsonl', isMultiLabel);
    await writeFileAtomic(file, content);
    ctx.log(`exported ${rows.length} rows to ${file}`);
    if (!targetPath)
      void vscode.window.showInformationMessage(vscode.l10n.t('Few-Shot: exported {0} lines to {1}.', rows.length, path.basename(file)));
    return rows.length;
  };
}

function importLabels(ctx: FewShotContext): Handler {
  return async (sourcePath?: string) => {
    let file = sourcePath;
    if (!file) {
      const picked = await vscode.window.showOpenDialog({
        title: vscode.l10n.t('Import Few-Shot labels'),
        canSelectMany: false,
        filters: { 'JSON Lines': ['jsonl'], CSV: ['csv'] },
      });
      if (!picked?.[0]) return undefined;
      file = picked[0].fsPath;
    }
    const csv = file.toLowerCase().endsWith('.csv');
    const parsed = readLabelExport(
      await fs.promises.readFile(file, 'utf8'),
      csv ? 'csv' : 'jsonl',
      (t) => ctx.labels.isMultiLabel(t),
      (t) => new Set(ctx.labels.labelNames(t)),
    );
    if ('missingColumns' in parsed)
      throw new LabelError(
        vscode.l10n.t('{0} is not an Export Labels CSV: it lacks the columns {1}.', path.basename(file), parsed.missingColumns.join(', ')),
      );
    const { predictions } = parsed;
    if (parsed.problems.length) {
      ctx.log(`import ${file}: skipped bad lines ${parsed.problems.map((p) => `${p.line} (${p.message})`).join(', ')}`);
    }
    // Nothing is imported rather than one label of each set: the user makes the task multi-label first.
    if (parsed.setsForSingleLabel.length) {
      const first = parsed.setsForSingleLabel[0]!;
      const taskName = first.task ?? ctx.labels.tasks().find((t) => t.isDefault)?.name ?? '';
      throw new LabelError(
        vscode.l10n.t(
          '{0}: {1} lines give a set of labels (lines {2}), but task {3} is not multi-label here. Nothing was imported: create a multi-label task of that name (Few-Shot: Create Task) and import again.',
          path.basename(file),
          parsed.setsForSingleLabel.length,
          parsed.setsForSingleLabel.map((r) => r.line).join(', '),
          taskName,
        ),
      );
    }
    const folder = await pickFolder();
    if (!folder) return undefined;
    // A multi-root export names documents `<folder>/<path>`.
    const prefix = `${folder.name}/`;
    const records =
      (vscode.workspace.workspaceFolders?.length ?? 0) > 1
        ? parsed.records.map((r) => (r.document.startsWith(prefix) ? { ...r, document: r.document.slice(prefix.length) } : r))
        : parsed.records;
    const n = await ctx.labels.importRecords(folder, records);
    const notes = [
      ...(predictions ? [vscode.l10n.t('{0} predicted lines left out', predictions)] : []),
      ...(parsed.problems.length
        ? [vscode.l10n.t('{0} bad lines skipped (lines {1})', parsed.problems.length, parsed.problems.map((p) => p.line).join(', '))]
        : []),
    ];
    void vscode.window.showInformationMessage(
      notes.length
        ? vscode.l10n.t('Few-Shot: imported {0} labels; {1}.', n, notes.join('; '))
        : vscode.l10n.t('Few-Shot: imported {0} labels.', n),
    );
    return n;
  };
}

function clearLabels(ctx: FewShotContext): Handler {
  return async (options?: { confirmed?: boolean }) => {
    const folder = await pickFolder();
    if (!folder) return undefined;
    // Clear Labels clears the active task's labels (the other tasks keep theirs).
    const active = ctx.labels.activeTask();
    const task = recordTask(active);
    const records = ctx.labels.all().find((s) => s.folder.uri.toString() === folder.uri.toString())?.records ?? [];
    const n = records.filter((r) => r.task === task).length;
    const ofTask = ctx.labels.tasks().length > 1;
    if (!options?.confirmed) {
      const clear = vscode.l10n.t('Clear Labels');
      const answer = await vscode.window.showWarningMessage(
        ofTask
          ? vscode.l10n.t('Clear all {0} labels of {1} (task {2})?', n, folder.name, active.name)
          : vscode.l10n.t('Clear all {0} labels of {1}?', n, folder.name),
        {
          modal: true,
          detail: ofTask
            ? vscode.l10n.t('The labels of this task are removed; other tasks keep theirs. This cannot be undone from here.')
            : vscode.l10n.t('The label file is emptied. This cannot be undone from here.'),
        },
        clear,
      );
      if (answer !== clear) return undefined;
    }
    return ctx.labels.clear(folder);
  };
}

async function pickFolder(): Promise<vscode.WorkspaceFolder | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) throw new LabelError(vscode.l10n.t('Open a folder first: labels are stored in the workspace folder.'));
  if (folders.length === 1) return folders[0];
  const active = vscode.window.activeTextEditor && vscode.workspace.getWorkspaceFolder(vscode.window.activeTextEditor.document.uri);
  return active ?? vscode.window.showWorkspaceFolderPick({ placeHolder: vscode.l10n.t('Which workspace folder?') });
}

/** Show Engine Info's lines, in English with `{0}` (the key of their translation; the log has the English). */
export const ENGINE_INFO_LINES = {
  backend: 'backend: {0}',
  backendNoted: 'backend: {0} ({1})',
  model: 'model: {0} ({1}), vocabulary {2}',
  methods: 'methods: {0} (default {1})',
  load: 'load: {0} ms',
  lastRun: 'last run: {0}, {1}, adapt {2} ms, predict {3} lines in {4} ms',
  noRun: 'last run: none yet',
  labels: 'labels: {0} ({1})',
  noLabels: 'none',
} as const;

function showEngineInfo(ctx: FewShotContext): Handler {
  return async (options?: { quiet?: boolean }) => {
    const info = await ctx.engine.ready();
    const last = ctx.scheduler.lastRun;
    // Said twice from one table: in English for the log, in the user's language in the notification.
    const linesIn = (say: (message: string, ...args: string[]) => string) => {
      const L = ENGINE_INFO_LINES;
      return [
        info.backendNote ? say(L.backendNoted, info.backend, info.backendNote) : say(L.backend, info.backend),
        say(L.model, info.model, info.modelHash.slice(0, 12), String(info.vocabulary)),
        say(L.methods, info.methods.join(', '), info.defaultMethod),
        say(L.load, info.loadMs.toFixed(0)),
        last
          ? say(
              L.lastRun,
              last.at.toLocaleTimeString(),
              last.method,
              last.adaptMs.toFixed(0),
              String(last.lines),
              last.predictMs.toFixed(0),
            )
          : say(L.noRun),
        say(L.labels, String(ctx.labels.count), ctx.labels.labelNames().join(', ') || say(L.noLabels)),
      ];
    };
    const lines = linesIn(vscode.l10n.t);
    ctx.log(`engine info:\n  ${linesIn((m, ...args) => fillMessage(m, args)).join('\n  ')}`);
    if (!options?.quiet) {
      void vscode.window
        .showInformationMessage(
          vscode.l10n.t('Few-Shot engine: {0}, {1}', info.backend, info.model),
          { modal: false, detail: lines.join('\n') },
          vscode.l10n.t('Show Log'),
        )
        .then((c) => c && ctx.output.show(true));
    }
    return { ...info, lastRun: last };
  };
}

/**
 * Writes a structured document's records back, in its format, with `label`, `label_source` and
 * `confidence` (see engine/data/dataset.ts), to a file the user picks: never the source file.
 */
function exportDataset(ctx: FewShotContext): Handler {
  return async (uri?: vscode.Uri | string, targetPath?: string) => {
    const doc = uri ? (await target(uri)).doc : vscode.window.activeTextEditor?.document;
    if (!doc) throw new LabelError(vscode.l10n.t('Open the CSV, TSV or JSONL file to export first.'));
    const params = ctx.structured.paramsOf(doc);
    if (!params)
      throw new LabelError(
        vscode.l10n.t('{0} is not a CSV, TSV or JSONL file: use Export Labels for line documents.', path.basename(doc.uri.fsPath)),
      );
    let file = targetPath;
    if (!file) {
      const name = path.basename(doc.uri.fsPath).replace(/\.[^.]+$/, '');
      const ext = params.format;
      const picked = await vscode.window.showSaveDialog({
        title: vscode.l10n.t('Export Few-Shot dataset'),
        defaultUri: await exportsUri(doc.uri, `${name}.labeled.${ext}`),
        filters: { [ext.toUpperCase()]: [ext] },
      });
      if (!picked) return undefined;
      file = picked.fsPath;
    }
    if (path.resolve(file) === path.resolve(doc.uri.fsPath))
      throw new LabelError(vscode.l10n.t('Pick another file: the export never overwrites its source.'));
    // The records, labels and predictions are all of this version (predictions may be computed below).
    const version = doc.version;
    const table = await ctx.structured.tableFor(doc);
    if (!table) throw new LabelError(vscode.l10n.t('The file could not be read as records (see Few-Shot: Show Log).'));
    // One task's labels, else its predictions of this version: computed now for a task that has
    // none (not the active one, allTasks off, or never run), so every column is fresh.
    // A multi-label task's column holds each record's whole set (datasetLabelSet: `billing|bug`),
    // a predicted set's confidence that of its least probable label (the empty set's: that none applies).
    const labelsOfTask = async (task: string | undefined): Promise<Array<RecordLabel | null>> => {
      const sets = ctx.labels.isMultiLabel(task) ? ctx.labels.labelSetsOf(doc, task) : undefined;
      const labels = ctx.labels.labelsOf(doc, task);
      const result = await ctx.scheduler.freshResultForTask(doc, task);
      return table.records.map(({ line }): RecordLabel | null => {
        const labeledSet = sets?.get(line);
        if (labeledSet) return { label: datasetLabelSet(labeledSet), source: 'label' };
        const label = labels.get(line);
        if (label !== undefined) return { label, source: 'label' };
        const index = result?.labelIndex[line] ?? -1;
        if (!result || index < 0) return null;
        const set = sets && predictedSet(result, line);
        if (set?.length)
          return {
            label: datasetLabelSet(set.map((x) => x.label)),
            source: 'prediction',
            confidence: Math.min(...set.map((x) => x.confidence)),
          };
        const predicted = result.labels[index]!;
        return { label: predicted, source: isNoneLabel(predicted) ? 'none' : 'prediction', confidence: result.confidence[line]! };
      });
    };
    const labels = ctx.labels.labelsOf(doc);
    // Several tasks: a column set per task (named by the task); one task: the columns as before tasks.
    const tasks = ctx.labels.tasks();
    // One task at a time: the worker adapts them in turn anyway.
    const perTask: Array<{ task: string; labels: Array<RecordLabel | null> }> = [];
    if (tasks.length > 1) for (const t of tasks) perTask.push({ task: t.name, labels: await labelsOfTask(recordTask(t)) });
    const single = perTask.length ? [] : await labelsOfTask(recordTask(ctx.labels.activeTask()));
    if (doc.version !== version) throw new LabelError(vscode.l10n.t('The file changed during the export: export it again.'));
    // The source's fields come back from the worker's parse (the host keeps only the texts).
    const content = await ctx.engine.dataset({
      ...params,
      text: doc.getText(),
      labels: single,
      ...(perTask.length ? { tasks: perTask } : {}),
    });
    await writeFileAtomic(file, content);
    const labeled = table.records.filter((r) => labels.has(r.line)).length;
    // Records the parse could not read are not written: the message says how many and where.
    const leftOut = leftOutNote(table.problems);
    const note = leftOut ? `; ${leftOut}` : '';
    ctx.log(`exported ${table.records.length} records (${labeled} labeled) of ${doc.uri.fsPath} to ${file}${note}`);
    if (!targetPath) {
      const message = leftOut
        ? vscode.l10n.t(
            'Few-Shot: exported {0} records ({1} labeled) to {2}; {3}.',
            table.records.length,
            labeled,
            path.basename(file),
            leftOutNote(table.problems, table.problems.length, vscode.l10n.t) ?? leftOut,
          )
        : vscode.l10n.t('Few-Shot: exported {0} records ({1} labeled) to {2}.', table.records.length, labeled, path.basename(file));
      void (leftOut ? vscode.window.showWarningMessage(message) : vscode.window.showInformationMessage(message));
    }
    return { records: table.records.length, labeled, file, unread: table.problems.length };
  };
}

/**
 * Picks the column (field) whose text is classified; remembered per file. `null` forgets the
 * choice and detects the column from the values again. Returns the column classified now.
 */
function chooseTextColumn(ctx: FewShotContext): Handler {
  return async (column?: string | null, uri?: vscode.Uri | string) => {
    const doc = uri ? (await target(uri)).doc : vscode.window.activeTextEditor?.document;
    if (!doc || !ctx.structured.formatOf(doc)) throw new LabelError(vscode.l10n.t('Open a CSV, TSV or JSONL file first.'));
    const table = await ctx.structured.tableFor(doc);
    if (!table) throw new LabelError(vscode.l10n.t('The file could not be read as records (see Few-Shot: Show Log).'));
    let chosen = column;
    if (chosen === undefined) {
      const jsonl = table.format === 'jsonl';
      const picked = await vscode.window.showQuickPick(textColumnItems(table, ctx.structured.paramsOf(doc)?.column !== undefined), {
        title: jsonl
          ? vscode.l10n.t('Few-Shot: which field holds the text to classify?')
          : vscode.l10n.t('Few-Shot: which column holds the text to classify?'),
        placeHolder: jsonl ? vscode.l10n.t('Each field with its first value') : vscode.l10n.t('Each column with its first value'),
        matchOnDetail: true,
      });
      if (!picked) return undefined;
      chosen = picked.column;
    }
    if (chosen !== null && !table.columns.includes(chosen))
      throw new LabelError(vscode.l10n.t('{0} has no column named {1}.', path.basename(doc.uri.fsPath), chosen));
    // Labels stay on their records and take the new column's text (anchored when it is read); predictions are redone.
    ctx.labels.expectNewTexts(doc);
    const read = await ctx.structured.setColumn(doc, chosen ?? undefined);
    ctx.scheduler.schedule(doc, 0);
    return chosen ?? read?.column;
  };
}

interface ColumnItem extends vscode.QuickPickItem {
  /** null: detect the column from the values. */
  column: string | null;
}

/** Every column with its first value, the current one marked; "detect" first when the user had chosen one. */
export function textColumnItems(table: Pick<RecordTable, 'columns' | 'samples' | 'column'>, chosen: boolean): ColumnItem[] {
  const items: ColumnItem[] = table.columns.map((c, i) => ({
    label: c,
    description: c === table.column ? (chosen ? vscode.l10n.t('current (chosen)') : vscode.l10n.t('current (detected)')) : undefined,
    detail: table.samples[i] ? vscode.l10n.t('e.g. {0}', table.samples[i]) : vscode.l10n.t('(empty in the first records)'),
    column: c,
  }));
  const detect = {
    label: `$(sparkle) ${vscode.l10n.t('Detect from the values')}`,
    description: vscode.l10n.t('forget the choice'),
    column: null,
  };
  return chosen ? [detect, ...items] : items;
}

/**
 * Creates the workspace folder's exports folder (inside `.fewshot/`, which classification leaves
 * out, so an export's rows never come back as predictions); false when it cannot be made.
 */
async function exportsFolder(folder: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(folder, EXPORTS_DIR));
    return true;
  } catch {
    return false;
  }
}

/**
 * The default place of an export named `name`: the workspace folder's exports folder, else beside
 * `source` (a file outside every folder, or a folder where the exports folder cannot be made).
 */
async function exportsUri(
  source: vscode.Uri,
  name: string,
  folder = vscode.workspace.getWorkspaceFolder(source)?.uri,
): Promise<vscode.Uri> {
  return folder && (await exportsFolder(folder)) ? vscode.Uri.joinPath(folder, EXPORTS_DIR, name) : vscode.Uri.joinPath(source, '..', name);
}
