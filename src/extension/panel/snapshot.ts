// Turns the data source's lines into what goes on the wire, repairing what would make the
// webview refuse it (bad colours, out-of-range numbers, over-long text) instead of failing the
// panel. The tracker remembers what the webview was sent, so a change costs an update with the
// lines that differ rather than the whole snapshot again.

import {
  LIMITS, isColor, labelNameProblem,
  type LineRef, type PanelLabel, type PanelSnapshot, type PanelStats, type PanelUpdate, type WireDocument, type WireLine, type WireLineRef,
} from '../../protocol/panel';
import type { PanelDataSource, PanelSourceLine } from './model';

/** Colours for labels that come without a usable one (readable on light and dark themes). */
export const FALLBACK_COLORS = ['#3794ff', '#e5a50a', '#4caf50', '#d16d9e', '#8f6ad6', '#2ab3b3', '#e06c4b', '#8a9a5b'];

/** A document whose changed lines exceed this share is sent whole (fewer refs, same data). */
const REPLACE_SHARE = 0.5;

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

function usable(l: PanelSourceLine): boolean {
  return Number.isInteger(l.line) && l.line >= 0 && l.line <= LIMITS.lineNumber && l.uri.length <= LIMITS.uri;
}

function wireLine(l: PanelSourceLine, doc: number): WireLine {
  const out: WireLine = { doc, line: l.line, text: l.text.length > LIMITS.lineText ? l.text.slice(0, LIMITS.lineText) : l.text };
  if (l.label !== undefined && !labelNameProblem(l.label)) out.label = l.label;
  const p = l.prediction;
  if (p && !labelNameProblem(p.label)) out.prediction = { label: p.label, confidence: clampUnit(p.confidence), uncertainty: clampUnit(p.uncertainty) };
  return out;
}

/** Stands for a line the webview may show differently from what was sent (see forget). */
const NO_LINE: WireLine = Object.freeze({ doc: -1, line: -1, text: '' });

function sameLine(a: WireLine, b: WireLine): boolean {
  if (a === NO_LINE || b === NO_LINE) return false;
  if (a.text !== b.text || a.label !== b.label) return false;
  const p = a.prediction;
  const q = b.prediction;
  if (!p || !q) return p === q;
  return p.label === q.label && p.confidence === q.confidence && p.uncertainty === q.uncertainty;
}

function wireLabels(source: PanelDataSource): PanelLabel[] {
  const labels: PanelLabel[] = [];
  const seen = new Set<string>();
  for (const label of source.getLabels()) {
    if (labels.length >= LIMITS.labels || labelNameProblem(label.name) || seen.has(label.name)) continue;
    seen.add(label.name);
    labels.push({ name: label.name, color: isColor(label.color) ? label.color : FALLBACK_COLORS[labels.length % FALLBACK_COLORS.length]! });
  }
  return labels;
}

function wireStats(source: PanelDataSource): PanelStats {
  const stats = source.getStats();
  const ms = stats.lastAdaptationMs;
  return { backend: String(stats.backend).slice(0, 64), lastAdaptationMs: typeof ms === 'number' && Number.isFinite(ms) && ms >= 0 ? ms : null };
}

/** Groups the source's lines by document, in order of first appearance. */
function groupByDocument(lines: readonly PanelSourceLine[]): Map<string, PanelSourceLine[]> {
  const byUri = new Map<string, PanelSourceLine[]>();
  for (const l of lines) {
    if (!usable(l)) continue;
    let group = byUri.get(l.uri);
    if (!group) byUri.set(l.uri, (group = []));
    group.push(l);
  }
  return byUri;
}

/** What the webview holds: per document (in table order), its lines by line number. */
export class SnapshotTracker {
  private documents = new Map<string, Map<number, WireLine>>();
  private labelsJson = '';
  private statsJson = '';
  private total = 0;

  constructor(private readonly source: PanelDataSource) {}

  /** Everything, for a webview that starts over; what it holds is now exactly this. */
  snapshot(): PanelSnapshot {
    this.documents = new Map();
    this.total = 0;
    const documents: WireDocument[] = [];
    const lines: WireLine[] = [];
    for (const [uri, group] of groupByDocument(this.source.getLines())) {
      const doc = documents.length;
      const held = new Map<number, WireLine>();
      for (const l of group) {
        if (this.total >= LIMITS.lines) break;
        if (held.has(l.line)) continue;
        const w = wireLine(l, doc);
        held.set(l.line, w);
        lines.push(w);
        this.total++;
      }
      if (held.size === 0) continue;
      documents.push({ uri, name: documentName(uri) });
      this.documents.set(uri, held);
    }
    const labels = wireLabels(this.source);
    const stats = wireStats(this.source);
    this.labelsJson = JSON.stringify(labels);
    this.statsJson = JSON.stringify(stats);
    return { documents, lines, labels, stats };
  }

  /**
   * What changed in the given documents (every document when undefined), the labels and the
   * stats since the last snapshot or update; undefined when nothing did.
   */
  update(changed?: readonly string[]): PanelUpdate | undefined {
    const fresh = groupByDocument(this.source.getLines(changed));
    const uris = changed ?? [...new Set([...this.documents.keys(), ...fresh.keys()])];
    // The table keeps the order the webview knows; new documents come last.
    const order = [...this.documents.keys()];
    for (const uri of uris) if (!this.documents.has(uri) && fresh.has(uri)) order.push(uri);
    const touched = new Set(uris);
    const next = new Map<string, Map<number, WireLine>>();
    for (const uri of order) {
      if (!touched.has(uri)) next.set(uri, this.documents.get(uri)!);
      else if (fresh.has(uri)) next.set(uri, new Map());
    }
    const table = [...next.keys()];
    const index = new Map(table.map((uri, i) => [uri, i]));
    const lines: WireLine[] = [];
    const removed: WireLineRef[] = [];
    const replaced: number[] = [];
    const before = [...this.documents.keys()];
    let structure = table.length !== before.length || table.some((uri, i) => before[i] !== uri);
    for (const uri of touched) {
      const old = this.documents.get(uri);
      const doc = index.get(uri);
      if (doc === undefined) {
        if (old) this.total -= old.size;
        continue; // gone: dropped from the table
      }
      const held = next.get(uri)!;
      const oldSize = old?.size ?? 0;
      const docLines: WireLine[] = [];
      let differ = 0;
      for (const l of fresh.get(uri)!) {
        if (held.has(l.line)) continue;
        if (this.total - oldSize + held.size >= LIMITS.lines) break;
        const w = wireLine(l, doc);
        held.set(l.line, w);
        docLines.push(w);
        const before = old?.get(l.line);
        if (!before || !sameLine(before, w)) differ++;
      }
      let gone = 0;
      if (old) for (const line of old.keys()) if (!held.has(line)) gone++;
      this.total += held.size - oldSize;
      if (!old || differ + gone > held.size * REPLACE_SHARE) {
        replaced.push(doc);
        lines.push(...docLines);
        continue;
      }
      for (const w of docLines) {
        const was = old.get(w.line);
        if (!was || !sameLine(was, w)) lines.push(w);
      }
      for (const line of old.keys()) if (!held.has(line)) removed.push({ doc, line });
    }
    // Lines of untouched documents keep their wire objects; their doc index may have moved.
    if (structure) for (const [uri, held] of next) if (!touched.has(uri)) for (const w of held.values()) if (w !== NO_LINE) w.doc = index.get(uri)!;
    this.documents = next;
    const update: PanelUpdate = { documents: table.map((uri) => ({ uri, name: documentName(uri) })), replaced, lines, removed };
    const labels = wireLabels(this.source);
    const stats = wireStats(this.source);
    const labelsJson = JSON.stringify(labels);
    const statsJson = JSON.stringify(stats);
    if (labelsJson !== this.labelsJson) (update.labels = labels), (this.labelsJson = labelsJson);
    if (statsJson !== this.statsJson) (update.stats = stats), (this.statsJson = statsJson);
    structure ||= replaced.length > 0;
    const empty = !structure && lines.length === 0 && removed.length === 0 && !update.labels && !update.stats;
    return empty ? undefined : update;
  }

  /** The webview may show something else for this line (a label it set itself): send it again next time. */
  forget(ref: LineRef): void {
    const held = this.documents.get(ref.uri);
    // A placeholder equal to no real line: the next update sends the line, or its removal.
    if (held?.has(ref.line)) held.set(ref.line, NO_LINE);
  }
}

/** The whole wire snapshot of a data source. */
export function buildSnapshot(source: PanelDataSource): PanelSnapshot {
  return new SnapshotTracker(source).snapshot();
}
