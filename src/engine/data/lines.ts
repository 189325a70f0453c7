// Streaming a text file line by line: constant memory, BOM and CRLF tolerated. The file is opened
// once and read front to back, never sought, so a pipe (a FIFO, `<(...)`) reads like a file.
import fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { DataError } from './errors';
import { binaryProblem, describeFsError, inputKind, SNIFF_BYTES } from './text-file';

export interface NumberedLine {
  /** 1-based line number in the file. */
  line: number;
  text: string;
}

/**
 * Yields every line (blank ones included) with its number. A line ends at LF, CRLF or a lone CR.
 * The start of the file must look like text (checked on the first bytes read, pipes included).
 */
export async function* readLines(file: string): AsyncGenerator<NumberedLine> {
  // Refuses a folder, device or socket before opening it: opening one could block for ever.
  await inputKind(file);
  let line = 0;
  let current = '';
  // The previous chunk ended with CR: an LF at the start of the next one ends the same line.
  let afterCr = false;
  for await (let chunk of textChunks(file)) {
    if (afterCr && chunk.startsWith('\n')) chunk = chunk.slice(1);
    afterCr = chunk.endsWith('\r');
    const parts = chunk.split(/\r\n|\r|\n/);
    if (parts.length === 1) {
      current += parts[0];
      continue;
    }
    for (let i = 0; i < parts.length - 1; i++) {
      const text = i === 0 ? current + parts[0] : parts[i]!;
      line++;
      yield { line, text: line === 1 ? text.replace(/^\uFEFF/, '') : text };
    }
    current = parts[parts.length - 1]!;
  }
  if (current !== '') {
    line++;
    yield { line, text: line === 1 ? current.replace(/^\uFEFF/, '') : current };
  }
}

/** The file's text as decoded chunks; the first SNIFF_BYTES are checked to be text before any is given out. */
async function* textChunks(file: string): AsyncGenerator<string> {
  const stream = fs.createReadStream(file);
  const decoder = new StringDecoder('utf8');
  const head: Buffer[] = [];
  let headBytes = 0;
  let checked = false;
  const check = () => {
    const start = Buffer.concat(head);
    const problem = binaryProblem(file, start.subarray(0, SNIFF_BYTES));
    if (problem) throw new DataError(problem);
    checked = true;
    return decoder.write(start);
  };
  try {
    for await (const chunk of stream) {
      const bytes: Buffer = chunk;
      if (checked) {
        yield decoder.write(bytes);
        continue;
      }
      head.push(bytes);
      headBytes += bytes.length;
      if (headBytes >= SNIFF_BYTES) yield check();
    }
    if (!checked) yield check();
    yield decoder.end();
  } catch (err) {
    throw err instanceof DataError ? err : describeFsError(file, err);
  } finally {
    stream.destroy();
  }
}
