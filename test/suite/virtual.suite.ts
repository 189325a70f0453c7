// The virtual-workspace suite (issue 8 item 13): runs in a code-server whose only folder is
// fewshot-virtual:/workspace, served from memory by the test-only extension in
// test/fixtures/virtual-fs (a second extensionDevelopmentPath). Few-Shot is installed from its
// packaged VSIX, as a user gets it (an extension under development is never disabled), and
// declares `capabilities.virtualWorkspaces.supported: false`: VS Code must leave it disabled
// there, although the folder holds a label file, and nothing may be written, virtual or local.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID } from './helpers';

const FIXTURE_ID = 'fewshot-test.virtual-fs';

interface VirtualFsApi {
  scheme: string;
  /** The local folder the in-memory copy was read from (a temp copy of samples/workspace). */
  seed: string;
  /** Every write, create, delete or rename asked of the provider. */
  writes: string[];
}

export function registerVirtualSuite(): void {
  describe('Few-Shot Labeler in a virtual workspace', () => {
    let virtualFs: VirtualFsApi;
    let folder: vscode.Uri;
    const tickets = () => vscode.Uri.joinPath(folder, 'support-tickets.txt');

    before(async () => {
      const fixture = vscode.extensions.getExtension<VirtualFsApi>(FIXTURE_ID);
      assert.ok(fixture, `the test extension ${FIXTURE_ID} is not loaded`);
      virtualFs = await fixture.activate();
      folder = vscode.workspace.workspaceFolders![0]!.uri;
    });

    it('opened a virtual folder whose files are readable through the provider', async () => {
      assert.equal(vscode.workspace.workspaceFolders?.length, 1);
      assert.equal(folder.scheme, virtualFs.scheme);
      const doc = await vscode.workspace.openTextDocument(tickets());
      await vscode.window.showTextDocument(doc);
      assert.match(doc.lineAt(0).text, /charged twice/);
      const labels = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder, '.fewshot', 'labels.jsonl'));
      assert.match(Buffer.from(labels).toString('utf8'), /"label":"billing"/);
    });

    it('has Few-Shot installed (from its VSIX, declaring virtual workspaces unsupported)', () => {
      const dir = process.env.FEWSHOT_TEST_EXTENSIONS_DIR;
      assert.ok(dir, 'FEWSHOT_TEST_EXTENSIONS_DIR is not set');
      const installed = fs.readdirSync(dir).filter((d) => d.toLowerCase().startsWith(`${EXTENSION_ID}-`));
      assert.equal(installed.length, 1, `installed: ${fs.readdirSync(dir).join(', ')}`);
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, installed[0]!, 'package.json'), 'utf8'));
      assert.equal(manifest.capabilities.virtualWorkspaces.supported, false);
    });

    it('is not activated: VS Code leaves it out of the extension host', async () => {
      // Give activation (workspaceContains:**/.fewshot/labels.jsonl, onLanguage of the open document) its chance.
      await new Promise((r) => setTimeout(r, 3000));
      const ext = vscode.extensions.getExtension(EXTENSION_ID);
      assert.equal(ext?.isActive ?? false, false);
      assert.equal(ext, undefined, 'a disabled extension is not in the extension host at all');
    });

    it('contributes no command, and running one fails', async () => {
      const all = await vscode.commands.getCommands(true);
      assert.deepEqual(
        all.filter((c) => c.startsWith('fewshot.')),
        [],
      );
      await assert.rejects(
        Promise.resolve(vscode.commands.executeCommand('fewshot.labelLine', 'billing', tickets(), [1])),
        /fewshot\.labelLine.*not found|not found.*fewshot\.labelLine/i,
      );
      await assert.rejects(Promise.resolve(vscode.commands.executeCommand('fewshot.classifyWorkspace')), /not found/i);
      assert.equal(vscode.extensions.getExtension(EXTENSION_ID), undefined, 'running a command did not activate it either');
    });

    it('writes nothing: not through the provider, not on the local disk', () => {
      assert.deepEqual(virtualFs.writes, []);
      // Where a made-up local path of the virtual folder would put labels (`/workspace/.fewshot`).
      assert.equal(fs.existsSync(path.join(folder.fsPath, '.fewshot')), false);
      assert.equal(fs.existsSync(path.join(virtualFs.seed, '.fewshot')), false);
    });
  });
}
