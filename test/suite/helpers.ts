// Shared by the integration suites: they run inside the real extension host.
import * as fs from 'node:fs';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'fewshot.fewshot-labeler';

export interface FileRecord {
  document: string;
  line: number;
  text: string;
  label: string;
}

/** The label file's records, as written (1-based lines); empty when the file does not exist. */
export function readRecordsOf(file: string): FileRecord[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as FileRecord);
}

/** The extension's prediction diagnostics on a document (a prediction's code is its label; the cap notice's is an object). */
export const fewShot = (uri: vscode.Uri) =>
  vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'few-shot' && typeof d.code === 'string');

/** The note saying how many predictions the per-file cap hides, if the document has one. */
export const capNotices = (uri: vscode.Uri) =>
  vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'few-shot' && typeof d.code === 'object');

export async function until<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
