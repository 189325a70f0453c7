// Turns the data source's lines into the wire snapshot, repairing what would make the webview
// refuse it (bad colours, out-of-range numbers, over-long text) instead of failing the panel.

import { LIMITS, isColor, labelNameProblem, type PanelLabel, type PanelSnapshot, type WireDocument, type WireLine } from '../../protocol/panel';
import type { PanelDataSource, PanelSourceLine } from './model';

/** Colours for labels that come without a usable one (readable on light and dark themes). */
export const FALLBACK_COLORS = ['#3794ff', '#e5a50a', '#4caf50', '#d16d9e', '#8f6ad6', '#2ab3b3', '#e06c4b', '#8a9a5b'];

const clampUnit = (v: number): number => (Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0);

/** The file name of a URI, for display. */
export function documentName(uri: string): string {
  const path = uri.replace(/[?#].*$/, '');
  const last = path.slice(path.lastIndexOf('/') + 1) || uri;
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

function wireLine(l: PanelSourceLine, doc: number): WireLine {
  const out: WireLine = { doc, line: l.line, text: l.text.length > LIMITS.lineText ? l.text.slice(0, LIMITS.lineText) : l.text };
  if (l.label !== undefined && !labelNameProblem(l.label)) out.label = l.label;
  const p = l.prediction;
  if (p && !labelNameProblem(p.label)) out.prediction = { label: p.label, confidence: clampUnit(p.confidence), uncertainty: clampUnit(p.uncertainty) };
  return out;
}

export function buildSnapshot(source: PanelDataSource): PanelSnapshot {
  const documents: WireDocument[] = [];
  const docIndex = new Map<string, number>();
  const lines: WireLine[] = [];
  for (const l of source.getLines()) {
    if (lines.length >= LIMITS.lines) break;
    if (!Number.isInteger(l.line) || l.line < 0 || l.line > LIMITS.lineNumber || l.uri.length > LIMITS.uri) continue;
    let doc = docIndex.get(l.uri);
    if (doc === undefined) {
      doc = documents.length;
      docIndex.set(l.uri, doc);
      documents.push({ uri: l.uri, name: documentName(l.uri) });
    }
    lines.push(wireLine(l, doc));
  }
  const labels: PanelLabel[] = [];
  const seen = new Set<string>();
  for (const label of source.getLabels()) {
    if (labels.length >= LIMITS.labels || labelNameProblem(label.name) || seen.has(label.name)) continue;
    seen.add(label.name);
    labels.push({ name: label.name, color: isColor(label.color) ? label.color : FALLBACK_COLORS[labels.length % FALLBACK_COLORS.length] });
  }
  const stats = source.getStats();
  const ms = stats.lastAdaptationMs;
  return {
    documents,
    lines,
    labels,
    stats: { backend: String(stats.backend).slice(0, 64), lastAdaptationMs: typeof ms === 'number' && Number.isFinite(ms) && ms >= 0 ? ms : null },
  };
}
