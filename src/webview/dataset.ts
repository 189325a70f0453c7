// The snapshot indexed for the panel: keys per line, counts per label, and the filtered and
// sorted view the list shows. Pure (no DOM), so it is cheap to test and to recompute.

import { isNoneLabel } from '../engine/labels/none';
import { lineKey, type LineRef, type PanelSnapshot, type PanelUpdate, type WireLine } from '../protocol/panel';
import { histogram } from './stats';
import { LOW_CONFIDENCE, type SortOrder, type StatusFilter } from './state';

export interface ViewOptions {
  sort: SortOrder;
  filter: StatusFilter;
  doc: string | null;
  search: string;
}

export const HISTOGRAM_BINS = 10;

/**
 * A line's labels as the counts and filters see them: a multi-label task's set (each of its labels
 * counts), else the one label; the empty set is `label` (none).
 */
const labelsOf = (l: { label: string; labels?: string[] }): readonly string[] => (l.labels?.length ? l.labels : [l.label]);

/** Adds one to each of `names` in `counts`. */
function countEach(counts: Map<string, number>, names: readonly string[]): void {
  for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
}

export class Dataset {
  readonly keys: string[];
  private readonly indexByKey = new Map<string, number>();
  private lowered: string[] | undefined;

  constructor(readonly snapshot: PanelSnapshot) {
    const { lines, documents } = snapshot;
    this.keys = lines.map((l) => lineKey({ uri: documents[l.doc].uri, line: l.line }));
    this.keys.forEach((k, i) => {
      this.indexByKey.set(k, i);
    });
  }

  /**
   * Applies an update (validated already). When only existing lines changed, the lines are
   * replaced in place and this dataset is returned (indices stay valid); otherwise a new one.
   */
  patch(update: PanelUpdate): Dataset {
    const before = this.snapshot.documents;
    const { documents } = update;
    const sameTable = documents.length === before.length && documents.every((d, i) => d.uri === before[i].uri);
    const labels = update.labels ?? this.snapshot.labels;
    const stats = update.stats ?? this.snapshot.stats;
    if (sameTable && update.replaced.length === 0 && update.removed.length === 0) {
      const at = update.lines.map((l) => this.indexOf(lineKey({ uri: documents[l.doc].uri, line: l.line })));
      if (at.every((i) => i !== undefined)) {
        update.lines.forEach((l, k) => {
          const i = at[k]!;
          if (this.lowered && l.text !== this.lines[i].text) this.lowered[i] = l.text.toLowerCase();
          this.lines[i] = l;
        });
        Object.assign(this.snapshot, { documents, labels, stats });
        return this;
      }
    }
    // Lines of kept documents move to the new table's indices; dropped and replaced ones go.
    const newIndex = new Map(documents.map((d, i) => [d.uri, i]));
    const replaced = new Set(update.replaced);
    const remap = before.map((d) => {
      const i = newIndex.get(d.uri);
      return i === undefined || replaced.has(i) ? -1 : i;
    });
    const refKey = (doc: number, line: number) => `${doc}:${line}`;
    const removed = new Set(update.removed.map((r) => refKey(r.doc, r.line)));
    // Lines of replaced documents are simply taken; only the others replace a line in place.
    const whole: WireLine[] = [];
    const incoming = new Map<string, WireLine>();
    for (const l of update.lines) {
      if (replaced.has(l.doc)) whole.push(l);
      else incoming.set(refKey(l.doc, l.line), l);
    }
    const lines: WireLine[] = [];
    for (const old of this.lines) {
      const doc = remap[old.doc];
      if (doc < 0) continue;
      const key = refKey(doc, old.line);
      if (removed.has(key)) continue;
      const fresh = incoming.get(key);
      if (fresh) incoming.delete(key);
      lines.push(fresh ?? (old.doc === doc ? old : { ...old, doc }));
    }
    for (const l of incoming.values()) lines.push(l);
    for (const l of whole) lines.push(l);
    return new Dataset({ documents, lines, labels, stats });
  }

  get lines(): WireLine[] {
    return this.snapshot.lines;
  }

  indexOf(key: string): number | undefined {
    return this.indexByKey.get(key);
  }

  ref(index: number): LineRef {
    const l = this.snapshot.lines[index];
    return { uri: this.snapshot.documents[l.doc].uri, line: l.line };
  }

  documentName(index: number): string {
    return this.snapshot.documents[this.snapshot.lines[index].doc].name;
  }

  /** Labeled lines per label name (a multi-label line counts for each label of its set). */
  labeledCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const l of this.lines) if (l.label !== undefined) countEach(counts, labelsOf({ label: l.label, labels: l.labels }));
    return counts;
  }

  /** Unlabeled lines per predicted label (a predicted set counts for each of its labels). */
  predictedCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const l of this.lines) if (l.label === undefined && l.prediction) countEach(counts, labelsOf(l.prediction));
    return counts;
  }

  /** Confidence histogram of the unlabeled, predicted lines. */
  confidenceHistogram(): number[] {
    return histogram(
      this.lines.filter((l) => l.label === undefined && l.prediction).map((l) => l.prediction!.confidence),
      HISTOGRAM_BINS,
    );
  }

  /** Indices of unlabeled lines predicted as `label` (in a multi-label task: their predicted set holds it). */
  predictedAs(label: string): number[] {
    const out: number[] = [];
    this.lines.forEach((l, i) => {
      if (l.label === undefined && l.prediction && labelsOf(l.prediction).includes(label)) out.push(i);
    });
    return out;
  }

  private matches(i: number, o: ViewOptions, docIndex: number, needle: string): boolean {
    const l = this.lines[i];
    if (docIndex >= 0 && l.doc !== docIndex) return false;
    switch (o.filter) {
      case 'all':
        break;
      case 'unlabeled':
        if (l.label !== undefined) return false;
        break;
      case 'labeled':
        if (l.label === undefined) return false;
        break;
      case 'none':
        // Fits no label: marked so, or (unlabeled) predicted so.
        if (!isNoneLabel(l.label ?? (l.prediction ? l.prediction.label : ''))) return false;
        break;
      case 'low':
        if (l.label !== undefined || !l.prediction || l.prediction.confidence >= LOW_CONFIDENCE) return false;
        break;
      default:
        if (l.label !== undefined || !l.prediction || !labelsOf(l.prediction).includes(o.filter.slice('predicted:'.length))) return false;
    }
    if (needle) {
      this.lowered ??= this.lines.map((x) => x.text.toLowerCase());
      if (!this.lowered[i].includes(needle)) return false;
    }
    return true;
  }

  /** The indices the list shows, in order. */
  view(o: ViewOptions): Int32Array {
    const docIndex = o.doc === null ? -1 : this.snapshot.documents.findIndex((d) => d.uri === o.doc);
    if (o.doc !== null && docIndex < 0) return new Int32Array(0);
    const needle = o.search.trim().toLowerCase();
    const picked: number[] = [];
    for (let i = 0; i < this.lines.length; i++) if (this.matches(i, o, docIndex, needle)) picked.push(i);
    const lines = this.lines;
    const byDocument = (a: number, b: number) => lines[a].doc - lines[b].doc || lines[a].line - lines[b].line;
    // Labeled lines have nothing to rank by, so they come after every prediction.
    const score = (i: number): number => {
      const l = lines[i];
      if (l.label !== undefined || !l.prediction) return -1;
      return o.sort === 'uncertainty' ? l.prediction.uncertainty : l.prediction.confidence;
    };
    if (o.sort === 'document') picked.sort(byDocument);
    else {
      const scores = new Float64Array(lines.length);
      for (const i of picked) scores[i] = score(i);
      picked.sort((a, b) => scores[b] - scores[a] || byDocument(a, b));
    }
    return Int32Array.from(picked);
  }
}
