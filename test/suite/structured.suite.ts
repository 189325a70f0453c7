// Structured documents and the built-in `none` label in the real extension host: a CSV with a
// header and a quoted field spanning lines is classified by record, and exported as a dataset.
// Runs after the main suite in the single-folder workspace (its labels stay in the folder's file).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import * as vscode from 'vscode';
import type { FewShotApi } from '../../src/extension/extension';
import { EXTENSION_ID, fewShot, readRecordsOf, until } from './helpers';
import { SUPPORT_QUERIES } from '../supportQueries';

// Line numbers (0-based) of each record's first line are in the comments.
const CSV = [
  'id,created,text,priority', // 0 header
  '1,2024-01-02,"I was charged twice for my invoice, please refund",high', // 1
  '2,2024-01-02,"My card payment failed and the invoice is still unpaid.', // 2 (spans 2-4)
  'The billing page says ""declined"" again,', // 3
  'can you check the charge?",high', // 4
  '3,2024-01-03,I cannot log in to my account after the password reset,low', // 5
  '4,2024-01-03,Please reset my password and unlock my account,low', // 6
  '5,2024-01-04,Hello team hope you are all well this week,low', // 7
  '6,2024-01-04,Hello team hope you are all well today,low', // 8
  '7,2024-01-05,The refund for my double charge has not arrived,high', // 9
  '8,2024-01-05,My account login keeps failing with the new password,low', // 10
  '9,2024-01-06,Hello team hope you are all doing well,low', // 11
  '',
].join('\n');
const FIRST_LINES = [1, 2, 5, 6, 7, 8, 9, 10, 11];
/** The text column of the multi-line record (lines 2-4) as the CSV holds it. */
const records3 = () =>
  'My card payment failed and the invoice is still unpaid.\nThe billing page says "declined" again,\ncan you check the charge?';

export function registerStructuredSuite(): void {
  describe('Few-Shot Labeler: structured documents and none', () => {
    let api: FewShotApi;
    let doc: vscode.TextDocument;
    let editor: vscode.TextEditor;
    let folder: string;
    const labelFile = () => path.join(folder, '.fewshot', 'labels.jsonl');
    const mine = () => readRecordsOf(labelFile()).filter((r) => r.document === 'tickets.csv');
    /** Labels a line through the command, retrying while the CSV is still being read. */
    const label = (name: string | undefined, lines: number[]) =>
      until(
        `label ${name} on ${lines}`,
        async () => (await vscode.commands.executeCommand<number>('fewshot.labelLine', name, doc.uri, lines)) === 1,
      );

    before(async () => {
      folder = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
      api = (await vscode.extensions.getExtension<FewShotApi>(EXTENSION_ID)!.activate()) as FewShotApi;
      fs.writeFileSync(path.join(folder, 'tickets.csv'), CSV);
      doc = await vscode.workspace.openTextDocument(path.join(folder, 'tickets.csv'));
      editor = await vscode.window.showTextDocument(doc);
    });

    after(async () => {
      await vscode.workspace.getConfiguration('fewshot').update('diagnostics.showNone', undefined, vscode.ConfigurationTarget.Workspace);
    });

    it('labels records through the palette: a label sits on the record and keeps its text column', async () => {
      // The cursor on the third line of the multi-line record labels the record.
      editor.selection = new vscode.Selection(4, 2, 4, 2);
      await until('the CSV to be read', async () => (await vscode.commands.executeCommand<number>('fewshot.labelLine', 'billing')) === 1);
      await label('billing', [1]);
      await label('account', [5]);
      await label('account', [6]);
      await api.flushLabels();
      const records = mine().sort((a, b) => a.line - b.line);
      assert.deepEqual(
        records.map((r) => [r.line, r.label]),
        [
          [2, 'billing'],
          [3, 'billing'],
          [6, 'account'],
          [7, 'account'],
        ],
      );
      assert.equal(
        records[1]!.text,
        'My card payment failed and the invoice is still unpaid.\nThe billing page says "declined" again,\ncan you check the charge?',
      );
      assert.equal(records[0]!.text, 'I was charged twice for my invoice, please refund', 'the text column, not the id or date');
      // The header is not a record: it cannot be labeled.
      assert.equal(await vscode.commands.executeCommand('fewshot.labelLine', 'billing', doc.uri, [0]), 0);
    });

    it('the first entry of the label quick pick is none, and marking records none stores the label none', async () => {
      for (const line of [7, 8]) {
        editor.selection = new vscode.Selection(line, 0, line, 0);
        const picked = vscode.commands.executeCommand<number>('fewshot.labelLine');
        await new Promise((r) => setTimeout(r, 800));
        await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
        assert.equal(await picked, 1);
      }
      await api.flushLabels();
      assert.deepEqual(
        mine()
          .filter((r) => r.label === 'none')
          .map((r) => r.line)
          .sort(),
        [8, 9],
      );
    });

    it('gives one diagnostic per unlabeled record, on its first line; none on the header; none for lines that fit no label', async () => {
      const labeled = new Set(mine().map((r) => r.line - 1));
      await api.whenIdle();
      const diagnostics = await until('diagnostics on the CSV', () => fewShot(doc.uri).length > 0 && fewShot(doc.uri));
      const lines = diagnostics.map((d) => d.range.start.line).sort((a, b) => a - b);
      assert.ok(!lines.includes(0), 'the header has no prediction');
      assert.equal(new Set(lines).size, lines.length, 'one diagnostic per record');
      for (const l of lines) assert.ok(FIRST_LINES.includes(l) && !labeled.has(l), `diagnostic on line ${l + 1}`);
      assert.ok(!diagnostics.some((d) => d.code === 'none'), 'a record predicted none gets no diagnostic');
      // Records 7 and 9 (refund, login) get their labels; 11 (a greeting like the two marked none) fits no label.
      const byLine = new Map(diagnostics.map((d) => [d.range.start.line, d.code]));
      assert.equal(byLine.get(9), 'billing');
      assert.equal(byLine.get(10), 'account');
      assert.ok(!byLine.has(11), `the greeting got ${String(byLine.get(11))}`);
    });

    it('with fewshot.diagnostics.showNone, a record predicted none gets a hint', async () => {
      await vscode.workspace.getConfiguration('fewshot').update('diagnostics.showNone', true, vscode.ConfigurationTarget.Workspace);
      const hint = await until('a none hint', () => fewShot(doc.uri).find((d) => d.code === 'none'));
      assert.equal(hint.range.start.line, 11);
      assert.equal(hint.severity, vscode.DiagnosticSeverity.Hint);
      await vscode.commands.executeCommand('fewshot.labelLine', 'none', doc.uri, [11]);
      await api.whenIdle();
      await until('marked none: no diagnostic', () => !fewShot(doc.uri).some((d) => d.range.start.line === 11));
    });

    it('Export Dataset writes the records with label, label_source and confidence, leaving the source alone', async () => {
      await api.whenIdle();
      const out = path.join(os.tmpdir(), `fewshot-dataset-${Date.now()}.csv`);
      const result = await vscode.commands.executeCommand<{ records: number; labeled: number }>('fewshot.exportDataset', doc.uri, out);
      assert.deepEqual(result && [result.records, result.labeled], [9, 7]);
      const rows = parse(fs.readFileSync(out, 'utf8'), { columns: true }) as Array<Record<string, string>>;
      assert.deepEqual(Object.keys(rows[0]!), ['id', 'created', 'text', 'priority', 'label', 'label_source', 'confidence']);
      assert.deepEqual(
        rows.map((r) => r.id),
        ['1', '2', '3', '4', '5', '6', '7', '8', '9'],
      );
      assert.equal(
        rows[1]!.text,
        'My card payment failed and the invoice is still unpaid.\nThe billing page says "declined" again,\ncan you check the charge?',
      );
      assert.deepEqual([rows[1]!.label, rows[1]!.label_source, rows[1]!.confidence], ['billing', 'label', '']);
      assert.deepEqual([rows[4]!.label, rows[4]!.label_source], ['none', 'label']);
      assert.deepEqual([rows[6]!.label, rows[6]!.label_source], ['billing', 'prediction']);
      assert.ok(Number(rows[6]!.confidence) > 0 && Number(rows[6]!.confidence) <= 1);
      assert.equal(fs.readFileSync(path.join(folder, 'tickets.csv'), 'utf8'), CSV, 'the source file is untouched');
      fs.rmSync(out, { force: true });
    });

    it('Choose Text Column re-reads the records from another column; labels stay on their records', async () => {
      assert.equal(await vscode.commands.executeCommand('fewshot.chooseTextColumn', 'priority', doc.uri), 'priority');
      await until('labels to take the new column', async () => {
        await api.flushLabels();
        return mine().find((r) => r.line === 2)?.text === 'high';
      });
      assert.equal(mine().find((r) => r.line === 6)?.text, 'low');
      await vscode.commands.executeCommand('fewshot.chooseTextColumn', 'text', doc.uri);
      await until('labels back on the text column', async () => {
        await api.flushLabels();
        return mine().find((r) => r.line === 2)?.text === 'I was charged twice for my invoice, please refund';
      });
    });

    it('Remove Label and Accept Prediction act on the record from any of its lines', async () => {
      assert.equal(await vscode.commands.executeCommand('fewshot.removeLabel', doc.uri, [4]), 1);
      await api.flushLabels();
      assert.ok(!mine().some((r) => r.line === 3), 'the multi-line record lost its label');
      await api.whenIdle();
      const predicted = await until('a prediction on the record', () => fewShot(doc.uri).find((d) => d.range.start.line === 2)?.code);
      assert.equal(await vscode.commands.executeCommand('fewshot.acceptPrediction', doc.uri, [3]), 1);
      await api.flushLabels();
      assert.equal(mine().find((r) => r.line === 3)?.label, predicted);
      await vscode.commands.executeCommand('fewshot.labelLine', 'billing', doc.uri, [2]);
    });

    it('an edit inside a multi-line record keeps its label with the new text; a record inserted above moves it', async () => {
      const line3 = doc.lineAt(3).text;
      const at = line3.indexOf('again');
      await editor.edit((e) => e.replace(new vscode.Range(3, at, 3, at + 'again'.length), 'twice'));
      const edited =
        'My card payment failed and the invoice is still unpaid.\nThe billing page says "declined" twice,\ncan you check the charge?';
      await until('the label to take the edited text', async () => {
        await api.flushLabels();
        return mine().find((r) => r.line === 3)?.text === edited && mine().find((r) => r.line === 3)?.label === 'billing';
      });
      await editor.edit((e) => e.insert(new vscode.Position(1, 0), '10,2024-01-07,a new first record,low\n'));
      await until('the labels to move down a line', async () => {
        await api.flushLabels();
        const labels = mine();
        return (
          labels.find((r) => r.line === 4)?.text === edited &&
          labels.find((r) => r.line === 3)?.label === 'billing' &&
          !labels.some((r) => r.line === 2)
        );
      });
      // Back to the file as written (explicit edits: the undo command acts on whichever editor has focus).
      await editor.edit((e) => e.delete(new vscode.Range(1, 0, 2, 0)));
      const back = doc.lineAt(3).text.indexOf('twice');
      await editor.edit((e) => e.replace(new vscode.Range(3, back, 3, back + 'twice'.length), 'again'));
      assert.equal(doc.getText(), CSV);
      await until('the labels back where they were', async () => {
        await api.flushLabels();
        return mine().find((r) => r.line === 3)?.text === records3() && mine().find((r) => r.line === 2)?.label === 'billing';
      });
    });

    it('a JSONL with its text nested under msg is classified by msg.text, not by its id or its boilerplate note', async () => {
      const queries = SUPPORT_QUERIES.slice(0, 6);
      const lines = queries.map((q, i) =>
        JSON.stringify({
          id: `t-${1000 + i}`,
          msg: { text: q },
          note: `Agent ${['Ann', 'Bo'][i % 2]} followed the standard triage checklist and routed the ticket to the queue per policy.`,
        }),
      );
      const file = path.join(folder, 'support.jsonl');
      fs.writeFileSync(file, `${lines.join('\n')}\n`);
      const jsonl = await vscode.workspace.openTextDocument(file);
      try {
        // null: no chosen field, detect it (and say which).
        const column = await until(
          'the JSONL to be read',
          async () => await vscode.commands.executeCommand<string>('fewshot.chooseTextColumn', null, jsonl.uri),
        );
        assert.equal(column, 'msg.text');
        await until(
          'the second record labeled',
          async () => (await vscode.commands.executeCommand<number>('fewshot.labelLine', 'billing', jsonl.uri, [1])) === 1,
        );
        await api.flushLabels();
        assert.equal(readRecordsOf(labelFile()).find((r) => r.document === 'support.jsonl')?.text, queries[1]);
        // The same label again changes nothing (and says so).
        assert.equal(await vscode.commands.executeCommand('fewshot.labelLine', 'billing', jsonl.uri, [1]), 0);
      } finally {
        await vscode.commands.executeCommand('fewshot.removeLabel', jsonl.uri, [1]);
        await api.flushLabels();
        fs.rmSync(file, { force: true });
      }
      assert.ok(!readRecordsOf(labelFile()).some((r) => r.document === 'support.jsonl'));
    });

    it('a line inserted above the header moves every record label, and the file says so', async () => {
      const before = mine().map((r) => [r.line, r.label]);
      await editor.edit((e) => e.insert(new vscode.Position(0, 0), '\n'));
      await until('the label file to follow', async () => {
        await api.flushLabels();
        const now = mine().map((r) => [r.line - 1, r.label]);
        return JSON.stringify(now.sort()) === JSON.stringify([...before].sort());
      });
      await editor.edit((e) => e.delete(new vscode.Range(0, 0, 1, 0)));
      assert.equal(doc.getText(), CSV);
    });
  });
}
