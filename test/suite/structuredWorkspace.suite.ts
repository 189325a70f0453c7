// Structured files in the real extension host, closed and open (issue 17): Classify Workspace puts
// a closed CSV's and JSONL's predictions on their records' first lines only, the same as when the
// files are opened; Export Dataset of a CRLF CSV with LF inside its cells keeps every source byte;
// a bad row is named and left out (Export Dataset and Classify Large Dataset File); and Classify
// Large Dataset File reads a closed file from disk and writes it back labeled. Runs in the
// `workspace` run after the Classify Workspace suite, on the same fixture folder and its labels.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FewShotApi } from '../../src/extension/extension';
import type { WorkspaceSummary } from '../../src/extension/workspaceRun';
import type { ClassifyDatasetResult } from '../../src/protocol/worker';
import { EXTENSION_ID, fewShot, until } from './helpers';

// Under the fixture's 1 KB workspace.maxFileSizeMB, so Classify Workspace reads them.
const CSV = [
  'id,text,priority', // 0 header
  '1,"I was charged twice for my subscription, please refund",high', // 1
  '2,"The password reset email never arrives.', // 2 (spans 2-3)
  'I still cannot log in to my account",low', // 3
  '3,The parcel has been stuck in customs for a week,low', // 4
  '4,Please refund the duplicate payment on my card,high', // 5
  '',
].join('\n');
const CSV_FIRST_LINES = [1, 2, 4, 5];
const JSONL = [
  '{"id":1,"msg":{"text":"I cannot log in, my account is locked"}}',
  '{"id":2,"msg":{"text":"Refund the double charge on my invoice"}}',
  '{"id":3,"msg":{"text":"Where is my parcel? The tracking shows nothing"}}',
  '',
].join('\n');
/** CRLF rows, LF inside a quoted cell, a byte order mark: the editor's buffer has CRLF everywhere and no BOM. */
const CRLF_CSV =
  '\uFEFFid,text\r\n1,"my invoice is wrong\nplease refund it"\r\n2,I cannot log in to my account\r\n3,my parcel never arrived\r\n';
/** Line 3's quote never closes: that row is left out and named; the rows around it are kept. */
const BAD_CSV = 'id,text\n1,"I was charged twice, refund please"\n2,"an open quote that never closes\n3,My account is locked again\n';

export function registerStructuredWorkspaceSuite(): void {
  describe('Structured files closed and open, exported, and too large for an editor', () => {
    let api: FewShotApi;
    const dir = () => path.join(vscode.workspace.workspaceFolders![0]!.uri.fsPath, 'records');
    const uriOf = (name: string) => vscode.Uri.file(path.join(dir(), name));
    /** A document's predictions: first line -> label. */
    const predictions = (uri: vscode.Uri) => new Map(fewShot(uri).map((d) => [d.range.start.line, String(d.code)]));
    /** Opens the file, lets it be classified and runs Export Dataset on it: the command's result and the export's text. */
    const exportOpen = async (uri: vscode.Uri) => {
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
      await api.whenIdle();
      const out = path.join(os.tmpdir(), `fewshot-export-${Date.now()}.csv`);
      const result = await vscode.commands.executeCommand<{ records: number; unread: number }>('fewshot.exportDataset', uri, out);
      const exported = fs.readFileSync(out, 'utf8');
      fs.rmSync(out, { force: true });
      return { counts: result && [result.records, result.unread], exported };
    };

    before(async () => {
      api = (await vscode.extensions.getExtension<FewShotApi>(EXTENSION_ID)!.activate()) as FewShotApi;
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      // The suite before raised the size limit for its generated files: back to the fixture's.
      await vscode.workspace.getConfiguration('fewshot').update('workspace.maxFileSizeMB', 0.001, vscode.ConfigurationTarget.Workspace);
      fs.mkdirSync(dir(), { recursive: true });
      fs.writeFileSync(path.join(dir(), 'closed.csv'), CSV);
      fs.writeFileSync(path.join(dir(), 'closed.jsonl'), JSONL);
      fs.writeFileSync(path.join(dir(), 'crlf.csv'), CRLF_CSV);
      fs.writeFileSync(path.join(dir(), 'bad.csv'), BAD_CSV);
    });

    it('a closed CSV and JSONL get predictions on their records first lines only, the same as when opened', async () => {
      const summary = await vscode.commands.executeCommand<WorkspaceSummary>('fewshot.classifyWorkspace');
      assert.equal(summary?.cancelled, false);
      const csv = uriOf('closed.csv');
      const jsonl = uriOf('closed.jsonl');
      const closed = {
        csv: await until('closed CSV predictions', () => predictions(csv).size === CSV_FIRST_LINES.length && predictions(csv)),
        jsonl: await until('closed JSONL predictions', () => predictions(jsonl).size === 3 && predictions(jsonl)),
      };
      assert.deepEqual([...closed.csv.keys()].sort(), CSV_FIRST_LINES, 'none on the header or the continuation line');
      assert.deepEqual([...closed.jsonl.keys()].sort(), [0, 1, 2]);
      assert.equal(closed.csv.get(1), 'billing');
      assert.equal(closed.jsonl.get(0), 'account');
      for (const [uri, before] of [
        [csv, closed.csv],
        [jsonl, closed.jsonl],
      ] as const) {
        await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
        await api.whenIdle();
        await until(`the open ${path.basename(uri.fsPath)}'s predictions`, () => predictions(uri).size === before.size);
        assert.deepEqual(predictions(uri), before, `${path.basename(uri.fsPath)}: open as closed`);
      }
    });

    it('Export Dataset of a CRLF CSV with LF inside its cells writes every source byte back', async () => {
      const uri = uriOf('crlf.csv');
      const { counts, exported } = await exportOpen(uri);
      assert.deepEqual(counts, [3, 0]);
      // Each row is the source row with label, label_source and confidence after it.
      assert.equal(exported.replace(/,[^,\r\n]*,[^,\r\n]*,[^,\r\n]*\r\n/g, '\r\n'), CRLF_CSV);
      assert.ok(exported.includes('"my invoice is wrong\nplease refund it"'), 'the cell keeps its LF');
      assert.equal(fs.readFileSync(uri.fsPath, 'utf8'), CRLF_CSV, 'the source is untouched');
    });

    it('a row that cannot be read is named and left out; the rows around it are exported', async () => {
      const uri = uriOf('bad.csv');
      const { counts, exported } = await exportOpen(uri);
      assert.deepEqual(counts, [2, 1]);
      assert.match(exported, /^1,"I was charged twice, refund please",/m);
      assert.match(exported, /^3,My account is locked again,/m);
      assert.ok(!exported.includes('open quote'), 'the bad row is not in the export');
      await until('predictions on the readable records only (lines 2 and 4)', () => [...predictions(uri).keys()].sort().join() === '1,3');
    });

    it('Classify Large Dataset File reads a closed file from disk and writes it labeled, naming its bad row', async () => {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      const out = path.join(dir(), '..', '.fewshot', 'exports', 'bad.labeled.csv');
      const result = await vscode.commands.executeCommand<ClassifyDatasetResult>('fewshot.classifyLargeDataset', uriOf('bad.csv'), {
        out,
        labels: 'task',
      });
      assert.ok(result, 'the command returned its result');
      assert.deepEqual([result.records, result.unread, result.problems.map((p) => p.line)], [2, 1, [3]]);
      assert.equal(result.column, 'text');
      const rows = fs.readFileSync(out, 'utf8').split('\n').filter(Boolean);
      assert.equal(rows[0], 'id,text,label,label_source,confidence');
      assert.equal(rows.length, 3);
      assert.match(rows[2]!, /^3,My account is locked again,account,prediction,(0\.\d+|1)$/);
      fs.rmSync(out, { force: true });
    });

    after(() => {
      fs.rmSync(dir(), { recursive: true, force: true });
    });
  });
}
