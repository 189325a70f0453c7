// Activation only wires the parts together; each feature lives in its own module.
import type * as vscode from 'vscode';
import { activateCodeActions } from './codeActions';
import { registerCommands } from './commands';
import { FewShotContext } from './context';
import { activateDecorations } from './decorations';
import { activateDiagnostics } from './diagnostics';
import type { PanelDataSource } from './panel';
import { activatePanel } from './panel/panelSource';
import { activateStatusBar } from './statusBar';
import { activateTaskStatus } from './taskCommands';
import { activateTextFieldStatus } from './textFieldStatus';
import { activateWalkthrough, type WalkthroughState } from './walkthrough';

/** What activate returns: used by the integration tests and the benchmark. */
export interface FewShotApi {
  /** Resolves when no engine run is scheduled or running. */
  whenIdle(): Promise<void>;
  /** Writes pending label changes now. */
  flushLabels(): Promise<void>;
  /** What the labeling panel asks of the extension (its quality estimate, its lines and a multi-label line's set, for the tests). */
  panel: Pick<PanelDataSource, 'estimateQuality' | 'getLines' | 'getStats' | 'setLabels'>;
  /** The walkthrough steps completed by context keys so far. */
  walkthrough(): WalkthroughState;
  /** The status bar item's text (the tests read its refining / refined states). */
  statusText(): string;
  /** Whether the document's current predictions are refined ones; undefined when it has none. */
  refined(uri: vscode.Uri): boolean | undefined;
}

let context: FewShotContext | undefined;

export async function activate(extension: vscode.ExtensionContext): Promise<FewShotApi> {
  const ctx = await FewShotContext.create(extension);
  context = ctx;
  extension.subscriptions.push(ctx);
  registerCommands(ctx);
  activateDiagnostics(ctx);
  activateDecorations(ctx);
  activateCodeActions(ctx);
  const status = activateStatusBar(ctx);
  activateTaskStatus(ctx);
  activateTextFieldStatus(ctx);
  const panel = activatePanel(ctx);
  const walkthrough = activateWalkthrough(ctx);
  ctx.log('Few-Shot Labeler activated');
  return {
    whenIdle: () => ctx.scheduler.whenIdle(),
    flushLabels: () => ctx.labels.flush(),
    panel,
    walkthrough,
    statusText: () => status.text,
    refined: (uri) => ctx.scheduler.isRefined(uri),
  };
}

export function deactivate(): Promise<void> | undefined {
  return context?.labels.flush();
}
