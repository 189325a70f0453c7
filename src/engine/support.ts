// Whether a labeled set can be learned from: the one rule, and its one wording, for the engine,
// the label file reader, the quality estimate, the CLI and every message of the editor. Its own
// module with no other imports, so the extension host loads it without the engine.
import type { Example } from './types';

/** An example the engine learns from: a text and a label, both non-blank strings. */
export const isUsableExample = (ex: Example | undefined): ex is Example =>
  typeof ex?.text === 'string' && typeof ex?.label === 'string' && ex.text.trim() !== '' && ex.label.trim() !== '';

/**
 * Why a model cannot be adapted to `support`, or undefined when it can: at least two labels need
 * an example each. One sentence, without a full stop, that callers put after their own context
 * ("No predictions for this document yet: ...", "labels.jsonl: ...").
 */
export function supportProblem(support: readonly Example[]): string | undefined {
  let first: string | undefined;
  for (const ex of support) {
    if (!isUsableExample(ex)) continue;
    if (first === undefined) first = ex.label;
    else if (ex.label !== first) return undefined;
  }
  return first === undefined
    ? 'at least two labels need examples (found none); label a line with each of two labels'
    : `at least two labels need examples (found only "${first}"); label a line with a second label`;
}
