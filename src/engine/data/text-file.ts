// Opening text files with clear messages: missing files, folders, binary content.
import fs from 'node:fs';
import { DataError } from './errors';

const SNIFF_BYTES = 64 * 1024;
/** More than this share of undecodable characters in the first 64 KiB means "not UTF-8 text". */
const MAX_INVALID_RATIO = 0.01;

/** Explains a failed open/stat in words; never a raw errno dump. */
export function describeFsError(file: string, err: unknown): DataError {
  const code = (err as NodeJS.ErrnoException).code;
  const reason =
    code === 'ENOENT'
      ? 'file not found'
      : code === 'EISDIR'
        ? 'is a folder, not a file'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : (err as Error).message;
  return new DataError(`${file}: ${reason}`);
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

/** Throws a DataError unless `file` is a readable file whose start looks like UTF-8 text. */
export async function assertTextFile(file: string): Promise<void> {
  let handle: fs.promises.FileHandle | undefined;
  try {
    const stat = await fs.promises.stat(file);
    if (stat.isDirectory()) throw Object.assign(new Error('folder'), { code: 'EISDIR' });
    handle = await fs.promises.open(file, 'r');
    const buffer = new Uint8Array(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    const reason = binaryReason(buffer.subarray(0, bytesRead));
    if (reason) throw new DataError(`${file}: ${reason}; refusing to read it`);
  } catch (err) {
    if (err instanceof DataError) throw err;
    throw describeFsError(file, err);
  } finally {
    await handle?.close();
  }
}
