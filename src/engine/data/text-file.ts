// Opening text files with clear messages: missing files, folders, devices, binary content. Input
// may be a pipe (a FIFO, `<(...)`, /dev/stdin): it is read once, as a stream, and never sought.
import fs from 'node:fs';
import { DataError } from './errors';

export const SNIFF_BYTES = 64 * 1024;
/** More than this share of undecodable characters in the first 64 KiB means "not UTF-8 text". */
const MAX_INVALID_RATIO = 0.01;

/** What a failed open, stat or read means, by error code. */
const FS_REASONS: Record<string, string> = {
  ENOENT: 'file not found',
  EISDIR: 'is a folder, not a file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a part of the path is not a folder',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the path is too long',
  ESPIPE: 'cannot be read from its start again (a pipe?): give a regular file',
  ENXIO: 'no such device or nothing at the other end of the pipe',
  EIO: 'input/output error while reading',
  EMFILE: 'too many open files',
};

/** Explains a failed open/stat/read in words; never a raw errno dump. */
export function describeFsError(file: string, err: unknown): DataError {
  const code = err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
  const reason = (code && FS_REASONS[code]) ?? `cannot be read (${code ?? (err instanceof Error ? err.message : String(err))})`;
  return new DataError(`${file}: ${reason}`);
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
  if (stat.isDirectory()) throw new DataError(`${file}: ${FS_REASONS.EISDIR}`);
  const what = stat.isSocket() ? 'a socket' : 'a device';
  throw new DataError(`${file}: is ${what}, not a file or a pipe; refusing to read it`);
}

/** Why a byte sample does not look like UTF-8 text, or null when it does. */
export function binaryReason(sample: Uint8Array): string | null {
  if (sample.includes(0)) return 'contains NUL bytes (a binary file?)';
  // A multi-byte character may be cut at the end of the sample: ignore the last 3 bytes' worth.
  const text = new TextDecoder('utf-8', { fatal: false }).decode(sample.subarray(0, Math.max(0, sample.length - 3)));
  let invalid = 0;
  for (const ch of text) if (ch === '\uFFFD') invalid++;
  if (text.length > 0 && invalid / text.length > MAX_INVALID_RATIO) {
    return `is not UTF-8 text (${invalid} undecodable characters in the first ${sample.length} bytes)`;
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
    const reason = binaryReason(buffer.subarray(0, bytesRead));
    if (reason) throw new DataError(`${file}: ${reason}; refusing to read it`);
    return 'file';
  } catch (err) {
    if (err instanceof DataError) throw err;
    throw describeFsError(file, err);
  } finally {
    await handle?.close();
  }
}
