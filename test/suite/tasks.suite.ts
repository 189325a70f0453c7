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

    /** The predictions shown now, as a set of labels (each diagnostic's code is its label; a multi-label task's, its set's labels joined by ' · '). */
    const shownLabels = () => new Set(fewShot(doc.uri).flatMap((d) => String(d.code).split(' · ')));
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

    it('a multi-label task: lines labeled with sets, set diagnostics, a line toggled in the panel, a predicted set accepted', async () => {
      const TOPICS = ['billing', 'bug'];
      assert.equal(await vscode.commands.executeCommand('fewshot.createTask', 'topics', 'multi-label'), 'topics');
      await until('no predictions for a task without labels', () => fewShot(doc.uri).length === 0);
      // Sets of one, an empty set (none), and a line with both labels: one through setLabels, one label by label.
      const sets: Array<[number, string[]]> = [
        [0, ['billing']],
        [4, ['billing']],
        [8, ['billing']],
        [2, ['bug']],
        [10, ['bug']],
        [14, ['bug']],
        [3, []],
        [7, []],
        [20, ['billing', 'bug']],
      ];
      for (const [line, labels] of sets) await vscode.commands.executeCommand('fewshot.setLabels', labels, doc.uri, [line]);
      await vscode.commands.executeCommand('fewshot.labelLine', 'billing', doc.uri, [24]);
      await vscode.commands.executeCommand('fewshot.labelLine', 'bug', doc.uri, [24]);
      await api.whenIdle();

      // One diagnostic per line, listing the predicted set with each confidence.
      const shown = await until('the topics set predictions', () => {
        const ds = fewShot(doc.uri);
        return ds.length > 0 && ds.every((d) => /^(billing|bug) \d+%( · (billing|bug) \d+%)?$/.test(d.message)) && ds;
      });
      for (const d of shown) for (const l of String(d.code).split(' · ')) assert.ok(TOPICS.includes(l), `code ${String(d.code)}`);

      // The panel's data source: the rows carry the sets, and a toggle there sets the line's set.
      assert.equal(api.panel.getStats().multiLabel, true);
      const row = (line: number) => api.panel.getLines([doc.uri.toString()]).find((l) => l.line === line);
      assert.deepEqual(row(24)?.labels, ['billing', 'bug']);
      assert.deepEqual(row(3)?.labels, []);
      await api.panel.setLabels({ uri: doc.uri.toString(), line: 24 }, ['bug']);
      assert.deepEqual(row(24)?.labels, ['bug']);
      await api.panel.setLabels({ uri: doc.uri.toString(), line: 24 }, ['billing', 'bug']);

      // A quick fix accepts a line's predicted set (as predicted after the toggles' run).
      await api.whenIdle();
      const target = await until('a set prediction after the toggles', () => fewShot(doc.uri)[0]);
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, target.range);
      const titles = actions.map((a) => a.title);
      assert.ok(
        titles.some((t) => t.startsWith('Accept prediction: labels')),
        titles.join(' | '),
      );
      assert.ok(titles.includes('Add label "billing"') && titles.includes('Add label "bug"'), titles.join(' | '));
      const accept = actions.find((a) => a.title.startsWith('Accept prediction: labels'))!;
      await vscode.commands.executeCommand(accept.command!.command, ...(accept.command!.arguments ?? []));
      assert.deepEqual(row(target.range.start.line)?.labels, String(target.code).split(' · ').sort());

      await api.flushLabels();
      const records = readRecordsOf(path.join(root, '.fewshot', 'labels.jsonl')) as Array<{
        line: number;
        label: string;
        labels?: string[];
        task?: string;
      }>;
      const topics = (line: number) => records.filter((r) => r.task === 'topics' && r.line === line + 1);
      assert.deepEqual(topics(24), [{ ...topics(24)[0]!, label: 'billing', labels: ['billing', 'bug'] }]);
      assert.deepEqual(
        topics(3).map((r) => [r.label, r.labels]),
        [['none', undefined]],
      );
      assert.deepEqual(
        topics(0).map((r) => [r.label, r.labels]),
        [['billing', undefined]],
      );
      await vscode.commands.executeCommand('fewshot.switchTask', 'default');
    });
  });
}
