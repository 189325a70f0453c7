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

const same = (a: string | undefined, b: string) => a !== undefined && a.trimEnd() === b.trimEnd();

/**
 * Re-anchors labels against the document's current lines. `candidates[i]` is where label i is
 * expected (after shifting), `touched[i]` whether an editor edit covered it. Returns the new
 * position and text of each label, in the same order.
 */
export function reanchor(labels: readonly Anchored[], lines: readonly string[], touched: readonly boolean[] = []): Anchored[] {
  const result: Anchored[] = labels.map((l) => ({ line: -1, text: l.text }));
  const claimed = new Set<number>();
  // 1. Unchanged lines keep their labels.
  labels.forEach((l, i) => {
    if (l.line >= 0 && !claimed.has(l.line) && same(lines[l.line], l.text)) {
      result[i]!.line = l.line;
      claimed.add(l.line);
    }
  });
  // 2. Moved lines: the nearest unclaimed line with the same text.
  labels.forEach((l, i) => {
    if (result[i]!.line >= 0) return;
    const found = nearestSameText(lines, l.text, Math.max(0, l.line), claimed);
    if (found >= 0) {
      result[i]!.line = found;
      claimed.add(found);
    }
  });
  // 3. Edited lines keep their label with the new text, unless emptied.
  labels.forEach((l, i) => {
    if (result[i]!.line >= 0 || !touched[i] || l.line < 0 || l.line >= lines.length || claimed.has(l.line)) return;
    const text = lines[l.line]!;
    if (text.trim() === '') return;
    result[i] = { line: l.line, text };
    claimed.add(l.line);
  });
  return result;
}

function nearestSameText(lines: readonly string[], text: string, from: number, claimed: Set<number>): number {
  if (text.trim() === '' || lines.length === 0) return -1;
  from = Math.min(from, lines.length - 1);
  for (let d = 0; d < lines.length; d++) {
    const below = from + d;
    const above = from - d;
    if (below < lines.length && !claimed.has(below) && same(lines[below], text)) return below;
    if (d > 0 && above >= 0 && !claimed.has(above) && same(lines[above], text)) return above;
    if (below >= lines.length && above < 0) break;
  }
  return -1;
}
