// Grouping a data set by label and keeping the labels that can fill an episode.
import type { Example } from '../types';

/** Examples of one label, in file order. */
export type LabelGroups = Map<string, Example[]>;

export interface SkippedLabel {
  label: string;
  count: number;
  needed: number;
}

export function groupByLabel(examples: readonly Example[]): LabelGroups {
  const groups: LabelGroups = new Map();
  for (const ex of examples) {
    const group = groups.get(ex.label);
    if (group) group.push(ex);
    else groups.set(ex.label, [ex]);
  }
  return groups;
}

/** groupByLabel with the labels in sorted order, so that the order of blocks in a file does not change the episodes. */
export function groupByLabelSorted(examples: readonly Example[]): LabelGroups {
  const grouped = groupByLabel(examples);
  return new Map([...grouped.keys()].sort().map((label) => [label, grouped.get(label)!]));
}

/** Splits labels into those with at least `needed` examples and the skipped rest (reported, not dropped silently). */
export function filterLabelsByCount(groups: LabelGroups, needed: number): { kept: LabelGroups; skipped: SkippedLabel[] } {
  const kept: LabelGroups = new Map();
  const skipped: SkippedLabel[] = [];
  for (const [label, group] of groups) {
    if (group.length >= needed) kept.set(label, group);
    else skipped.push({ label, count: group.length, needed });
  }
  return { kept, skipped };
}
