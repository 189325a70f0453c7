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
  const kind = table.format === 'jsonl' ? 'field' : 'column';
  if (table.column === undefined)
    return {
      text: `$(warning) Few-Shot: no text ${kind}`,
      tooltip: `Few-Shot found no ${kind} to classify in this file. Click to choose one.`,
    };
  const how = chosen ? 'chosen with Choose Text Column' : 'detected from the values';
  return {
    text: `$(symbol-field) Few-Shot text: ${table.column}`,
    tooltip: `Few-Shot classifies the ${kind} "${table.column}" of each record (${how}). Click to choose another.`,
  };
}

export function activateTextFieldStatus(ctx: FewShotContext): void {
  const item = vscode.window.createStatusBarItem('fewshot.textField', vscode.StatusBarAlignment.Right, 101);
  item.name = 'Few-Shot Text Field';
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
