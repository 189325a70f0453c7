// Background refinement in the real extension host (fewshot.refine, on by default): a document
// shows the instant predictions first, then the refined ones; the status bar says which.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FewShotApi } from '../../src/extension/extension';
import { EXTENSION_ID, fewShot, until } from './helpers';

const LINES = [
  'I was billed twice for the same order',
  'my login stopped working after I changed the password',
  'the page freezes when I press save',
  'my parcel is three days late',
  'please return the money for the double charge',
  'I am locked out of my profile',
  'the app closes by itself on start',
  'the delivery went to my neighbour',
  'an unexpected fee appeared on my bill',
  'the upload fails with an error',
];

export function registerRefineSuite(): void {
  describe('refinement (sentence block) in the extension host', () => {
    let api: FewShotApi;
    let file: string;

    before(async () => {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
      assert.ok(folder, 'the refine suite needs the sample workspace open');
      file = path.join(folder, 'refine-lines.txt');
      fs.writeFileSync(file, `${LINES.join('\n')}\n`);
      const ext = vscode.extensions.getExtension<FewShotApi>(EXTENSION_ID);
      assert.ok(ext);
      api = await ext.activate();
    });
    after(() => fs.rmSync(file, { force: true }));

    it('shows instant predictions, then refined ones, and the status bar says both', async function () {
      // The sentence encoder loads on the first refinement and embeds on a shared machine's cores.
      this.timeout(240_000);
      const doc = await vscode.workspace.openTextDocument(file);
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('fewshot.labelLine', 'billing', doc.uri, [0]);
      await vscode.commands.executeCommand('fewshot.labelLine', 'account', doc.uri, [1]);
      await vscode.commands.executeCommand('fewshot.labelLine', 'bug', doc.uri, [2]);
      await vscode.commands.executeCommand('fewshot.labelLine', 'shipping', doc.uri, [3]);
      await api.whenIdle();
      // The instant answer: predictions from the fast features, not refined (the encoder is still loading).
      await until('instant predictions', () => fewShot(doc.uri).length > 0 && api.refined(doc.uri) !== undefined);
      const states: string[] = [];
      const seen = (refined: boolean | undefined) => {
        const text = api.statusText();
        if (states.at(-1) !== text) states.push(text);
        return refined;
      };
      assert.equal(seen(api.refined(doc.uri)), false, 'the first predictions are the instant ones');
      assert.ok(!api.statusText().includes('$(check-all)'), `not marked refined yet: ${api.statusText()}`);
      await until('refined predictions', () => seen(api.refined(doc.uri)) === true, 200_000);
      assert.ok(fewShot(doc.uri).length > 0, 'the refined predictions are shown as diagnostics');
      await until('the refined mark in the status bar', () => {
        seen(undefined);
        return api.statusText().includes('$(check-all)');
      });
      // An edit: instant predictions again for the new version, then refined again.
      const edit = new vscode.WorkspaceEdit();
      edit.insert(doc.uri, new vscode.Position(doc.lineCount, 0), 'where is my refund\n');
      await vscode.workspace.applyEdit(edit);
      await until('refined again after the edit', () => api.refined(doc.uri) === true, 200_000);
      assert.ok(
        states.some((s) => !s.includes('$(check-all)')) && states.some((s) => s.includes('$(check-all)')),
        `status bar states seen: ${states.join(' | ')}`,
      );
    });
  });
}
