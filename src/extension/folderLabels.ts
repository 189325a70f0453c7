// The labels of one label file (one workspace folder), in memory and on disk. No vscode import:
// the stress run and the multi-process test drive it from plain Node.
//
// The merge rule (also in the README): the file is the shared truth and every write is a merge.
// Before each write the store takes the file's lock (`labels.jsonl.lock`), re-reads the file and
// merges it with its own changes by record identity (a record is its whole line: document, line,
// text, label and any other fields): records this store removed since it last read the file are
// removed, records it added are added, everything else is what the file holds now; then it writes
// atomically and releases the lock. When another writer labeled the same line differently, the
// change written last wins. An outside edit of the file (another window, git, a text editor) is
// merged the same way when the file watcher reports it, keeping this store's unsaved changes. A
// write that fails (disk full, read-only folder) keeps the labels in memory and is retried.
import { DocumentLabels, type EditOutcome, type LineEdit, type LineSource } from './anchor';
import {
  backupFile,
  backupPath,
  cleanupTempFiles,
  escapesFolder,
  readLabelFile,
  recordLine,
  serializeLabels,
  withFileLock,
  writeFileAtomic,
  type FileProblem,
  type LabelRecord,
  type WriteFs,
} from './labelFile';

/** A record in memory; `detached` when its text is not found in its (open) document. */
export interface StoredLabel extends LabelRecord {
  detached?: boolean;
}

export interface Corruption {
  problems: FileProblem[];
  backup: string;
  /** False when this content was backed up before (no new copy, no new warning). */
  newBackup: boolean;
}

export interface FolderLabelsOptions {
  log: (message: string) => void;
  /** Replaces the file writes (tests and the stress run simulate a full disk with it). */
  io?: WriteFs;
  /** A save failed (with the error) or, after failures, succeeded again (undefined). */
  onSaveProblem?: (error: Error | undefined) => void;
  /** The labels changed because the file changed (a merge brought in other writers' labels). */
  onDiskChange?: () => void;
  /** First retry delay after a failed save; doubles up to 30 s. */
  retryMs?: number;
}

/** One labeled line, where a change put it: what undo needs to reverse the change. */
interface Change {
  removed: StoredLabel[];
  added: StoredLabel[];
}

const HISTORY = 100;
const MAX_RETRY_MS = 30_000;

export class LabelWriteError extends Error {}

export class FolderLabels {
  private readonly docs = new Map<string, DocumentLabels<StoredLabel>>();
  private total = 0;
  /** Record lines in the file as of the last read or write: the base of the three-way merge. */
  private base = new Set<string>();
  /** The file's content as of the last read or write (undefined: no file). */
  private lastContent: string | undefined;
  private read = false;
  private generation = 0;
  private savedGeneration = 0;
  private readonly history: Change[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private queuedSave: Promise<void> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private retryDelay: number;
  private failing = false;
  private disposed = false;
  corrupt: Corruption | undefined;
  /** Why the file cannot be used at all (it leads outside the folder), or undefined. */
  blocked: string | undefined;

  constructor(
    /** The workspace folder's path: the file must stay inside it, symbolic links included. */
    readonly root: string,
    readonly file: string,
    private readonly options: FolderLabelsOptions,
  ) {
    this.retryDelay = options.retryMs ?? 1000;
  }

  get count(): number {
    return this.total;
  }

  /** Whether changes are waiting to be written. */
  get dirty(): boolean {
    return this.generation !== this.savedGeneration;
  }

  records(): StoredLabel[] {
    const out: StoredLabel[] = [];
    for (const d of this.docs.values()) for (const r of d.values()) out.push(r);
    return out;
  }

  /** The labels of one document (relative path), or undefined when it has none. */
  document(document: string): DocumentLabels<StoredLabel> | undefined {
    return this.docs.get(document);
  }

  /** Why labels cannot be changed now, or undefined. */
  get readOnlyReason(): string | undefined {
    if (this.blocked) return this.blocked;
    if (this.corrupt) {
      const lines = this.corrupt.problems.map((p) => p.line).join(', ');
      return `the label file has bad lines (${lines}); fix or remove them before labeling (a backup is at ${this.corrupt.backup})`;
    }
    return undefined;
  }

  // ---- changes (in memory; save() writes them) ------------------------------------------------

  /** Labels lines of a document; `lines` carry the text each line has now. Returns how many. */
  setLabel(document: string, lines: ReadonlyArray<{ line: number; text: string }>, label: string): number {
    const change: Change = { removed: [], added: [] };
    const doc = this.docOf(document);
    const seen = new Set<number>();
    for (const { line, text } of lines) {
      if (seen.has(line) || text.trim() === '') continue;
      seen.add(line);
      const old = doc.at(line);
      if (old) this.remove(doc, old, change);
      this.add(doc, { document, line, text, label }, change);
    }
    return this.record(change);
  }

  removeLabel(document: string, lines: readonly number[]): number {
    const change: Change = { removed: [], added: [] };
    const doc = this.docs.get(document);
    if (!doc) return 0;
    for (const line of new Set(lines)) {
      const old = doc.at(line);
      if (old) this.remove(doc, old, change);
    }
    return this.record(change);
  }

  clear(): number {
    return this.rewrite(() => undefined);
  }

  renameLabel(from: string, to: string): number {
    if (from === to) return 0;
    return this.rewrite((r) => (r.label === from ? { ...r, label: to } : r));
  }

  deleteLabel(label: string): number {
    return this.rewrite((r) => (r.label === label ? undefined : r));
  }

  /** Adds records, replacing any on the same document line. Returns how many were added. */
  importRecords(records: readonly LabelRecord[]): number {
    const change: Change = { removed: [], added: [] };
    for (const r of records) {
      const doc = this.docOf(r.document);
      const old = doc.at(r.line);
      if (old) this.remove(doc, old, change);
      this.add(doc, { ...r }, change);
    }
    return this.record(change) && records.length;
  }

  /**
   * Reverses the last change made through this store (not edits of documents). A label is put back
   * only where no newer label took its line; one added is taken away only while still unchanged.
   */
  undo(): boolean {
    const change = this.history.pop();
    if (!change) return false;
    for (const r of change.added) {
      const doc = this.docs.get(r.document);
      const now = doc?.at(r.line);
      if (doc && now && recordLine(now) === recordLine(r)) {
        doc.delete(now);
        this.total--;
      }
    }
    for (const r of change.removed) {
      const doc = this.docOf(r.document);
      if (doc.at(r.line)) continue;
      doc.add({ ...r, detached: false });
      this.total++;
    }
    this.generation++;
    return true;
  }

  /** Follows an editor change of a document; costs the lines the change touched. */
  applyEdits(document: string, edits: readonly LineEdit[], lines: LineSource): EditOutcome<StoredLabel> {
    const doc = this.docs.get(document);
    const empty: EditOutcome<StoredLabel> = { changed: false, dropped: [], linesRead: 0 };
    if (!doc) return empty;
    const outcome = doc.applyEdits(edits, lines);
    this.total -= outcome.dropped.length;
    if (outcome.changed) this.generation++;
    return outcome;
  }

  /** Re-anchors a document's labels by text (opened, or reloaded from disk). */
  anchor(document: string, lines: LineSource): boolean {
    const doc = this.docs.get(document);
    if (!doc?.anchorAll(lines)) return false;
    this.generation++;
    return true;
  }

  private docOf(document: string): DocumentLabels<StoredLabel> {
    const known = this.docs.get(document);
    if (known) return known;
    const doc = new DocumentLabels<StoredLabel>();
    this.docs.set(document, doc);
    return doc;
  }

  private add(doc: DocumentLabels<StoredLabel>, r: StoredLabel, change: Change): void {
    doc.add(r);
    this.total++;
    change.added.push({ ...r });
  }

  private remove(doc: DocumentLabels<StoredLabel>, r: StoredLabel, change: Change): void {
    if (!doc.delete(r)) return;
    this.total--;
    change.removed.push({ ...r });
  }

  private rewrite(map: (r: StoredLabel) => StoredLabel | undefined): number {
    const change: Change = { removed: [], added: [] };
    let n = 0;
    for (const doc of this.docs.values()) {
      for (const r of [...doc.values()]) {
        const next = map(r);
        if (next === r) continue;
        n++;
        this.remove(doc, r, change);
        if (next) this.add(doc, { ...next }, change);
      }
    }
    this.record(change);
    return n;
  }

  private record(change: Change): number {
    if (change.added.length === 0 && change.removed.length === 0) return 0;
    this.history.push(change);
    if (this.history.length > HISTORY) this.history.shift();
    this.generation++;
    return Math.max(change.added.length, change.removed.length);
  }

  // ---- disk -----------------------------------------------------------------------------------

  /** Reads the file and merges it in (keeping unsaved changes); returns whether the labels changed. */
  load(): Promise<boolean> {
    if (this.queuedSave) return this.queuedSave.then(() => false);
    return this.enqueue(() => this.sync(false));
  }

  /** Merges with the file and writes the result (see the rule at the top). */
  save(): Promise<void> {
    if (this.queuedSave) return this.queuedSave;
    const run = this.enqueue(async () => {
      this.queuedSave = undefined;
      await this.sync(true);
    });
    this.queuedSave = run;
    return run;
  }

  dispose(): void {
    this.disposed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }

  private enqueue<T>(job: () => Promise<T>): Promise<T> {
    const run = this.queue.then(job, job);
    this.queue = run.catch(() => {});
    return run;
  }

  private async sync(write: boolean): Promise<boolean> {
    const outside = await escapesFolder(this.root, this.file);
    if (outside !== this.blocked) {
      this.blocked = outside;
      if (outside) {
        this.options.log(`${outside}: the label file is not read or written`);
        this.replaceAll([]);
        this.base.clear();
        this.lastContent = undefined;
        this.read = false;
        return true;
      }
    }
    if (this.blocked) {
      if (write) throw new LabelWriteError(this.blocked);
      return false;
    }
    if (!this.read) {
      this.read = true;
      for (const temp of await cleanupTempFiles(this.file)) this.options.log(`removed ${temp}, left by an interrupted write`);
    }
    try {
      const changed = write ? await withFileLock(this.file, () => this.readMergeWrite(true)) : await this.readMergeWrite(false);
      if (this.failing && write) {
        this.failing = false;
        this.retryDelay = this.options.retryMs ?? 1000;
        this.options.onSaveProblem?.(undefined);
      }
      if (changed) this.options.onDiskChange?.();
      return changed;
    } catch (error) {
      if (!write || !(error instanceof Error) || error instanceof LabelWriteError) throw error;
      // Disk full, read-only folder, lock held too long: keep the labels in memory and retry.
      // The user hears of it once per spell of failures, and again when saving works.
      this.options.log(`could not save ${this.file}: ${error.message}; labels are kept in memory, retrying in ${this.retryDelay} ms`);
      if (!this.failing) this.options.onSaveProblem?.(error);
      this.failing = true;
      this.scheduleRetry();
      return false;
    }
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.disposed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.retryDelay = Math.min(MAX_RETRY_MS, this.retryDelay * 2);
      if (this.dirty) void this.save();
    }, this.retryDelay);
    this.retryTimer.unref?.();
  }

  private async readMergeWrite(write: boolean): Promise<boolean> {
    const read = await readLabelFile(this.file);
    let changed = false;
    if (read.content !== this.lastContent) {
      changed = this.merge(read.records);
      this.lastContent = read.content;
      this.base = new Set(read.records.map(recordLine));
      if (read.problems.length && read.content !== undefined) {
        // One backup (and one warning) when the file turns corrupt, not one per change event
        // while someone is fixing it.
        // Read-only before the backup appears on disk: whoever sees the backup sees labeling refused.
        const first = !this.corrupt;
        const corrupt: Corruption = {
          problems: read.problems,
          backup: this.corrupt?.backup ?? backupPath(this.file, read.content),
          newBackup: false,
        };
        this.corrupt = corrupt;
        if (first) corrupt.newBackup = (await backupFile(this.file, read.content)).created;
        const backup = corrupt.backup;
        const where = read.problems.map((p) => `line ${p.line}: ${p.message}`).join('; ');
        this.options.log(`${this.file}: ${read.problems.length} bad line(s) skipped (${where}); backup at ${backup}`);
      } else {
        this.corrupt = undefined;
      }
    }
    if (!write || this.corrupt) return changed;
    const generation = this.generation;
    const written = this.records();
    const content = serializeLabels(written);
    if (content !== (read.content ?? '')) {
      await writeFileAtomic(this.file, content, this.options.io);
      this.lastContent = content;
      // What was written, not what memory holds now: changes made while writing are not on disk.
      this.base = new Set(written.map(recordLine));
    }
    this.savedGeneration = generation;
    return changed;
  }

  /** Three-way merge of the file's records with this store's changes since the base. */
  private merge(disk: readonly LabelRecord[]): boolean {
    const local = this.records();
    const localByKey = new Map(local.map((r) => [recordLine(r), r]));
    const removedHere = new Set([...this.base].filter((k) => !localByKey.has(k)));
    const addedHere = local.filter((r) => !this.base.has(recordLine(r)));
    const lineOf = (r: LabelRecord) => `${r.document}\n${r.line}`;
    // A line this store labeled since the base belongs to this store's (newer) label.
    const taken = new Set(addedHere.filter((r) => !r.detached).map(lineOf));
    const result: StoredLabel[] = [...addedHere];
    const seen = new Set(addedHere.map(recordLine));
    let changed = false;
    for (const d of disk) {
      const key = recordLine(d);
      if (removedHere.has(key) || seen.has(key)) continue;
      seen.add(key);
      const mine = localByKey.get(key);
      if (!mine && taken.has(lineOf(d))) continue;
      if (!mine) changed = true;
      result.push(mine ?? { ...d });
    }
    if (result.length !== local.length) changed = true;
    if (changed) this.replaceAll(result);
    return changed;
  }

  private replaceAll(records: readonly StoredLabel[]): void {
    this.docs.clear();
    this.total = 0;
    for (const r of records) {
      this.docOf(r.document).add(r);
      this.total++;
    }
  }
}
