// Keeps labels attached to their lines while documents change. No vscode import.
//
// The rule (also in the README):
// 1. A label stays on its line while that line's text is unchanged, and follows the text when lines
//    are inserted or removed above it (or when the line moves: the nearest line with the same text).
// 2. When a labeled line is edited in the editor, the label stays on the edited line and its
//    stored text becomes the new text. Deleting or emptying the line removes the label from it.
// 3. When its text is gone for any other reason (the file changed on disk), the label is
//    "detached": it stays in the label file as a training example but marks no line, and re-attaches
//    if a line with that exact text appears again.
//
// Cost: an editor change is O(changed lines) in lines read (plus shifting the line numbers of the
// labels below a change that adds or removes lines); detached labels are found again through an
// index keyed by their text, never by scanning the document. A full re-anchor (a document opened,
// the label file changed on disk) reads each label's line, and the document once only when some
// label lost its line.

export interface Anchored {
  /** 0-based line, or -1 when detached. */
  line: number;
  text: string;
}

/** One text replacement, in the coordinates of the document before it (like a VS Code change). */
export interface LineEdit {
  startLine: number;
  endLine: number;
  /** Number of line breaks in the inserted text. */
  insertedLineBreaks: number;
}

export interface Shifted {
  line: number;
  /** True when the line's own text was edited (it lay at the start or end of an edited range). */
  touched: boolean;
  /** True when the line lay strictly inside a replaced range: it no longer exists. */
  deleted: boolean;
}

/** Read access to a document's current lines (a vscode.TextDocument fits through a small adapter). */
export interface LineSource {
  readonly lineCount: number;
  lineAt(line: number): string;
}

/** Where a line ends up after the edits, applied in the order given. */
export function shiftLine(line: number, edits: readonly LineEdit[]): Shifted {
  let current = line;
  let touched = false;
  let deleted = false;
  for (const e of edits) {
    if (current < e.startLine) continue;
    if (current > e.endLine) {
      current += e.insertedLineBreaks - (e.endLine - e.startLine);
    } else if (current === e.startLine) {
      touched = true;
    } else if (current === e.endLine) {
      // The tail of the last replaced line ends up on the last inserted line.
      touched = true;
      current = e.startLine + e.insertedLineBreaks;
    } else {
      deleted = true;
      current = e.startLine;
    }
  }
  return { line: current, touched: touched && !deleted, deleted };
}

/** Two texts are the same line when they differ only in trailing whitespace (CRLF files). */
export const textKey = (text: string): string => text.trimEnd();

/**
 * Re-anchors labels against the document's current lines. `labels[i].line` is where label i is
 * expected (after shifting, -1 for a detached label), `touched[i]` whether an editor edit covered
 * it. Returns the new position and text of each label, in the same order.
 */
export function reanchor(labels: readonly Anchored[], lines: readonly string[], touched: readonly boolean[] = []): Anchored[] {
  return anchorLabels(labels, { lineCount: lines.length, lineAt: (i) => lines[i]! }, touched);
}

/**
 * reanchor() on any line source. Labels still on their line cost one read each; only when some
 * label lost its line is the document read once, looking up each line in a map of the texts still
 * sought (no index of the whole document is built).
 */
export function anchorLabels(labels: readonly Anchored[], doc: LineSource, touched: readonly boolean[] = []): Anchored[] {
  const result: Anchored[] = labels.map((l) => ({ line: -1, text: l.text }));
  const claimed = new Set<number>();
  const read = (line: number) => (line >= 0 && line < doc.lineCount ? doc.lineAt(line) : undefined);
  // 1. Unchanged lines keep their labels.
  labels.forEach((l, i) => {
    const at = read(l.line);
    if (!claimed.has(l.line) && at !== undefined && textKey(at) === textKey(l.text)) {
      result[i]!.line = l.line;
      claimed.add(l.line);
    }
  });
  // 2. Moved lines: the nearest unclaimed line with the same text, from one pass over the document.
  const sought = new Map<string, number[]>();
  labels.forEach((l, i) => {
    if (result[i]!.line < 0 && l.text.trim() !== '') sought.set(textKey(l.text), []);
  });
  if (sought.size) {
    // Most lines are ruled out by their length alone, without hashing them.
    const lengths = new Set<number>();
    for (const key of sought.keys()) lengths.add(key.length);
    for (let line = 0; line < doc.lineCount; line++) {
      const text = doc.lineAt(line);
      const trailingSpace = text.length > 0 && text.charCodeAt(text.length - 1) <= 32;
      if (!trailingSpace && !lengths.has(text.length)) continue;
      sought.get(textKey(text))?.push(line);
    }
    labels.forEach((l, i) => {
      if (result[i]!.line >= 0 || l.text.trim() === '') return;
      const found = nearest(sought.get(textKey(l.text)), Math.max(0, l.line), claimed);
      if (found >= 0) {
        result[i]!.line = found;
        claimed.add(found);
      }
    });
  }
  // 3. Edited lines keep their label with the new text, unless emptied.
  labels.forEach((l, i) => {
    if (result[i]!.line >= 0 || !touched[i] || claimed.has(l.line)) return;
    const text = read(l.line);
    if (text === undefined || text.trim() === '') return;
    result[i] = { line: l.line, text };
    claimed.add(l.line);
  });
  return result;
}

/** The unclaimed line of `sorted` nearest to `from` (ties: the one below), or -1. */
function nearest(sorted: readonly number[] | undefined, from: number, claimed: ReadonlySet<number>): number {
  if (!sorted?.length) return -1;
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < from) lo = mid + 1;
    else hi = mid;
  }
  let below = lo;
  let above = lo - 1;
  while (below < sorted.length || above >= 0) {
    while (below < sorted.length && claimed.has(sorted[below]!)) below++;
    while (above >= 0 && claimed.has(sorted[above]!)) above--;
    const b = below < sorted.length ? sorted[below]! : undefined;
    const a = above >= 0 ? sorted[above]! : undefined;
    if (b === undefined) return a ?? -1;
    if (a === undefined) return b;
    return b - from <= from - a ? b : a;
  }
  return -1;
}

/** A label as the document index holds it: its line (meaningless while detached) and text. */
export interface AnchoredLabel {
  line: number;
  text: string;
  detached?: boolean;
}

export interface EditOutcome<T> {
  /** Whether any label moved, changed text, detached or re-attached. */
  changed: boolean;
  /** Labels whose line was deleted or emptied by the edit. */
  dropped: T[];
  /** Document lines read (the work an edit costs). */
  linesRead: number;
}

/**
 * The labels of one document, indexed by line (attached) and by text (detached), so that an edit
 * costs the lines it changed and a line that reappears finds its detached label in O(1).
 */
export class DocumentLabels<T extends AnchoredLabel> {
  private readonly byLine = new Map<number, T>();
  private readonly detachedByText = new Map<string, T[]>();
  private detachedCount = 0;

  get size(): number {
    return this.byLine.size + this.detachedCount;
  }

  /** Adds a label: attached on its line when that line is free, else detached. */
  add(label: T): void {
    if (!label.detached && label.line >= 0 && !this.byLine.has(label.line)) this.byLine.set(label.line, label);
    else this.detach(label);
  }

  /** Removes a label; returns whether it was here. */
  delete(label: T): boolean {
    if (!label.detached && this.byLine.get(label.line) === label) return this.byLine.delete(label.line);
    const list = this.detachedByText.get(textKey(label.text));
    const i = list?.indexOf(label) ?? -1;
    if (!list || i < 0) return false;
    list.splice(i, 1);
    if (list.length === 0) this.detachedByText.delete(textKey(label.text));
    this.detachedCount--;
    return true;
  }

  at(line: number): T | undefined {
    return this.byLine.get(line);
  }

  attached(): IterableIterator<T> {
    return this.byLine.values();
  }

  *values(): IterableIterator<T> {
    yield* this.byLine.values();
    for (const list of this.detachedByText.values()) yield* list;
  }

  private detach(label: T): void {
    label.detached = true;
    const key = textKey(label.text);
    const list = this.detachedByText.get(key);
    if (list) list.push(label);
    else this.detachedByText.set(key, [label]);
    this.detachedCount++;
  }

  /** Re-attaches a detached label whose text is on `line`, if any; returns whether one did. */
  private attachByText(line: number, text: string): boolean {
    if (this.byLine.has(line) || text.trim() === '') return false;
    const key = textKey(text);
    const list = this.detachedByText.get(key);
    const label = list?.shift();
    if (!label) return false;
    if (list!.length === 0) this.detachedByText.delete(key);
    this.detachedCount--;
    label.detached = false;
    label.line = line;
    this.byLine.set(line, label);
    return true;
  }

  /** Follows an editor change (rules 1 and 2); reads only the lines the change touched. */
  applyEdits(edits: readonly LineEdit[], doc: LineSource): EditOutcome<T> {
    const outcome: EditOutcome<T> = { changed: false, dropped: [], linesRead: 0 };
    if (edits.length === 0 || this.size === 0) return outcome;
    const cache = new Map<number, string>();
    const read = (line: number): string | undefined => {
      if (line < 0 || line >= doc.lineCount) return undefined;
      let text = cache.get(line);
      if (text === undefined) {
        text = doc.lineAt(line);
        cache.set(line, text);
        outcome.linesRead++;
      }
      return text;
    };
    // The changed lines, in the coordinates of the document after all the edits.
    const ranges = edits.map((e, i) => {
      const start = shiftLine(e.startLine, edits.slice(i + 1)).line;
      return { start, end: start + e.insertedLineBreaks };
    });
    // Labels whose line number or text the edits can affect. Edits that keep every line count
    // (typing within lines) affect only their own lines; others shift the labels below them.
    const keepsLines = edits.every((e) => e.startLine === e.endLine && e.insertedLineBreaks === 0);
    const affected: T[] = [];
    if (keepsLines) {
      for (const e of edits) {
        const label = this.byLine.get(e.startLine);
        if (label && !affected.includes(label)) affected.push(label);
      }
    } else {
      const from = Math.min(...edits.map((e) => e.startLine));
      for (const label of this.byLine.values()) if (label.line >= from) affected.push(label);
    }
    const pending: Array<{ label: T; shifted: Shifted; range: { start: number; end: number } | undefined }> = [];
    for (const label of affected) this.byLine.delete(label.line);
    for (const label of affected) {
      const shifted = shiftLine(label.line, edits);
      if (!shifted.touched && !shifted.deleted) {
        if (shifted.line !== label.line) outcome.changed = true;
        label.line = shifted.line;
        this.byLine.set(label.line, label);
      } else {
        const range = ranges.find((r) => shifted.line >= r.start && shifted.line <= r.end);
        pending.push({ label, shifted, range });
      }
    }
    for (const { label, shifted, range } of pending) {
      outcome.changed = true;
      const here = read(shifted.line);
      if (shifted.touched && here !== undefined && textKey(here) === textKey(label.text) && !this.byLine.has(shifted.line)) {
        label.line = shifted.line;
        this.byLine.set(label.line, label);
        continue;
      }
      // A moved line (move line up/down, Enter at its start): the same text within the change.
      let moved = -1;
      if (range) {
        for (let d = 0; moved < 0 && d <= range.end - range.start; d++) {
          for (const l of [shifted.line + d, shifted.line - d]) {
            if (l < range.start || l > range.end || this.byLine.has(l)) continue;
            const text = read(l);
            if (text !== undefined && textKey(text) === textKey(label.text)) {
              moved = l;
              break;
            }
          }
        }
      }
      if (moved >= 0) {
        label.line = moved;
        this.byLine.set(moved, label);
      } else if (shifted.touched && here !== undefined && here.trim() !== '' && !this.byLine.has(shifted.line)) {
        label.line = shifted.line;
        label.text = here;
        this.byLine.set(label.line, label);
      } else {
        outcome.dropped.push(label);
      }
    }
    // Rule 3: a detached label re-attaches when its text appears on a changed line.
    if (this.detachedCount > 0) {
      for (const r of ranges) {
        for (let l = r.start; l <= r.end && this.detachedCount > 0; l++) {
          const text = read(l);
          if (text !== undefined && this.attachByText(l, text)) outcome.changed = true;
        }
      }
    }
    return outcome;
  }

  /** Re-anchors every label by text alone (a document opened, the label file changed on disk). */
  anchorAll(doc: LineSource): boolean {
    const labels = [...this.values()];
    if (labels.length === 0) return false;
    const anchored = anchorLabels(
      labels.map((l) => ({ line: l.detached ? -1 : l.line, text: l.text })),
      doc,
    );
    // Detached labels look for their text near where they last were.
    labels.forEach((l, i) => {
      if (l.detached && anchored[i]!.line < 0) anchored[i] = { line: -1, text: l.text };
    });
    let changed = false;
    this.byLine.clear();
    this.detachedByText.clear();
    this.detachedCount = 0;
    labels.forEach((label, i) => {
      const a = anchored[i]!;
      const detached = a.line < 0;
      if (detached !== Boolean(label.detached) || (!detached && a.line !== label.line)) changed = true;
      if (detached) {
        this.detach(label);
      } else {
        label.detached = false;
        label.line = a.line;
        this.byLine.set(a.line, label);
      }
    });
    return changed;
  }
}
