// Improve the Model in the real worker bundle, through the extension's EngineClient: the run has a
// worker of its own (the main worker answers meanwhile), its progress arrives as notifications,
// the stop flag cancels it without writing a model, and only an adopted model is written.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ImproveProgress } from '../../src/engine/improve/improve';
import type { UserTask } from '../../src/engine/improve/tasks';
import { EngineClient } from '../../src/extension/engineClient';
import type { ImproveParams } from '../../src/protocol/worker';

const ROOT = path.resolve(__dirname, '../../..');

describe('improveModel in a worker of its own', function () {
  this.timeout(600_000);
  let dir: string;
  let client: EngineClient;
  let tasks: UserTask[];
  let jsonl: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'improve-worker-'));
    const lines = fs
      .readFileSync(path.join(ROOT, 'data', 'clinc150.train.jsonl'), 'utf8')
      .trim()
      .split('\n');
    const rows = lines.map((raw) => JSON.parse(raw) as { text: string; label: string });
    const labels = [...new Set(rows.map((r) => r.label))].slice(0, 12);
    const task = (ls: string[]) => ls.flatMap((l) => rows.filter((r) => r.label === l).slice(0, 8));
    // Two tasks as the workspace's folders would give them, a third as a JSONL file the user picks.
    tasks = [
      { name: 'folder-a', examples: task(labels.slice(0, 4)) },
      { name: 'folder-b', examples: task(labels.slice(4, 8)) },
    ];
    jsonl = path.join(dir, 'picked.jsonl');
    fs.writeFileSync(
      jsonl,
      `${task(labels.slice(8, 12))
        .map((r) => JSON.stringify(r))
        .join('\n')}\n`,
    );
    client = new EngineClient({
      workerPath: path.join(ROOT, 'out', 'worker.js'),
      modelDir: path.join(ROOT, 'models'),
      backend: 'cpu',
      log: () => {},
    });
  });
  after(async () => {
    await client.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const params = (outDir: string, stopFlag?: Int32Array): ImproveParams => ({
    run: 1,
    tasks,
    files: [jsonl],
    baseDir: path.join(ROOT, 'models'),
    outDir,
    steps: 2,
    evalEvery: 1,
    seed: 1,
    validationEpisodes: 10,
    testEpisodes: 10,
    stopFlag,
  });

  it('the stop flag ends the run during training: cancelled, nothing written, the main worker still answers', async () => {
    const outDir = path.join(dir, 'cancelled');
    const stopFlag = new Int32Array(new SharedArrayBuffer(4));
    const seen: ImproveProgress[] = [];
    const result = await client.improveModel(params(outDir, stopFlag), (p) => {
      seen.push(p);
      Atomics.store(stopFlag, 0, 1);
    });
    assert.equal(result.status, 'cancelled');
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.phase, 'training');
    assert.equal(fs.existsSync(outDir), false);
    // The improve run never started the main worker; it answers now.
    assert.equal(client.isRunning, false);
    assert.equal((await client.ready()).model, path.join(ROOT, 'models'));
  });

  it('a full small run trains, compares on held-out labels and writes the model only when adopted', async () => {
    const outDir = path.join(dir, 'model');
    const phases = new Set<string>();
    const result = await client.improveModel(params(outDir), (p) => phases.add(p.phase));
    assert.deepEqual([...phases], ['training', 'comparing']);
    assert.ok(result.status === 'adopted' || result.status === 'rejected', result.status);
    // 12 labels: the JSONL file's count as a task of their own.
    assert.equal(result.labels.train + result.labels.validation + result.labels.test, 12);
    assert.equal(result.base.length, 2);
    assert.equal(fs.existsSync(path.join(outDir, 'checkpoint', 'manifest.json')), result.status === 'adopted');
  });
});
