// Whether a labeled set can be learned from: the one rule, and its one wording, for the engine,
// the label file reader, the quality estimate, the CLI and every message of the editor. Its own
// module with no other imports, so the extension host loads it without the engine.
import type { Example } from './types';

/** An example the engine learns from: a text and a label, both non-blank strings. */
export const isUsableExample = (ex: Example | undefined): ex is Example =>
  typeof ex?.text === 'string' && typeof ex?.label === 'string' && ex.text.trim() !== '' && ex.label.trim() !== '';

/**
 * The rule's wording, English, `{0}` the one label found. The CLI prints it; the extension passes
 * vscode.l10n.t to supportProblem, which looks the translation up by this English.
 */
export const SUPPORT_PROBLEMS = {
  none: 'at least two labels need examples (found none); label a line with each of two labels',
  one: 'at least two labels need examples (found only "{0}"); label a line with a second label',
} as const;

/**
 * Why a model cannot be adapted to `support`, or undefined when it can: at least two labels need
 * an example each. One sentence, without a full stop, that callers put after their own context
 * ("No predictions for this document yet: ...", "labels.jsonl: ..."); in English, or through
 * `translate`, which gets the English template and the label.
 */
export function supportProblem(
  support: readonly Example[],
  translate: (message: string, ...args: string[]) => string = (m, ...args) => m.replace('{0}', () => args[0] ?? '{0}'),
): string | undefined {
  let first: string | undefined;
  for (const ex of support) {
    if (!isUsableExample(ex)) continue;
    if (first === undefined) first = ex.label;
    else if (ex.label !== first) return undefined;
  }
  return first === undefined ? translate(SUPPORT_PROBLEMS.none) : translate(SUPPORT_PROBLEMS.one, first);
}
