// Owns the labels of every workspace folder for the extension: one FolderLabels (folderLabels.ts:
// the merge rule, the file I/O) per folder, a file watcher each, and label events. It composes
// the parts that each do one job: which folder a document's labels go to (labelRouting.ts), keeping
// labels on their lines as documents are edited (anchor.ts, recordAnchoring.ts), when a folder's
// file is written (saveSchedule.ts) and what a person is told (labelWarnings.ts). A corrupt
// file is never overwritten: its valid records load, bad lines are reported with their numbers,
// one backup is made per distinct content and saving stays off until fixed. Only local folders
// (`file:`) are supported: the label file is read and written with Node's file system.
// Tasks (label sets, taskFile.ts): every method that reads or changes labels acts on the active task
// (per window, set by the commands) unless given one; all() and count cover every task.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MultiLabelExample } from '../engine/multiLabel';
import type { Example } from '../engine/types';
import { describeLabelNameProblem, labelLimitProblem, labelNameRefusal, normalizeLabelName } from '../protocol/panel';
import type { LineSource } from './anchor';
import { FolderLabels, LabelWriteError, type StoredLabel } from './folderLabels';
import { type LabelFileMessage, type LabelRecord, resolveLabelsPath, sayLabelFileMessage } from './labelFile';
import { documentPath, FolderRouter } from './labelRouting';
import { LabelWarnings } from './labelWarnings';
import {
  type ContentChange,
  type DocumentUnits,
  lineEdits,
  newTexts,
  noteRecordEdits,
  type TouchedRecords,
  touchedOutcomes,
  untouchedRecords,
} from './recordAnchoring';
import { SaveSchedule } from './saveSchedule';
import { labelSetOf } from './labelSet';
import { DEFAULT_TASK_NAME, mergeTaskNames, recordTask, TaskFile, taskFilePath, type TaskInfo, type TaskKind } from './taskFile';

export type { StoredLabel } from './folderLabels';
export type { DocumentUnits } from './recordAnchoring';

export interface UnitSource {
  /** undefined: a plain document. 'pending': structured, its current version not read yet (it anchors once read). */
  unitsOf(doc: vscode.TextDocument): DocumentUnits | 'pending' | undefined;
  /** The units last read for the document, maybe of an earlier version (which record an edit touched). */
  lastUnitsOf(uri: vscode.Uri): DocumentUnits | undefined;
}

/** How long anchoring changes (lines moved by edits) wait before they are written. */
const ANCHOR_SAVE_DELAY_MS = 500;

class FolderState {
  /** Writes of lines moved by edits wait for the edits to pause. */
  readonly save = new SaveSchedule(ANCHOR_SAVE_DELAY_MS);
  readonly tasks: TaskFile;
  constructor(
    readonly folder: vscode.WorkspaceFolder,
    readonly labels: FolderLabels,
  ) {
    this.tasks = new TaskFile(taskFilePath(labels.file));
  }
  get file(): string {
    return this.labels.file;
  }
}

export class LabelError extends Error {}

export class LabelStore implements vscode.Disposable {
  private readonly folders = new FolderRouter<FolderState, vscode.Uri>((uri) => this.folderOf(uri));
  private readonly changed = new vscode.EventEmitter<vscode.Uri | undefined>();
  /** Fires with the folder whose labels changed (undefined: all). */
  readonly onDidChange = this.changed.event;
  private readonly tasksChanged = new vscode.EventEmitter<void>();
  /** Fires when the task list or the active task changed. */
  readonly onDidChangeTasks = this.tasksChanged.event;
  private disposables: vscode.Disposable[] = [this.changed, this.tasksChanged];
  private watchers: vscode.Disposable[] = [];
  private readonly warnings: LabelWarnings;
  /** Record-aware anchoring for structured documents (set by the extension; none: every line is a unit). */
  private units: UnitSource | undefined;
  /** Structured documents (URIs) whose labels take their records' new texts at the next anchoring. */
  private readonly retext = new Set<string>();
  /** Per structured document (URI): its labels' records (by task and line) touched or moved by edits not yet read. */
  private readonly touchedRecords = new Map<string, TouchedRecords>();
  /** The active task's name in this window (undefined: the default task). */
  private activeName: string | undefined;

  constructor(
    private labelsFile: string,
    private readonly log: (m: string) => void,
    /** Workspace trust: an untrusted workspace's settings cannot move the label file. */
    private readonly isTrusted: () => boolean = () => true,
  ) {
    this.warnings = new LabelWarnings({
      log,
      warn: (message, ...actions) => vscode.window.showWarningMessage(message, ...actions),
      inform: (message) => void vscode.window.showInformationMessage(message),
      openFile: (file) => void vscode.window.showTextDocument(vscode.Uri.file(file)),
    });
  }

  async load(): Promise<void> {
    for (const w of this.watchers.splice(0)) w.dispose();
    for (const s of this.folders.clear()) s.labels.dispose();
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      if (folder.uri.scheme !== 'file') {
        this.log(`${folder.uri.toString()}: only local folders can hold labels (virtual workspaces are not supported)`);
        continue;
      }
      const root = folder.uri.fsPath;
      const { file, refused, refusal } = resolveLabelsPath(root, this.labelsFile, this.isTrusted());
      if (refused && refusal) this.warnings.setting(refused, say(refusal));
      const state: FolderState = new FolderState(
        folder,
        new FolderLabels(root, file, {
          log: this.log,
          onSaveProblem: (e) => this.warnings.saveProblem(state.file, e),
          onDiskChange: () => this.afterDiskChange(state),
          isMultiLabel: (task) => state.tasks.tasks().some((t) => recordTask(t) === task && t.kind === 'multi-label'),
          onFileDeleted: (kept) => this.warnings.fileDeleted(file, kept),
        }),
      );
      this.folders.add(folder, state);
      await this.reload(state);
      await this.reloadTasks(state);
      const relative = documentPath(folder.uri, vscode.Uri.file(file));
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, relative));
      const onDisk = () => void this.reload(state);
      watcher.onDidChange(onDisk);
      watcher.onDidCreate(onDisk);
      watcher.onDidDelete(onDisk);
      const taskRelative = documentPath(folder.uri, vscode.Uri.file(state.tasks.file));
      const taskWatcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, taskRelative));
      const onTasks = () => void this.reloadTasks(state);
      taskWatcher.onDidChange(onTasks);
      taskWatcher.onDidCreate(onTasks);
      taskWatcher.onDidDelete(onTasks);
      this.watchers.push(watcher, taskWatcher);
    }
    for (const doc of vscode.workspace.textDocuments) this.anchorDocument(doc, false);
    this.changed.fire(undefined);
  }

  /** Makes labels of structured documents sit on records (see DocumentUnits). */
  setUnitSource(units: UnitSource): void {
    this.units = units;
  }

  /**
   * Before the text column of a structured document changes: when it is read again, each attached
   * label takes its record's new text (a label belongs to its record, whatever column is read).
   */
  expectNewTexts(doc: vscode.TextDocument): void {
    this.retext.add(doc.uri.toString());
  }

  async setLabelsFile(labelsFile: string): Promise<void> {
    await this.flush();
    this.labelsFile = labelsFile;
    await this.load();
  }

  folderOf(uri: vscode.Uri): vscode.WorkspaceFolder | undefined {
    return vscode.workspace.getWorkspaceFolder(uri);
  }

  /** The label file of the folder holding `uri` (Classify Workspace leaves it out of its walk). */
  fileFor(uri: vscode.Uri): string | undefined {
    return this.stateOf(uri)?.file;
  }

  isLabelFile(uri: vscode.Uri): boolean {
    return [...this.folders.values()].some((s) => s.file === uri.fsPath);
  }

  // ---- tasks ----------------------------------------------------------------------------------

  /** Every task of every folder (tasks.json and the records), the default task first. */
  tasks(): TaskInfo[] {
    const out: TaskInfo[] = [];
    for (const s of this.folders.values()) {
      for (const t of mergeTaskNames(s.tasks.tasks(), s.labels.tasks())) if (!out.some((o) => o.name === t.name)) out.push(t);
    }
    if (!out.some((t) => t.isDefault)) out.unshift({ name: DEFAULT_TASK_NAME, kind: 'single-label', isDefault: true });
    return out;
  }

  /** The task labeling, predictions and diagnostics of this window are about. */
  activeTask(): TaskInfo {
    const tasks = this.tasks();
    return tasks.find((t) => t.name === this.activeName) ?? tasks.find((t) => t.isDefault) ?? tasks[0]!;
  }

  /** The active task saved for this window (before the task list is read: an unknown name means the default task). */
  restoreActiveTask(name: string | undefined): void {
    this.activeName = name;
  }

  /** Makes a task the active one in this window (by name; an unknown name is refused). */
  setActiveTask(name: string): void {
    const task = this.tasks().find((t) => t.name === name);
    if (!task) throw new LabelError(vscode.l10n.t('There is no task named {0}.', name));
    if (this.activeTask().name === task.name) return;
    this.activeName = task.name;
    this.tasksChanged.fire();
    this.changed.fire(undefined);
  }

  /** Adds a task (in every folder's tasks.json). */
  async createTask(name: string, kind: TaskKind): Promise<TaskInfo> {
    const clean = this.newTaskName(name);
    if (this.folders.size === 0)
      throw new LabelError(vscode.l10n.t('Open a folder to create a task: tasks are stored in the workspace folder.'));
    for (const state of this.folders.values()) await state.tasks.change({ kind: 'create', name: clean, taskKind: kind });
    this.tasksChanged.fire();
    return { name: clean, kind, isDefault: false };
  }

  /** Renames a task: its records' task field is rewritten through the merge (the default task's records keep none). */
  async renameTask(from: string, to: string): Promise<number> {
    const task = this.tasks().find((t) => t.name === from);
    if (!task) throw new LabelError(vscode.l10n.t('There is no task named {0}.', from));
    const clean = this.newTaskName(to);
    let n = 0;
    for (const state of this.folders.values()) {
      this.writable(state.folder.uri);
      await state.tasks.change({ kind: 'rename', from: task, to: clean });
      if (!task.isDefault) {
        n += state.labels.renameTask(task.name, clean);
        await this.commit(state);
      }
    }
    if (this.activeName === from) this.activeName = clean;
    this.tasksChanged.fire();
    this.changed.fire(undefined);
    return n;
  }

  private newTaskName(name: string): string {
    const clean = checkLabelName(name);
    if (this.tasks().some((t) => t.name === clean)) throw new LabelError(vscode.l10n.t('A task named {0} exists already.', clean));
    return clean;
  }

  /** The task field of the active task's records (undefined: the default task). */
  private get task(): string | undefined {
    return recordTask(this.activeTask());
  }

  /**
   * The task field an optional task argument names: the active task's when there is no argument,
   * else the argument itself (undefined: the default task). A default parameter would turn an
   * explicit `undefined` (the default task, `recordTask(defaultTask)`) into the active task.
   */
  private taskField(task: [] | [string | undefined]): string | undefined {
    return task.length === 0 ? this.task : task[0];
  }

  /** Line -> label for the attached labels of a document (the active task unless given a task field). */
  labelsOf(doc: vscode.TextDocument | vscode.Uri, ...task: [] | [string | undefined]): Map<number, string> {
    const uri = 'uri' in doc ? doc.uri : doc;
    const map = new Map<number, string>();
    const state = this.stateOf(uri);
    const labels = state?.labels.document(this.relative(state, uri), this.taskField(task));
    if (labels) for (const r of labels.attached()) map.set(r.line, r.label);
    return map;
  }

  /**
   * Whether a task is multi-label in some folder's tasks.json: the active task when called without
   * an argument, else the task of that record field (undefined: the default task, not the active one).
   */
  isMultiLabel(...task: [] | [string | undefined]): boolean {
    const field = this.taskField(task);
    return this.tasks().some((t) => recordTask(t) === field && t.kind === 'multi-label');
  }

  /** Line -> label set (sorted; empty: `none`) for the attached labels of a document (the active task unless given a task field). */
  labelSetsOf(doc: vscode.TextDocument | vscode.Uri, ...task: [] | [string | undefined]): Map<number, string[]> {
    const uri = 'uri' in doc ? doc.uri : doc;
    const map = new Map<number, string[]>();
    const state = this.stateOf(uri);
    const labels = state?.labels.document(this.relative(state, uri), this.taskField(task));
    if (labels) for (const r of labels.attached()) map.set(r.line, labelSetOf(r));
    return map;
  }

  /** A multi-label task's support set: every record of the task in the folder of `uri`, with its set. */
  labelSetExamplesFor(uri: vscode.Uri, task: string | undefined): MultiLabelExample[] {
    return (this.stateOf(uri)?.labels.records() ?? []).filter((r) => r.task === task).map((r) => ({ text: r.text, labels: labelSetOf(r) }));
  }

  /** Every record of one task of the folder of `uri`: the support set, including detached labels. */
  examplesFor(uri: vscode.Uri, ...task: [] | [string | undefined]): Example[] {
    const field = this.taskField(task);
    return (this.stateOf(uri)?.labels.records() ?? []).filter((r) => r.task === field).map((r) => ({ text: r.text, label: r.label }));
  }

  /** All records, per folder. */
  all(): Array<{ folder: vscode.WorkspaceFolder; records: readonly StoredLabel[]; file: string }> {
    return [...this.folders.values()].map((s) => ({ folder: s.folder, records: s.labels.records(), file: s.file }));
  }

  get count(): number {
    let n = 0;
    for (const s of this.folders.values()) n += s.labels.count;
    return n;
  }

  /** Label names in use in a task (the active one unless given), most used first. */
  labelNames(...task: [] | [string | undefined]): string[] {
    const field = this.taskField(task);
    const counts = new Map<string, number>();
    for (const s of this.folders.values())
      for (const r of s.labels.records())
        if (r.task === field) for (const l of r.labels ?? [r.label]) counts.set(l, (counts.get(l) ?? 0) + 1);
    return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([l]) => l);
  }

  /**
   * Labels the given lines (empty lines are skipped; in a structured document, the records holding
   * them, with the record's text, and never the header). Returns how many were labeled.
   */
  async setLabel(doc: vscode.TextDocument, lines: readonly number[], label: string): Promise<number> {
    const state = this.writable(doc.uri);
    const name = this.checkNewName(label);
    const units = this.units?.unitsOf(doc);
    if (units === 'pending') throw new LabelError(vscode.l10n.t('The file is still being read; try again in a moment.'));
    const targets = units ? lines.map((l) => units.startOf(l)) : lines;
    const valid = [...new Set(targets)].filter((line) => line >= 0 && line < doc.lineCount);
    const n = state.labels.setLabel(
      this.relative(state, doc.uri),
      valid.map((line) => ({ line, text: units ? (units.lines[line] ?? '') : doc.lineAt(line).text })),
      name,
      this.task,
    );
    if (n) await this.commit(state);
    return n;
  }

  /**
   * A multi-label task: gives each line a label set (`change` maps the line's set now to its new
   * one), one record per line (labelSet.ts). Returns how many lines changed.
   */
  async changeLabelSets(
    doc: vscode.TextDocument,
    lines: readonly number[],
    change: (set: readonly string[]) => readonly string[],
  ): Promise<number> {
    const state = this.writable(doc.uri);
    const units = this.units?.unitsOf(doc);
    if (units === 'pending') throw new LabelError(vscode.l10n.t('The file is still being read; try again in a moment.'));
    const targets = units ? lines.map((l) => units.startOf(l)) : lines;
    const valid = [...new Set(targets)].filter((line) => line >= 0 && line < doc.lineCount);
    const now = this.labelSetsOf(doc);
    const n = state.labels.setLabelSets(
      this.relative(state, doc.uri),
      valid.map((line) => ({
        line,
        text: units ? (units.lines[line] ?? '') : doc.lineAt(line).text,
        labels: change(now.get(line) ?? []).map((l) => this.checkNewName(l)),
      })),
      this.task,
    );
    if (n) await this.commit(state);
    return n;
  }

  async removeLabel(doc: vscode.TextDocument, lines: readonly number[]): Promise<number> {
    const state = this.writable(doc.uri);
    const units = this.units?.unitsOf(doc);
    // Any line of a record removes the record's label (it sits on the record's first line).
    const targets = units && units !== 'pending' ? lines.map((l) => units.startOf(l)) : lines;
    const n = state.labels.removeLabel(this.relative(state, doc.uri), targets, this.task);
    if (n) await this.commit(state);
    return n;
  }

  async clear(folder: vscode.WorkspaceFolder): Promise<number> {
    const state = this.writable(folder.uri);
    const n = state.labels.clear(this.task);
    await this.commit(state);
    return n;
  }

  /** Renames a label of the active task in every folder; returns how many records changed. */
  async renameLabel(from: string, to: string): Promise<number> {
    const name = this.checkNewName(to);
    const task = this.task;
    let n = 0;
    for (const state of this.folders.values()) {
      if (!state.labels.records().some((r) => (r.labels ?? [r.label]).includes(from) && r.task === task)) continue;
      this.writable(state.folder.uri);
      n += state.labels.renameLabel(from, name, task);
      await this.commit(state);
    }
    return n;
  }

  /** Deletes a label of the active task and its uses in every folder; returns how many records went. */
  async deleteLabel(label: string): Promise<number> {
    const task = this.task;
    let n = 0;
    for (const state of this.folders.values()) {
      if (!state.labels.records().some((r) => (r.labels ?? [r.label]).includes(label) && r.task === task)) continue;
      this.writable(state.folder.uri);
      n += state.labels.deleteLabel(label, task);
      await this.commit(state);
    }
    return n;
  }

  /** Adds records (replacing any on the same document line). Returns how many were added. */
  async importRecords(folder: vscode.WorkspaceFolder, records: readonly LabelRecord[]): Promise<number> {
    const state = this.writable(folder.uri);
    const names = new Set(this.labelNames());
    // Every name of a set, not only its first.
    for (const r of records)
      for (const name of r.labels ?? [r.label]) {
        const refusal = labelNameRefusal(name);
        const problem = refusal ? describeLabelNameProblem(refusal, vscode.l10n.t) : labelLimitProblem(names, name, vscode.l10n.t);
        if (problem) throw new LabelError(vscode.l10n.t('{0} line {1}: {2}.', r.document, r.line + 1, problem));
        names.add(name);
      }
    const n = state.labels.importRecords(records);
    for (const doc of vscode.workspace.textDocuments)
      if (this.folderOf(doc.uri)?.uri.toString() === folder.uri.toString()) this.anchorDocument(doc, false);
    await this.commit(state);
    return n;
  }

  /** Reverses the last label change made in this window in the folder of `uri`. */
  async undo(uri: vscode.Uri): Promise<boolean> {
    const state = this.writable(uri);
    if (!state.labels.undo()) return false;
    await this.commit(state);
    return true;
  }

  /** Keeps labels on their lines through an editor change: reads only the changed lines. */
  onDocumentChange(event: vscode.TextDocumentChangeEvent): void {
    if (event.contentChanges.length === 0) return;
    const state = this.stateOf(event.document.uri);
    if (!state) return;
    // A structured document is read again in the worker after an edit; its labels follow their
    // records when it has been (anchorDocument). Here only which records the edit touched is noted.
    if (this.units?.unitsOf(event.document) !== undefined) {
      this.noteRecordEdits(state, event.document, event.contentChanges);
      return;
    }
    const outcome = state.labels.applyEdits(
      this.relative(state, event.document.uri),
      lineEdits(event.contentChanges),
      lineSource(event.document),
    );
    if (!outcome.changed && outcome.dropped.length === 0) return;
    this.changed.fire(state.folder.uri);
    if (!state.labels.readOnlyReason) this.scheduleSave(state);
  }

  /** Re-anchors a document's labels by text alone (on open, after a reload from disk). */
  anchorDocument(doc: vscode.TextDocument, save = true): void {
    const state = this.stateOf(doc.uri);
    if (!state || doc.uri.scheme !== 'file') return;
    const units = this.units?.unitsOf(doc);
    if (units === 'pending') return; // anchored once the structured document has been read
    const document = this.relative(state, doc.uri);
    let retexted = 0;
    const edited = units ? this.touchedRecords.get(doc.uri.toString()) : undefined;
    if (units && edited) {
      this.touchedRecords.delete(doc.uri.toString());
      for (const o of touchedOutcomes(edited, units)) {
        if (o.kind === 'remove') retexted += state.labels.removeLabel(document, [o.stored], o.task);
        else retexted += retextLabel(state.labels, document, o.stored, o.text, o, o.task);
      }
    }
    if (units && this.retext.delete(doc.uri.toString())) {
      // The text column changed: each attached label takes its record's text in the new column.
      for (const task of state.labels.tasks()) {
        for (const r of newTexts(state.labels.document(document, task)?.attached() ?? [], units))
          retexted += retextLabel(state.labels, document, r.line, r.text, r, task);
      }
    }
    const source: LineSource = units ? { lineCount: units.lines.length, lineAt: (l) => units.lines[l] ?? '' } : lineSource(doc);
    if (!state.labels.anchor(document, source) && retexted === 0) return;
    this.changed.fire(state.folder.uri);
    if (save && !state.labels.readOnlyReason) this.scheduleSave(state);
  }

  /** Which records of a structured document an edit touched (see TouchedRecord), before it is read again. */
  private noteRecordEdits(state: FolderState, doc: vscode.TextDocument, changes: readonly ContentChange[]): void {
    const key = doc.uri.toString();
    let records = this.touchedRecords.get(key);
    if (!records) {
      const document = this.relative(state, doc.uri);
      records = untouchedRecords(
        state.labels.tasks().flatMap((task) => [...(state.labels.document(document, task)?.attached() ?? [])]),
        this.units?.lastUnitsOf(doc.uri),
      );
      this.touchedRecords.set(key, records);
    }
    noteRecordEdits(records, changes);
  }

  /** Writes pending changes now. */
  async flush(): Promise<void> {
    for (const state of this.folders.values()) {
      state.save.cancel();
      if (state.labels.dirty && !state.labels.readOnlyReason) await state.labels.save().catch((e: unknown) => this.log(String(e)));
    }
  }

  dispose(): void {
    void this.flush().finally(() => {
      for (const s of this.folders.values()) s.labels.dispose();
    });
    for (const d of [...this.watchers, ...this.disposables]) d.dispose();
  }

  private scheduleSave(state: FolderState): void {
    state.save.schedule(() => void state.labels.save().catch((e: unknown) => this.log(`could not save labels: ${String(e)}`)));
  }

  private async commit(state: FolderState): Promise<void> {
    state.save.cancel();
    try {
      await state.labels.save();
    } catch (e) {
      if (e instanceof LabelWriteError) throw new LabelError(say(e.labelFileMessage));
      throw e;
    } finally {
      this.changed.fire(state.folder.uri);
    }
  }

  /** Reads the folder's file and merges it in; the disk-change hook re-anchors and tells listeners. */
  private async reloadTasks(state: FolderState): Promise<void> {
    try {
      if (await state.tasks.load()) this.tasksChanged.fire();
    } catch (e) {
      this.log(`could not read ${state.tasks.file}: ${String(e)}`);
    }
  }

  private async reload(state: FolderState): Promise<void> {
    try {
      await state.labels.load();
    } catch (e) {
      this.log(`could not read ${state.file}: ${String(e)}`);
    }
    this.warnings.corruption(state.file, state.labels.corrupt, state.labels.count);
  }

  private afterDiskChange(state: FolderState): void {
    this.log(`${state.file}: ${state.labels.count} labels after merging the file's changes`);
    for (const doc of vscode.workspace.textDocuments) if (this.stateOf(doc.uri) === state) this.anchorDocument(doc, false);
    this.changed.fire(state.folder.uri);
  }

  /** A valid name that is in use, or may be added (the panel shows at most 256 labels). */
  private checkNewName(label: string): string {
    const name = checkLabelName(label);
    const problem = labelLimitProblem(new Set(this.labelNames()), name, vscode.l10n.t);
    if (problem) throw new LabelError(sentence(problem));
    return name;
  }

  private writable(uri: vscode.Uri): FolderState {
    const state = this.stateOf(uri);
    if (!state) throw new LabelError(vscode.l10n.t('Open a folder to label lines: labels are stored in the workspace folder.'));
    const reason = state.labels.readOnlyMessage;
    if (reason) throw new LabelError(`${path.basename(state.file)}: ${say(reason)}.`);
    return state;
  }

  private stateOf(uri: vscode.Uri): FolderState | undefined {
    return this.folders.stateOf(uri);
  }

  private relative(state: FolderState, uri: vscode.Uri): string {
    return documentPath(state.folder.uri, uri);
  }
}

/** The normalised name (trimmed, NFC), or a LabelError saying why it is refused: the rule of the panel and the CLI. */
export function checkLabelName(label: string): string {
  const name = normalizeLabelName(label);
  if ('problem' in name) throw new LabelError(sentence(describeLabelNameProblem(name, vscode.l10n.t)));
  return name.name;
}

/** A label-file message in the user's language (its English is the l10n key). */
const say = (m: LabelFileMessage): string => sayLabelFileMessage(m, vscode.l10n.t);

/** A problem (`a label name ...`) as a message: capitalised, with its full stop (a translation that ends in one keeps it). */
function sentence(problem: string): string {
  const capital = `${problem[0]!.toUpperCase()}${problem.slice(1)}`;
  return /[.。]$/.test(capital) ? capital : `${capital}.`;
}

/** A record's label (a multi-label line's whole set) on its line with a new text. */
function retextLabel(
  labels: FolderLabels,
  document: string,
  line: number,
  text: string,
  r: { label: string; labels?: string[] },
  task: string | undefined,
): number {
  return r.labels
    ? labels.setLabelSets(document, [{ line, text, labels: labelSetOf(r) }], task)
    : labels.setLabel(document, [{ line, text }], r.label, task);
}

function lineSource(doc: vscode.TextDocument): LineSource {
  return { lineCount: doc.lineCount, lineAt: (line) => doc.lineAt(line).text };
}
