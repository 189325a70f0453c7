// The multi-root suite: a `.code-workspace` with two folders ("tickets": the sample support
// tickets, "requests": assistant requests). Each folder keeps its own label file and learns only
// from its own labels; changing one folder's labels never rewrites the other's file.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FewShotApi } from '../../src/extension/extension';
import { EXTENSION_ID, fewShot, readRecordsOf, until, type FileRecord } from './helpers';

interface FolderUnderTest {
  root: string;
  labelFile: string;
  doc: vscode.TextDocument;
  /** Line (0-based) -> label, in labeling order. */
  labels: Array<[number, string]>;
}

function workspaceFolder(name: string): vscode.WorkspaceFolder {
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.name === name);
  assert.ok(folder, `the multi-root workspace has no folder named "${name}"`);
  return folder;
}

async function open(name: string, file: string, labels: Array<[number, string]>): Promise<FolderUnderTest> {
  const root = workspaceFolder(name).uri.fsPath;
  const doc = await vscode.workspace.openTextDocument(path.join(root, file));
  return { root, labelFile: path.join(root, '.fewshot', 'labels.jsonl'), doc, labels };
}

const label = (f: FolderUnderTest, line: number, name: string) =>
  vscode.commands.executeCommand<number>('fewshot.labelLine', name, f.doc.uri, [line]);
const labelNames = (f: FolderUnderTest) => new Set(f.labels.map(([, l]) => l));
const expectedRecords = (f: FolderUnderTest, labels: Array<[number, string]>): FileRecord[] =>
  labels
    .map(([line, l]) => ({ document: path.basename(f.doc.uri.fsPath), line: line + 1, text: f.doc.lineAt(line).text, label: l }))
    .sort((a, b) => a.line - b.line);
const unlabeledNonEmptyLines = (f: FolderUnderTest, labeled: Iterable<number>) => {
  const skip = new Set(labeled);
  return Array.from({ length: f.doc.lineCount }, (_, i) => i).filter((i) => !skip.has(i) && f.doc.lineAt(i).text.trim());
};
const predictedLines = (f: FolderUnderTest) =>
  fewShot(f.doc.uri)
    .map((d) => d.range.start.line)
    .sort((a, b) => a - b);

export function registerMultiRootSuite(): void {
  describe('Few-Shot Labeler in a multi-root workspace', () => {
    let api: FewShotApi;
    let tickets: FolderUnderTest;
    let requests: FolderUnderTest;

    before(async () => {
      assert.ok(vscode.workspace.workspaceFile, 'the multi-root suite needs a .code-workspace file open');
      assert.equal(vscode.workspace.workspaceFolders?.length, 2, 'the multi-root suite needs exactly two workspace folders');
      const ext = vscode.extensions.getExtension<FewShotApi>(EXTENSION_ID);
      assert.ok(ext, `extension ${EXTENSION_ID} is not installed`);
      api = await ext.activate();
      tickets = await open('tickets', 'support-tickets.txt', [
        [0, 'billing'],
        [1, 'account'],
        [2, 'bug'],
        [3, 'shipping'],
        [4, 'billing'],
        [5, 'account'],
        [6, 'bug'],
        [7, 'shipping'],
      ]);
      // requests.txt ends with two ticket lines: line 16 (ticket line 16, unlabeled there) is labeled
      // "other" here, and line 17 (ticket line 1, labeled "billing" there) stays unlabeled. A support
      // set that mixed the folders would predict these exact texts with the other folder's label.
      requests = await open('requests', 'requests.txt', [
        [0, 'weather'],
        [1, 'music'],
        [2, 'alarm'],
        [3, 'weather'],
        [4, 'music'],
        [5, 'alarm'],
        [15, 'other'],
      ]);
      assert.equal(requests.doc.lineAt(15).text, tickets.doc.lineAt(15).text, 'requests.txt line 16 should repeat ticket line 16');
      assert.equal(requests.doc.lineAt(16).text, tickets.doc.lineAt(0).text, 'requests.txt line 17 should repeat ticket line 1');
      for (const f of [tickets, requests])
        assert.ok(!fs.existsSync(f.labelFile), `${f.labelFile} should not exist before the suite labels anything`);
      await vscode.window.showTextDocument(tickets.doc, vscode.ViewColumn.One);
      await vscode.window.showTextDocument(requests.doc, vscode.ViewColumn.Two);
    });

    it('writes a label into the label file of the folder its document belongs to', async () => {
      assert.equal(await label(tickets, 0, 'billing'), 1);
      assert.deepEqual(readRecordsOf(tickets.labelFile), expectedRecords(tickets, [[0, 'billing']]));
      assert.ok(!fs.existsSync(requests.labelFile), "labeling a ticket must not create the other folder's label file");

      assert.equal(await label(requests, 0, 'weather'), 1);
      assert.deepEqual(readRecordsOf(requests.labelFile), expectedRecords(requests, [[0, 'weather']]));
      assert.deepEqual(readRecordsOf(tickets.labelFile), expectedRecords(tickets, [[0, 'billing']]), 'the tickets file must not change');
    });

    it('each folder predicts every other line of its document from its own labels only', async () => {
      for (const f of [tickets, requests]) for (const [line, l] of f.labels.slice(1)) assert.equal(await label(f, line, l), 1);
      for (const f of [tickets, requests]) assert.deepEqual(readRecordsOf(f.labelFile), expectedRecords(f, f.labels));
      await api.whenIdle();
      for (const f of [tickets, requests]) {
        const want = unlabeledNonEmptyLines(
          f,
          f.labels.map(([line]) => line),
        );
        await until(
          `predictions on every unlabeled line of ${path.basename(f.doc.uri.fsPath)}`,
          () => predictedLines(f).join() === want.join(),
          30_000,
        );
        const own = labelNames(f);
        for (const d of fewShot(f.doc.uri))
          assert.ok(
            own.has(String(d.code)),
            `${path.basename(f.doc.uri.fsPath)} line ${d.range.start.line + 1} predicted "${String(d.code)}", a label of the other folder`,
          );
      }
      // Requests 1-15 repeat weather, music, alarm: a folder that learns from its own labels gets most right.
      const byLine = new Map(fewShot(requests.doc.uri).map((d) => [d.range.start.line, String(d.code)]));
      const cycle = ['weather', 'music', 'alarm'];
      const unlabeled = unlabeledNonEmptyLines(
        requests,
        requests.labels.map(([line]) => line),
      ).filter((line) => line < 15);
      const right = unlabeled.filter((line) => byLine.get(line) === cycle[line % 3]).length;
      assert.ok(
        right >= Math.ceil(unlabeled.length * 0.6),
        `only ${right} of ${unlabeled.length} requests predicted right: ${JSON.stringify([...byLine])}`,
      );
    });

    it("removing a label in one folder rewrites only that folder's file, and its line is predicted again", async () => {
      const ticketsBefore = fs.readFileSync(tickets.labelFile, 'utf8');
      const ticketsMtime = fs.statSync(tickets.labelFile).mtimeMs;
      const ticketPredictions = predictedLines(tickets);
      assert.equal(await vscode.commands.executeCommand('fewshot.removeLabel', requests.doc.uri, [3]), 1);
      assert.deepEqual(
        readRecordsOf(requests.labelFile),
        expectedRecords(
          requests,
          requests.labels.filter(([line]) => line !== 3),
        ),
      );
      await api.flushLabels();
      await api.whenIdle();
      await until('a prediction on the unlabeled request line 4', () => fewShot(requests.doc.uri).some((d) => d.range.start.line === 3));
      assert.equal(fs.readFileSync(tickets.labelFile, 'utf8'), ticketsBefore, 'the tickets label file changed');
      assert.equal(fs.statSync(tickets.labelFile).mtimeMs, ticketsMtime, 'the tickets label file was rewritten');
      assert.deepEqual(predictedLines(tickets), ticketPredictions, 'the tickets predictions changed');
    });

    it('removing a label in the other folder leaves the requests file untouched', async () => {
      const requestsBefore = fs.readFileSync(requests.labelFile, 'utf8');
      const requestsMtime = fs.statSync(requests.labelFile).mtimeMs;
      assert.equal(await vscode.commands.executeCommand('fewshot.removeLabel', tickets.doc.uri, [7]), 1);
      assert.deepEqual(
        readRecordsOf(tickets.labelFile),
        expectedRecords(
          tickets,
          tickets.labels.filter(([line]) => line !== 7),
        ),
      );
      await api.flushLabels();
      await api.whenIdle();
      assert.equal(fs.readFileSync(requests.labelFile, 'utf8'), requestsBefore, 'the requests label file changed');
      assert.equal(fs.statSync(requests.labelFile).mtimeMs, requestsMtime, 'the requests label file was rewritten');
    });

    it('exports the labels of both folders, each document named with its folder', async () => {
      const out = path.join(path.dirname(tickets.labelFile), '..', '..', `fewshot-export-${Date.now()}.jsonl`);
      const n = await vscode.commands.executeCommand<number>('fewshot.exportLabels', out, true);
      const rows = fs
        .readFileSync(out, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { document: string; source: string });
      fs.rmSync(out, { force: true });
      assert.equal(rows.length, n);
      const documents = new Set(rows.map((r) => r.document));
      assert.ok(
        documents.has('tickets/support-tickets.txt') && documents.has('requests/requests.txt'),
        `documents: ${[...documents].join(', ')}`,
      );
      assert.ok(rows.some((r) => r.source === 'prediction' && r.document === 'requests/requests.txt'));
    });
  });
}
