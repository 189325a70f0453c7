// The one rule for label names, used by every place a name comes in: the editor's commands, the
// label file the extension loads, the panel's messages and the CLI's `--labels` file. Pure, so
// the engine owns it and the protocol, the extension and the webview import it from here.

/** The longest label name, in UTF-16 code units after normalising. */
export const LABEL_NAME_MAX = 64;

/**
 * Characters a label name may not hold: they draw nothing (or only whitespace) and could make two
 * different names look the same (`spam` and `spam` + soft hyphen), or, printed by the CLI, drive
 * the terminal. Control (Cc) and format (Cf) characters, Unicode's Default_Ignorable_Code_Point
 * (soft hyphen, the Hangul fillers U+115F U+1160 U+3164 U+FFA0, U+034F, U+180E, variation
 * selectors, tag characters, bidi controls, zero-width characters), the blank braille pattern
 * U+2800 (drawn empty but not a space), line and paragraph separators, lone surrogates (no
 * character at all; a UTF-8 file cannot hold them), and every space other than U+0020 (a
 * no-break or ideographic space looks like a plain one).
 */
const REFUSED_SOURCE = '[\\p{Cc}\\p{Cf}\\p{Default_Ignorable_Code_Point}\\p{Zl}\\p{Zp}\\p{Cs}\\u2800]|[^\\S ]';
const REFUSED = new RegExp(REFUSED_SOURCE, 'u');

export type LabelName = { name: string } | { problem: string };

const codePoint = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * The label name `raw` stands for: trimmed, in Unicode NFC (so a composed and a decomposed `é` are
 * one name), or why it is refused.
 */
export function normalizeLabelName(raw: unknown): LabelName {
  if (typeof raw !== 'string') return { problem: 'a label name must be a string' };
  const name = raw.trim().normalize('NFC');
  if (name.length === 0) return { problem: 'a label name cannot be empty' };
  const bad = REFUSED.exec(name);
  if (bad)
    return {
      problem: `a label name cannot contain control, bidirectional or invisible characters (it holds ${codePoint(bad[0])})`,
    };
  if (name.length > LABEL_NAME_MAX) return { problem: `a label name has at most ${LABEL_NAME_MAX} characters` };
  return { name };
}

/**
 * Why `v` is not a label name as stored (normalised: see normalizeLabelName), or undefined when it
 * is one. For names that should already be normal: those in messages, settings and stored state.
 */
export function labelNameProblem(v: unknown): string | undefined {
  const n = normalizeLabelName(v);
  if ('problem' in n) return n.problem;
  if (n.name === v) return undefined;
  return typeof v === 'string' && v.trim() !== v
    ? 'a label name cannot start or end with spaces'
    : 'a label name must be in Unicode normal form C (NFC)';
}

/** A name with its refused characters shown as \u{...} escapes: safe to print in a message or a terminal. */
export function visibleName(v: string): string {
  return v.replace(new RegExp(REFUSED_SOURCE, 'gu'), (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
}
