// The label file: JSONL, one record per labeled line. Reading is forgiving (valid records load,
// bad lines are reported by number, fields we do not know are kept); writing is atomic and durable
// (a uniquely named temp file, fsync, rename, fsync of the folder) and goes through a lock file so
// that two writers (two windows, two processes) take turns. Where the file may live is decided
// here too (resolveLabelsPath, containedPath). No vscode import.
import { createHash, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { safeCsv } from '../engine/data/dataset';
import { normalizeLabelName } from '../engine/data/labelName';

/** One labeled line. `line` is 0-based in memory and 1-based in the file (what editors show). */
export interface LabelRecord {
  /** Path of the document relative to its workspace folder, with `/` separators. */
  document: string;
  line: number;
  text: string;
  label: string;
  /** Fields this version does not know (`annotator`, `note`...): written back unchanged. */
  extra?: Record<string, unknown>;
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

const KNOWN = new Set(['document', 'line', 'text', 'label']);

export function parseLabels(content: string): ParsedLabels {
  const records: LabelRecord[] = [];
  const problems: FileProblem[] = [];
  content.split(/\r?\n/).forEach((raw, i) => {
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
    const v = value as Record<string, unknown> & { document: string; line: number; text: string; label: string };
    // The one rule the CLI's label files follow too: trimmed, NFC, nothing invisible.
    const label = normalizeLabelName(v.label);
    if ('problem' in label) {
      problems.push({ line: i + 1, message: `"label": ${label.problem}` });
      return;
    }
    const record: LabelRecord = { document: v.document, line: v.line - 1, text: v.text, label: label.name };
    const extra = Object.fromEntries(Object.entries(v).filter(([k]) => !KNOWN.has(k)));
    if (Object.keys(extra).length) record.extra = extra;
    records.push(record);
  });
  return { records, problems };
}

function recordProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'expected an object {"document","line","text","label"}';
  const v = value as Record<string, unknown>;
  if (typeof v.document !== 'string' || v.document === '') return 'missing "document" (a relative path)';
  if (typeof v.line !== 'number' || !Number.isInteger(v.line) || v.line < 1) return '"line" must be a whole number from 1';
  if (typeof v.text !== 'string') return 'missing "text"';
  if (typeof v.label !== 'string' || v.label.trim() === '') return 'missing "label"';
  return undefined;
}

/** A record's line in the file, which is also its identity when merging. */
export function recordLine(r: LabelRecord): string {
  return JSON.stringify({ ...r.extra, document: r.document, line: r.line + 1, text: r.text, label: r.label });
}

/** Stable order (document, then line) so the file diffs well under version control. */
export function serializeLabels(records: readonly LabelRecord[]): string {
  const sorted = [...records].sort((a, b) => (a.document < b.document ? -1 : a.document > b.document ? 1 : a.line - b.line));
  return sorted.map((r) => `${recordLine(r)}\n`).join('');
}

/** What a write may do to the file system; tests and the stress run inject failures (disk full). */
export interface WriteFs {
  writeFile(file: string, content: string): Promise<void>;
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
export async function writeFileAtomic(file: string, content: string, io: WriteFs = durableWrite): Promise<void> {
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

/** A lock older than this was left by a killed writer (a write holds it for milliseconds). */
const STALE_LOCK_MS = 10_000;

/**
 * Runs `fn` holding `<file>.lock` (created exclusively), so read-merge-write cycles of several
 * writers do not interleave. A lock left by a killed process is taken over once stale.
 */
export async function withFileLock<T>(file: string, fn: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const lock = `${file}.lock`;
  await fs.promises.mkdir(path.dirname(lock), { recursive: true });
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await fs.promises.open(lock, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      try {
        const age = Date.now() - (await fs.promises.stat(lock)).mtimeMs;
        if (age > STALE_LOCK_MS) await fs.promises.rm(lock, { force: true });
      } catch {
        // released meanwhile
      }
      if (Date.now() - started > timeoutMs) throw new Error(`${path.basename(file)} is locked by another writer (${lock})`);
      await new Promise((r) => setTimeout(r, Math.min(50, 2 + attempt) * (0.5 + Math.random())));
    }
  }
  try {
    return await fn();
  } finally {
    await fs.promises.rm(lock, { force: true });
  }
}

/**
 * Copies a corrupt label file aside (same folder) and returns the copy's path. The name carries a
 * hash of the content: the same corrupt content is backed up once, however often it is read.
 */
/** Where the backup of a corrupt file's `content` goes (one per distinct content). */
export function backupPath(file: string, content: string): string {
  return `${file}.corrupt-${createHash('sha256').update(content).digest('hex').slice(0, 12)}.bak`;
}

export async function backupFile(file: string, content: string): Promise<{ backup: string; created: boolean }> {
  const backup = backupPath(file, content);
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
  let content: string;
  try {
    content = await fs.promises.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], problems: [], content: undefined };
    throw error;
  }
  return { ...parseLabels(content), content };
}

export const DEFAULT_LABELS_FILE = '.fewshot/labels.jsonl';

/**
 * The label file of a workspace folder from the `fewshot.labelsFile` setting: a relative path that
 * stays inside the folder. Anything else (absolute, `..`, a drive or UNC path) is refused with the
 * reason and the default is used; so is any setting in an untrusted workspace.
 */
export function resolveLabelsPath(folder: string, setting: string, trusted = true): { file: string; refused?: string } {
  const fallback = path.join(folder, ...DEFAULT_LABELS_FILE.split('/'));
  const value = setting.trim();
  if (value === '' || value === DEFAULT_LABELS_FILE) return { file: fallback };
  if (!trusted) return { file: fallback, refused: 'fewshot.labelsFile is ignored in an untrusted workspace' };
  if (path.isAbsolute(value) || path.win32.isAbsolute(value) || /^[a-zA-Z]:/.test(value)) {
    return { file: fallback, refused: `fewshot.labelsFile must be relative to the workspace folder (got ${value})` };
  }
  const file = path.resolve(folder, value);
  if (!isInside(folder, file) || file === path.resolve(folder)) {
    return { file: fallback, refused: `fewshot.labelsFile must stay inside the workspace folder (got ${value})` };
  }
  return { file };
}

const isInside = (root: string, p: string) => {
  const rel = path.relative(path.resolve(root), path.resolve(p));
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
};

/**
 * Checks, on disk, that `file` really lies inside `root`: a symbolic link anywhere on the way (a
 * linked `.fewshot` folder, a linked label file) must point inside it too. Returns the reason it
 * does not, or undefined.
 */
export async function escapesFolder(root: string, file: string): Promise<string | undefined> {
  let realRoot: string;
  try {
    realRoot = await fs.promises.realpath(root);
  } catch {
    return `the workspace folder ${root} cannot be read`;
  }
  // The deepest part of the path that exists decides where the rest would be created.
  let existing = file;
  for (;;) {
    try {
      const real = await fs.promises.realpath(existing);
      const rest = path.relative(existing, file);
      const resolved = rest ? path.join(real, rest) : real;
      return isInside(realRoot, resolved) ? undefined : `${file} leads outside the workspace folder (to ${resolved})`;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return `${file} cannot be checked: ${(error as Error).message}`;
      // A dangling link: where it points decides.
      try {
        const link = await fs.promises.readlink(existing);
        const resolved = path.resolve(path.dirname(existing), link, path.relative(existing, file));
        if (!isInside(realRoot, resolved)) return `${file} leads outside the workspace folder (to ${resolved})`;
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
