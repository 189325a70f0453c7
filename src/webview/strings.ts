// The panel's strings in the user's language: the table the extension put on the page
// (data-strings on #app, validated by protocol/panelStrings.ts), English until it is read.
// Every visible string of the panel comes from here (test/webview/strings.test.ts checks).

import type { LabelNameProblem, LabelNameProblemCode } from '../engine/data/labelName';
import { formatPanelString, PANEL_STRINGS, type PanelStringKey, type PanelStrings, parsePanelStrings } from '../protocol/panelStrings';

let table: PanelStrings = { ...PANEL_STRINGS };

/** Reads the table from the page's root element (absent or unreadable: English). */
export function loadStrings(root: HTMLElement): void {
  const raw = root.dataset.strings;
  let parsed: unknown;
  try {
    parsed = raw === undefined ? undefined : JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  table = parsePanelStrings(parsed);
}

/** The string `key` with `{0}`, `{1}`... filled from `args`. */
export function t(key: PanelStringKey, ...args: Array<string | number>): string {
  return formatPanelString(table[key], args);
}

const LABEL_NAME_PROBLEM_KEYS: Record<LabelNameProblemCode, PanelStringKey> = {
  notString: 'labelName.notString',
  empty: 'labelName.empty',
  invisible: 'labelName.invisible',
  tooLong: 'labelName.tooLong',
  spaces: 'labelName.spaces',
  notNfc: 'labelName.notNfc',
};

/** Why a label name is refused, in the panel's language. */
export function labelNameProblemText(p: Pick<LabelNameProblem, 'code' | 'args'>): string {
  return t(LABEL_NAME_PROBLEM_KEYS[p.code], ...p.args);
}
