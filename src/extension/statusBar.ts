// Status bar: labeled lines, backend, last adaptation; spins while the engine works; opens the panel.
import * as vscode from 'vscode';
import type { FewShotContext } from './context';

/** Returns the item (the extension's test API reads its text). */
export function activateStatusBar(ctx: FewShotContext): vscode.StatusBarItem {
  const item = vscode.window.createStatusBarItem('fewshot.status', vscode.StatusBarAlignment.Right, 100);
  item.name = vscode.l10n.t('Few-Shot Labeler');
  item.command = 'fewshot.openPanel';
  const update = () => {
    const icon = ctx.scheduler.busy ? '$(sync~spin)' : ctx.scheduler.lastError ? '$(warning)' : '$(tag)';
    // The engine runs only while there is work: idle until the first classification.
    const backend =
      ctx.engine.info?.backend ??
      (ctx.engineError ? vscode.l10n.t('no engine') : ctx.engine.isRunning ? vscode.l10n.t('loading') : vscode.l10n.t('engine idle'));
    const last = ctx.scheduler.lastRun;
    const timing = last ? ` · ${Math.round(last.adaptMs + last.predictMs)} ms` : '';
    // Background refinement (fewshot.refine): its progress, or whether the active document's
    // predictions are the refined ones.
    const refining = ctx.scheduler.refineProgress;
    const doc = vscode.window.activeTextEditor?.document;
    const refined = doc ? ctx.scheduler.resultFor(doc)?.refined === true : false;
    const refine = refining
      ? ` · $(loading~spin) ${vscode.l10n.t('refining {0}/{1}', refining.done, refining.total)}`
      : refined
        ? ` · $(check-all) ${vscode.l10n.t('refined')}`
        : '';
    item.text = `${icon} ${vscode.l10n.t('{0} labeled', ctx.labels.count)} · ${backend}${timing}${refine}`;
    const tip = new vscode.MarkdownString(undefined, true);
    tip.appendMarkdown(
      `**${vscode.l10n.t('Few-Shot Labeler')}**\n\n${vscode.l10n.t('{0} labeled lines, {1} labels', ctx.labels.count, ctx.labels.labelNames().length)}\n\n`,
    );
    tip.appendMarkdown(`${vscode.l10n.t('Backend: {0}', backend)}${ctx.engineError ? ` (${ctx.engineError})` : ''}\n\n`);
    if (last) {
      tip.appendMarkdown(
        `${vscode.l10n.t(
          'Last adaptation: {0} ({1}, adapt {2} ms, {3} lines in {4} ms)',
          last.at.toLocaleTimeString(),
          last.method,
          last.adaptMs.toFixed(0),
          last.lines,
          last.predictMs.toFixed(0),
        )}\n\n`,
      );
    }
    if (refining) {
      tip.appendMarkdown(
        `${vscode.l10n.t('Refining with the sentence encoder: {0} of {1} lines embedded ({2} documents); the fast predictions show meanwhile.', refining.done, refining.total, refining.documents)}\n\n`,
      );
    } else if (doc && ctx.scheduler.resultFor(doc)) {
      tip.appendMarkdown(
        `${refined ? vscode.l10n.t('Predictions of this document: refined with the sentence encoder.') : vscode.l10n.t('Predictions of this document: fast features.')}\n\n`,
      );
    }
    if (ctx.scheduler.lastError) tip.appendMarkdown(`${vscode.l10n.t('Last error: {0}', ctx.scheduler.lastError)}\n\n`);
    tip.appendMarkdown(vscode.l10n.t('Click to open the labeling panel.'));
    item.tooltip = tip;
    item.show();
  };
  ctx.subscriptions.push(
    item,
    ctx.scheduler.onDidChangeBusy(update),
    ctx.scheduler.onDidUpdate(update),
    ctx.labels.onDidChange(update),
    ctx.onDidChangeEngine(update),
    vscode.window.onDidChangeActiveTextEditor(update),
  );
  update();
  return item;
}
