// What the worker classifies on each line of a document, shared by the open-document classify
// (host.ts) and Classify Workspace (workspace.ts) so a file gets the same predictions open or closed.
import { splitLines } from '../engine/data/readText';
import { parseRecords, type RecordTable, unitLines } from '../engine/data/records';
import type { RecordsParams } from '../protocol/worker';

/**
 * Per line of `text`, the unit classified there: the line itself for a plain document; for a
 * structured one, each record's text on its first line and '' elsewhere (the header, a quoted
 * field's later lines, bad lines), which the classifier skips as it skips empty lines.
 * `tableOf` parses the records: the host passes its cache of recent tables.
 */
export function documentUnits(
  text: string,
  records: RecordsParams | undefined,
  tableOf: (text: string, how: RecordsParams) => RecordTable = (t, how) => parseRecords(t, how.format, how.column),
): string[] {
  if (!records) return splitLines(text);
  let lineCount = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineCount++;
  return unitLines(tableOf(text, records), lineCount);
}
