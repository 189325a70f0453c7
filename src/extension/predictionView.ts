// Turns a document's predictions into the entries shown as diagnostics: filtered, prioritised,
// capped per file. No vscode import, so it is unit-tested and benchmarked directly.

export interface DocumentPredictions {
  labels: string[];
  /** Per line: index into `labels`, -1 for lines without a prediction. */
  labelIndex: Int32Array;
  confidence: Float32Array;
  uncertainty: Float32Array;
}

export type Priority = 'confidence' | 'uncertainty';

export interface ViewOptions {
  minConfidence: number;
  maxPerFile: number;
  /** Which lines survive the cap: the surest (`confidence`) or the least sure (`uncertainty`). */
  priority: Priority;
}

export interface PredictionEntry {
  line: number;
  label: string;
  confidence: number;
  uncertainty: number;
  message: string;
}

export function formatPrediction(label: string, confidence: number): string {
  const pct = Number.isFinite(confidence) ? Math.round(Math.min(1, Math.max(0, confidence)) * 100) : 0;
  return `${label} ${pct}%`;
}

/** Entries sorted by line; labeled lines are skipped (they show their label instead). */
export function buildEntries(p: DocumentPredictions, labeled: ReadonlySet<number>, options: ViewOptions): PredictionEntry[] {
  const candidates: number[] = [];
  for (let line = 0; line < p.labelIndex.length; line++) {
    if (p.labelIndex[line]! < 0 || labeled.has(line)) continue;
    if (p.confidence[line]! < options.minConfidence) continue;
    candidates.push(line);
  }
  const cap = Math.max(0, Math.floor(options.maxPerFile));
  let kept = candidates;
  if (candidates.length > cap) {
    const score = options.priority === 'uncertainty' ? p.uncertainty : p.confidence;
    kept = candidates.sort((a, b) => score[b]! - score[a]! || a - b).slice(0, cap).sort((a, b) => a - b);
  }
  return kept.map((line) => {
    const label = p.labels[p.labelIndex[line]!] ?? '?';
    const confidence = p.confidence[line]!;
    return { line, label, confidence, uncertainty: p.uncertainty[line]!, message: formatPrediction(label, confidence) };
  });
}

/** The unlabeled line the model is least sure of, other than `current`; -1 when there is none. */
export function mostUncertainLine(p: DocumentPredictions, labeled: ReadonlySet<number>, current = -1): number {
  let best = -1;
  for (let line = 0; line < p.labelIndex.length; line++) {
    if (p.labelIndex[line]! < 0 || labeled.has(line) || line === current) continue;
    if (best < 0 || p.uncertainty[line]! > p.uncertainty[best]!) best = line;
  }
  return best;
}
