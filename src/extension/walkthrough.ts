// The Get Started walkthrough (contributes.walkthroughs in package.json). VS Code shows it without
// activating the extension; its first button runs `fewshot.openSample`, which activates it. Each
// step completes on the real event: a command the user ran (`onCommand:` in the manifest) or one of
// the context keys set here from the label store and the scheduler, so a step is ticked when the
// thing happened, not when its page was read.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FewShotContext } from './context';

/** Context keys the walkthrough's `onContext:` completion events watch. */
export const WALKTHROUGH_KEYS = {
  /** Two or more labels have a labeled line each: the engine can adapt. */
  twoLabels: 'fewshot.walkthrough.twoLabels',
  /** An open document has predictions. */
  predicted: 'fewshot.walkthrough.predicted',
} as const;

export type WalkthroughKey = keyof typeof WALKTHROUGH_KEYS;

/** What the walkthrough has seen so far (for the integration tests: context keys cannot be read back). */
export type WalkthroughState = Readonly<Record<WalkthroughKey, boolean>>;

export function activateWalkthrough(ctx: FewShotContext): () => WalkthroughState {
  const state: Record<WalkthroughKey, boolean> = { twoLabels: false, predicted: false };
  // Keys only ever turn on: a step, once done, stays done (as VS Code keeps it ticked).
  const turnOn = (key: WalkthroughKey) => {
    if (state[key]) return;
    state[key] = true;
    void vscode.commands.executeCommand('setContext', WALKTHROUGH_KEYS[key], true);
  };
  const checkLabels = () => {
    if (ctx.labels.labelNames().length >= 2) turnOn('twoLabels');
  };
  ctx.subscriptions.push(
    ctx.labels.onDidChange(checkLabels),
    ctx.scheduler.onDidUpdate(() => {
      const predicted = vscode.workspace.textDocuments.some((doc) => ctx.scheduler.resultFor(doc)?.labelIndex.some((i) => i >= 0));
      if (predicted) turnOn('predicted');
    }),
  );
  checkLabels();
  return () => ({ ...state });
}

/**
 * `fewshot.openSample [folder]`: copies the bundled support tickets into a folder (asked for when
 * not given; the user's choice is their consent to the write) under a name that is free, and opens
 * the copy. Labels are kept per workspace folder, so a folder outside the workspace is offered to
 * be opened as one.
 */
export function openSample(ctx: FewShotContext) {
  return async (folder?: vscode.Uri): Promise<vscode.Uri | undefined> => {
    const target =
      folder ??
      (
        await vscode.window.showOpenDialog({
          canSelectFolders: true,
          canSelectFiles: false,
          canSelectMany: false,
          defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
          openLabel: vscode.l10n.t('Put the Sample Here'),
          title: vscode.l10n.t('Where should the sample support tickets go?'),
        })
      )?.[0];
    if (!target) return undefined;
    const copy = await freeName(target, 'fewshot-sample-tickets', '.txt');
    await vscode.workspace.fs.copy(vscode.Uri.file(ctx.extension.asAbsolutePath(path.join('samples', 'demo', 'tickets.txt'))), copy);
    if (vscode.workspace.getWorkspaceFolder(copy)) {
      await vscode.window.showTextDocument(copy);
      void vscode.window.showInformationMessage(
        vscode.l10n.t(
          'Put the cursor on a line and press Ctrl+Alt+L (Cmd+Alt+L on macOS) to give it a label; label a line of a second kind too.',
        ),
      );
      return copy;
    }
    const open = vscode.l10n.t('Open Folder');
    const choice = await vscode.window.showInformationMessage(
      vscode.l10n.t('The sample is in {0}. Labels are kept per workspace folder: open that folder to label it.', target.fsPath),
      open,
    );
    if (choice === open) await vscode.commands.executeCommand('vscode.openFolder', target);
    return copy;
  };
}

/** `<stem><ext>`, or `<stem>-2<ext>`, `-3`, ... : the first name not taken in `folder` (never overwrites). */
async function freeName(folder: vscode.Uri, stem: string, ext: string): Promise<vscode.Uri> {
  for (let n = 1; ; n++) {
    const candidate = vscode.Uri.joinPath(folder, `${stem}${n === 1 ? '' : `-${n}`}${ext}`);
    try {
      await vscode.workspace.fs.stat(candidate);
    } catch {
      return candidate;
    }
  }
}
