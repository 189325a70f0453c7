// Tasks (label sets) in the real extension host: two tasks on one document, labeled in both through
// the commands; switching the active task shows that task's predictions, and the label file keeps
// the default task's records without a task field.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FewShotApi } from '../../src/extension/extension';
import { EXTENSION_ID, fewShot, readRecordsOf, until } from './helpers';

const INTENTS = ['billing', 'account', 'bug', 'shipping'];
const URGENCY = ['high', 'low'];

export function registerTasksSuite(): void {
  describe('Few-Shot tasks in the extension host', () => {
    let api: FewShotApi;
    let doc: vscode.TextDocument;
    let root: string;

    /** The predictions shown now, as a set of labels (each diagnostic's code is its label). */
    const shownLabels = () => new Set(fewShot(doc.uri).map((d) => String(d.code)));
    const only = (labels: readonly string[]) => () => {
      const shown = shownLabels();
      return shown.size > 0 && [...shown].every((l) => labels.includes(l)) && shown;
    };

    before(async () => {
      const folder = vscode.workspace.workspaceFolders?.[0];
      assert.ok(folder, 'the tasks suite needs the sample workspace open');
      root = folder.uri.fsPath;
      const ext = vscode.extensions.getExtension<FewShotApi>(EXTENSION_ID);
      assert.ok(ext);
      api = await ext.activate();
      doc = await vscode.workspace.openTextDocument(path.join(root, 'support-tickets.txt'));
      await vscode.window.showTextDocument(doc);
    });

    it('two tasks on one document: label in both, switch, and see each task its own predictions', async () => {
      const defaultTask = await vscode.commands.executeCommand<string>('fewshot.switchTask', 'default');
      assert.equal(defaultTask, 'default');
      // The suites before this one left labels of other names in the folder (its default task's
      // support is the whole folder's): start from none, so the predictions are this test's labels.
      await vscode.commands.executeCommand('fewshot.clearLabels', { confirmed: true });
      await api.whenIdle();
      for (let line = 0; line < 8; line++)
        await vscode.commands.executeCommand('fewshot.labelLine', INTENTS[line % INTENTS.length], doc.uri, [line]);
      await api.whenIdle();
      await until('the default task predictions', only(INTENTS));

      assert.equal(await vscode.commands.executeCommand('fewshot.createTask', 'urgency', 'multi-label'), 'urgency');
      // The new task is active and has no labels yet: no predictions of the default task stay shown.
      await until('no predictions for a task without labels', () => fewShot(doc.uri).length === 0);
      for (let line = 0; line < 8; line++)
        await vscode.commands.executeCommand('fewshot.labelLine', URGENCY[line % URGENCY.length], doc.uri, [line]);
      await api.whenIdle();
      await until('the urgency task predictions', only(URGENCY));

      // Switching back shows the default task's predictions (kept per task), then refreshed.
      await vscode.commands.executeCommand('fewshot.switchTask', 'default');
      await until('the default task predictions again', only(INTENTS), 2000);
      await api.whenIdle();
      assert.ok(only(INTENTS)());
      await vscode.commands.executeCommand('fewshot.switchTask', 'urgency');
      await until('the urgency predictions again', only(URGENCY), 2000);

      await api.flushLabels();
      const records = readRecordsOf(path.join(root, '.fewshot', 'labels.jsonl')) as Array<{ line: number; label: string; task?: string }>;
      const line1 = records.filter((r) => r.line === 1);
      assert.deepEqual(line1.map((r) => `${r.task ?? '-'}:${r.label}`).sort(), ['-:billing', 'urgency:high']);
      await vscode.commands.executeCommand('fewshot.switchTask', 'default');
    });
  });
}
