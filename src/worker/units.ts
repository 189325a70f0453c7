// What the worker classifies on each line of a document, and how it predicts them, shared by the
// open-document classify (host.ts) and Classify Workspace (workspace.ts) so a file gets the same
// predictions open or closed.
import { splitLines } from '../engine/data/readText';
import type { AdaptedModel } from '../engine/engine';
import type { EncodedLines } from '../engine/types';
import { yieldToEventLoop } from '../protocol/rpc';
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

/** Lines predicted per engine call: a cancel arriving mid-document stops the work this soon. */
export const PREDICT_CHUNK = 2048;

/** The lines that get a prediction: those whose unit is not blank. */
export function wantedLines(units: readonly string[]): number[] {
  const wanted: number[] = [];
  for (let i = 0; i < units.length; i++) if (units[i]!.trim() !== '') wanted.push(i);
  return wanted;
}

/** Per line of a document: index into the model's labels (-1: no prediction), confidence, uncertainty. */
export interface LinePredictions {
  labelIndex: Int32Array;
  confidence: Float32Array;
  uncertainty: Float32Array;
}

/**
 * Predicts the `wanted` lines' units in chunks; between chunks it yields to the event loop (so a
 * cancel message is received) and calls `stop`, which throws to end the work.
 */
export async function predictUnits(
  model: Pick<AdaptedModel, 'classify'>,
  units: readonly string[],
  wanted: readonly number[],
  stop: () => void,
): Promise<LinePredictions> {
  return (await predictUnitsForEach([model], units, wanted, stop))[0]!;
}

/**
 * predictUnits for several models (one per task) of the same lines: with `encode`, each chunk is
 * encoded once and every model that can classifies that encoding, so T tasks cost one encode and
 * T classifies.
 */
export async function predictUnitsForEach(
  models: ReadonlyArray<Pick<AdaptedModel, 'classify' | 'classifyEncoded'>>,
  units: readonly string[],
  wanted: readonly number[],
  stop: () => void,
  encode?: (lines: string[]) => EncodedLines,
): Promise<LinePredictions[]> {
  const n = units.length;
  const out = models.map(() => ({
    labelIndex: new Int32Array(n).fill(-1),
    confidence: new Float32Array(n),
    uncertainty: new Float32Array(n),
  }));
  for (let start = 0; start < wanted.length; start += PREDICT_CHUNK) {
    if (start > 0) {
      await yieldToEventLoop();
      stop();
    }
    const chunk = wanted.slice(start, start + PREDICT_CHUNK);
    const texts = chunk.map((i) => units[i]!);
    const encoded = encode && models.some((m) => m.classifyEncoded) ? encode(texts) : undefined;
    for (const [m, model] of models.entries()) {
      const p = encoded && model.classifyEncoded ? model.classifyEncoded(texts, encoded) : model.classify(texts);
      const o = out[m]!;
      for (let k = 0; k < chunk.length; k++) {
        const line = chunk[k]!;
        o.labelIndex[line] = p.labelIndex[k]!;
        o.confidence[line] = p.confidence[k]!;
        o.uncertainty[line] = p.uncertainty[k]!;
      }
    }
  }
  return out;
}
