// Turns the data source's lines into what goes on the wire, repairing what would make the
// webview refuse it (bad colours, out-of-range numbers, over-long text) instead of failing the
// panel. The tracker remembers what the webview was sent, so a change costs an update with the
// lines that differ rather than the whole snapshot again.

import {
  LIMITS,
  isColor,
  isLabelKey,
  labelNameProblem,
  nextLabelColor,
  parseTasks,
  type LineRef,
  type PanelLabel,
  type PanelSnapshot,
  type PanelStats,
  type PanelUpdate,
  type WireDocument,
  type WireLine,
  type WireLineRef,
} from '../../protocol/panel';
import type { PanelDataSource, PanelSourceLine } from './model';

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
  const labels = wireSet(l.labels);
  if (out.label !== undefined && labels) out.labels = labels;
  const p = l.prediction;
  if (p && !labelNameProblem(p.label)) {
    const predicted = wireSet(p.labels);
    out.prediction = {
      label: p.label,
      confidence: clampUnit(p.confidence),
      uncertainty: clampUnit(p.uncertainty),
      ...(p.refined ? { refined: true as const } : {}),
      ...(predicted ? { labels: predicted } : {}),
    };
  }
  return out;
}

/** A label set as the webview will accept it (parseNames): names it would refuse are left out. */
function wireSet(labels: readonly string[] | undefined): string[] | undefined {
  return labels && [...new Set(labels)].filter((l) => !labelNameProblem(l)).slice(0, LIMITS.labels);
}

/** Stands for a line the webview may show differently from what was sent (see forget). */
const NO_LINE: WireLine = Object.freeze({ doc: -1, line: -1, text: '' });

/** Label names checked once per update, not once per line. */
class ValidNames {
  private readonly known = new Map<string, boolean>();
  ok(name: string): boolean {
    let ok = this.known.get(name);
    if (ok === undefined) {
      ok = !labelNameProblem(name);
      this.known.set(name, ok);
    }
    return ok;
  }
}

/** Whether the source's line would go on the wire exactly as `sent` (without building it). */
function sameAsSent(l: PanelSourceLine, sent: WireLine, valid: ValidNames): boolean {
  if (sent === NO_LINE) return false;
  const text = l.text.length > LIMITS.lineText ? l.text.slice(0, LIMITS.lineText) : l.text;
  if (text !== sent.text) return false;
  const label = l.label !== undefined && valid.ok(l.label) ? l.label : undefined;
  if (label !== sent.label) return false;
  if (label !== undefined && !sameNames(l.labels, sent.labels)) return false;
  const p = l.prediction && valid.ok(l.prediction.label) ? l.prediction : undefined;
  const q = sent.prediction;
  if (!p || !q) return !p && !q;
  return (
    p.label === q.label &&
    clampUnit(p.confidence) === q.confidence &&
    clampUnit(p.uncertainty) === q.uncertainty &&
    p.refined === q.refined &&
    sameNames(p.labels, q.labels)
  );
}

/** Whether a source's set is the one sent (sets are short: compared as sent, through wireSet). */
function sameNames(a: readonly string[] | undefined, sent: readonly string[] | undefined): boolean {
  const w = wireSet(a);
  return w === undefined || sent === undefined ? w === sent : w.length === sent.length && w.every((l, i) => l === sent[i]);
}

/** The labels the panel lists, and how many distinct others it leaves out (past the limit, or names it refuses). */
function wireLabels(source: PanelDataSource): { labels: PanelLabel[]; hidden: number } {
  const labels: PanelLabel[] = [];
  const seen = new Set<string>();
  const keys = new Set<string>();
  const hidden = new Set<string>();
  for (const label of source.getLabels()) {
    if (seen.has(label.name)) continue;
    if (labels.length >= LIMITS.labels || labelNameProblem(label.name)) {
      hidden.add(label.name);
      continue;
    }
    seen.add(label.name);
    const wire: PanelLabel = {
      name: label.name,
      // A label without a usable colour gets the label palette's next free one.
      color: isColor(label.color) ? label.color : nextLabelColor(labels.map((l) => l.color)),
    };
    const elsewhere = label.elsewhere;
    // A count the webview would refuse (negative, fractional, NaN) is left out rather than sent.
    if (typeof elsewhere === 'number' && Number.isInteger(elsewhere) && elsewhere > 0 && elsewhere <= LIMITS.labelCount)
      wire.elsewhere = elsewhere;
    // A key the webview would refuse (reserved, or already given to a label above) is dropped.
    if (isLabelKey(label.key) && !keys.has(label.key)) {
      keys.add(label.key);
      wire.key = label.key;
    }
    labels.push(wire);
  }
  return { labels, hidden: hidden.size };
}

function wireStats(source: PanelDataSource, hiddenLabels: number): PanelStats {
  const stats = source.getStats();
  const ms = stats.lastAdaptationMs;
  return {
    backend: String(stats.backend).slice(0, 64),
    lastAdaptationMs: typeof ms === 'number' && Number.isFinite(ms) && ms >= 0 ? ms : null,
    ...(hiddenLabels > 0 ? { hiddenLabels: Math.min(hiddenLabels, LIMITS.labelCount) } : {}),
    // Checked as the webview will check it: a list it would refuse is not sent.
    ...(stats.tasks && parseTasks(stats.tasks).ok ? { tasks: { names: [...stats.tasks.names], active: stats.tasks.active } } : {}),
    ...(stats.multiLabel === true ? { multiLabel: true as const } : {}),
  };
}

/** Groups the source's lines by document, in order of first appearance. */
function groupByDocument(lines: readonly PanelSourceLine[]): Map<string, PanelSourceLine[]> {
  const byUri = new Map<string, PanelSourceLine[]>();
  for (const l of lines) {
    if (!usable(l)) continue;
    let group = byUri.get(l.uri);
    if (!group) {
      group = [];
      byUri.set(l.uri, group);
    }
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

  /** Whether the webview was sent this document: the only ones its requests may name. */
  isListed(uri: string): boolean {
    return this.documents.has(uri);
  }

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
    const { labels, hidden } = wireLabels(this.source);
    const stats = wireStats(this.source, hidden);
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
    const touched = new Set(uris);
    // The table keeps the order the webview knows; new documents come last, gone ones leave.
    const before = [...this.documents.keys()];
    const table = before.filter((uri) => !touched.has(uri) || fresh.has(uri));
    for (const uri of touched) if (!this.documents.has(uri) && fresh.has(uri)) table.push(uri);
    const index = new Map(table.map((uri, i) => [uri, i]));
    const structure = table.length !== before.length || table.some((uri, i) => before[i] !== uri);
    const lines: WireLine[] = [];
    const removed: WireLineRef[] = [];
    const replaced: number[] = [];
    const valid = new ValidNames();
    for (const uri of touched) {
      const doc = index.get(uri);
      const held = this.documents.get(uri);
      if (doc === undefined) {
        if (held) this.total -= held.size;
        this.documents.delete(uri);
        continue;
      }
      if (!held) {
        const created = new Map<number, WireLine>();
        this.documents.set(uri, created);
        for (const l of fresh.get(uri)!) {
          if (this.total >= LIMITS.lines) break;
          const w = wireLine(l, doc);
          created.set(l.line, w);
          lines.push(w);
          this.total++;
        }
        replaced.push(doc);
        continue;
      }
      const diff = this.diffDocument(held, fresh.get(uri)!, doc, valid);
      if (diff.changed.length + diff.gone.length > held.size * REPLACE_SHARE) {
        // Most of it changed (new predictions): the whole document costs no more and says it simply.
        replaced.push(doc);
        for (const w of held.values()) {
          w.doc = doc;
          lines.push(w);
        }
        continue;
      }
      lines.push(...diff.changed);
      for (const line of diff.gone) removed.push({ doc, line });
    }
    // Kept wire lines may be sent again later (a whole document): they follow the new table.
    if (structure) for (const [uri, held] of this.documents) for (const w of held.values()) if (w !== NO_LINE) w.doc = index.get(uri)!;
    this.documents = new Map(table.map((uri) => [uri, this.documents.get(uri)!]));
    const update: PanelUpdate = { documents: table.map((uri) => ({ uri, name: documentName(uri) })), replaced, lines, removed };
    const { labels, hidden } = wireLabels(this.source);
    const stats = wireStats(this.source, hidden);
    const labelsJson = JSON.stringify(labels);
    const statsJson = JSON.stringify(stats);
    if (labelsJson !== this.labelsJson) {
      update.labels = labels;
      this.labelsJson = labelsJson;
    }
    if (statsJson !== this.statsJson) {
      update.stats = stats;
      this.statsJson = statsJson;
    }
    const empty = !structure && replaced.length === 0 && lines.length === 0 && removed.length === 0 && !update.labels && !update.stats;
    return empty ? undefined : update;
  }

  /**
   * Brings a held document up to date in place. Unchanged lines keep their wire objects, so a
   * one-line change in a long document allocates one line, not all of them.
   */
  private diffDocument(
    held: Map<number, WireLine>,
    group: PanelSourceLine[],
    doc: number,
    valid: ValidNames,
  ): { changed: WireLine[]; gone: number[] } {
    const changed: WireLine[] = [];
    const heldBefore = held.size;
    let matched = 0;
    let previous = -1;
    let ordered = true;
    for (const l of group) {
      if (l.line <= previous) ordered = false;
      previous = l.line;
      const was = held.get(l.line);
      if (was) {
        matched++;
        if (sameAsSent(l, was, valid)) continue;
      } else if (this.total >= LIMITS.lines) continue;
      else this.total++;
      const w = wireLine(l, doc);
      held.set(l.line, w);
      changed.push(w);
    }
    const gone: number[] = [];
    // In order, each held line matches at most once: when all matched, none went.
    if (!ordered || matched < heldBefore) {
      const present = new Set(group.map((l) => l.line));
      for (const line of held.keys()) {
        if (present.has(line)) continue;
        held.delete(line);
        gone.push(line);
        this.total--;
      }
    }
    return { changed, gone };
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
