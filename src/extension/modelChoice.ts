// Which model the engine loads in this workspace: the shipped one, or the one Improve the Model
// adopted (kept in the extension's storage for the workspace). Apart from improveModel.ts so that
// the context can ask at start without importing the commands.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as vscode from 'vscode';

/** Workspace state: 'improved' once a model was adopted, 'shipped' after Use the Shipped Model. */
export const MODEL_CHOICE = 'fewshot.model';
const IMPROVED_DIR = 'improved-model';
/** A model folder's checkpoint manifest (engine/model.ts's CHECKPOINT_DIR; that module, with the encoder, stays out of the host's bundle). */
const MANIFEST = path.join('checkpoint', 'manifest.json');

/** The improved model's folder in this workspace's storage (none without a workspace). */
export function improvedDir(extension: vscode.ExtensionContext): string | undefined {
  return extension.storageUri ? path.join(extension.storageUri.fsPath, IMPROVED_DIR) : undefined;
}

/** The model folder the engine loads: the adopted one while the user has not gone back to the shipped one. */
export function activeModelDir(extension: vscode.ExtensionContext): string {
  const dir = improvedDir(extension);
  const chosen = extension.workspaceState.get<string>(MODEL_CHOICE) === 'improved';
  return dir && chosen && fs.existsSync(path.join(dir, MANIFEST)) ? dir : extension.asAbsolutePath('models');
}
