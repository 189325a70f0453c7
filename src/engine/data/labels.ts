// Label files for the CLI (`--labels labels.jsonl`): the support set of a classification.
import { supportProblem } from '../support';
import type { Example } from '../types';
import { DataError } from './errors';
import { readExamples } from './jsonl';
import { normalizeLabelName, visibleName } from './labelName';

export interface LabelSet {
  examples: Example[];
  /** Label names in order of first appearance. */
  labels: string[];
  /** Labels with a single example: usable, but worth a warning. */
  singletons: string[];
}

/**
 * Reads and checks a label file: at least two labels, duplicates of the same text merged. Label
 * names are normalised by the rule the extension applies to its label file (normalizeLabelName),
 * so a file one accepts the other accepts too, with the same names.
 */
export async function readLabelFile(file: string): Promise<LabelSet> {
  const seen = new Map<string, string>();
  const examples: Example[] = [];
  for (const raw of await readExamples(file)) {
    // The name is printed with its escapes made visible so a terminal never interprets them.
    const normal = normalizeLabelName(raw.label);
    if ('problem' in normal) throw new DataError(`${file}: label "${visibleName(raw.label)}": ${normal.problem}`);
    const ex = { text: raw.text, label: normal.name };
    const previous = seen.get(ex.text);
    if (previous === ex.label) continue;
    if (previous !== undefined) {
      throw new DataError(`${file}: the line "${visibleName(shorten(ex.text))}" is labeled both "${previous}" and "${ex.label}"`);
    }
    seen.set(ex.text, ex.label);
    examples.push(ex);
  }
  const counts = new Map<string, number>();
  for (const ex of examples) counts.set(ex.label, (counts.get(ex.label) ?? 0) + 1);
  const labels = [...counts.keys()];
  const problem = supportProblem(examples);
  if (problem) throw new DataError(`${file}: ${problem}`);
  return { examples, labels, singletons: labels.filter((l) => counts.get(l) === 1) };
}

function shorten(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
