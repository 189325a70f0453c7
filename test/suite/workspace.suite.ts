// Classify Workspace in the real extension host, on a copy of test/fixtures/workspace: files that
// are never opened get predictions (Problems panel, export, Next Uncertain Line), the progress
// reports files and lines/s, binary / huge / excluded / git-ignored files are left out, a label
// change re-runs it, a long run can be cancelled, and one run covers every task.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { WorkspaceSummary } from '../../src/extension/workspaceRun';
import { capNotices, EXTENSION_ID, fewShot, until } from './helpers';

function folder(): string {
  const f = vscode.workspace.workspaceFolders?.[0];
  assert.ok(f, 'the workspace suite needs the fixture folder open');
  return f.uri.fsPath;
}
const fileUri = (relative: string) => vscode.Uri.file(path.join(folder(), relative));
const isOpen = (uri: vscode.Uri) => vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString());
const classify = (onProgress?: (message: string) => void) =>
  vscode.commands.executeCommand<WorkspaceSummary>('fewshot.classifyWorkspace', { onProgress }) as Thenable<WorkspaceSummary>;
const label = /^(billing|account|shipping|praise) \d{1,3}%$/;

export function registerWorkspaceSuite(): void {
  describe('Classify Workspace in the extension host', () => {
    before(async () => {
      const ext = vscode.extensions.getExtension(EXTENSION_ID);
      assert.ok(ext, `extension ${EXTENSION_ID} is not installed`);
      await ext.activate();
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });

    it('classifies the closed files with progress, leaving out binary, huge, excluded, ignored and other-language files', async () => {
      const messages: string[] = [];
      const summary = await classify((m) => messages.push(m));
      assert.equal(summary.cancelled, false);
      assert.equal(summary.files, 3, 'tickets.txt, server.log and notes.md');
      assert.equal(summary.lines, 7 + 11 + 4);
      assert.deepEqual(summary.skipped.map((s) => [path.relative(folder(), s.path), s.reason]).sort(), [
        [path.join('data', 'image.txt'), 'binary'],
        ['huge.txt', 'too-large'],
      ]);
      assert.ok(
        messages.some((m) => /^3 of 3 files/.test(m)),
        `progress shows the files done: ${messages.join(' | ')}`,
      );
      for (const f of ['tickets.txt', 'server.log', 'notes.md']) assert.equal(isOpen(fileUri(f)), false, `${f} stays closed`);
    });

    it('fills the Problems panel for the closed files, capped per file, labeled lines left out', async () => {
      const log = await until(
        'diagnostics of server.log',
        () => fewShot(fileUri('server.log')).length > 0 && fewShot(fileUri('server.log')),
      );
      assert.equal(log.length, 5, 'fewshot.diagnostics.maxPerFile is 5 in the fixture settings');
      for (const d of log) assert.match(d.message, label);
      // What the cap hides is said on the first line, the least certain kept by default.
      const notes = capNotices(fileUri('server.log'));
      assert.equal(notes.length, 1);
      assert.match(
        notes[0]!.message,
        /^Few-Shot: 5 of \d+ predictions shown \(the least certain; fewshot\.diagnostics\.maxPerFile\) — open the panel for all$/,
      );
      assert.equal(notes[0]!.range.start.line, 0);
      assert.deepEqual(capNotices(fileUri('notes.md')), [], 'nothing hidden, no note');
      const tickets = fewShot(fileUri('tickets.txt'));
      assert.deepEqual(
        tickets.map((d) => d.range.start.line),
        [7],
        'the one unlabeled line of tickets.txt',
      );
      assert.equal(fewShot(fileUri('notes.md')).length, 4);
      assert.equal(fewShot(fileUri('excluded/skip.txt')).length, 0);
      assert.equal(fewShot(fileUri('ignored/skip.txt')).length, 0);
      // The range starts at the first non-blank character, as for open documents.
      const first = fewShot(fileUri('notes.md')).find((d) => d.range.start.line === 2)!;
      assert.equal(first.range.start.character, 0);
      assert.equal(first.range.end.character, '- Customers ask why the card was charged again after cancelling'.length);
    });

    it('exports the closed files with their predictions', async () => {
      const out = path.join(os.tmpdir(), `fewshot-workspace-export-${Date.now()}.jsonl`);
      const rows = await vscode.commands.executeCommand<number>('fewshot.exportLabels', out, true);
      const records = fs
        .readFileSync(out, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { document: string; line: number; text: string; label: string; source: string });
      assert.equal(records.length, rows);
      const log = records.filter((r) => r.document === 'server.log');
      assert.equal(log.length, 11, 'every non-empty line of server.log, not only the capped diagnostics');
      assert.ok(log.every((r) => r.source === 'prediction' && label.test(`${r.label} 0%`)));
      assert.equal(log[0]!.text, 'Customer says the invoice shows a charge they do not recognise');
      assert.equal(records.filter((r) => r.source === 'label').length, 6);
      fs.rmSync(out);
    });

    it('Next Uncertain Line opens the closed file that holds the least certain line', async () => {
      const next = await vscode.commands.executeCommand<{ uri: string; line: number }>('fewshot.nextUncertainLine');
      assert.ok(next && typeof next === 'object', 'a line was found');
      const editor = vscode.window.activeTextEditor;
      assert.ok(editor, 'a file was opened');
      assert.equal(editor.document.uri.toString(), next.uri);
      assert.equal(editor.selection.active.line, next.line);
      assert.ok(editor.document.lineAt(next.line).text.trim() !== '');
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });

    it('re-runs when labels change: a new label reaches the closed files', async () => {
      const praise = 'Thank you, the new dashboard is wonderful';
      fs.appendFileSync(path.join(folder(), 'server.log'), `${praise}\n`);
      fs.appendFileSync(path.join(folder(), 'notes.md'), `\n${praise}\nThanks a lot, great work from the whole team\n`);
      const notes = await vscode.workspace.openTextDocument(fileUri('notes.md'));
      await vscode.commands.executeCommand('fewshot.labelLine', 'praise', notes.uri, [notes.lineCount - 3]);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      // server.log shows 5 predictions (the fixture's cap), by default the least certain: the
      // praise line is among the surest, so show those.
      const config = vscode.workspace.getConfiguration('fewshot');
      await config.update('diagnostics.priority', 'confidence', vscode.ConfigurationTarget.Workspace);
      try {
        // No command: the label change alone classifies the workspace again.
        const last = await until(
          'the new label on server.log',
          () => fewShot(fileUri('server.log')).find((d) => d.range.start.line === 12),
          60_000,
        );
        assert.equal(last.code, 'praise');
      } finally {
        await config.update('diagnostics.priority', undefined, vscode.ConfigurationTarget.Workspace);
      }
    });

    it('can be cancelled: it stops between files, and the files done keep their predictions', async () => {
      await vscode.workspace.getConfiguration('fewshot').update('workspace.maxFileSizeMB', 50, vscode.ConfigurationTarget.Workspace);
      const dir = path.join(folder(), 'generated');
      fs.mkdirSync(dir, { recursive: true });
      // Large enough that the run still goes a second after the first progress on a fast, idle
      // machine (40 files of 4,000 lines finished before the cancel there).
      const lines = Array.from(
        { length: 20_000 },
        (_, i) => `Ticket ${i}: the ${['invoice', 'password', 'parcel', 'refund'][i % 4]} issue number ${i * 7} is still open`,
      );
      for (let f = 0; f < 40; f++) fs.writeFileSync(path.join(dir, `file-${String(f).padStart(2, '0')}.txt`), lines.join('\n'));
      const messages: string[] = [];
      const running = classify((m) => messages.push(m));
      // Once it has run a second, the progress shows lines/s and the time left.
      await until(
        'progress with lines/s',
        () => messages.some((m) => /^[1-9]\d* of 4\d files · [\d,]+ lines\/s · about \d+ (s|min) left$/.test(m)),
        60_000,
      );
      assert.equal(await vscode.commands.executeCommand('fewshot.cancelClassifyWorkspace'), true);
      const summary = await running;
      assert.equal(summary.cancelled, true);
      const done = Math.max(...messages.map((m) => Number(/^(\d+) of 4\d files/.exec(m)?.[1] ?? 0)));
      assert.ok(done < 43, `stopped before the end (${done} files done)`);
      const after = messages.length;
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal(messages.length, after, 'no progress after the cancel');
      assert.ok(fewShot(vscode.Uri.file(path.join(dir, 'file-00.txt'))).length > 0, 'the first file keeps its predictions');
      assert.equal(await vscode.commands.executeCommand('fewshot.cancelClassifyWorkspace'), false, 'nothing left to cancel');
    });
  });
}

/**
 * One run covers every task. Registered after the suites of the `workspace` run that read the
 * fixture folder's labels: it adds a task to the folder, which they do not expect.
 */
export function registerWorkspaceTasksSuite(): void {
  describe('Classify Workspace with several tasks', () => {
    before(async () => {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });

    it("covers every task in one run: a second task's predictions reach the closed files, and each task shows its own", async () => {
      const config = vscode.workspace.getConfiguration('fewshot');
      // The cancel test's large files are not this test's subject: a run of the fixture is quick.
      fs.rmSync(path.join(folder(), 'generated'), { recursive: true, force: true });
      await config.update('workspace.maxFileSizeMB', undefined, vscode.ConfigurationTarget.Workspace);
      assert.equal(await vscode.commands.executeCommand('fewshot.createTask', 'urgency', 'single-label'), 'urgency');
      const tickets = await vscode.workspace.openTextDocument(fileUri('tickets.txt'));
      await vscode.commands.executeCommand('fewshot.labelLine', 'high', tickets.uri, [0, 5]);
      await vscode.commands.executeCommand('fewshot.labelLine', 'low', tickets.uri, [2, 7]);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      // The label changes re-run Classify Workspace by themselves (after a pause), and a new run
      // cancels the one going: classify until one run went through.
      let summary = await classify();
      for (let i = 0; i < 3 && summary.cancelled; i++) summary = await classify();
      assert.equal(summary.cancelled, false);
      const codes = () => new Set(fewShot(fileUri('server.log')).map((d) => String(d.code)));
      const only = (labels: readonly string[]) => () => {
        const shown = codes();
        return shown.size > 0 && [...shown].every((l) => labels.includes(l)) && shown;
      };
      await until("the urgency task's predictions on server.log", only(['high', 'low']));
      await vscode.commands.executeCommand('fewshot.switchTask', 'default');
      await until("the default task's predictions on server.log", only(['billing', 'account', 'shipping', 'praise']));
      await config.update('diagnostics.allTasks', true, vscode.ConfigurationTarget.Workspace);
      try {
        await until('every task on a closed line', () =>
          fewShot(fileUri('server.log')).some((d) => /^default: \w+ \d+% · urgency: (high|low) \d+%$/.test(d.message)),
        );
      } finally {
        await config.update('diagnostics.allTasks', undefined, vscode.ConfigurationTarget.Workspace);
      }
    });
  });
}
