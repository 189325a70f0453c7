// Many labels in the real extension host: a label file of 2,000 records over 60 labels imported
// at once, the diagnostics that follow, one more label, and the panel's quality estimate
// (through the data source the panel host calls) with its cancellation.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FewShotApi } from '../../src/extension/extension';
import { EXTENSION_ID, fewShot, until } from './helpers';

const LABELS = 60;
const RECORDS = 2000;
/** Unlabeled lines after the labeled ones: what the diagnostics are about. */
const UNLABELED = 200;
/** The k-th unlabeled line. */
const line = (k: number) => RECORDS + k;

function folder(): string {
  const f = vscode.workspace.workspaceFolders?.[0];
  assert.ok(f, 'the integration suite needs the sample workspace open');
  return f.uri.fsPath;
}

/**
 * A document built from the sample workspace's fixture (support-tickets.txt): every fixture line
 * many times over, each copy tagged with its topic so that 60 labels have something to tell
 * apart; the first RECORDS lines are labeled in the label file written next to it.
 */
function writeFixture(): { document: string; labelFile: string; lines: string[] } {
  const base = fs
    .readFileSync(path.join(folder(), 'support-tickets.txt'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const lines = Array.from({ length: RECORDS + UNLABELED }, (_, i) => `${base[i % base.length]} (topic ${i % LABELS} area${i % LABELS})`);
  const document = path.join(folder(), 'many-labels.txt');
  fs.writeFileSync(document, `${lines.join('\n')}\n`);
  const labelFile = path.join(os.tmpdir(), `fewshot-many-labels-${Date.now()}.jsonl`);
  const records = lines
    .slice(0, RECORDS)
    .map((text, i) => JSON.stringify({ document: 'many-labels.txt', line: i + 1, text, label: `topic_${i % LABELS}` }));
  fs.writeFileSync(labelFile, `${records.join('\n')}\n`);
  return { document, labelFile, lines };
}

export function registerManyLabelsSuite(): void {
  describe('Few-Shot Labeler with many labels', function () {
    // 2,000 labeled lines adapt in seconds, but the shared test machine can be slow.
    this.timeout(300_000);
    let api: FewShotApi;
    let doc: vscode.TextDocument;
    let fixture: ReturnType<typeof writeFixture>;

    before(async () => {
      api = (await vscode.extensions.getExtension<FewShotApi>(EXTENSION_ID)?.activate())!;
      assert.ok(api, `extension ${EXTENSION_ID} is not installed`);
      await vscode.commands.executeCommand('fewshot.clearLabels', { confirmed: true });
      fixture = writeFixture();
      doc = await vscode.workspace.openTextDocument(fixture.document);
      await vscode.window.showTextDocument(doc);
    });
    after(() => fs.rmSync(fixture.labelFile, { force: true }));

    it('imports 2,000 records over 60 labels, and the diagnostics arrive for the unlabeled lines', async () => {
      assert.equal(await vscode.commands.executeCommand<number>('fewshot.importLabels', fixture.labelFile), RECORDS);
      await api.whenIdle();
      const diagnostics = await until('diagnostics', () => fewShot(doc.uri).length === UNLABELED && fewShot(doc.uri), 240_000);
      const lines = diagnostics.map((d) => d.range.start.line).sort((a, b) => a - b);
      assert.deepEqual(
        lines,
        Array.from({ length: UNLABELED }, (_, i) => RECORDS + i),
      );
      // Mostly the imported topics (labels left by the suite before, if any, share the folder).
      for (const d of diagnostics) assert.match(d.message, /^\S+ \d{1,3}%$/);
      const topics = diagnostics.filter((d) => /^topic_\d{1,2} /.test(d.message)).length;
      assert.ok(topics > UNLABELED / 2, `${topics} of ${UNLABELED} predicted as an imported topic`);
    });

    it('one more label updates the diagnostics', async () => {
      assert.equal(await vscode.commands.executeCommand('fewshot.labelLine', 'topic_new', doc.uri, [line(7)]), 1);
      await api.whenIdle();
      const diagnostics = await until(
        'the diagnostics without the newly labeled line',
        () => fewShot(doc.uri).length === UNLABELED - 1 && fewShot(doc.uri),
        240_000,
      );
      assert.ok(!diagnostics.some((d) => d.range.start.line === line(7)), 'the labeled line has no prediction any more');
    });

    it("the panel's quality estimate appears, cross-validated, and can be cancelled", async () => {
      // The folder's labeled lines, as the store holds them (an export without predictions counts them).
      const out = path.join(os.tmpdir(), `fewshot-many-labels-export-${Date.now()}.jsonl`);
      const labeled = await vscode.commands.executeCommand<number>('fewshot.exportLabels', out, false);
      fs.rmSync(out, { force: true });
      assert.ok(labeled >= RECORDS + 1);
      const done = await api.panel.estimateQuality(doc.uri.toString(), new vscode.CancellationTokenSource().token);
      assert.equal(done.scheme, 'k-fold');
      assert.equal(done.folds, 5);
      assert.equal(done.n, labeled, 'every labeled line of the folder scored once');
      assert.ok(done.correct >= 0 && done.correct <= done.n);
      assert.equal(done.document, 'many-labels.txt');
      // Each topic's lines name it: the model the user sees gets most of them right.
      assert.ok(done.correct / done.n > 0.5, `accuracy ${done.correct}/${done.n}`);

      const cancel = new vscode.CancellationTokenSource();
      const started = Date.now();
      const running = api.panel.estimateQuality(doc.uri.toString(), cancel.token);
      setTimeout(() => cancel.cancel(), 100);
      await assert.rejects(running, /cancelled/);
      assert.ok(Date.now() - started < 60_000, 'the cancel answered without waiting for every fold');
      // The engine is still there for the document afterwards.
      await vscode.commands.executeCommand('fewshot.labelLine', 'topic_new', doc.uri, [line(8)]);
      await api.whenIdle();
      await until('the diagnostics after the cancel', () => fewShot(doc.uri).length === UNLABELED - 2, 240_000);
    });
  });
}
