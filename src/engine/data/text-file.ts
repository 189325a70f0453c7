// Opening text files with clear messages: missing files, folders, devices, binary content. Input
// may be a pipe (a FIFO, `<(...)`, /dev/stdin): it is read once, as a stream, and never sought.
import fs from 'node:fs';
import { type MessageTemplate, said } from '../messageTemplate';
import { DataError } from './errors';

export const SNIFF_BYTES = 64 * 1024;
/** More than this share of undecodable characters in the first 64 KiB means "not UTF-8 text". */
const MAX_INVALID_RATIO = 0.01;

/**
 * Why a file cannot be read, in English with `{0}` the file: the key of its translation in the
 * extension's l10n bundle (Improve the Model reads files in the worker; see docs/l10n.md). A failed
 * open, stat or read by its error code, then the other refusals.
 */
export const READ_PROBLEMS = {
  ENOENT: '{0}: file not found',
  EISDIR: '{0}: is a folder, not a file',
  EACCES: '{0}: permission denied',
  EPERM: '{0}: permission denied',
  ENOTDIR: '{0}: a part of the path is not a folder',
  ELOOP: '{0}: too many symbolic links',
  ENAMETOOLONG: '{0}: the path is too long',
  ESPIPE: '{0}: cannot be read from its start again (a pipe?): give a regular file',
  ENXIO: '{0}: no such device or nothing at the other end of the pipe',
  EIO: '{0}: input/output error while reading',
  EMFILE: '{0}: too many open files',
  other: '{0}: cannot be read ({1})',
  socket: '{0}: is a socket, not a file or a pipe; refusing to read it',
  device: '{0}: is a device, not a file or a pipe; refusing to read it',
  nul: '{0}: contains NUL bytes (a binary file?); refusing to read it',
  notUtf8: '{0}: is not UTF-8 text ({1} undecodable characters in the first {2} bytes); refusing to read it',
} as const;

const isFsCode = (code: string): code is keyof typeof READ_PROBLEMS & `E${string}` => code.startsWith('E') && code in READ_PROBLEMS;

/** Explains a failed open/stat/read in words; never a raw errno dump. */
export function describeFsError(file: string, err: unknown): DataError {
  const code = err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
  if (code && isFsCode(code)) return new DataError(said(READ_PROBLEMS[code], file));
  return new DataError(said(READ_PROBLEMS.other, file, code ?? (err instanceof Error ? err.message : String(err))));
}

/** How an input is read: a regular file (may be read twice), or a pipe (read once, as a stream). */
export type InputKind = 'file' | 'pipe';

/**
 * What `file` is, without opening it (opening a device or a FIFO can block): a regular file or a
 * pipe; a folder, a device or a socket is refused in words.
 */
export async function inputKind(file: string): Promise<InputKind> {
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(file);
  } catch (err) {
    throw describeFsError(file, err);
  }
  if (stat.isFile()) return 'file';
  if (stat.isFIFO()) return 'pipe';
  if (stat.isDirectory()) throw new DataError(said(READ_PROBLEMS.EISDIR, file));
  throw new DataError(said(stat.isSocket() ? READ_PROBLEMS.socket : READ_PROBLEMS.device, file));
}

/** Why `file`, whose start is the byte sample, does not look like UTF-8 text, or null when it does. */
export function binaryProblem(file: string, sample: Uint8Array): MessageTemplate | null {
  if (sample.includes(0)) return said(READ_PROBLEMS.nul, file);
  // A multi-byte character may be cut at the end of the sample: ignore the last 3 bytes' worth.
  const text = new TextDecoder('utf-8', { fatal: false }).decode(sample.subarray(0, Math.max(0, sample.length - 3)));
  let invalid = 0;
  for (const ch of text) if (ch === '\uFFFD') invalid++;
  if (text.length > 0 && invalid / text.length > MAX_INVALID_RATIO) {
    return said(READ_PROBLEMS.notUtf8, file, String(invalid), String(sample.length));
  }
  return null;
}

/**
 * Throws a DataError unless `file` is a readable file whose start looks like UTF-8 text, or a pipe
 * (whose start can only be checked as it is read: readLines does). Says which of the two it is.
 */
export async function assertTextFile(file: string): Promise<InputKind> {
  if ((await inputKind(file)) === 'pipe') return 'pipe';
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(file, 'r');
    const buffer = new Uint8Array(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    const problem = binaryProblem(file, buffer.subarray(0, bytesRead));
    if (problem) throw new DataError(problem);
    return 'file';
  } catch (err) {
    if (err instanceof DataError) throw err;
    throw describeFsError(file, err);
  } finally {
    await handle?.close();
  }
}
