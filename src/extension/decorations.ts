// Labeled lines show their label after the text instead of a diagnostic, in the label's colour
// (the same one the labeling panel shows; see labelPalette.ts). A decoration type has a
// fixed style, so there is one per label, remade when the label's colour changes.
import * as vscode from 'vscode';
import type { FewShotContext } from './context';

interface LabelStyle {
  color: string;
  type: vscode.TextEditorDecorationType;
}

function createStyle(color: string): LabelStyle {
  const type = vscode.window.createTextEditorDecorationType({
    after: { margin: '0 0 0 2em', color, fontStyle: 'italic' },
    // #rrggbb + alpha: a tint of the label's colour that keeps the text readable in any theme.
    backgroundColor: `${color}1f`,
    borderColor: color,
    borderStyle: 'none none none solid',
    borderWidth: '0 0 0 3px',
    overviewRulerColor: color,
    overviewRulerLane: vscode.OverviewRulerLane.Left,
    isWholeLine: true,
  });
  return { color, type };
}

export function activateDecorations(ctx: FewShotContext): void {
  const styles = new Map<string, LabelStyle>();
  const styleOf = (label: string): LabelStyle => {
    const color = ctx.palette.colorOf(label);
    let style = styles.get(label);
    if (style?.color !== color) {
      style?.type.dispose();
      style = createStyle(color);
      styles.set(label, style);
    }
    return style;
  };
  const paint = (editor: vscode.TextEditor) => {
    const byLabel = new Map<string, vscode.DecorationOptions[]>();
    // A multi-label task's line shows its whole set, in its first label's colour.
    const sets = ctx.labels.isMultiLabel() ? ctx.labels.labelSetsOf(editor.document) : undefined;
    for (const [line, label] of ctx.labels.labelsOf(editor.document)) {
      if (line >= editor.document.lineCount) continue;
      let options = byLabel.get(label);
      if (!options) {
        options = [];
        byLabel.set(label, options);
      }
      const shown = sets?.get(line)?.join(' · ') || label;
      options.push({
        range: new vscode.Range(line, 0, line, 0),
        hoverMessage: `Few-Shot label: **${shown}**`,
        renderOptions: { after: { contentText: `◆ ${shown}` } },
      });
    }
    for (const label of byLabel.keys()) styleOf(label);
    // Every known style is set, empty ones too, so a removed label's decorations go away.
    for (const [label, style] of styles) editor.setDecorations(style.type, byLabel.get(label) ?? []);
  };
  const paintAll = () => vscode.window.visibleTextEditors.forEach(paint);
  ctx.subscriptions.push(
    ctx.labels.onDidChange(paintAll),
    ctx.palette.onDidChange(paintAll),
    vscode.window.onDidChangeVisibleTextEditors(paintAll),
    { dispose: () => styles.forEach((s) => void s.type.dispose()) },
  );
  paintAll();
}
