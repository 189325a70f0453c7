// The label file: JSONL, one record per labeled line. Reading is forgiving (valid records load,
// bad lines are reported by number, fields we do not know are kept); writing is atomic and durable
// (a uniquely named temp file, fsync, rename, fsync of the folder) and goes through a lock file so
// that two writers (two windows, two processes) take turns. Where the file may live is decided
// here too (resolveLabelsPath, containedPath). No vscode import.
import { createHash, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { safeCsv } from '../engine/data/dataset';
import { fillMessage, normalizeLabelName } from '../engine/data/labelName';

/** One labeled line. `line` is 0-based in memory and 1-based in the file (what editors show). */
export interface LabelRecord {
  /** Path of the document relative to its workspace folder, with `/` separators. */
  document: string;
  line: number;
  text: string;
  label: string;
  /**
   * A multi-label task's line with two or more labels: the whole set, sorted, `label` its first
   * member (src/extension/labelSet.ts). Absent for one label, for `none` and in single-label tasks.
   */
  labels?: string[];
  /**
   * The task (label set) the label belongs to; absent: the default task. Old files have no task
   * field and are written back without one (docs/labels.md "Tasks").
   */
  task?: string;
  /**
   * Fields this version does not know (`annotator`, `note`...), each as the JSON text it was
   * written with: written back byte for byte (a number keeps every digit, 1e400 stays 1e400).
   */
  extra?: Record<string, string>;
}

export interface FileProblem {
  /** 1-based line number in the label file. */
  line: number;
  message: string;
}

export interface ParsedLabels {
  records: LabelRecord[];
  problems: FileProblem[];
}

const KNOWN = new Set(['document', 'line', 'text', 'label', 'labels', 'task']);
const BOM = '\uFEFF';

export function parseLabels(content: string): ParsedLabels {
  const records: LabelRecord[] = [];
  const problems: FileProblem[] = [];
  // Editors on Windows may save with a byte-order mark: it is not part of the first record.
  const text = content.startsWith(BOM) ? content.slice(1) : content;
  text.split(/\r?\n/).forEach((raw, i) => {
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      problems.push({ line: i + 1, message: 'not valid JSON' });
      return;
    }
    const problem = recordProblem(value);
    if (problem) {
      problems.push({ line: i + 1, message: problem });
      return;
    }
    const v = value as { document: string; line: number; text: string; label: string; labels?: unknown; task?: string };
    // The one rule the CLI's label files follow too: trimmed, NFC, nothing invisible.
    const label = normalizeLabelName(v.label);
    if ('problem' in label) {
      problems.push({ line: i + 1, message: `"label": ${label.problem}` });
      return;
    }
    const record: LabelRecord = { document: v.document, line: v.line - 1, text: v.text, label: label.name };
    if (v.task !== undefined) {
      const task = normalizeLabelName(v.task);
      if ('problem' in task) {
        problems.push({ line: i + 1, message: `"task": ${task.problem}` });
        return;
      }
      record.task = task.name;
    }
    const labels = labelsField(v.labels);
    if (labels) record.labels = labels;
    // A `labels` field this version cannot read (not a list of clean names) is kept as written.
    const extra = Object.fromEntries([...rawMembers(raw)].filter(([k]) => !KNOWN.has(k) || (k === 'labels' && !labels)));
    if (Object.keys(extra).length) record.extra = extra;
    records.push(record);
  });
  return { records, problems };
}

/**
 * The members of one JSON object's text (already accepted by JSON.parse), each value as the text
 * it was written with, so that numbers JSON.parse would round are written back unchanged.
 */
function rawMembers(text: string): Map<string, string> {
  const members = new Map<string, string>();
  let i = text.indexOf('{') + 1;
  const skipSpace = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++;
  };
  const skipString = () => {
    for (i++; text[i] !== '"'; i++) if (text[i] === '\\') i++;
    i++;
  };
  for (skipSpace(); text[i] === '"'; skipSpace()) {
    const keyStart = i;
    skipString();
    const key = JSON.parse(text.slice(keyStart, i)) as string;
    skipSpace();
    i++; // the colon
    skipSpace();
    const start = i;
    for (let depth = 0; i < text.length; ) {
      const c = text[i]!;
      if (c === '"') {
        skipString();
        continue;
      }
      if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        if (depth === 0) break;
        depth--;
      } else if (c === ',' && depth === 0) break;
      i++;
    }
    members.set(key, text.slice(start, i).trimEnd());
    if (text[i] === ',') i++;
  }
  return members;
}

/** A record's `labels` (a multi-label line's set) when it is a list of clean label names. */
function labelsField(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const names: string[] = [];
  for (const v of value) {
    if (typeof v !== 'string') return undefined;
    const name = normalizeLabelName(v);
    if ('problem' in name) return undefined;
    names.push(name.name);
  }
  return names;
}

function recordProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'expected an object {"document","line","text","label"}';
  const v = value as Record<string, unknown>;
  if (typeof v.document !== 'string' || v.document === '') return 'missing "document" (a relative path)';
  if (typeof v.line !== 'number' || !Number.isInteger(v.line) || v.line < 1) return '"line" must be a whole number from 1';
  if (typeof v.text !== 'string') return 'missing "text"';
  if (typeof v.label !== 'string' || v.label.trim() === '') return 'missing "label"';
  if (v.task !== undefined && typeof v.task !== 'string') return '"task" must be a task name (a string)';
  return undefined;
}

/** A record's line in the file (unknown fields first, as earlier versions wrote them). */
export function recordLine(r: LabelRecord): string {
  // A default-task record has no task field, as before tasks existed.
  const known = JSON.stringify({ document: r.document, line: r.line + 1, text: r.text, label: r.label, labels: r.labels, task: r.task });
  const extra = Object.entries(r.extra ?? {}).filter(([k]) => !KNOWN.has(k) || (k === 'labels' && !r.labels));
  if (extra.length === 0) return known;
  return `{${extra.map(([k, raw]) => `${JSON.stringify(k)}:${raw}`).join(',')},${known.slice(1)}`;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Stable order (document, line, then task: the default task first) so the file diffs well under
 * version control and every window writes one line's labels of several tasks in the same order.
 */
export function serializeLabels(records: readonly LabelRecord[]): string {
  const sorted = [...records].sort((a, b) => compare(a.document, b.document) || a.line - b.line || compare(a.task ?? '', b.task ?? ''));
  return sorted.map((r) => `${recordLine(r)}\n`).join('');
}

/** What a write may do to the file system; tests and the stress run inject failures (disk full). */
export interface WriteFs {
  writeFile(file: string, content: string): Promise<void>;
  /** Writes the owner into a lock file just created (default: the handle's own write). */
  writeLock?(handle: fs.promises.FileHandle, content: string): Promise<void>;
}

const durableWrite: WriteFs = {
  async writeFile(file, content) {
    const handle = await fs.promises.open(file, 'wx', 0o644);
    try {
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
};

const TEMP_SUFFIX = '.tmp';
const tempPrefix = (file: string) => `.${path.basename(file)}.`;

/**
 * Writes through a temp file in the same folder and a rename, so readers never see half a file
 * and a crash leaves the old file or the new one. The temp name is unique (two writers never share
 * one); the data is fsynced before the rename. When `file` is a symbolic link, its target is
 * replaced and the link kept.
 */
export async function writeFileAtomic(
  file: string,
  content: string,
  io: WriteFs = durableWrite,
  /**
   * Runs after the data is written to `temp`, before the rename (the label store marks the temp
   * file as written whole, then checks it still holds the lock).
   */
  beforeRename?: (temp: string) => Promise<void>,
): Promise<void> {
  let target = file;
  try {
    if ((await fs.promises.lstat(file)).isSymbolicLink()) target = await fs.promises.realpath(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const dir = path.dirname(target);
  await fs.promises.mkdir(dir, { recursive: true });
  const temp = path.join(dir, `${tempPrefix(target)}${process.pid}.${randomUUID()}${TEMP_SUFFIX}`);
  try {
    await io.writeFile(temp, content);
    await beforeRename?.(temp);
    await fs.promises.rename(temp, target);
  } catch (error) {
    await fs.promises.rm(temp, { force: true });
    throw error;
  }
  await syncFolder(dir);
}

async function syncFolder(dir: string): Promise<void> {
  // Makes the rename itself durable; not possible on every platform (Windows), where it is skipped.
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(dir, 'r');
    await handle.sync();
  } catch {
    // best effort
  } finally {
    await handle?.close();
  }
}

/** Removes temp files a killed write left beside `file` (their process is gone, or they are old). */
export async function cleanupTempFiles(file: string, maxAgeMs = 10 * 60_000, now = Date.now()): Promise<string[]> {
  const dir = path.dirname(file);
  const prefix = tempPrefix(file);
  let names: string[];
  try {
    names = await fs.promises.readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith(TEMP_SUFFIX)) continue;
    const pid = Number(name.slice(prefix.length).split('.')[0]);
    const full = path.join(dir, name);
    try {
      const age = now - (await fs.promises.stat(full)).mtimeMs;
      if (processAlive(pid) && age < maxAgeMs) continue;
      await fs.promises.rm(full, { force: true });
      removed.push(full);
    } catch {
      // gone already
    }
  }
  return removed;
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// ---- the lock ----------------------------------------------------------------------------------
//
// `<file>.lock` is created exclusively and holds its owner: {"token","pid","host"}. While held, its
// mtime is touched every `renewMs`. A waiter takes it over only when the owner is gone: a pid of
// this host that no longer runs (at once), or a lock not renewed for `staleMs` (an owner paused,
// killed on another host, or a lock from an old version). "Not renewed" is what the waiter saw
// itself: the lock's mtime and content unchanged for `staleMs` of the waiter's clock, so a lock
// dated in the future cannot block for good; an mtime older than `staleMs` counts at once. A
// takeover renames the lock aside first and checks it moved the lock it judged (two waiters cannot
// both take one lock over). The owner removes the lock only while its token is in it, and checks
// the token before each write (LockLostError): a holder that was paused and lost the lock re-reads
// and merges again rather than writing what it merged before.

export interface LockOptions {
  /** A lock not renewed for this long is taken over (default 5 s). */
  staleMs?: number;
  /** How often a holder touches its lock (default staleMs / 5). */
  renewMs?: number;
  /** Give up waiting after this long (default 30 s). */
  timeoutMs?: number;
  io?: WriteFs;
}

/** The lock this writer held was taken over (it was paused past the stale bound): merge again. */
export class LockLostError extends Error {}

export interface HeldLock {
  /** Throws LockLostError unless this writer's token is still in the lock file. */
  check(): Promise<void>;
}

interface LockOwner {
  token?: string;
  pid?: number;
  host?: string;
}

const HOST = os.hostname();

function parseOwner(content: string): LockOwner {
  try {
    const v = JSON.parse(content) as unknown;
    if (typeof v === 'number') return { pid: v }; // earlier versions wrote the pid alone
    if (typeof v === 'object' && v !== null) {
      const o = v as Record<string, unknown>;
      return {
        token: typeof o.token === 'string' ? o.token : undefined,
        pid: typeof o.pid === 'number' ? o.pid : undefined,
        host: typeof o.host === 'string' ? o.host : undefined,
      };
    }
  } catch {
    // empty (an owner between creating and writing it) or foreign: judged by renewal alone
  }
  return {};
}

async function readLock(lock: string): Promise<{ content: string; mtimeMs: number } | undefined> {
  try {
    const [content, stat] = await Promise.all([fs.promises.readFile(lock, 'utf8'), fs.promises.stat(lock)]);
    return { content, mtimeMs: stat.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Creates the lock with this writer's owner record; false when another writer holds it. */
async function createLock(lock: string, owner: string, io: WriteFs | undefined): Promise<boolean> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(lock, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    await (io?.writeLock ? io.writeLock(handle, owner) : handle.writeFile(owner, 'utf8'));
  } catch (error) {
    // A full disk: the lock was made by this call and holds no owner; leave neither it nor the handle.
    await handle.close().catch(() => {});
    await fs.promises.rm(lock, { force: true });
    throw error;
  }
  await handle.close();
  return true;
}

/**
 * Moves a stale lock out of the way, only if it is still the one judged stale. Returns the error
 * when the lock is still there and cannot be moved (a read-only folder, say): the caller must then
 * wait and time out, not try again at once (that spun forever).
 */
async function takeOver(lock: string, judged: string): Promise<Error | undefined> {
  const aside = `${lock}.stale-${randomUUID()}`;
  try {
    await fs.promises.rename(lock, aside);
  } catch (error) {
    // Released or taken over meanwhile: nothing to move, try to create the lock again.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return error instanceof Error ? error : new Error(String(error));
  }
  const moved = await fs.promises.readFile(aside, 'utf8').catch(() => judged);
  // Another waiter took it over first and this rename moved its fresh lock: put that back.
  if (moved !== judged) await fs.promises.link(aside, lock).catch(() => {});
  await fs.promises.rm(aside, { force: true });
  return undefined;
}

/**
 * Runs `fn` holding `<file>.lock` (protocol above), so read-merge-write cycles of several writers
 * do not interleave. `fn` gets the held lock to check before it writes.
 */
export async function withFileLock<T>(file: string, fn: (lock: HeldLock) => Promise<T>, options: LockOptions = {}): Promise<T> {
  const lock = `${file}.lock`;
  const staleMs = options.staleMs ?? 5000;
  const renewMs = options.renewMs ?? staleMs / 5;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const token = randomUUID();
  const owner = JSON.stringify({ token, pid: process.pid, host: HOST });
  await fs.promises.mkdir(path.dirname(lock), { recursive: true });
  const started = Date.now();
  let seen: { content: string; mtimeMs: number; since: number } | undefined;
  let stuck: Error | undefined;
  for (let attempt = 0; !(await createLock(lock, owner, options.io)); attempt++) {
    const now = Date.now();
    const current = await readLock(lock);
    if (current) {
      if (!seen || seen.content !== current.content || seen.mtimeMs !== current.mtimeMs) seen = { ...current, since: now };
      const who = parseOwner(current.content);
      const dead = who.pid !== undefined && (who.host ?? HOST) === HOST && !processAlive(who.pid);
      const old = now - current.mtimeMs > staleMs;
      if (dead || old || now - seen.since > staleMs) {
        stuck = await takeOver(lock, current.content);
        if (!stuck) {
          seen = undefined;
          continue;
        }
      }
    }
    if (now - started > timeoutMs) {
      throw new LabelFileError(
        stuck
          ? { code: 'staleLock', args: [path.basename(file), stuck.message, lock] }
          : { code: 'locked', args: [path.basename(file), lock] },
      );
    }
    await new Promise((r) => setTimeout(r, Math.min(50, 2 + attempt) * (0.5 + Math.random())));
  }
  const held: HeldLock = {
    async check() {
      const current = await readLock(lock);
      if (current?.content !== owner) throw new LockLostError(`${path.basename(lock)} was taken over while this writer was paused`);
    },
  };
  const renew = setInterval(() => {
    const now = new Date();
    void readLock(lock)
      .then((current) => (current?.content === owner ? fs.promises.utimes(lock, now, now) : undefined))
      .catch(() => {});
  }, renewMs);
  renew.unref?.();
  try {
    return await fn(held);
  } finally {
    clearInterval(renew);
    // Only the owner's lock goes: a holder that lost it must not remove the next holder's.
    if ((await readLock(lock).catch(() => undefined))?.content === owner) await fs.promises.rm(lock, { force: true });
  }
}

/** Where the backup of a corrupt file's `content` goes (one per distinct content). */
export function backupPath(file: string, content: string): string {
  return `${file}.corrupt-${createHash('sha256').update(content).digest('hex').slice(0, 12)}.bak`;
}

/** At most this many backups of corrupt contents are kept beside a label file. */
export const MAX_BACKUPS = 5;

/**
 * Copies a corrupt label file aside (same folder). The name carries a hash of the content: the same
 * corrupt content is backed up once, however often it is read; past MAX_BACKUPS no more are made
 * (`created` false, `backup` undefined), so a program rewriting a corrupt file cannot fill the disk.
 */
export async function backupFile(file: string, content: string): Promise<{ backup: string | undefined; created: boolean }> {
  const backup = backupPath(file, content);
  if (fs.existsSync(backup)) return { backup, created: false };
  const prefix = `${path.basename(file)}.corrupt-`;
  const names = await fs.promises.readdir(path.dirname(file)).catch(() => []);
  if (names.filter((n) => n.startsWith(prefix) && n.endsWith('.bak')).length >= MAX_BACKUPS) return { backup: undefined, created: false };
  try {
    await fs.promises.writeFile(backup, content, { encoding: 'utf8', flag: 'wx' });
    return { backup, created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return { backup, created: false };
    throw error;
  }
}

/** Reads the file; a missing file is an empty label set. */
export async function readLabelFile(file: string): Promise<ParsedLabels & { content: string | undefined }> {
  const content = await readContent(file);
  return content === undefined ? { records: [], problems: [], content } : { ...parseLabels(content), content };
}

/** A file's text, or undefined when there is none. */
export async function readContent(file: string): Promise<string | undefined> {
  try {
    return await fs.promises.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export interface SettleOptions {
  /** The file counts as settled once unchanged for this long (default 150 ms). */
  quietMs?: number;
  /**
   * How long a content that would remove labels must rest instead, when it was written in place
   * (default 1500 ms): the span within which a stalled in-place writer must go on (see readSettled).
   */
  confirmMs?: number;
  /** Give up after this long (default 3 s): the file keeps changing. */
  maxWaitMs?: number;
}

/** The mtime a file written whole is given before it is renamed into place: this long ago. */
const WHOLE_MARK_MS = 1000;

/**
 * Marks a file written whole (a temp file about to be renamed into place) by dating its mtime back
 * before its ctime. Every data write, truncation included, sets both to the same instant, so a
 * file whose ctime is later than its mtime was not written since it was marked (or renamed, which
 * sets the ctime alone): readSettled then knows it is no moment of an in-place rewrite. A second
 * back, not less, so that file systems keeping whole seconds see it too. Best effort: unmarked,
 * a read that would remove labels only waits longer (confirmMs).
 */
export async function markWrittenWhole(file: string): Promise<void> {
  const now = Date.now();
  await fs.promises.utimes(file, now / 1000, (now - WHOLE_MARK_MS) / 1000).catch(() => {});
}

/** A read of the file: its content, and its stat when read whole (unchanged across the read). */
export interface MarkedRead {
  content: string | undefined;
  /** The file's stat (inode, size, times) across the read; undefined when it changed meanwhile. */
  signature: string | undefined;
  /** It had the written-whole mark (see markWrittenWhole). */
  writtenWhole: boolean;
}

/** Reads the file once, with its stat and whether it had the written-whole mark. */
export async function readMarked(file: string): Promise<MarkedRead> {
  const before = await statSignature(file);
  const content = await readContent(file);
  const after = await statSignature(file);
  const whole = before.signature === after.signature;
  return { content, signature: whole ? after.signature : undefined, writtenWhole: whole && after.writtenWhole === true };
}

/**
 * Reads the file once it has settled: the same content read whole (the file's stat unchanged
 * across the read) `quietMs` apart, or a file untouched for longer than that by its mtime. A file being rewritten in place, or replaced by unlink-and-create (git), is
 * missing, empty or half written for a moment; such a read must not be taken for removals.
 *
 * Removals need more: a content for which `mustConfirm` is true (it would remove labels, or a
 * save would write over it) must rest `confirmMs`, not `quietMs`,
 * unless it was read with the mark of a file written whole and renamed into place (ctime later
 * than mtime, see markWrittenWhole: what every label store writes). A writer that stalls in the
 * middle of an in-place rewrite, leaving a valid shorter file (JSONL cut at a line boundary), is
 * then caught when it goes on within `confirmMs`: what it writes next is longer and starts with
 * what was seen, and such a content never counts (partOfLonger). A genuine removal written in
 * place (an editor, git, a script) is taken after `confirmMs`; one by a label store at once.
 * `settled` is false when it kept changing for `maxWaitMs`.
 */
export async function readSettled(
  file: string,
  options: SettleOptions = {},
  /** Whether this content (undefined: the file is missing) must rest confirmMs unless marked. */
  mustConfirm: (content: string | undefined) => boolean = () => false,
): Promise<{ content: string | undefined; settled: boolean; signature?: string }> {
  const quietMs = options.quietMs ?? 150;
  const confirmMs = Math.max(quietMs, options.confirmMs ?? 1500);
  const maxWaitMs = options.maxWaitMs ?? 3000;
  const started = Date.now();
  // When each content was first seen, and how long it must rest. A program rewriting the same
  // content every 100 ms changes the file's times each time but never what it says: the same
  // content seen that long apart counts, whatever was seen in between, unless it is the start of a
  // longer one seen meanwhile (a truncated or half-written moment recurs too).
  const firstSeen = new Map<string | undefined, { at: number; restMs: number }>();
  for (;;) {
    const before = await statSignature(file);
    const content = await readContent(file);
    const after = await statSignature(file);
    const now = Date.now();
    const whole = before.signature === after.signature && (content === undefined) === (after.signature === 'missing');
    if (whole) {
      let seen = firstSeen.get(content);
      if (seen === undefined) {
        if (firstSeen.size >= 8) firstSeen.clear();
        const confirm = mustConfirm(content);
        seen = { at: now, restMs: confirm ? confirmMs : quietMs };
        firstSeen.set(content, seen);
      }
      // A file renamed into place whole is no moment of a rewrite: the short rest is enough, even
      // when it is the start of a longer content (a label store removed the last records).
      if (after.writtenWhole) seen.restMs = quietMs;
      const moment = !after.writtenWhole && partOfLonger(content, firstSeen.keys());
      // Untouched for long by its mtime (a second more than the rest: some file systems keep whole
      // seconds; a future mtime proves nothing), or seen for the rest it needs.
      const rested = after.mtimeMs !== undefined && now - after.mtimeMs >= seen.restMs + 1000;
      if ((rested || now - seen.at >= seen.restMs) && !moment) return { content, settled: true, signature: after.signature };
    }
    if (now - started >= maxWaitMs) return { content, settled: false };
    await new Promise((r) => setTimeout(r, Math.max(5, quietMs / 5)));
  }
}

/**
 * Whether `content` is the start of a longer content seen meanwhile: a moment of an in-place
 * rewrite (truncated, half written), which recurs as often as the rewrite does, so seeing it again
 * proves nothing. Only the content that is not a prefix of another counts as what the writer meant.
 * A missing file is the start of any content: git's unlink before the create recurs with every
 * replacement, so "missing" seen twice with the file there in between is no deletion.
 */
function partOfLonger(content: string | undefined, seen: Iterable<string | undefined>): boolean {
  for (const other of seen) {
    if (other === undefined || other === content) continue;
    if (content === undefined || (other.length > content.length && other.startsWith(content))) return true;
  }
  return false;
}

async function statSignature(file: string): Promise<{ signature: string; mtimeMs?: number; writtenWhole?: boolean }> {
  try {
    const s = await fs.promises.stat(file, { bigint: true });
    return {
      signature: `${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`,
      mtimeMs: Number(s.mtimeNs / 1_000_000n),
      writtenWhole: s.ctimeNs > s.mtimeNs,
    };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { signature: 'missing' };
    throw error;
  }
}

export const DEFAULT_LABELS_FILE = '.fewshot/labels.jsonl';

/**
 * What a person is told about where the label file is and why it cannot be written, in English
 * with `{0}`, `{1}` for the parameters. The English is said here once: the log and the stress run
 * use it as it is, and the extension shows it through vscode.l10n.t, whose key it is
 * (sayLabelFileMessage with the translation).
 */
export const LABEL_FILE_MESSAGES = {
  untrusted: 'fewshot.labelsFile is ignored in an untrusted workspace',
  absolute: 'fewshot.labelsFile must be relative to the workspace folder (got {0})',
  outside: 'fewshot.labelsFile must stay inside the workspace folder (got {0})',
  corrupt: 'the label file has bad lines ({0}); fix or remove them before labeling ({1})',
  backupAt: 'a backup is at {0}',
  noBackup: 'no backup made: {0} are kept already',
  folderUnreadable: 'the workspace folder {0} cannot be read',
  leadsOutside: '{0} leads outside the workspace folder (to {1})',
  cannotCheck: '{0} cannot be checked: {1}',
  locked: '{0} is locked by another writer ({1})',
  staleLock: '{0} is locked: a stale lock could not be removed ({1}) ({2})',
  keepsChanging: '{0} keeps changing; it is read again later',
} as const;

/** One of LABEL_FILE_MESSAGES with its parameters (a parameter may be a message itself). */
export interface LabelFileMessage {
  code: keyof typeof LABEL_FILE_MESSAGES;
  args: Array<string | LabelFileMessage>;
}

/** The message's text: English, or through `translate` (vscode.l10n.t), which gets the English template. */
export function sayLabelFileMessage(
  m: LabelFileMessage,
  translate: (message: string, ...args: string[]) => string = (t, ...args) => fillMessage(t, args),
): string {
  return translate(LABEL_FILE_MESSAGES[m.code], ...m.args.map((a) => (typeof a === 'string' ? a : sayLabelFileMessage(a, translate))));
}

/** A failure of the label file's own (its lock, a file that keeps changing, a path leading outside): its message to translate. */
export class LabelFileError extends Error {
  constructor(readonly labelFileMessage: LabelFileMessage) {
    super(sayLabelFileMessage(labelFileMessage));
  }
}

/** What a person is told of `error`: a LabelFileError's message through `translate`, else the error's own (the system's) message. */
export function labelFileErrorText(error: Error, translate?: (message: string, ...args: string[]) => string): string {
  return error instanceof LabelFileError ? sayLabelFileMessage(error.labelFileMessage, translate) : error.message;
}

/**
 * The label file of a workspace folder from the `fewshot.labelsFile` setting: a relative path that
 * stays inside the folder. Anything else (absolute, `..`, a drive or UNC path) is refused with the
 * reason and the default is used; so is any setting in an untrusted workspace.
 */
export function resolveLabelsPath(
  folder: string,
  setting: string,
  trusted = true,
): { file: string; refused?: string; refusal?: LabelFileMessage } {
  const fallback = path.join(folder, ...DEFAULT_LABELS_FILE.split('/'));
  const value = setting.trim();
  if (value === '' || value === DEFAULT_LABELS_FILE) return { file: fallback };
  const refuse = (refusal: LabelFileMessage) => ({ file: fallback, refused: sayLabelFileMessage(refusal), refusal });
  if (!trusted) return refuse({ code: 'untrusted', args: [] });
  if (path.isAbsolute(value) || path.win32.isAbsolute(value) || /^[a-zA-Z]:/.test(value))
    return refuse({ code: 'absolute', args: [value] });
  const file = path.resolve(folder, value);
  if (!isInside(folder, file) || file === path.resolve(folder)) return refuse({ code: 'outside', args: [value] });
  return { file };
}

const isInside = (root: string, p: string) => {
  const rel = path.relative(path.resolve(root), path.resolve(p));
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
};

/** escapesFolderMessage in English. */
export async function escapesFolder(root: string, file: string): Promise<string | undefined> {
  const m = await escapesFolderMessage(root, file);
  return m && sayLabelFileMessage(m);
}

/**
 * Checks, on disk, that `file` really lies inside `root`: a symbolic link anywhere on the way (a
 * linked `.fewshot` folder, a linked label file) must point inside it too. Returns the reason it
 * does not, or undefined.
 */
export async function escapesFolderMessage(root: string, file: string): Promise<LabelFileMessage | undefined> {
  let realRoot: string;
  try {
    realRoot = await fs.promises.realpath(root);
  } catch {
    return { code: 'folderUnreadable', args: [root] };
  }
  // The deepest part of the path that exists decides where the rest would be created.
  let existing = file;
  for (;;) {
    try {
      const real = await fs.promises.realpath(existing);
      const rest = path.relative(existing, file);
      const resolved = rest ? path.join(real, rest) : real;
      return isInside(realRoot, resolved) ? undefined : { code: 'leadsOutside', args: [file, resolved] };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return { code: 'cannotCheck', args: [file, (error as Error).message] };
      // A dangling link: where it points decides.
      try {
        const link = await fs.promises.readlink(existing);
        const resolved = path.resolve(path.dirname(existing), link, path.relative(existing, file));
        if (!isInside(realRoot, resolved)) return { code: 'leadsOutside', args: [file, resolved] };
      } catch {
        // not a link
      }
      const parent = path.dirname(existing);
      if (parent === existing) return undefined;
      existing = parent;
    }
  }
}

/**
 * CSV with a header, by the export's one CSV rule (engine/data/dataset.ts's safeCsv): fields quoted
 * when they need it (RFC 4180, any line break included), and a cell a spreadsheet would take for a
 * formula prefixed with a quote mark, so document text cannot run in the reader's spreadsheet.
 */
export function toCsv(header: string[], rows: Array<Array<string | number>>): string {
  return safeCsv([header, ...rows.map((r) => r.map(String))]);
}
