// The text a structured document's records are read from: the saved file's bytes when the editor's
// buffer holds that file. VS Code normalises a buffer's line breaks to one kind on load (a CSV with
// CRLF rows gets CRLF inside its quoted cells too, where the file has LF), so records parsed from
// the buffer would carry line breaks the file does not have into the label file and the export.
import * as fs from 'node:fs';

/** The last answers, by path (a few open structured documents). */
const recent = new Map<string, { signature: string; text: string; source: string }>();
const RECENT_FILES = 4;

/**
 * The file at `path` when the buffer `text` is that file with its line breaks made one kind, else
 * `text`. Exact, not a guess: any other difference (an edit not saved, the file changed since it
 * was loaded) keeps the buffer, and so does a file with a lone carriage return (the editor counts it
 * as a line break, the record parser does not, so the lines would no longer match the editor's).
 * The file's byte order mark is kept: the export writes it back.
 */
export async function savedSource(text: string, path: string | undefined): Promise<string> {
  if (path === undefined) return text;
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(path);
  } catch {
    return text;
  }
  // Every classify of a structured document asks again (a label changed, not the file): reading and
  // comparing a large file each time would cost more than the classify, so the answer is kept while
  // the file's stat and the buffer stay the same.
  const signature = `${stat.ino}:${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}`;
  const hit = recent.get(path);
  if (hit && hit.signature === signature && hit.text === text) return hit.source;
  let file: string;
  try {
    file = await fs.promises.readFile(path, 'utf8');
  } catch {
    return text;
  }
  const source = sourceOf(text, file);
  recent.delete(path);
  recent.set(path, { signature, text, source });
  while (recent.size > RECENT_FILES) recent.delete(recent.keys().next().value as string);
  return source;
}

function sourceOf(text: string, file: string): string {
  if (/\r(?!\n)/.test(file)) return text;
  const body = file.charCodeAt(0) === 0xfeff ? file.slice(1) : file;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  return body.replace(/\r?\n/g, eol) === text ? file : text;
}
