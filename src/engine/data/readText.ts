// Reading one file of a workspace run as text, safely: through one handle, only a regular file,
// never past a size limit, never blocking on a FIFO. The worker reads with it; the extension
// re-reads a closed file's lines with it when the panel or the export needs them. In the engine
// because both hosts use it (they do not import each other). No vscode import.
import * as fs from 'node:fs';

/** Why a file is not classified. */
export type SkipReason = 'binary' | 'too-large' | 'unreadable';

/** A file that is not classified, and why. */
export interface FileSkip {
  path: string;
  reason: SkipReason;
  /** Size in bytes (too-large), or the error message (unreadable). */
  detail: string;
}

/** What reading needs to know of a file: where it is and the size seen when it was listed. */
export interface FileToRead {
  path: string;
  bytes: number;
}

/** Bytes looked at for NUL to call a file binary (what git does, with the same 8 KB). */
export const BINARY_SNIFF_BYTES = 8192;

export function isBinary(bytes: Uint8Array): boolean {
  const end = Math.min(bytes.length, BINARY_SNIFF_BYTES);
  for (let i = 0; i < end; i++) if (bytes[i] === 0) return true;
  return false;
}

/** Why a file of this size and content is not classified, or undefined when it is. */
export function skipReason(bytes: number, head: Uint8Array | undefined, maxFileBytes: number): SkipReason | undefined {
  if (bytes > maxFileBytes) return 'too-large';
  if (head && isBinary(head)) return 'binary';
  return undefined;
}

/**
 * How a file is opened: never following a link swapped in since the walk (nothing outside the
 * folder), and without blocking, so that a path that became a FIFO since the walk cannot hang the
 * open (a blocked open holds one of the process's few I/O threads for good). Windows has neither flag.
 */
const OPEN_FLAGS = fs.constants.O_RDONLY | (process.platform === 'win32' ? 0 : fs.constants.O_NONBLOCK | fs.constants.O_NOFOLLOW);

const unreadable = (file: Pick<FileToRead, 'path'>, error: unknown): FileSkip => ({
  path: file.path,
  reason: 'unreadable',
  detail: error instanceof Error ? error.message : String(error),
});

/** A file as read: its text (BOM removed) and how many bytes that was (the bound of a later re-read). */
export interface ReadResult {
  text: string;
  bytes: number;
}

export type ReadFile = (file: FileToRead, maxFileBytes: number) => Promise<ReadResult | FileSkip>;

/**
 * Reads a file as text through one handle, or says why it is not classified. Only a regular file
 * is read (checked on the opened handle: the path may have changed since the walk), and never
 * past the size seen at the walk: a file that grew since (a log being written) is read up to
 * that size, to its last complete line, so both passes see the same lines and memory stays bounded.
 */
export const readText: ReadFile = async (file, maxFileBytes) => {
  if (file.bytes > maxFileBytes) return { path: file.path, reason: 'too-large', detail: String(file.bytes) };
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file.path, OPEN_FLAGS);
  } catch (error) {
    return unreadable(file, error);
  }
  let bytes: Buffer;
  try {
    if (!(await handle.stat()).isFile())
      return unreadable(file, 'not a regular file (a FIFO, socket or device) since the folder was scanned');
    // One byte past the limit tells a file that grew from one that did not.
    const buffer = Buffer.allocUnsafe(file.bytes + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length === buffer.length) break;
    }
    bytes = length > file.bytes ? completeLines(buffer, file.bytes) : buffer.subarray(0, length);
  } catch (error) {
    return unreadable(file, error);
  } finally {
    await handle.close().catch(() => {});
  }
  const reason = skipReason(bytes.length, bytes, maxFileBytes);
  if (reason) return { path: file.path, reason, detail: String(bytes.length) };
  const text = bytes.toString('utf8');
  return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, bytes: bytes.length };
};

/** The first `limit` bytes cut after their last line break (a line cut short is not classified). */
function completeLines(bytes: Buffer, limit: number): Buffer {
  // lastIndexOf with a negative start counts from the end: an empty limit has no line.
  return bytes.subarray(0, limit === 0 ? 0 : bytes.lastIndexOf(10, limit - 1) + 1);
}

export const splitLines = (text: string): string[] => text.split(/\r?\n/);

/**
 * Where each line's text starts (its first non-blank character) and ends, two numbers a line:
 * what a diagnostic's range needs, so the extension need not keep the text.
 */
export function lineColumns(lines: readonly string[]): Uint32Array {
  const columns = new Uint32Array(2 * lines.length);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    columns[2 * i] = line.length - line.trimStart().length;
    columns[2 * i + 1] = line.length;
  }
  return columns;
}
