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

/**
 * Why a name is refused, in English, `{0}` its parameter. The rule owns the wording: the CLI
 * prints it as it is, and the extension and the panel translate it by this English text (the key
 * of its translation in l10n/bundle.l10n.<lang>.json; see describeLabelNameProblem).
 */
export const LABEL_NAME_PROBLEMS = {
  notString: 'a label name must be a string',
  empty: 'a label name cannot be empty',
  invisible: 'a label name cannot contain control, bidirectional or invisible characters (it holds {0})',
  tooLong: 'a label name has at most {0} characters',
  spaces: 'a label name cannot start or end with spaces',
  notNfc: 'a label name must be in Unicode normal form C (NFC)',
} as const;

export type LabelNameProblemCode = keyof typeof LABEL_NAME_PROBLEMS;

/** A refused name: which problem, its parameters, and its English text. */
export interface LabelNameProblem {
  code: LabelNameProblemCode;
  args: string[];
  problem: string;
}

export type LabelName = { name: string } | LabelNameProblem;

/** An English message template with `{0}`, `{1}` filled (what vscode.l10n.t does without a translation). */
export const fillMessage = (template: string, args: readonly string[]): string =>
  template.replace(/\{(\d+)\}/g, (whole, i: string) => args[Number(i)] ?? whole);

/**
 * The problem's text: English, or through `translate` (vscode.l10n.t in the extension, the panel's
 * table in the webview), which gets the English template and the parameters.
 */
export function describeLabelNameProblem(
  p: Pick<LabelNameProblem, 'code' | 'args'>,
  translate: (message: string, ...args: string[]) => string = (m, ...args) => fillMessage(m, args),
): string {
  return translate(LABEL_NAME_PROBLEMS[p.code], ...p.args);
}

const refused = (code: LabelNameProblemCode, ...args: string[]): LabelNameProblem => ({
  code,
  args,
  problem: fillMessage(LABEL_NAME_PROBLEMS[code], args),
});

const codePoint = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * The label name `raw` stands for: trimmed, in Unicode NFC (so a composed and a decomposed `é` are
 * one name), or why it is refused.
 */
export function normalizeLabelName(raw: unknown): LabelName {
  if (typeof raw !== 'string') return refused('notString');
  const name = raw.trim().normalize('NFC');
  if (name.length === 0) return refused('empty');
  const bad = REFUSED.exec(name);
  if (bad) return refused('invisible', codePoint(bad[0]));
  if (name.length > LABEL_NAME_MAX) return refused('tooLong', String(LABEL_NAME_MAX));
  return { name };
}

/**
 * Why `v` is not a label name as stored (normalised: see normalizeLabelName), or undefined when it
 * is one. For names that should already be normal: those in messages, settings and stored state.
 */
export function labelNameProblem(v: unknown): string | undefined {
  return labelNameRefusal(v)?.problem;
}

/** labelNameProblem with the problem's code and parameters, for a caller that translates it. */
export function labelNameRefusal(v: unknown): LabelNameProblem | undefined {
  const n = normalizeLabelName(v);
  if ('problem' in n) return n;
  if (n.name === v) return undefined;
  return refused(typeof v === 'string' && v.trim() !== v ? 'spaces' : 'notNfc');
}

/** A name with its refused characters shown as \u{...} escapes: safe to print in a message or a terminal. */
export function visibleName(v: string): string {
  return v.replace(new RegExp(REFUSED_SOURCE, 'gu'), (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
}
