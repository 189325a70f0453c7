// The integration suite: drives the real extension through its commands in a real VS Code and
// checks what a user would see (diagnostics, quick fixes) and what lands on disk.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FewShotApi } from '../../src/extension/extension';
import { EXTENSION_ID, fewShot, readRecordsOf, until } from './helpers';

function folder(): string {
  const f = vscode.workspace.workspaceFolders?.[0];
  assert.ok(f, 'the integration suite needs the sample workspace open');
  return f.uri.fsPath;
}
const labelFile = () => path.join(folder(), '.fewshot', 'labels.jsonl');
const readRecords = () => readRecordsOf(labelFile());

export function registerSuite(): void {
  describe('Few-Shot Labeler in the extension host', () => {
    let api: FewShotApi;
    let doc: vscode.TextDocument;
    let editor: vscode.TextEditor;

    before(async () => {
      fs.rmSync(path.join(folder(), '.fewshot'), { recursive: true, force: true });
      const ext = vscode.extensions.getExtension<FewShotApi>(EXTENSION_ID);
      assert.ok(ext, `extension ${EXTENSION_ID} is not installed`);
      api = await ext.activate();
      doc = await vscode.workspace.openTextDocument(path.join(folder(), 'support-tickets.txt'));
      editor = await vscode.window.showTextDocument(doc);
    });

    it('contributes its commands', async () => {
      const all = await vscode.commands.getCommands(true);
      for (const id of [
        'labelLine',
        'removeLabel',
        'acceptPrediction',
        'nextUncertainLine',
        'exportLabels',
        'importLabels',
        'clearLabels',
        'exportDataset',
        'chooseTextColumn',
        'showEngineInfo',
        'openPanel',
        'openSample',
      ]) {
        assert.ok(all.includes(`fewshot.${id}`), `missing command fewshot.${id}`);
      }
    });

    it('labels the selected line through the command and writes the label file', async () => {
      editor.selection = new vscode.Selection(0, 3, 0, 3);
      assert.equal(await vscode.commands.executeCommand('fewshot.labelLine', 'billing'), 1);
      const records = readRecords();
      assert.deepEqual(records, [{ document: 'support-tickets.txt', line: 1, text: doc.lineAt(0).text, label: 'billing' }]);
      // One label alone teaches nothing: no predictions yet.
      await api.whenIdle();
      assert.equal(fewShot(doc.uri).length, 0);
      assert.deepEqual(api.walkthrough(), { twoLabels: false, predicted: false }, 'no walkthrough step done by one label');
    });

    it('classifies every other non-empty line once two labels have examples', async () => {
      await vscode.commands.executeCommand('fewshot.labelLine', 'account', doc.uri, [1]);
      await vscode.commands.executeCommand('fewshot.labelLine', 'bug', doc.uri, [2]);
      await vscode.commands.executeCommand('fewshot.labelLine', 'shipping', doc.uri, [3]);
      await vscode.commands.executeCommand('fewshot.labelLine', 'billing', doc.uri, [4]);
      await vscode.commands.executeCommand('fewshot.labelLine', 'account', doc.uri, [5]);
      await vscode.commands.executeCommand('fewshot.labelLine', 'bug', doc.uri, [6]);
      await vscode.commands.executeCommand('fewshot.labelLine', 'shipping', doc.uri, [7]);
      await api.whenIdle();
      const diagnostics = await until('diagnostics', () => fewShot(doc.uri).length > 0 && fewShot(doc.uri));
      // The walkthrough's "label two kinds" and "see the predictions" steps completed on the real events.
      assert.deepEqual(api.walkthrough(), { twoLabels: true, predicted: true });
      const labeled = new Set([0, 1, 2, 3, 4, 5, 6, 7]);
      const unlabeledNonEmpty = Array.from({ length: doc.lineCount }, (_, i) => i).filter(
        (i) => !labeled.has(i) && doc.lineAt(i).text.trim(),
      );
      assert.deepEqual(
        diagnostics.map((d) => d.range.start.line).sort((a, b) => a - b),
        unlabeledNonEmpty,
      );
      for (const d of diagnostics) {
        assert.match(d.message, /^(billing|account|bug|shipping) \d{1,3}%$/);
        assert.equal(d.code, d.message.split(' ')[0]);
        assert.equal(d.severity, vscode.DiagnosticSeverity.Information);
      }
      // The model should get most of these clear-cut tickets right.
      const expected: Record<number, string> = {
        8: 'billing',
        9: 'account',
        10: 'bug',
        11: 'shipping',
        12: 'billing',
        15: 'shipping',
        16: 'billing',
      };
      const byLine = new Map(diagnostics.map((d) => [d.range.start.line, d.code]));
      const right = Object.entries(expected).filter(([l, label]) => byLine.get(Number(l)) === label).length;
      assert.ok(right >= 5, `only ${right} of 7 clear-cut lines predicted right: ${JSON.stringify([...byLine])}`);
    });

    it('offers quick fixes on a predicted line, and accepting one labels it', async () => {
      const line = 8;
      const d = fewShot(doc.uri).find((x) => x.range.start.line === line);
      assert.ok(d, 'line 9 should have a prediction');
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, d.range);
      const titles = actions.map((a) => a.title);
      assert.ok(titles.includes(`Accept prediction: label as "${d.code}"`), titles.join(' | '));
      assert.ok(titles.includes('Label as...'));
      const accept = actions.find((a) => a.title.startsWith('Accept prediction'))!;
      await vscode.commands.executeCommand(accept.command!.command, ...(accept.command!.arguments ?? []));
      assert.ok(readRecords().some((r) => r.line === line + 1 && r.label === d.code));
      await api.whenIdle();
      assert.ok(!fewShot(doc.uri).some((x) => x.range.start.line === line), 'a labeled line shows no prediction');
    });

    it('Accept Prediction and Next Uncertain Line work from the cursor', async () => {
      await api.whenIdle();
      const jumped = await vscode.commands.executeCommand<number>('fewshot.nextUncertainLine');
      assert.ok(jumped >= 0);
      assert.equal(editor.selection.active.line, jumped);
      const predicted = fewShot(doc.uri).find((x) => x.range.start.line === jumped)?.code;
      assert.ok(typeof predicted === 'string' && predicted !== '', 'the most uncertain line has a prediction to accept');
      assert.equal(await vscode.commands.executeCommand('fewshot.acceptPrediction'), 1);
      assert.ok(readRecords().some((r) => r.line === jumped + 1 && r.label === predicted));
      await vscode.commands.executeCommand('fewshot.removeLabel', doc.uri, [jumped]);
      assert.ok(!readRecords().some((r) => r.line === jumped + 1));
    });

    it('labels follow their text when lines are inserted above', async () => {
      const before = readRecords().find((r) => r.line === 2)!;
      await editor.edit((e) => e.insert(new vscode.Position(0, 0), 'new first line\n\n'));
      await api.flushLabels();
      const moved = readRecords().find((r) => r.text === before.text)!;
      assert.equal(moved.line, 4);
      await api.whenIdle();
      await until('diagnostics for the new line', () => fewShot(doc.uri).some((d) => d.range.start.line === 0));
      await vscode.commands.executeCommand('undo');
      await api.flushLabels();
      assert.equal(readRecords().find((r) => r.text === before.text)!.line, 2);
    });

    it('re-reads the label file when it changes on disk', async () => {
      const records = readRecords();
      const text = doc.lineAt(9).text;
      const added = JSON.stringify({ document: 'support-tickets.txt', line: 10, text, label: 'account' });
      fs.writeFileSync(labelFile(), `${fs.readFileSync(labelFile(), 'utf8') + added}\n`);
      const out = path.join(os.tmpdir(), `fewshot-export-${Date.now()}.jsonl`);
      const exported = () => vscode.commands.executeCommand<number>('fewshot.exportLabels', out, false);
      await until('the external label to load', async () => (await exported()) === records.length + 1, 15_000);
      const rows = fs
        .readFileSync(out, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { text: string; label: string; line: number });
      assert.ok(rows.some((r) => r.text === text && r.label === 'account' && r.line === 10));
      await api.whenIdle();
      await until('the externally labeled line to lose its prediction', () => !fewShot(doc.uri).some((d) => d.range.start.line === 9));
    });

    it('exports labeled and predicted lines as CSV', async () => {
      await api.whenIdle();
      const out = path.join(os.tmpdir(), `fewshot-export-${Date.now()}.csv`);
      const n = await vscode.commands.executeCommand<number>('fewshot.exportLabels', out, true);
      const rows = fs.readFileSync(out, 'utf8').trim().split('\n');
      assert.equal(rows[0], 'document,line,text,label,source,confidence');
      assert.equal(rows.length, n + 1);
      assert.ok(rows.some((r) => r.includes(',prediction,')) && rows.some((r) => r.includes(',label,')));
    });

    it('an export saved in .fewshot/exports is never classified, even when opened', async () => {
      const exports = path.join(folder(), '.fewshot', 'exports');
      fs.mkdirSync(exports, { recursive: true });
      const out = path.join(exports, 'labels-export.txt');
      fs.writeFileSync(out, `${doc.getText()}\n`);
      try {
        const exported = await vscode.workspace.openTextDocument(out);
        await vscode.window.showTextDocument(exported, { preview: true, preserveFocus: true });
        await api.whenIdle();
        // The same lines in the sample document have predictions; their copy in the exports folder gets none.
        assert.ok(fewShot(doc.uri).length > 0);
        assert.equal(fewShot(exported.uri).length, 0);
      } finally {
        const copies = (tab: vscode.Tab) => tab.input instanceof vscode.TabInputText && tab.input.uri.fsPath === out;
        await vscode.window.tabGroups.close(vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter(copies));
        fs.rmSync(exports, { recursive: true, force: true });
        editor = await vscode.window.showTextDocument(doc);
      }
    });

    it('never overwrites a corrupt label file: valid records load, a backup is kept', async () => {
      const good = fs.readFileSync(labelFile(), 'utf8');
      fs.writeFileSync(labelFile(), `${good}{"document": broken\n`);
      const dir = path.dirname(labelFile());
      await until('a backup', () => fs.readdirSync(dir).some((f) => f.endsWith('.bak')), 15_000);
      const result = await vscode.commands.executeCommand('fewshot.labelLine', 'bug', doc.uri, [12]);
      assert.equal(result, undefined, 'labeling is refused while the file is corrupt');
      assert.equal(fs.readFileSync(labelFile(), 'utf8'), `${good}{"document": broken\n`);
      // Fixing the file makes it writable again.
      fs.writeFileSync(labelFile(), good);
      let labeled: unknown;
      for (let i = 0; i < 100 && labeled !== 1; i++) {
        await new Promise((r) => setTimeout(r, 100));
        labeled = await vscode.commands.executeCommand('fewshot.labelLine', 'bug', doc.uri, [12]);
      }
      assert.equal(labeled, 1);
      assert.ok(readRecords().some((r) => r.line === 13 && r.label === 'bug'));
    });

    it('reports the engine info', async () => {
      type Info = {
        backend: string;
        model: string;
        modelHash: string;
        methods: string[];
        defaultMethod: string;
        lastRun?: { method: string; lines: number; adaptMs: number; predictMs: number };
      };
      const info = await vscode.commands.executeCommand<Info>('fewshot.showEngineInfo', { quiet: true });
      assert.ok(['wasm', 'cpu', 'tensorflow', 'webgpu'].includes(info.backend), `backend ${info.backend}`);
      assert.match(info.model, /\S/);
      assert.match(info.modelHash, /^[0-9a-f]{64}$/);
      assert.ok(info.methods.includes(info.defaultMethod), `${info.defaultMethod} in ${info.methods.join(', ')}`);
      const last = info.lastRun;
      assert.ok(last, 'a run has happened');
      assert.ok(info.methods.includes(last.method), `last run's method ${last.method}`);
      assert.ok(last.lines > 0 && last.adaptMs >= 0 && last.predictMs >= 0, JSON.stringify(last));
    });

    it('Clear Labels empties the file and removes the predictions', async () => {
      assert.equal(((await vscode.commands.executeCommand('fewshot.clearLabels', { confirmed: true })) as number) > 0, true);
      assert.deepEqual(readRecords(), []);
      await api.whenIdle();
      await until('diagnostics to clear', () => fewShot(doc.uri).length === 0);
    });

    it('imports an export back: its labels come back, its predictions are not taken as labels', async () => {
      await vscode.commands.executeCommand('fewshot.labelLine', 'billing', doc.uri, [0]);
      await vscode.commands.executeCommand('fewshot.labelLine', 'account', doc.uri, [1]);
      await api.whenIdle();
      await until('predictions', () => fewShot(doc.uri).length > 0);
      const out = path.join(os.tmpdir(), `fewshot-roundtrip-${Date.now()}.jsonl`);
      const exported = await vscode.commands.executeCommand<number>('fewshot.exportLabels', out, true);
      const rows = fs
        .readFileSync(out, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { source: string });
      assert.ok(exported > 2 && rows.filter((r) => r.source === 'prediction').length === exported - 2);
      await vscode.commands.executeCommand('fewshot.clearLabels', { confirmed: true });
      assert.deepEqual(readRecords(), []);
      assert.equal(await vscode.commands.executeCommand<number>('fewshot.importLabels', out), 2);
      fs.rmSync(out, { force: true });
      assert.deepEqual(
        readRecords()
          .map((r) => [r.line, r.label])
          .sort(),
        [
          [1, 'billing'],
          [2, 'account'],
        ],
      );
    });

    it('the walkthrough puts the sample tickets in a folder without overwriting, and opens them', async () => {
      const target = vscode.Uri.file(fs.mkdtempSync(path.join(folder(), 'sample-')));
      try {
        const first = await vscode.commands.executeCommand<vscode.Uri>('fewshot.openSample', target);
        const second = await vscode.commands.executeCommand<vscode.Uri>('fewshot.openSample', target);
        assert.deepEqual(
          [path.basename(first.fsPath), path.basename(second.fsPath)],
          ['fewshot-sample-tickets.txt', 'fewshot-sample-tickets-2.txt'],
        );
        const sample = fs.readFileSync(
          path.join(vscode.extensions.getExtension(EXTENSION_ID)?.extensionPath ?? '', 'samples/demo/tickets.txt'),
          'utf8',
        );
        assert.equal(fs.readFileSync(first.fsPath, 'utf8'), sample);
        assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, second.fsPath, 'the copy is opened');
      } finally {
        const copies = (tab: vscode.Tab) => tab.input instanceof vscode.TabInputText && tab.input.uri.fsPath.startsWith(target.fsPath);
        await vscode.window.tabGroups.close(vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter(copies));
        fs.rmSync(target.fsPath, { recursive: true, force: true });
        editor = await vscode.window.showTextDocument(doc);
      }
    });
  });
}
