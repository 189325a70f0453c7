// The label file: JSONL, one record per labeled line. Reading is forgiving (valid records load,
// bad lines are reported by number); writing is atomic (temp file + rename). No vscode import.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** One labeled line. `line` is 0-based in memory and 1-based in the file (what editors show). */
export interface LabelRecord {
  /** Path of the document relative to its workspace folder, with `/` separators. */
  document: string;
  line: number;
  text: string;
  label: string;
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
    const v = value as { document: string; line: number; text: string; label: string };
    records.push({ document: v.document, line: v.line - 1, text: v.text, label: v.label.trim() });
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

/** Stable order (document, then line) so the file diffs well under version control. */
export function serializeLabels(records: readonly LabelRecord[]): string {
  const sorted = [...records].sort((a, b) => (a.document < b.document ? -1 : a.document > b.document ? 1 : a.line - b.line));
  return sorted.map((r) => `${JSON.stringify({ document: r.document, line: r.line + 1, text: r.text, label: r.label })}\n`).join('');
}

/** Writes through a temp file in the same folder and a rename, so readers never see half a file. */
export async function writeFileAtomic(file: string, content: string): Promise<void> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    await fs.promises.writeFile(temp, content, 'utf8');
    await fs.promises.rename(temp, file);
  } catch (error) {
    await fs.promises.rm(temp, { force: true });
    throw error;
  }
}

/** Copies a corrupt label file aside (same folder, timestamped) and returns the copy's path. */
export async function backupFile(file: string, now = new Date()): Promise<string> {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const backup = `${file}.corrupt-${stamp}.bak`;
  await fs.promises.copyFile(file, backup);
  return backup;
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

/** CSV with a header; fields quoted when they need it (RFC 4180). */
export function toCsv(header: string[], rows: Array<Array<string | number>>): string {
  const cell = (v: string | number) => {
    const s = String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return `${[header, ...rows].map((r) => r.map(cell).join(',')).join('\n')}\n`;
}
