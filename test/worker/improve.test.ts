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
  it('a warm start trains only on the finished task most like the new one, and says which and why', async () => {
    const domains = JSON.parse(fs.readFileSync(path.join(ROOT, 'data', 'clinc150.domains.json'), 'utf8')) as Record<string, string>;
    const rows = fs
      .readFileSync(path.join(ROOT, 'data', 'clinc150.train.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((raw) => JSON.parse(raw) as { text: string; label: string });
    const intents = (domain: string) => Object.keys(domains).filter((l) => domains[l] === domain);
    const lines = (labels: string[], n: number) => labels.flatMap((l) => rows.filter((r) => r.label === l).slice(0, n));
    const banking = intents('banking');
    const travel = intents('travel');
    const outDir = path.join(dir, 'warm');
    const result = await client.improveModel(
      {
        ...params(outDir),
        tasks: [
          { name: 'travel', examples: lines(travel.slice(0, 8), 8) },
          { name: 'banking', examples: lines(banking.slice(0, 8), 8) },
        ],
        files: [],
        // A new banking task: three intents the finished tasks do not have, two lines each.
        warmStart: { name: 'new', examples: lines(banking.slice(8, 11), 2) },
      },
      () => {},
    );
    assert.equal(result.warmStart?.from, 'banking');
    assert.deepEqual(result.warmStart.similarities.map((x) => x.task).sort(), ['banking', 'travel']);
    assert.ok(result.warmStart.similarities[0]!.similarity > result.warmStart.similarities[1]!.similarity);
    // Only the banking task's 8 labels were split into train, validation and test.
    assert.equal(result.labels.train + result.labels.validation + result.labels.test, 8);
  });
});
