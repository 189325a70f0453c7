// Improve the Model From My Labels in the real extension host, on a test budget (2 meta-steps, 10
// validation and 10 comparison episodes per shot count: well under a minute): the command trains
// in its worker, compares with the shipped model on labels it did not train on, and adopts or
// rejects the result with both models' accuracy per shot count; the engine then runs on the model
// the decision names, and Use the Shipped Model goes back.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ImproveResult } from '../../src/engine/improve/improve';
import { comparisonText } from '../../src/extension/improveModel';
import { EXTENSION_ID } from './helpers';

/** Twelve CLINC150 intents, 8 lines each, from the repository's data: a finished task the user picks. */
function writeTask(extensionPath: string, file: string): void {
  const rows = fs
    .readFileSync(path.join(extensionPath, 'data', 'clinc150.train.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((raw) => JSON.parse(raw) as { text: string; label: string });
  const labels = [...new Set(rows.map((r) => r.label))].slice(0, 12);
  const picked = labels.flatMap((l) => rows.filter((r) => r.label === l).slice(0, 8));
  fs.writeFileSync(file, `${picked.map((r) => JSON.stringify(r)).join('\n')}\n`);
}

export function registerImproveSuite(): void {
  describe('Improve the Model in the extension host', function () {
    this.timeout(120_000);
    let dir: string;
    let extensionPath: string;

    before(async () => {
      const ext = vscode.extensions.getExtension(EXTENSION_ID);
      assert.ok(ext, `extension ${EXTENSION_ID} is not installed`);
      await ext.activate();
      extensionPath = ext.extensionPath;
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fewshot-improve-suite-'));
    });
    after(async () => {
      await vscode.commands.executeCommand('fewshot.useShippedModel');
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('adopts or rejects a model on a small budget, with both numbers per shot count, and runs on the model it names', async () => {
      const file = path.join(dir, 'intents.jsonl');
      writeTask(extensionPath, file);
      const started = Date.now();
      const result = await vscode.commands.executeCommand<ImproveResult | undefined>('fewshot.improveModel', {
        files: [file],
        steps: 2,
        validationEpisodes: 10,
        testEpisodes: 10,
      });
      assert.ok(result, 'the run finished (not cancelled)');
      assert.ok(result.status === 'adopted' || result.status === 'rejected', `${result.status}: ${result.reason}`);
      assert.deepEqual(
        result.base.map((s) => s.shot),
        [1, 5],
      );
      assert.equal(result.candidate.length, 2);
      for (const s of [...result.base, ...result.candidate]) assert.ok(s.mean > 0.2 && s.mean <= 1, `accuracy ${s.mean}`);
      // The message's text: both models' accuracy at each shot count.
      const text = comparisonText(result);
      for (const [i, b] of result.base.entries())
        assert.ok(
          text.includes(`${(100 * result.candidate[i]!.mean).toFixed(1)} ±`) && text.includes(`${(100 * b.mean).toFixed(1)} ±`),
          text,
        );
      assert.ok(Date.now() - started < 60_000, `the test budget keeps it under a minute (${Date.now() - started} ms)`);

      // The engine runs on the model the decision names: the improved one only when adopted.
      const shipped = path.join(extensionPath, 'models');
      const info = await vscode.commands.executeCommand<{ model: string }>('fewshot.showEngineInfo', { quiet: true });
      if (result.status === 'adopted') assert.notEqual(path.resolve(info.model), path.resolve(shipped));
      else assert.equal(path.resolve(info.model), path.resolve(shipped));
      await vscode.commands.executeCommand('fewshot.useShippedModel');
      const back = await vscode.commands.executeCommand<{ model: string }>('fewshot.showEngineInfo', { quiet: true });
      assert.equal(path.resolve(back.model), path.resolve(shipped));
    });
  });
}
