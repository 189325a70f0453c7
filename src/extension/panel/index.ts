// Registers the labeling panel: the `fewshot.openPanel` command and a serializer so an open
// panel comes back after a window reload (its view state lives in the webview's setState).

import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { translatePanelStrings } from '../../protocol/panelStrings';
import type { PanelDataSource } from './model';
import { PanelHost } from './panelHost';

export type {
  PanelChange,
  PanelDataSource,
  PanelSourceLine,
  LineRef,
  PanelLabel,
  QualityEstimate,
} from './model';

export const PANEL_VIEW_TYPE = 'fewshot.labelingPanel';
export const OPEN_PANEL_COMMAND = 'fewshot.openPanel';

export function registerLabelingPanel(
  context: vscode.ExtensionContext,
  source: PanelDataSource,
  log?: (message: string) => void,
): vscode.Disposable {
  const mediaRoot = vscode.Uri.joinPath(context.extensionUri, 'media');
  const media = {
    script: vscode.Uri.joinPath(mediaRoot, 'panel.js'),
    style: vscode.Uri.joinPath(mediaRoot, 'panel.css'),
    codicons: vscode.Uri.joinPath(mediaRoot, 'codicons', 'codicon.css'),
  };
  const webviewOptions: vscode.WebviewOptions = { enableScripts: true, localResourceRoots: [mediaRoot] };
  let current: { panel: vscode.WebviewPanel; host: PanelHost } | undefined;

  const attach = (panel: vscode.WebviewPanel): void => {
    panel.webview.options = webviewOptions;
    const host = new PanelHost(panel.webview, source, media, {
      random: (n) => randomBytes(n),
      log,
      strings: translatePanelStrings(vscode.l10n.t),
      lang: vscode.env.language,
    });
    current = { panel, host };
    panel.onDidDispose(() => {
      host.dispose();
      if (current?.panel === panel) current = undefined;
    });
  };

  const open = (): void => {
    if (current) {
      current.panel.reveal(vscode.ViewColumn.Beside);
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      PANEL_VIEW_TYPE,
      vscode.l10n.t('Few-Shot Labeling'),
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false },
      // The webview keeps its own state through setState, so it need not stay alive when hidden.
      { ...webviewOptions, retainContextWhenHidden: false },
    );
    attach(panel);
  };

  return vscode.Disposable.from(
    vscode.commands.registerCommand(OPEN_PANEL_COMMAND, open),
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, { deserializeWebviewPanel: async (panel) => attach(panel) }),
    { dispose: () => current?.panel.dispose() },
  );
}
