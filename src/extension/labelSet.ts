// A line's label set in a multi-label task, as one record carries it. No vscode import.
//
// One record per labeled line, as in single-label tasks (docs/labels.md "Multi-label tasks"): a set
// of one label is the plain record `{"label":"bug"}`; two or more add `"labels":["billing","bug"]`
// (sorted) with `label` its first member, so a reader that knows only `label` sees one label of the
// set and keeps `labels` as a field it does not know; the empty set is `{"label":"none"}`. A record
// whose `labels` does not hold its `label` was relabeled by such a reader: its `label` is the set.
// Concurrent changes of one line's set merge per label (mergeLabelSets), so two windows that toggle
// different labels of a line keep both toggles.
import { isNoneLabel, NONE_LABEL } from '../engine/labels/none';

/** What a record says of its line's labels. */
export interface SetFields {
  label: string;
  labels?: readonly string[];
}

/** The record's label set, sorted; empty for `none`. */
export function labelSetOf(r: SetFields): string[] {
  if (r.labels?.includes(r.label)) return [...new Set(r.labels)].filter((l) => !isNoneLabel(l)).sort();
  return isNoneLabel(r.label) ? [] : [r.label];
}

/** The record fields that carry a set: `labels` only for two or more, `none` for the empty set. */
export function setFields(set: Iterable<string>): { label: string; labels?: string[] } {
  const sorted = [...new Set(set)].filter((l) => !isNoneLabel(l)).sort();
  if (sorted.length === 0) return { label: NONE_LABEL };
  if (sorted.length === 1) return { label: sorted[0]! };
  return { label: sorted[0]!, labels: sorted };
}

export const sameSet = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((l, i) => l === b[i]);

/**
 * A three-way merge of one line's set, label by label: a label one side added or removed since the
 * base is added or removed; the others stay as the base has them.
 */
export function mergeLabelSets(base: readonly string[], ours: readonly string[], theirs: readonly string[]): string[] {
  const out = new Set(base);
  for (const side of [ours, theirs]) {
    for (const l of side) if (!base.includes(l)) out.add(l);
    for (const l of base) if (!side.includes(l)) out.delete(l);
  }
  return [...out].sort();
}

/** The set with `label` toggled (in when it was out, out when it was in). */
export function toggled(set: readonly string[], label: string): string[] {
  return set.includes(label) ? set.filter((l) => l !== label) : [...set, label].sort();
}

/** The labels every one of the sets has (what a pick for several lines shows as chosen). */
export function sharedLabels(sets: ReadonlyArray<readonly string[]>): string[] {
  if (sets.length === 0) return [];
  return sets[0]!.filter((l) => sets.every((s) => s.includes(l))).sort();
}

/**
 * A line's set after a pick that showed `shown` as chosen and came back with `chosen`: the shown
 * labels left unchosen go, the chosen ones come; a label only some of the lines had (not shown as
 * chosen) stays where it was.
 */
export function afterPick(set: readonly string[], shown: readonly string[], chosen: readonly string[]): string[] {
  return [...new Set([...set.filter((l) => !shown.includes(l)), ...chosen])].filter((l) => !isNoneLabel(l)).sort();
}
