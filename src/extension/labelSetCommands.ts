// Labeling in a multi-label task, where a line carries a set of labels (labelSet.ts): Label Line
// As picks several labels at once (current ones pre-selected), quick fixes accept a predicted set
// or toggle one label, and `fewshot.toggleLabel` / `fewshot.setLabels` do the same for the panel and tests.
import * as vscode from 'vscode';
import type { FewShotContext } from './context';
import { predictedSet } from './diagnosticEntries';
import { labelPickItems, type LabelPickItem } from './labelPick';
import { afterPick, sharedLabels, toggled } from './labelSet';
import { isNoneLabel } from '../engine/labels/none';

/** The lines' sets now (a record's set sits on its first line), by the line each set sits on. */
function setsOf(ctx: FewShotContext, doc: vscode.TextDocument, lines: readonly number[]): Map<number, string[]> {
  const units = ctx.structured.unitsOf(doc);
  const startOf = (line: number) => (units && units !== 'pending' ? units.startOf(line) : line);
  const labeled = ctx.labels.labelSetsOf(doc);
  return new Map(lines.map((line) => [startOf(line), labeled.get(startOf(line)) ?? []]));
}

/**
 * Label Line As in a multi-label task. With a label (a quick fix, a test): the label joins each
 * line's set (`none`: the sets are emptied). Without: a quick pick of every label, several may be
 * chosen, the labels all the lines have pre-selected; accepting sets the lines' sets (afterPick).
 */
export async function labelSetLines(
  ctx: FewShotContext,
  doc: vscode.TextDocument,
  lines: readonly number[],
  label?: string,
): Promise<number> {
  if (label !== undefined) {
    const n = await ctx.labels.changeLabelSets(doc, lines, (set) => (isNoneLabel(label) ? [] : [...set, label]));
    if (n && !isNoneLabel(label)) await ctx.recentLabels.use(label);
    return n;
  }
  const shown = sharedLabels([...setsOf(ctx, doc, lines).values()]);
  const chosen = await pickLabelSet(ctx, lines.length, shown);
  if (!chosen) return 0;
  const n = await ctx.labels.changeLabelSets(doc, lines, (set) => afterPick(set, shown, chosen));
  for (const l of chosen) await ctx.recentLabels.use(l);
  return n;
}

/** A quick pick of several labels; resolves with the chosen names (empty: none), undefined when dismissed. */
async function pickLabelSet(ctx: FewShotContext, lineCount: number, current: readonly string[]): Promise<string[] | undefined> {
  const existing = ctx.recentLabels.order(ctx.labels.labelNames().filter((l) => !isNoneLabel(l)));
  const recent = new Set(ctx.recentLabels.recent);
  const pick = vscode.window.createQuickPick<LabelPickItem>();
  pick.canSelectMany = true;
  pick.title =
    lineCount === 1
      ? vscode.l10n.t('Labels of the line (none chosen: none)')
      : vscode.l10n.t('Labels of {0} lines (none chosen: none)', lineCount);
  pick.placeholder = vscode.l10n.t('Type part of a label name, or a new one; Space chooses, Enter confirms');
  // Items are replaced as the user types: what was chosen stays chosen.
  const chosen = new Set(current);
  const show = (value: string) => {
    const items = labelPickItems(value, existing, recent, new Set(current));
    for (const name of chosen) if (!items.some((i) => i.name === name)) items.push({ label: name, name, alwaysShow: true });
    pick.items = items;
    pick.selectedItems = items.filter((i) => chosen.has(i.name));
  };
  show('');
  pick.onDidChangeValue(show);
  pick.onDidChangeSelection((selected) => {
    const visible = new Set(pick.items.map((i) => i.name));
    for (const name of visible) if (!selected.some((s) => s.name === name)) chosen.delete(name);
    for (const s of selected) chosen.add(s.name);
  });
  try {
    return await new Promise<string[] | undefined>((resolve) => {
      let accepted = false;
      pick.onDidAccept(() => {
        accepted = true;
        resolve([...chosen]);
        pick.hide();
      });
      pick.onDidHide(() => {
        if (!accepted) resolve(undefined);
      });
      pick.show();
    });
  } finally {
    pick.dispose();
  }
}

/** `fewshot.toggleLabel(label, uri, lines)`: the label goes in or out of each line's set. */
export function toggleLabel(ctx: FewShotContext) {
  return async (label: string, uri: vscode.Uri | string, lines: number[]) => {
    const doc = await vscode.workspace.openTextDocument(typeof uri === 'string' ? vscode.Uri.parse(uri) : uri);
    return ctx.labels.changeLabelSets(doc, lines, (set) => toggled(set, label));
  };
}

/** `fewshot.setLabels(labels, uri, lines)`: each line's set becomes `labels` (empty: none). */
export function setLabels(ctx: FewShotContext) {
  return async (labels: string[], uri: vscode.Uri | string, lines: number[]) => {
    const doc = await vscode.workspace.openTextDocument(typeof uri === 'string' ? vscode.Uri.parse(uri) : uri);
    return ctx.labels.changeLabelSets(doc, lines, () => labels);
  };
}

/** Accept Prediction in a multi-label task: each line's set becomes its predicted set. */
export async function acceptPredictedSets(ctx: FewShotContext, doc: vscode.TextDocument, lines: readonly number[]): Promise<number> {
  const result = ctx.scheduler.resultFor(doc);
  let n = 0;
  for (const line of lines) {
    const set = result && predictedSet(result, line);
    if (set) n += await ctx.labels.changeLabelSets(doc, [line], () => set.map((x) => x.label));
  }
  return n;
}
