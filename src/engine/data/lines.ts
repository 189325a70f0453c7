// Streaming a text file line by line: constant memory, BOM and CRLF tolerated.
import fs from 'node:fs';
import readline from 'node:readline';
import { assertTextFile, describeFsError } from './text-file';

export interface NumberedLine {
  /** 1-based line number in the file. */
  line: number;
  text: string;
}

/** Yields every line (blank ones included) with its number; checks first that the file is text. */
export async function* readLines(file: string): AsyncGenerator<NumberedLine> {
  await assertTextFile(file);
  const stream = fs.createReadStream(file, { encoding: 'utf8' });
  let failure: unknown;
  stream.on('error', (err) => (failure = err));
  const reader = readline.createInterface({ input: stream, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const raw of reader) {
      line++;
      yield { line, text: line === 1 ? raw.replace(/^\uFEFF/, '') : raw };
    }
  } finally {
    reader.close();
    stream.destroy();
  }
  if (failure) throw describeFsError(file, failure);
}
