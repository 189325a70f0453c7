// Per-label counts of the labeled lines the panel's line list does not hold. The list shows the
// open documents only, but a label's total should cover every record of the label files.
import type * as vscode from 'vscode';
import { NONE_LABEL } from '../../engine/labels/none';
import type { LabelStore } from '../labelStore';
import { recordTask } from '../taskFile';

/**
 * How many of each label's records are not among the listed ones: `all` names the label of every
 * record (all folders, detached ones included), `listed` the label of every labeled line the
 * list holds. Labels with none elsewhere are left out.
 */
export function countElsewhere(all: Iterable<string>, listed: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const label of all) counts.set(label, (counts.get(label) ?? 0) + 1);
  for (const label of listed) {
    const n = counts.get(label);
    // A listed line the records lack (a label still being saved) takes nothing below zero.
    if (n !== undefined) counts.set(label, n - 1);
  }
  for (const [label, n] of counts) if (n <= 0) counts.delete(label);
  return counts;
}

/**
 * countElsewhere for the active task, the listed lines those of `listed` (open documents and the
 * closed files the panel lists). A multi-label task's record or line counts for each label of its
 * set (the empty set for none), as the panel's own counts do.
 */
export function labelsElsewhere(
  labels: Pick<LabelStore, 'all' | 'activeTask' | 'isMultiLabel' | 'labelsOf' | 'labelSetsOf'>,
  listed: ReadonlyArray<vscode.TextDocument | vscode.Uri>,
): Map<string, number> {
  const task = recordTask(labels.activeTask());
  const multiLabel = labels.isMultiLabel();
  const listedLabels = (doc: vscode.TextDocument | vscode.Uri) =>
    multiLabel
      ? [...labels.labelSetsOf(doc).values()].flatMap((set) => (set.length ? set : [NONE_LABEL]))
      : [...labels.labelsOf(doc).values()];
  return countElsewhere(
    // The active task's records: another task's label of the same name is another label.
    labels.all().flatMap((s) => s.records.filter((r) => r.task === task).flatMap((r) => r.labels ?? [r.label])),
    listed.flatMap(listedLabels),
  );
}
