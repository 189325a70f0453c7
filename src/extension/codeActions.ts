// Quick fixes on predicted lines: accept the prediction as a label, or choose another label.
import * as vscode from 'vscode';
import type { FewShotContext } from './context';
import { predictionOf } from './diagnostics';

export function activateCodeActions(ctx: FewShotContext): void {
  const provider: vscode.CodeActionProvider = {
    provideCodeActions(doc, range, context) {
      if (!ctx.isIncluded(doc)) return [];
      const actions: vscode.CodeAction[] = [];
      for (const d of context.diagnostics) {
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
      if (!actions.length && ctx.labels.labelsOf(doc).has(range.start.line)) {
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
