// The untrusted-workspace suite (issue 8 item 13): runs in a code-server with workspace trust on
// and the sample folder not trusted. The folder's settings point the label file elsewhere; in
// restricted mode the extension still labels and predicts, but only ever writes .fewshot/.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FewShotApi } from '../../src/extension/extension';
import { EXTENSION_ID, fewShot, readRecordsOf, until } from './helpers';

/** Where the folder's own settings (.vscode/settings.json, written by the runner) put the label file. */
export const UNTRUSTED_LABELS_SETTING = 'custom/labels.jsonl';

export function registerUntrustedSuite(): void {
  describe('Few-Shot Labeler in an untrusted workspace', () => {
    const folder = () => vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    let api: FewShotApi;
    let doc: vscode.TextDocument;

    before(async () => {
      const ext = vscode.extensions.getExtension<FewShotApi>(EXTENSION_ID);
      assert.ok(ext, `extension ${EXTENSION_ID} is not installed`);
      api = await ext.activate();
      doc = await vscode.workspace.openTextDocument(path.join(folder(), 'support-tickets.txt'));
      await vscode.window.showTextDocument(doc);
    });

    it('runs in restricted mode with the folder setting present', () => {
      assert.equal(vscode.workspace.isTrusted, false);
      const settings = fs.readFileSync(path.join(folder(), '.vscode', 'settings.json'), 'utf8');
      assert.match(settings, /custom\/labels\.jsonl/);
    });

    it('labels into .fewshot/labels.jsonl and ignores the folder setting that moves the file', async () => {
      assert.equal(await vscode.commands.executeCommand('fewshot.labelLine', 'billing', doc.uri, [0]), 1);
      assert.equal(await vscode.commands.executeCommand('fewshot.labelLine', 'account', doc.uri, [1]), 1);
      await api.flushLabels();
      const records = readRecordsOf(path.join(folder(), '.fewshot', 'labels.jsonl'));
      assert.deepEqual(
        records.map((r) => r.label),
        ['billing', 'account'],
      );
      assert.equal(fs.existsSync(path.join(folder(), UNTRUSTED_LABELS_SETTING)), false);
    });

    it('shows predictions (read-only: nothing else is written)', async () => {
      await api.whenIdle();
      await until('predictions', () => fewShot(doc.uri).length > 0, 60_000);
      const written = fs.readdirSync(folder(), { recursive: true }).map(String);
      const outsideFewshot = written.filter((f) => !f.startsWith('.fewshot') && !f.startsWith('.vscode') && !f.includes('support-tickets'));
      const original = fs.readdirSync(folder()).map(String);
      assert.ok(
        outsideFewshot.every((f) => original.includes(f.split(path.sep)[0]!)),
        outsideFewshot.join(', '),
      );
      assert.equal(fs.existsSync(path.join(folder(), 'custom')), false);
    });
  });
}
