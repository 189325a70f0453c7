// Says which field of a structured document is classified, while one is the active editor: a
// status bar item ("Few-Shot text: msg.text"), next to the language and encoding items that
// describe the document the same way, and one click runs Choose Text Column. Without it a wrong
// pick (an id, a boilerplate note) shows only as bad predictions.
import * as vscode from 'vscode';
import type { RecordTable } from '../engine/data/records';
import type { FewShotContext } from './context';

const CHOOSE_TEXT_COLUMN = 'fewshot.chooseTextColumn';

/** The item's text and tooltip for a read table; `chosen`: the user picked the column (else it was detected). */
export function describeTextField(table: Pick<RecordTable, 'format' | 'column'>, chosen: boolean): { text: string; tooltip: string } {
  const jsonl = table.format === 'jsonl';
  if (table.column === undefined)
    return jsonl
      ? {
          text: `$(warning) ${vscode.l10n.t('Few-Shot: no text field')}`,
          tooltip: vscode.l10n.t('Few-Shot found no field to classify in this file. Click to choose one.'),
        }
      : {
          text: `$(warning) ${vscode.l10n.t('Few-Shot: no text column')}`,
          tooltip: vscode.l10n.t('Few-Shot found no column to classify in this file. Click to choose one.'),
        };
  const how = chosen ? vscode.l10n.t('chosen with Choose Text Column') : vscode.l10n.t('detected from the values');
  return {
    text: `$(symbol-field) ${vscode.l10n.t('Few-Shot text: {0}', table.column)}`,
    tooltip: jsonl
      ? vscode.l10n.t('Few-Shot classifies the field "{0}" of each record ({1}). Click to choose another.', table.column, how)
      : vscode.l10n.t('Few-Shot classifies the column "{0}" of each record ({1}). Click to choose another.', table.column, how),
  };
}

export function activateTextFieldStatus(ctx: FewShotContext): void {
  const item = vscode.window.createStatusBarItem('fewshot.textField', vscode.StatusBarAlignment.Right, 101);
  item.name = vscode.l10n.t('Few-Shot Text Field');
  item.command = CHOOSE_TEXT_COLUMN;
  const update = () => {
    const doc = vscode.window.activeTextEditor?.document;
    const table = doc && ctx.structured.formatOf(doc) && ctx.isIncluded(doc) ? ctx.structured.lastTableOf(doc.uri) : undefined;
    if (!doc || !table) {
      item.hide();
      return;
    }
    const { text, tooltip } = describeTextField(table, ctx.structured.paramsOf(doc)?.column === table.column);
    item.text = text;
    item.tooltip = tooltip;
    item.show();
  };
  ctx.subscriptions.push(
    item,
    vscode.window.onDidChangeActiveTextEditor(update),
    ctx.structured.onDidRead((doc) => {
      if (doc === vscode.window.activeTextEditor?.document) update();
    }),
    ctx.onDidChangeConfig(update),
  );
  update();
}
