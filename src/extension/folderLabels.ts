// The labels of one label file (one workspace folder), in memory and on disk. No vscode import:
// the stress run and the multi-process test drive it from plain Node.
//
// The protocol (every writer of the file: windows, processes, the CLI through this class):
// 1. Identity. A record is its document, its task, its text and which occurrence of that text it
//    is (see keyed); its line is only its position. One line holds one label per task: a record
//    without a task field belongs to the default task (undefined here), as in files older than tasks. A label moved by an edit above it is the same label.
//    A side's records of one text are paired with the base's in line order at the least total
//    line distance (alignedTo), so a record added or removed above another of the same text does
//    not shift the identity of the others.
//    Records for one line with one text are one label: the one last in the file stays.
// 2. Three-way merge. The store keeps the file's records as it last read or wrote them (the base).
//    Its changes are what memory holds against the base; the other writers' changes are what the
//    file holds against the base. A record neither changed stays; one changed on one side takes
//    that side; one changed on both takes each field from the side that changed it, ours where
//    both did (the write that comes last wins). A removal beats a mere move on the other side.
// 3. Only a settled read removes. A read that is missing, half written, unparsable or that would
//    remove labels is taken only once the file has rested (readSettled); one that keeps changing is
//    not taken at all (the save is retried). A file really deleted keeps its labels: they are
//    written back (told once).
//    Removals need stronger evidence than additions. Every store marks the file it writes as
//    written whole (its mtime dated before its ctime, markWrittenWhole) before renaming it into
//    place; a data write clears the mark. A read that would remove labels and has the mark is
//    taken after the short rest (150 ms). One without it (the file was written in place: an
//    outside program, an editor, git) must rest confirmMs (1.5 s), and a content that turns out
//    to be the start of a longer one meanwhile never counts: a rewriter that stalls with a valid
//    half file and goes on within 1.5 s loses nothing. Additions are taken at once by a load.
//    A save writes over what it reads, so it needs the same evidence for any content: it writes
//    only over a marked file or one whose state (its stat) it saw rest confirmMs (a valid half
//    may remove nothing this store knows of and still lack other writers' newest records), and
//    writes a missing file back only after confirmMs (git may be between unlink and create).
//    So a removal by another window lands at once; one by git or an editor within 1.5 s (3 s at
//    most, then the read fails and a save is retried); a save after an outside in-place write
//    waits up to 1.5 s once.
//    The limit, which no time rule lifts: a writer that stalls mid-rewrite for longer than
//    confirmMs, with a valid shorter file, looks exactly like a deliberate shorter file; so does
//    a stalled half file that something marks meanwhile (a chmod of it, or its mtime set back).
// 4. Writing. A save takes the lock (withFileLock: an owner token, renewed while held, taken over
//    only from a dead or silent owner), reads and merges as above, writes atomically after checking
//    it still holds the lock (else it merges again), and releases the lock only if still its own.
//    An outside edit of the file is merged the same way when the file watcher reports it, keeping
//    unsaved changes. A write that fails (disk full, read-only folder) keeps the labels in memory
//    and is retried. A corrupt file is never written; it is backed up once per episode.
import { DocumentLabels, textKey, type EditOutcome, type LineEdit, type LineSource } from './anchor';
import {
  backupFile,
  backupPath,
  cleanupTempFiles,
  escapesFolderMessage,
  LabelFileError,
  LockLostError,
  MAX_BACKUPS,
  markWrittenWhole,
  parseLabels,
  readMarked,
  readSettled,
  recordLine,
  sayLabelFileMessage,
  serializeLabels,
  withFileLock,
  writeFileAtomic,
  type FileProblem,
  type HeldLock,
  type LabelFileMessage,
  type LabelRecord,
  type LockOptions,
  type ParsedLabels,
  type SettleOptions,
  type WriteFs,
} from './labelFile';
import { labelSetOf, mergeLabelSets, sameSet, setFields } from './labelSet';

/** A record in memory; `detached` when its text is not found in its (open) document. */
export interface StoredLabel extends LabelRecord {
  detached?: boolean;
}

export interface Corruption {
  problems: FileProblem[];
  /** The copy of the file as it first turned corrupt; undefined when MAX_BACKUPS were kept already. */
  backup: string | undefined;
  /** False when this content was backed up before (no new copy, no new warning). */
  newBackup: boolean;
}

export interface FolderLabelsOptions {
  log: (message: string) => void;
  /** Replaces the file writes (tests and the stress run simulate a full disk with it). */
  io?: WriteFs;
  /** A save failed (with the error) or, after failures, succeeded again (undefined). */
  onSaveProblem?: (error: Error | undefined) => void;
  /** The file was deleted while it held labels: they are kept and written back (told once). */
  onFileDeleted?: (kept: number) => void;
  /** The labels changed because the file changed (a merge brought in other writers' labels). */
  onDiskChange?: () => void;
  /** First retry delay after a failed save; doubles up to 30 s. */
  retryMs?: number;
  /** The lock's bounds (tests shorten them). */
  lock?: LockOptions;
  /** How long a file must rest before a read of it may remove labels (tests shorten it). */
  settle?: SettleOptions;
  /**
   * Whether a task is multi-label (tasks.json): its lines' sets merge label by label. Records that
   * carry a `labels` field merge so without it; absent, no other task does.
   */
  isMultiLabel?: (task: string | undefined) => boolean;
}

/** One labeled line, where a change put it: what undo needs to reverse the change. */
interface Change {
  removed: StoredLabel[];
  added: StoredLabel[];
}

const HISTORY = 100;
const MAX_RETRY_MS = 30_000;

/** Labels cannot be written: the file's path leads outside the folder (its message to translate). */
export class LabelWriteError extends LabelFileError {}

/** A task's key in maps: the default task (no task field) is '' (a task name is never empty). */
const taskKey = (task: string | undefined): string => task ?? '';

export class FolderLabels {
  /** Per document, per task (taskKey), its labels: one line holds one label per task. */
  private readonly docs = new Map<string, Map<string, DocumentLabels<StoredLabel>>>();
  private total = 0;
  /** The file's records (by identity, see keyed) as of the last read or write: the merge's base. */
  private base = new Map<string, LabelRecord>();
  /** The file was found deleted (told once; the labels are written back). */
  private reportedMissing = false;
  /** The file's content as of the last read or write (undefined: no file). */
  private lastContent: string | undefined;
  /** The file's stat when a save last saw its content rest confirmMs (it was written in place). */
  private wholeAt: string | undefined;
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
  blocked: LabelFileMessage | undefined;

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
    for (const tasks of this.docs.values()) for (const d of tasks.values()) for (const r of d.values()) out.push(r);
    return out;
  }

  /** The tasks that have records (undefined: the default task), the default task first, then by name. */
  tasks(): Array<string | undefined> {
    const names = new Set<string>();
    for (const tasks of this.docs.values()) for (const [key, d] of tasks) if (d.size > 0) names.add(key);
    return [...names].sort().map((key) => (key === '' ? undefined : key));
  }

  /** The labels of one document (relative path) in one task, or undefined when it has none. */
  document(document: string, task?: string): DocumentLabels<StoredLabel> | undefined {
    return this.docs.get(document)?.get(taskKey(task));
  }

  /** Why labels cannot be changed now, or undefined. */
  get readOnlyReason(): string | undefined {
    const why = this.readOnlyMessage;
    return why && sayLabelFileMessage(why);
  }

  /** readOnlyReason to translate: the file's path problem (escapesFolderMessage) or its bad lines. */
  get readOnlyMessage(): LabelFileMessage | undefined {
    if (this.blocked) return this.blocked;
    if (this.corrupt) {
      const lines = this.corrupt.problems.map((p) => p.line).join(', ');
      const backup: LabelFileMessage = this.corrupt.backup
        ? { code: 'backupAt', args: [this.corrupt.backup] }
        : { code: 'noBackup', args: [String(MAX_BACKUPS)] };
      return { code: 'corrupt', args: [lines, backup] };
    }
    return undefined;
  }

  // ---- changes (in memory; save() writes them) ------------------------------------------------

  /** Labels lines of a document; `lines` carry the text each line has now. Returns how many. */
  setLabel(document: string, lines: ReadonlyArray<{ line: number; text: string }>, label: string, task?: string): number {
    const change: Change = { removed: [], added: [] };
    const doc = this.docOf(document, task);
    const seen = new Set<number>();
    for (const { line, text } of lines) {
      if (seen.has(line) || text.trim() === '') continue;
      seen.add(line);
      const old = doc.at(line);
      if (old) this.remove(doc, old, change);
      this.add(doc, task === undefined ? { document, line, text, label } : { document, line, text, label, task }, change);
    }
    return this.record(change);
  }

  /**
   * Sets the label sets of lines of a multi-label task (labelSet.ts): one record per line, `none`
   * for the empty set; a line whose set is unchanged is left alone. Returns how many changed.
   */
  setLabelSets(document: string, lines: ReadonlyArray<{ line: number; text: string; labels: readonly string[] }>, task?: string): number {
    const change: Change = { removed: [], added: [] };
    const doc = this.docOf(document, task);
    const seen = new Set<number>();
    for (const { line, text, labels } of lines) {
      if (seen.has(line) || text.trim() === '') continue;
      seen.add(line);
      const fields = setFields(labels);
      const old = doc.at(line);
      if (old && old.text === text && sameSet(labelSetOf(old), labelSetOf(fields))) continue;
      if (old) this.remove(doc, old, change);
      const r: StoredLabel = { document, line, text, ...fields };
      if (task !== undefined) r.task = task;
      if (old?.extra) r.extra = old.extra;
      this.add(doc, r, change);
    }
    return this.record(change);
  }

  removeLabel(document: string, lines: readonly number[], task?: string): number {
    const change: Change = { removed: [], added: [] };
    const doc = this.document(document, task);
    if (!doc) return 0;
    for (const line of new Set(lines)) {
      const old = doc.at(line);
      if (old) this.remove(doc, old, change);
    }
    return this.record(change);
  }

  /** Removes every label of one task. */
  clear(task?: string): number {
    return this.rewrite((r) => (r.task === task ? undefined : r));
  }

  /** Renames a label of one task (the same name in another task is another label). */
  renameLabel(from: string, to: string, task?: string): number {
    if (from === to) return 0;
    return this.rewrite((r) => {
      if (r.task !== task) return r;
      if (!r.labels) return r.label === from ? { ...r, label: to } : r;
      const set = labelSetOf(r);
      return set.includes(from)
        ? withSet(
            r,
            set.map((l) => (l === from ? to : l)),
          )
        : r;
    });
  }

  deleteLabel(label: string, task?: string): number {
    return this.rewrite((r) => {
      if (r.task !== task) return r;
      if (!r.labels) return r.label === label ? undefined : r;
      // A multi-label line keeps the rest of its set.
      const set = labelSetOf(r);
      return set.includes(label)
        ? withSet(
            r,
            set.filter((l) => l !== label),
          )
        : r;
    });
  }

  /**
   * Moves a task's records to another task name (undefined: the default task, no task field), as an
   * ordinary change the merge writes: a line labeled in both keeps the label it had in `to`.
   */
  renameTask(from: string | undefined, to: string | undefined): number {
    if (from === to) return 0;
    const taken = new Set(
      this.records()
        .filter((r) => r.task === to)
        .map((r) => `${r.document}\0${r.line}`),
    );
    return this.rewrite((r) => {
      if (r.task !== from) return r;
      if (taken.has(`${r.document}\0${r.line}`)) return undefined;
      const moved: StoredLabel = { ...r };
      if (to === undefined) delete moved.task;
      else moved.task = to;
      return moved;
    });
  }

  /** Adds records, replacing any on the same document line. Returns how many were added. */
  importRecords(records: readonly LabelRecord[]): number {
    const change: Change = { removed: [], added: [] };
    for (const r of records) {
      const doc = this.docOf(r.document, r.task);
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
      const doc = this.document(r.document, r.task);
      const now = doc?.at(r.line);
      if (doc && now && recordLine(now) === recordLine(r)) {
        doc.delete(now);
        this.total--;
      }
    }
    for (const r of change.removed) {
      const doc = this.docOf(r.document, r.task);
      if (doc.at(r.line)) continue;
      doc.add({ ...r, detached: false });
      this.total++;
    }
    this.generation++;
    return true;
  }

  /** Follows an editor change of a document; costs the lines the change touched. */
  /** Follows an editor change of a document (every task's labels); costs the lines the change touched. */
  applyEdits(document: string, edits: readonly LineEdit[], lines: LineSource): EditOutcome<StoredLabel> {
    const outcome: EditOutcome<StoredLabel> = { changed: false, dropped: [], linesRead: 0 };
    for (const doc of this.docs.get(document)?.values() ?? []) {
      const one = doc.applyEdits(edits, lines);
      outcome.changed ||= one.changed;
      outcome.dropped.push(...one.dropped);
      outcome.linesRead += one.linesRead;
    }
    this.total -= outcome.dropped.length;
    if (outcome.changed) this.generation++;
    return outcome;
  }

  /** Re-anchors a document's labels (every task's) by text (opened, or reloaded from disk). */
  anchor(document: string, lines: LineSource): boolean {
    let changed = false;
    for (const doc of this.docs.get(document)?.values() ?? []) if (doc.anchorAll(lines)) changed = true;
    if (!changed) return false;
    this.generation++;
    return true;
  }

  private docOf(document: string, task: string | undefined): DocumentLabels<StoredLabel> {
    let tasks = this.docs.get(document);
    if (!tasks) {
      tasks = new Map();
      this.docs.set(document, tasks);
    }
    const known = tasks.get(taskKey(task));
    if (known) return known;
    const doc = new DocumentLabels<StoredLabel>();
    tasks.set(taskKey(task), doc);
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
    for (const doc of [...this.docs.values()].flatMap((tasks) => [...tasks.values()])) {
      for (const r of [...doc.values()]) {
        const next = map(r);
        if (next === r) continue;
        n++;
        this.remove(doc, r, change);
        // A task rename moves the record to its new task's labels.
        if (next) this.add(next.task === r.task ? doc : this.docOf(next.document, next.task), { ...next }, change);
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
    return this.enqueue(() => this.sync(false)).then((changed) => {
      // The file was deleted: the labels kept in memory are written back.
      if (this.reportedMissing && this.dirty) void this.save().catch(() => {});
      return changed;
    });
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
    const outside = await escapesFolderMessage(this.root, this.file);
    // Compared by what they say: a new check of the same problem is the same problem.
    const english = outside && sayLabelFileMessage(outside);
    if (english !== (this.blocked && sayLabelFileMessage(this.blocked))) {
      this.blocked = outside;
      if (outside) {
        this.options.log(`${english}: the label file is not read or written`);
        this.replaceAll([]);
        this.base.clear();
        this.reportedMissing = false;
        this.lastContent = undefined;
        this.wholeAt = undefined;
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
      const changed = write ? await this.lockedSync() : await this.readMergeWrite(undefined);
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

  /** Read, merge and write under the lock; once more when the lock was lost while paused. */
  private async lockedSync(): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await withFileLock(this.file, (lock) => this.readMergeWrite(lock), { ...this.options.lock, io: this.options.io });
      } catch (error) {
        if (!(error instanceof LockLostError) || attempt >= 5) throw error;
        this.options.log(`${error.message}; merging again`);
      }
    }
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.disposed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.retryDelay = Math.min(MAX_RETRY_MS, this.retryDelay * 2);
      // A failure is reported by save itself (told once; a blocked file by its warning), not thrown here.
      if (this.dirty) void this.save().catch(() => {});
    }, this.retryDelay);
    this.retryTimer.unref?.();
  }

  private async readMergeWrite(lock: HeldLock | undefined): Promise<boolean> {
    const first = await readMarked(this.file);
    let content = first.content;
    // A save writes over what it read. A file written in place (not marked) may be a valid half of
    // a stalled rewrite that removes nothing of this store's base but lacks other writers' newer
    // records, even one equal to what this store wrote before: writing over it would drop them
    // (and the others would take that write, marked, as a removal). So it must have rested
    // confirmMs: once per state of the file (its stat), not per content. A missing file too,
    // every time it is found missing (its labels are written back), even when the last read
    // found it missing: git may be between unlink and create, the newest records in what comes.
    const unconfirmed =
      lock !== undefined &&
      (content === undefined ? this.total > 0 : !first.writtenWhole && (first.signature === undefined || first.signature !== this.wholeAt));
    let changed = false;
    if (content !== this.lastContent || unconfirmed) {
      let parsed = content === undefined ? undefined : parseLabels(content);
      if (unconfirmed || this.transient(content, parsed)) {
        // Missing, half written, unparsable or removing labels: wait until nobody is writing it.
        // Removals need more evidence than additions: a content that would remove labels, written
        // in place, must rest longer (a writer may have stalled mid-rewrite, see readSettled).
        // A missing file must rest as long before a load tells the user it was deleted.
        const mustConfirm = lock ? () => true : (c: string | undefined) => c === undefined || this.removesLabels(parseLabels(c));
        const settled = await readSettled(this.file, this.options.settle, mustConfirm);
        if (!settled.settled) throw new LabelFileError({ code: 'keepsChanging', args: [this.file] });
        content = settled.content;
        parsed = content === undefined ? undefined : parseLabels(content);
        if (lock && content !== undefined) this.wholeAt = settled.signature;
      }
      if (content !== this.lastContent) {
        if (content === undefined || parsed === undefined) {
          // Really gone: deleting the file is not deleting the labels. Keep them and write them back.
          if (this.total > 0) {
            if (!this.reportedMissing) {
              this.options.log(`${this.file} was deleted; its ${this.total} labels are kept and written back`);
              this.options.onFileDeleted?.(this.total);
            }
            this.reportedMissing = true;
            this.generation++;
          }
        } else {
          this.reportedMissing = false;
          changed = await this.takeIn(content, parsed);
        }
        this.lastContent = content;
      }
    }
    if (!lock || this.corrupt) return changed;
    const generation = this.generation;
    const written = this.records();
    const next = serializeLabels(written);
    if (next !== (content ?? '')) {
      // The lock is checked between writing the data and the rename: a holder that lost it (paused
      // past the stale bound) throws LockLostError and merges again with the file as it is now.
      await writeFileAtomic(this.file, next, this.options.io, async (temp) => {
        // Written whole: the other stores take removals it makes at once (see readSettled).
        await markWrittenWhole(temp);
        await lock.check();
      });
      this.lastContent = next;
      this.reportedMissing = false; // written back: a later deletion is told again
      // What was written, not what memory holds now: changes made while writing are not on disk.
      this.base = keyed(written.map((r) => ({ ...r })));
    }
    this.savedGeneration = generation;
    return changed;
  }

  /** Whether a read may be a moment of someone else's write, not what they meant (see readSettled). */
  private transient(content: string | undefined, parsed: ParsedLabels | undefined): boolean {
    if (content === undefined || parsed === undefined) return this.total > 0 || this.base.size > 0;
    if (parsed.problems.length > 0 || (content !== '' && !content.endsWith('\n'))) return true;
    return this.removesLabels(parsed);
  }

  /** Whether taking this read in would remove records of the base (the others' removals). */
  private removesLabels(parsed: ParsedLabels): boolean {
    const theirs = alignedTo(this.base, oneLabelPerLine(parsed.records));
    for (const key of this.base.keys()) if (!theirs.has(key)) return true;
    return false;
  }

  /** Merges a settled read of the file in; records corruption (one backup per episode). */
  private async takeIn(content: string, parsed: ParsedLabels): Promise<boolean> {
    const disk = oneLabelPerLine(parsed.records);
    const changed = this.merge(disk);
    this.base = keyed(disk);
    if (parsed.problems.length === 0) {
      this.corrupt = undefined;
      return changed;
    }
    // One backup (and one warning) when the file turns corrupt, not one per change event while
    // someone is fixing it. Read-only before the backup appears on disk: whoever sees the backup
    // sees labeling refused.
    const episode = this.corrupt;
    const corrupt: Corruption = episode ?? { problems: parsed.problems, backup: backupPath(this.file, content), newBackup: false };
    corrupt.problems = parsed.problems;
    this.corrupt = corrupt;
    if (episode) corrupt.newBackup = false;
    else {
      const made = await backupFile(this.file, content);
      corrupt.backup = made.backup;
      corrupt.newBackup = made.created;
    }
    const where = parsed.problems.map((p) => `line ${p.line}: ${p.message}`).join('; ');
    const backup = corrupt.backup ? `backup at ${corrupt.backup}` : `no backup made (${MAX_BACKUPS} kept already)`;
    this.options.log(`${this.file}: ${parsed.problems.length} bad line(s) skipped (${where}); ${backup}`);
    return changed;
  }

  /** Three-way merge (base: the file as last synced; ours: memory; theirs: the file now). */
  private merge(disk: readonly LabelRecord[]): boolean {
    const ours = alignedTo(this.base, this.records());
    const theirs = alignedTo(this.base, disk);
    const result: StoredLabel[] = [];
    let changed = false;
    for (const key of new Set([...this.base.keys(), ...ours.keys(), ...theirs.keys()])) {
      const mine = ours.get(key);
      const base = this.base.get(key);
      const r = merge3(base, mine, theirs.get(key), this.options.isMultiLabel?.((base ?? mine ?? theirs.get(key))?.task) ?? false);
      if (r !== mine) changed = true;
      if (r) result.push(r);
    }
    if (changed) this.replaceAll(result);
    return changed;
  }

  private replaceAll(records: readonly StoredLabel[]): void {
    this.docs.clear();
    this.total = 0;
    for (const r of records) {
      this.docOf(r.document, r.task).add(r);
      this.total++;
    }
  }
}

/**
 * Records by identity: document, task, text (trailing white space aside, as anchoring compares) and
 * which occurrence of that text in the document's records of that task, by line. The line is a position, not identity: a label
 * moved by an edit above it is the same label, so a window that moved it cannot bring it back
 * after another window removed it.
 */
function keyed<T extends LabelRecord>(records: readonly T[]): Map<string, T> {
  const out = new Map<string, T>();
  for (const [k, list] of groupsOf(records)) {
    list.forEach((r, i) => {
      out.set(`${k}\0${i}`, r);
    });
  }
  return out;
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Past this many pairs a group of same-text records is paired in line order, not aligned (cost). */
const MAX_ALIGN_PAIRS = 250_000;

/**
 * A side's records (ours or theirs) keyed as the base records they are. Records of one document
 * with one text are paired with the base's records of that text in line order, as many as can be
 * paired, at the least total line distance: the 2nd `ok` of the base is not the 2nd `ok` of a side
 * that labeled an earlier `ok` meanwhile (pairing by index did that, and lost or revived labels).
 * Records left over are new: keyed by their order among the new ones, so two windows that each
 * label the same text (wherever a line shift in one of them put it) meet as one label.
 */
function alignedTo<T extends LabelRecord>(base: ReadonlyMap<string, LabelRecord>, records: readonly T[]): Map<string, T> {
  const baseGroups = new Map<string, LabelRecord[]>();
  for (const [key, r] of base) {
    const group = key.slice(0, key.lastIndexOf('\0'));
    const list = baseGroups.get(group);
    if (list) list.push(r);
    else baseGroups.set(group, [r]);
  }
  const out = new Map<string, T>();
  for (const [group, list] of groupsOf(records)) {
    const from = baseGroups.get(group) ?? [];
    const pairs = align(
      from.map((r) => r.line),
      list.map((r) => r.line),
    );
    let added = 0;
    list.forEach((r, j) => {
      const i = pairs[j] as number;
      out.set(i >= 0 ? `${group}\0${i}` : `${group}\0+${added++}`, r);
    });
  }
  return out;
}

/** Records by document, task and text, each list in line order (the order `keyed` numbers them in). */
function groupsOf<T extends LabelRecord>(records: readonly T[]): Map<string, T[]> {
  const byText = new Map<string, T[]>();
  for (const r of records) {
    const k = `${r.document}\0${taskKey(r.task)}\0${textKey(r.text)}`;
    const list = byText.get(k);
    if (list) list.push(r);
    else byText.set(k, [r]);
  }
  for (const list of byText.values()) list.sort((a, b) => a.line - b.line || compareText(recordLine(a), recordLine(b)));
  return byText;
}

/**
 * For each of `to`'s lines, the index of the `from` line it is paired with, or -1: an order-keeping
 * pairing of as many as possible (min of the two counts), at the least total |line difference|
 * (dynamic programming over the two sorted lists).
 */
function align(from: readonly number[], to: readonly number[]): number[] {
  const m = from.length;
  const n = to.length;
  const pairs = new Array<number>(n).fill(-1);
  if (m === 0 || n === 0) return pairs;
  if (m === n || m * n > MAX_ALIGN_PAIRS) {
    for (let j = 0; j < Math.min(m, n); j++) pairs[j] = j;
    return pairs;
  }
  // cost[i][j]: the best pairing of from[0..i) with to[0..j) that pairs min(i, j) of them.
  const width = n + 1;
  const cost = new Float64Array((m + 1) * width).fill(Number.POSITIVE_INFINITY);
  const took = new Uint8Array((m + 1) * width); // 1 pair, 2 skip a `from`, 3 skip a `to`
  cost[0] = 0;
  for (let i = 0; i <= m; i++) {
    for (let j = 0; j <= n; j++) {
      const here = i * width + j;
      if (i === 0 && j === 0) continue;
      // Only the longer list may skip: every record of the shorter one is paired.
      if (i > 0 && j > 0) {
        const c = cost[(i - 1) * width + j - 1] + Math.abs((from[i - 1] as number) - (to[j - 1] as number));
        if (c < cost[here]) {
          cost[here] = c;
          took[here] = 1;
        }
      }
      if (i > 0 && m > n && cost[(i - 1) * width + j] < cost[here]) {
        cost[here] = cost[(i - 1) * width + j];
        took[here] = 2;
      }
      if (j > 0 && n > m && cost[i * width + j - 1] < cost[here]) {
        cost[here] = cost[i * width + j - 1];
        took[here] = 3;
      }
    }
  }
  for (let i = m, j = n; i > 0 || j > 0; ) {
    const t = took[i * width + j];
    if (t === 1) pairs[--j] = --i;
    else if (t === 2) i--;
    else j--;
  }
  return pairs;
}

/**
 * Several records for one line with one text in one task (a union merge, two files concatenated)
 * are one label: the one written last in the file stays. Every window reads the same file, so every window
 * keeps the same one, and Remove Label cannot leave another behind to come back.
 */
function oneLabelPerLine(records: readonly LabelRecord[]): LabelRecord[] {
  const at = new Map<string, LabelRecord>();
  for (const r of records) {
    const k = `${r.document}\0${taskKey(r.task)}\0${r.line}\0${textKey(r.text)}`;
    at.delete(k);
    at.set(k, r);
  }
  return [...at.values()];
}

const sameExtra = (a: LabelRecord, b: LabelRecord) => JSON.stringify(a.extra ?? {}) === JSON.stringify(b.extra ?? {});
const sameLabels = (a: LabelRecord, b: LabelRecord) => a.label === b.label && sameSet(a.labels ?? [], b.labels ?? []);
const sameButLine = (a: LabelRecord, b: LabelRecord) => sameLabels(a, b) && a.text === b.text && sameExtra(a, b);

/** A record with its label set replaced (labelSet.ts's fields; `labels` dropped for one label). */
function withSet(r: StoredLabel, set: readonly string[]): StoredLabel {
  const { labels: _old, ...rest } = r;
  return { ...rest, ...setFields(set) };
}
const same = (a: LabelRecord | undefined, b: LabelRecord | undefined) =>
  a === undefined || b === undefined ? a === b : a.line === b.line && sameButLine(a, b);

/**
 * One record's merge. Whoever changed it since the base decides; when both did, each field comes
 * from the side that changed it and a field both changed is ours (this store writes after the other
 * did: the last writer wins). A removal beats a mere move on the other side (moving is not
 * relabeling).
 */
function merge3(
  base: LabelRecord | undefined,
  ours: StoredLabel | undefined,
  theirs: LabelRecord | undefined,
  multiLabel = false,
): StoredLabel | undefined {
  if (same(ours, base)) return ours && same(ours, theirs) ? ours : theirs && { ...theirs };
  if (same(theirs, base) || !ours) return ours;
  if (!theirs) return base && sameButLine(ours, base) ? undefined : ours;
  if (!base) return ours;
  const merged: StoredLabel = {
    document: ours.document,
    line: ours.line !== base.line ? ours.line : theirs.line,
    text: ours.text !== base.text ? ours.text : theirs.text,
    label: ours.label !== base.label ? ours.label : theirs.label,
  };
  const oursSet = !sameLabels(ours, base);
  const theirsSet = !sameLabels(theirs, base);
  if (oursSet && theirsSet && (multiLabel || ours.labels || theirs.labels || base.labels)) {
    // A multi-label line's set changed on both sides: label by label, so both toggles stay.
    Object.assign(merged, setFields(mergeLabelSets(labelSetOf(base), labelSetOf(ours), labelSetOf(theirs))));
  } else {
    // One side changed the line's labels (or both, in a single-label task: ours, the last writer).
    const side = oursSet ? ours : theirs;
    merged.label = side.label;
    if (side.labels) merged.labels = side.labels;
  }
  // The task is part of the identity: the three sides share it.
  if (ours.task !== undefined) merged.task = ours.task;
  const extra = sameExtra(ours, base) ? theirs.extra : ours.extra;
  if (extra) merged.extra = extra;
  if (ours.detached && merged.line === ours.line) merged.detached = true;
  return same(merged, ours) ? ours : merged;
}
