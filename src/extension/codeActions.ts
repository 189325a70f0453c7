// Quick fixes on predicted lines: accept the prediction as a label, or choose another label; on
// the note that the per-file cap hides predictions: open the panel, which lists them all.
import * as vscode from 'vscode';
import type { FewShotContext } from './context';
import { isCapNotice, predictionOf } from './diagnostics';

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
