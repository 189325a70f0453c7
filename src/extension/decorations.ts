// Labeled lines show their label after the text instead of a diagnostic.
import * as vscode from 'vscode';
import type { FewShotContext } from './context';

export function activateDecorations(ctx: FewShotContext): void {
  const type = vscode.window.createTextEditorDecorationType({
    after: { margin: '0 0 0 2em', color: new vscode.ThemeColor('editorCodeLens.foreground'), fontStyle: 'italic' },
    backgroundColor: new vscode.ThemeColor('editor.wordHighlightBackground'),
    isWholeLine: true,
  });
  const paint = (editor: vscode.TextEditor) => {
    const labels = ctx.labels.labelsOf(editor.document);
    const options: vscode.DecorationOptions[] = [];
    for (const [line, label] of labels) {
      if (line >= editor.document.lineCount) continue;
      options.push({
        range: new vscode.Range(line, 0, line, 0),
        hoverMessage: `Few-Shot label: **${label}**`,
        renderOptions: { after: { contentText: `◆ ${label}` } },
      });
    }
    editor.setDecorations(type, options);
  };
  const paintAll = () => vscode.window.visibleTextEditors.forEach(paint);
  ctx.subscriptions.push(type, ctx.labels.onDidChange(paintAll), vscode.window.onDidChangeVisibleTextEditors(paintAll));
  paintAll();
}
