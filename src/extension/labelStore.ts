// Owns the labels of every workspace folder: loads `.fewshot/labels.jsonl` (a setting), writes it
// atomically, re-reads it when it changes on disk, and keeps labels on their lines as documents
// are edited (rule in anchor.ts). A corrupt file is never overwritten: its valid records load,
// bad lines are reported with their numbers, a backup is made and saving stays off until fixed.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Example } from '../engine/types';
import { reanchor, shiftLine, type LineEdit } from './anchor';
import { backupFile, readLabelFile, serializeLabels, writeFileAtomic, type FileProblem, type LabelRecord } from './labelFile';

/**
 * A structured document's classified units (its records) as the label store sees them: labels sit
 * on a unit's first line and keep the unit's text (the text column), not the raw line. Provided by
 * structured.ts; plain documents have none and keep one unit per line.
 */
export interface DocumentUnits {
  /** Per line: the unit's text on its first line, '' on every other line (header, continuation, bad line). */
  lines: readonly string[];
  /** The first line of the unit holding `line`; -1 where there is none (the header, a blank line). */
  startOf(line: number): number;
  /** The last line of the unit starting at `line` (itself for a one-line unit). */
  endOf(line: number): number;
}

export interface UnitSource {
  /** undefined: a plain document. 'pending': structured, its current version not read yet (it anchors once read). */
  unitsOf(doc: vscode.TextDocument): DocumentUnits | 'pending' | undefined;
  /** The units last read for the document, maybe of an earlier version (which record an edit touched). */
  lastUnitsOf(uri: vscode.Uri): DocumentUnits | undefined;
}

/** A record in memory; `detached` when its text is not found in its (open) document. */
export interface StoredLabel extends LabelRecord {
  detached?: boolean;
}

interface Corruption {
  problems: FileProblem[];
  backup: string;
}

class FolderLabels {
  records: StoredLabel[] = [];
  corrupt: Corruption | undefined;
  /** What we last wrote or read. */
  lastContent: string | undefined;
  /**
   * Contents of our recent writes. File watcher events arrive late: a read may see an older
   * write of ours while a newer one is in flight, which is not an outside change.
   */
  ownWrites: string[] = [];
  /** Writes run one after another so renames land in order. */
  writing: Promise<void> = Promise.resolve();
  saveTimer: NodeJS.Timeout | undefined;
  constructor(
    readonly folder: vscode.WorkspaceFolder,
    readonly file: string,
  ) {}
}

export class LabelError extends Error {}

export class LabelStore implements vscode.Disposable {
  private folders = new Map<string, FolderLabels>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri | undefined>();
  /** Fires with the folder whose labels changed (undefined: all). */
  readonly onDidChange = this.changed.event;
  private disposables: vscode.Disposable[] = [this.changed];
  private watchers: vscode.Disposable[] = [];
  /** Record-aware anchoring for structured documents (set by the extension; none: every line is a unit). */
  private units: UnitSource | undefined;
  /** Labels of a structured document whose record an edit touched before the new version was read. */
  private pendingTouched = new Set<StoredLabel>();
  /**
   * How many lines after its first one a structured label's record runs, as of the last read and
   * kept up to date through edits made before the next read (the last read is stale by then).
   */
  private spans = new WeakMap<StoredLabel, number>();

  constructor(
    private labelsFile: string,
    private readonly log: (m: string) => void,
  ) {}

  async load(): Promise<void> {
    for (const w of this.watchers.splice(0)) w.dispose();
    this.folders.clear();
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const state = new FolderLabels(folder, path.resolve(folder.uri.fsPath, this.labelsFile));
      this.folders.set(folder.uri.toString(), state);
      await this.reload(state);
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, this.labelsFile));
      const onDisk = () => void this.reload(state).then((changed) => changed && this.changed.fire(folder.uri));
      watcher.onDidChange(onDisk);
      watcher.onDidCreate(onDisk);
      watcher.onDidDelete(onDisk);
      this.watchers.push(watcher);
    }
    for (const doc of vscode.workspace.textDocuments) this.anchorDocument(doc);
    this.changed.fire(undefined);
  }

  /** Makes labels of structured documents sit on records (see DocumentUnits). */
  setUnitSource(units: UnitSource): void {
    this.units = units;
  }

  async setLabelsFile(labelsFile: string): Promise<void> {
    await this.flush();
    this.labelsFile = labelsFile;
    await this.load();
  }

  folderOf(uri: vscode.Uri): vscode.WorkspaceFolder | undefined {
    return vscode.workspace.getWorkspaceFolder(uri);
  }

  /** The label file's path for the folder of `uri` (for the file exclusion and "open"). */
  fileFor(uri: vscode.Uri): string | undefined {
    return this.stateOf(uri)?.file;
  }

  isLabelFile(uri: vscode.Uri): boolean {
    return [...this.folders.values()].some((s) => s.file === uri.fsPath);
  }

  /** Line -> label for the attached labels of a document. */
  labelsOf(doc: vscode.TextDocument | vscode.Uri): Map<number, string> {
    const uri = 'uri' in doc ? doc.uri : doc;
    const map = new Map<number, string>();
    for (const r of this.recordsOf(uri)) if (!r.detached) map.set(r.line, r.label);
    return map;
  }

  /** Every record of the folder of `uri`: the support set, including detached labels. */
  examplesFor(uri: vscode.Uri): Example[] {
    return (this.stateOf(uri)?.records ?? []).map((r) => ({ text: r.text, label: r.label }));
  }

  /** All records, per folder. */
  all(): Array<{ folder: vscode.WorkspaceFolder; records: readonly StoredLabel[]; file: string }> {
    return [...this.folders.values()].map((s) => ({ folder: s.folder, records: s.records, file: s.file }));
  }

  get count(): number {
    let n = 0;
    for (const s of this.folders.values()) n += s.records.length;
    return n;
  }

  /** Label names in use, most used first. */
  labelNames(): string[] {
    const counts = new Map<string, number>();
    for (const s of this.folders.values()) for (const r of s.records) counts.set(r.label, (counts.get(r.label) ?? 0) + 1);
    return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([l]) => l);
  }

  problemsOf(uri: vscode.Uri): Corruption | undefined {
    return this.stateOf(uri)?.corrupt;
  }

  /**
   * Labels the given lines (empty lines are skipped; in a structured document, the records holding
   * them, and never the header). Returns how many were labeled.
   */
  async setLabel(doc: vscode.TextDocument, lines: readonly number[], label: string): Promise<number> {
    const state = this.writable(doc.uri);
    const name = label.trim();
    if (!name) throw new LabelError('A label cannot be empty.');
    const document = this.relative(state, doc.uri);
    const units = this.units?.unitsOf(doc);
    if (units === 'pending') throw new LabelError('The file is still being read; try again in a moment.');
    const targets = units ? lines.map((l) => units.startOf(l)) : lines;
    let n = 0;
    for (const line of new Set(targets)) {
      if (line < 0 || line >= doc.lineCount) continue;
      const text = units ? units.lines[line]! : doc.lineAt(line).text;
      if (text.trim() === '') continue;
      state.records = state.records.filter((r) => !(r.document === document && r.line === line && !r.detached));
      state.records.push({ document, line, text, label: name });
      n++;
    }
    if (n) await this.commit(state);
    return n;
  }

  async removeLabel(doc: vscode.TextDocument, lines: readonly number[]): Promise<number> {
    const state = this.writable(doc.uri);
    const document = this.relative(state, doc.uri);
    const units = this.units?.unitsOf(doc);
    // Any line of a record removes the record's label (it sits on the record's first line).
    const wanted = new Set(units && units !== 'pending' ? lines.map((l) => units.startOf(l)) : lines);
    const before = state.records.length;
    state.records = state.records.filter((r) => !(r.document === document && !r.detached && wanted.has(r.line)));
    const removed = before - state.records.length;
    if (removed) await this.commit(state);
    return removed;
  }

  async clear(folder: vscode.WorkspaceFolder): Promise<number> {
    const state = this.writable(folder.uri);
    const n = state.records.length;
    state.records = [];
    await this.commit(state);
    return n;
  }

  /** Renames a label in every folder; returns how many records changed. */
  async renameLabel(from: string, to: string): Promise<number> {
    const name = to.trim();
    if (!name) throw new LabelError('A label cannot be empty.');
    return this.rewriteAll((r) => (r.label === from ? { ...r, label: name } : r));
  }

  /** Deletes a label and its uses in every folder; returns how many records went. */
  async deleteLabel(label: string): Promise<number> {
    return this.rewriteAll((r) => (r.label === label ? undefined : r));
  }

  private async rewriteAll(change: (r: StoredLabel) => StoredLabel | undefined): Promise<number> {
    let n = 0;
    for (const state of this.folders.values()) {
      const next = state.records.flatMap((r) => {
        const c = change(r);
        if (c !== r) n++;
        return c ? [c] : [];
      });
      if (next.length === state.records.length && next.every((r, i) => r === state.records[i])) continue;
      this.writable(state.folder.uri);
      state.records = next;
      await this.commit(state);
    }
    return n;
  }

  /** Adds records (replacing any on the same document line). Returns how many were added. */
  async importRecords(folder: vscode.WorkspaceFolder, records: readonly LabelRecord[]): Promise<number> {
    const state = this.writable(folder.uri);
    const key = (r: LabelRecord) => `${r.document}\n${r.line}`;
    const incoming = new Map(records.map((r) => [key(r), { ...r }]));
    state.records = [...state.records.filter((r) => !incoming.has(key(r))), ...incoming.values()];
    for (const doc of vscode.workspace.textDocuments)
      if (this.folderOf(doc.uri)?.uri.toString() === folder.uri.toString()) this.anchorDocument(doc, false);
    await this.commit(state);
    return incoming.size;
  }

  /** Keeps labels on their lines through an editor change. */
  onDocumentChange(event: vscode.TextDocumentChangeEvent): void {
    if (event.contentChanges.length === 0) return;
    const state = this.stateOf(event.document.uri);
    if (!state) return;
    const document = this.relative(state, event.document.uri);
    const mine = state.records.filter((r) => r.document === document);
    if (!mine.length) return;
    const edits: LineEdit[] = event.contentChanges.map((c) => ({
      startLine: c.range.start.line,
      endLine: c.range.end.line,
      insertedLineBreaks: countLineBreaks(c.text),
    }));
    const shifted = mine.map((r) => (r.detached ? { line: r.line, touched: false, deleted: false } : shiftLine(r.line, edits)));
    if (this.units?.unitsOf(event.document) !== undefined) {
      // A structured document: an edit anywhere in a record touches its label. The new version's
      // records are read in the worker; until then labels only move, and anchor once it is read.
      const before = this.units?.lastUnitsOf(event.document.uri);
      mine.forEach((r, i) => {
        if (r.detached) return;
        let span = this.spans.get(r) ?? (before ? before.endOf(r.line) - r.line : 0);
        let touched = shifted[i]!.touched || shifted[i]!.deleted;
        for (const e of edits) {
          if (e.startLine > r.line + span || e.endLine < r.line) continue;
          touched = true;
          span = Math.max(0, span + e.insertedLineBreaks - (e.endLine - e.startLine));
        }
        if (touched) this.pendingTouched.add(r);
        this.spans.set(r, span);
        r.line = shifted[i]!.line;
      });
      this.changed.fire(state.folder.uri);
      // Moved labels are saved even when the re-read finds nothing else to change.
      if (!state.corrupt) this.scheduleSave(state);
      return;
    }
    const edited = shifted.map((s) => s.touched || s.deleted);
    this.applyAnchors(
      state,
      event.document,
      mine,
      shifted.map((s) => s.line),
      shifted.map((s) => s.touched),
      edited,
      true,
    );
  }

  /** Re-anchors a document's labels by text alone (on open, after a reload from disk). */
  anchorDocument(doc: vscode.TextDocument, save = true): void {
    const state = this.stateOf(doc.uri);
    if (!state || doc.uri.scheme !== 'file') return;
    const document = this.relative(state, doc.uri);
    const mine = state.records.filter((r) => r.document === document);
    if (!mine.length) return;
    // Records edited while the structured document was being read keep their label with the new text.
    const touched = mine.map((r) => this.pendingTouched.has(r));
    this.applyAnchors(
      state,
      doc,
      mine,
      mine.map((r) => r.line),
      touched,
      touched,
      save,
    );
  }

  /**
   * Before the text column of a structured document changes: when it is read again, each attached
   * label takes its record's new text (a label is anchored to its record, whatever column is read).
   */
  expectNewTexts(doc: vscode.TextDocument): void {
    const state = this.stateOf(doc.uri);
    if (!state) return;
    const document = this.relative(state, doc.uri);
    for (const r of state.records) if (r.document === document && !r.detached) this.pendingTouched.add(r);
  }

  /** `edited[i]`: the editor changed label i's line, so a label that finds no line is removed rather than detached. */
  private applyAnchors(
    state: FolderLabels,
    doc: vscode.TextDocument,
    mine: StoredLabel[],
    candidates: number[],
    touched: boolean[],
    edited: boolean[],
    save: boolean,
  ): void {
    const units = this.units?.unitsOf(doc);
    if (units === 'pending') return; // anchored when the structured document has been read
    for (const r of mine) this.pendingTouched.delete(r);
    const lines = units ? units.lines : doc.getText().split(/\r?\n/);
    const anchored = reanchor(
      mine.map((r, i) => ({ line: r.detached && !touched[i] ? r.line : candidates[i]!, text: r.text })),
      lines,
      touched,
    );
    let changed = false;
    const dropped = new Set<StoredLabel>();
    mine.forEach((r, i) => {
      const a = anchored[i]!;
      if (a.line < 0) {
        // Deleting or emptying an edited line removes its label; otherwise the label detaches.
        if (edited[i]) dropped.add(r);
        else if (!r.detached) (r.detached = true), (changed = true);
        return;
      }
      if (units) this.spans.set(r, units.endOf(a.line) - a.line);
      if (r.line !== a.line || r.text !== a.text || r.detached) {
        r.line = a.line;
        r.text = a.text;
        r.detached = false;
        changed = true;
      }
    });
    if (dropped.size) {
      state.records = state.records.filter((r) => !dropped.has(r));
      changed = true;
    }
    if (!changed) return;
    this.changed.fire(state.folder.uri);
    if (save && !state.corrupt) this.scheduleSave(state);
  }

  /** Writes pending changes now. */
  async flush(): Promise<void> {
    for (const state of this.folders.values()) {
      if (!state.saveTimer) continue;
      clearTimeout(state.saveTimer);
      state.saveTimer = undefined;
      await this.save(state);
    }
  }

  dispose(): void {
    void this.flush();
    for (const d of [...this.watchers, ...this.disposables]) d.dispose();
  }

  private scheduleSave(state: FolderLabels): void {
    if (state.saveTimer) clearTimeout(state.saveTimer);
    state.saveTimer = setTimeout(() => {
      state.saveTimer = undefined;
      void this.save(state).catch((e: unknown) => this.log(`could not save labels: ${String(e)}`));
    }, 500);
  }

  private async commit(state: FolderLabels): Promise<void> {
    if (state.saveTimer) clearTimeout(state.saveTimer), (state.saveTimer = undefined);
    await this.save(state);
    this.changed.fire(state.folder.uri);
  }

  private async save(state: FolderLabels): Promise<void> {
    if (state.corrupt) return;
    const content = serializeLabels(state.records);
    if (content === state.lastContent) return;
    state.lastContent = content;
    state.ownWrites = [...state.ownWrites.slice(-19), content];
    const write = state.writing.then(() => writeFileAtomic(state.file, content));
    state.writing = write.catch(() => {});
    await write;
  }

  /** Reads the folder's file; returns whether the labels changed. */
  private async reload(state: FolderLabels): Promise<boolean> {
    let read;
    try {
      read = await readLabelFile(state.file);
    } catch (e) {
      this.log(`could not read ${state.file}: ${String(e)}`);
      return false;
    }
    if (read.content !== undefined && (read.content === state.lastContent || state.ownWrites.includes(read.content))) return false;
    state.lastContent = read.content;
    state.records = read.records;
    state.corrupt = undefined;
    if (read.problems.length) {
      const backup = await backupFile(state.file);
      state.corrupt = { problems: read.problems, backup };
      const where = read.problems.map((p) => `line ${p.line}: ${p.message}`).join('; ');
      this.log(
        `${state.file}: ${read.problems.length} bad line(s) skipped (${where}); backup at ${backup}; labels will not be saved until the file is fixed`,
      );
      void vscode.window
        .showWarningMessage(
          `Few-Shot: ${path.basename(state.file)} has ${read.problems.length} bad line(s) (${read.problems.map((p) => p.line).join(', ')}). ${read.records.length} labels loaded; the file will not be overwritten until fixed (backup: ${path.basename(backup)}).`,
          'Open Label File',
        )
        .then((choice) => choice && vscode.window.showTextDocument(vscode.Uri.file(state.file)));
    } else {
      this.log(`loaded ${read.records.length} labels from ${state.file}`);
    }
    for (const doc of vscode.workspace.textDocuments) if (this.stateOf(doc.uri) === state) this.anchorDocument(doc, false);
    return true;
  }

  private writable(uri: vscode.Uri): FolderLabels {
    const state = this.stateOf(uri);
    if (!state) throw new LabelError('Open a folder to label lines: labels are stored in the workspace folder.');
    if (state.corrupt) {
      throw new LabelError(
        `${path.basename(state.file)} has bad lines (${state.corrupt.problems.map((p) => p.line).join(', ')}); fix or remove them before labeling (a backup is at ${state.corrupt.backup}).`,
      );
    }
    return state;
  }

  private stateOf(uri: vscode.Uri): FolderLabels | undefined {
    const folder = this.folderOf(uri);
    return folder && this.folders.get(folder.uri.toString());
  }

  private recordsOf(uri: vscode.Uri): StoredLabel[] {
    const state = this.stateOf(uri);
    if (!state) return [];
    const document = this.relative(state, uri);
    return state.records.filter((r) => r.document === document);
  }

  private relative(state: FolderLabels, uri: vscode.Uri): string {
    return path.relative(state.folder.uri.fsPath, uri.fsPath).split(path.sep).join('/');
  }
}

function countLineBreaks(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
