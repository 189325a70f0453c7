// `fewshot meta-train --from-checkpoint DIR --data a.jsonl b.jsonl`: the real bundle, on small
// tasks cut from CLINC150, prints both models' accuracy and the decision, and writes the model
// only when it adopts it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DATA, spawnCli } from './helpers';

describe('cli: meta-train --from-checkpoint', function () {
  this.timeout(600_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-improve-'));
    const lines = fs.readFileSync(path.join(DATA, 'clinc150.train.jsonl'), 'utf8').trim().split('\n');
    const byLabel = new Map<string, string[]>();
    for (const raw of lines) {
      const { label } = JSON.parse(raw) as { label: string };
      if (!byLabel.has(label)) byLabel.set(label, []);
      byLabel.get(label)!.push(raw);
    }
    // Three tasks of four intents, eight lines each, and one label with a single line (skipped).
    const labels = [...byLabel.keys()].slice(0, 12);
    for (let t = 0; t < 3; t++) {
      const rows = labels.slice(4 * t, 4 * t + 4).flatMap((l) => byLabel.get(l)!.slice(0, 8));
      if (t === 0) rows.push(JSON.stringify({ text: 'one lonely line', label: 'lonely' }));
      fs.writeFileSync(path.join(dir, `task${t}.jsonl`), `${rows.join('\n')}\n`);
    }
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const args = (out: string, ...more: string[]) => [
    'meta-train',
    '--from-checkpoint',
    'models',
    '--data',
    path.join(dir, 'task0.jsonl'),
    path.join(dir, 'task1.jsonl'),
    path.join(dir, 'task2.jsonl'),
    '--out',
    out,
    '--steps',
    '2',
    '--eval-every',
    '1',
    '--validation-episodes',
    '10',
    '--test-episodes',
    '10',
    '--query',
    '3',
    ...more,
  ];

  it('--json gives both models per shot count, the paired gain, the skipped labels and the decision', () => {
    const out = path.join(dir, 'model-json');
    const r = spawnCli(args(out, '--json'));
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout) as {
      status: string;
      base: { shot: number; mean: number }[];
      candidate: { shot: number; mean: number }[];
      gain: { shot: number; mean: number }[];
      skipped: { label: string; count: number }[];
      labels: { train: number; validation: number; test: number };
    };
    assert.ok(['adopted', 'rejected'].includes(result.status));
    assert.deepEqual(
      result.base.map((s) => s.shot),
      [1, 5],
    );
    assert.equal(result.candidate.length, 2);
    assert.deepEqual(result.skipped, [{ task: 'task0', label: 'lonely', count: 1 }]);
    assert.deepEqual(result.labels, { train: 8, validation: 2, test: 2 });
    assert.equal(fs.existsSync(path.join(out, 'checkpoint', 'manifest.json')), result.status === 'adopted');
    assert.match(r.stderr, /1 skipped \(fewer than 2 lines\)/);
  });

  it('prints a table of base, candidate and paired gain, and the decision', () => {
    const r = spawnCli(args(path.join(dir, 'model-text')));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^accuracy % +base +candidate +paired gain$/m);
    assert.match(r.stdout, /^2-way 1-shot +\d+\.\d ± \d+\.\d +\d+\.\d ± \d+\.\d +[+-]\d+\.\d ± \d+\.\d$/m);
    assert.match(r.stdout, /^(adopted: better at 1 shot|rejected: .*the base model stays)/m);
  });

  it('--warm-start trains on the task most similar to the --test task only, and says which', () => {
    const out = path.join(dir, 'model-warm');
    const test = path.join(dir, 'task2.jsonl');
    const argv = args(out, '--json', '--warm-start', '--test', test);
    // task2 is the new task, not a finished one.
    argv.splice(argv.indexOf(test), 1);
    const r = spawnCli(argv);
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout) as {
      warmStart: { from: string; similarities: { task: string; similarity: number }[] };
      labels: { train: number; validation: number; test: number };
    };
    assert.deepEqual(result.warmStart.similarities.map((s) => s.task).sort(), ['task0', 'task1']);
    assert.equal(result.warmStart.from, result.warmStart.similarities[0]!.task);
    assert.ok(result.warmStart.similarities[0]!.similarity >= result.warmStart.similarities[1]!.similarity);
    // One task of 4 labels (task0's lonely label skipped): 2 train, 2 validate; the test task's 4 test.
    assert.deepEqual(result.labels, { train: 2, validation: 2, test: 4 });
    assert.match(r.stderr, /warm start from task[01]: /);
  });

  it('--from-checkpoint without --data, or --warm-start without --test, is a usage error', () => {
    const warm = spawnCli(args(path.join(dir, 'unused'), '--warm-start'));
    assert.equal(warm.code, 2);
    assert.match(warm.stderr, /--warm-start needs --test/);
    const r = spawnCli(['meta-train', '--from-checkpoint', 'models']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /needs --data a\.jsonl/);
  });
});
