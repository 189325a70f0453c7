// Connects the labeling panel (src/extension/panel/, another module) to the label store and the
// classifier. Until a data source is written for it, `fewshot.openPanel` says so clearly.
import * as vscode from 'vscode';
import type { FewShotContext } from './context';

export function activatePanel(ctx: FewShotContext): void {
  ctx.subscriptions.push(
    vscode.commands.registerCommand('fewshot.openPanel', () => {
      void vscode.window.showInformationMessage('Few-Shot: the labeling panel is not available in this build. Use the Few-Shot commands in the command palette.');
    }),
  );
}
