// Quick fixes on predicted lines: accept the prediction as a label, or choose another label; on
// the note that the per-file cap hides predictions: open the panel, which lists them all.
import * as vscode from 'vscode';
import type { FewShotContext } from './context';
import { isNoneLabel } from '../engine/labels/none';
import { predictedSet } from './diagnosticEntries';
import { isCapNotice, predictionOf } from './diagnostics';

/** How many labels a set diagnostic offers to toggle (the predicted ones first, then the most used). */
const MAX_TOGGLES = 8;

/**
 * A multi-label task's quick fixes on a predicted set: accept the set, toggle one label, or pick
 * the labels; undefined when the line's prediction is not a set.
 */
function labelSetActions(ctx: FewShotContext, doc: vscode.TextDocument, d: vscode.Diagnostic): vscode.CodeAction[] | undefined {
  const line = d.range.start.line;
  const result = ctx.scheduler.resultFor(doc);
  const set = result && predictedSet(result, line);
  if (!set) return undefined;
  const action = (title: string, command: string, args: unknown[]) => {
    const a = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
    a.diagnostics = [d];
    a.command = { title, command, arguments: args };
    return a;
  };
  const predicted = set.map((x) => x.label);
  const accept = action(
    predicted.length ? vscode.l10n.t('Accept prediction: labels {0}', predicted.join(', ')) : vscode.l10n.t('Accept prediction: none'),
    'fewshot.setLabels',
    [predicted, doc.uri, [line]],
  );
  accept.isPreferred = true;
  const names = [...new Set([...predicted, ...ctx.labels.labelNames().filter((l) => !isNoneLabel(l))])].slice(0, MAX_TOGGLES);
  const current = ctx.labels.labelSetsOf(doc).get(line) ?? [];
  const toggles = names.map((l) =>
    action(current.includes(l) ? vscode.l10n.t('Remove label "{0}"', l) : vscode.l10n.t('Add label "{0}"', l), 'fewshot.toggleLabel', [
      l,
      doc.uri,
      [line],
    ]),
  );
  return [accept, ...toggles, action(vscode.l10n.t('Labels...'), 'fewshot.labelLine', [undefined, doc.uri, [line]])];
}

export function activateCodeActions(ctx: FewShotContext): void {
  const provider: vscode.CodeActionProvider = {
    provideCodeActions(doc, range, context) {
      if (!ctx.isIncluded(doc)) return [];
      const actions: vscode.CodeAction[] = [];
      for (const d of context.diagnostics) {
        if (isCapNotice(d)) {
          const open = new vscode.CodeAction('Open the labeling panel (every prediction)', vscode.CodeActionKind.QuickFix);
          open.diagnostics = [d];
          open.command = { title: open.title, command: 'fewshot.openPanel' };
          actions.push(open);
          continue;
        }
        const label = predictionOf(d);
        if (!label) continue;
        const line = d.range.start.line;
        const set = labelSetActions(ctx, doc, d);
        if (set) {
          actions.push(...set);
          continue;
        }
        const accept = new vscode.CodeAction(`Accept prediction: label as "${label}"`, vscode.CodeActionKind.QuickFix);
        accept.diagnostics = [d];
        accept.isPreferred = true;
        accept.command = { title: accept.title, command: 'fewshot.labelLine', arguments: [label, doc.uri, [line]] };
        const other = new vscode.CodeAction('Label as...', vscode.CodeActionKind.QuickFix);
        other.diagnostics = [d];
        other.command = { title: other.title, command: 'fewshot.labelLine', arguments: [undefined, doc.uri, [line]] };
        actions.push(accept, other);
      }
      // The cap notice may share a labeled first line: its label can still be removed.
      if (!context.diagnostics.some(predictionOf) && ctx.labels.labelsOf(doc).has(range.start.line)) {
        const remove = new vscode.CodeAction('Remove label', vscode.CodeActionKind.QuickFix);
        remove.command = { title: remove.title, command: 'fewshot.removeLabel', arguments: [doc.uri, [range.start.line]] };
        actions.push(remove);
      }
      return actions;
    },
  };
  ctx.subscriptions.push(
    vscode.languages.registerCodeActionsProvider({ scheme: 'file' }, provider, {
      providedCodeActionKinds: [vscode.CodeActionKind.QuickFix],
    }),
  );
}
