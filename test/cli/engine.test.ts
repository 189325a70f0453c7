// The CLI end to end with the real engine (Engine.load from src/engine/engine.ts, models/).
// These fail, not skip, while the build has no engine: the CLI then says so on stderr.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DATA, ROOT, spawnCli } from './helpers';

describe('cli with the real engine', () => {
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fewshot-engine-cli-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('demo labels the sample tickets and mostly agrees with the reference labels', () => {
    const r = spawnCli(['demo']);
    assert.equal(r.code, 0, r.stderr);
    const agreement = /agrees with the reference labels on (\d+) of 78 lines/.exec(r.stdout);
    assert.ok(agreement, r.stdout);
    // Six labels, two examples each: chance is 13 of 78. Half right is far beyond chance while
    // leaving room for the model to change (the shipped one gets 47; logistic regression alone 43).
    assert.ok(Number(agreement[1]) >= 39, `only ${agreement[1]} of 78 agree`);
    const listing = r.stdout.split('The labeling loop')[0] as string;
    assert.equal(listing.split('\n').filter((l) => /\s\d{1,3}%\s/.test(l)).length, 78);
    assert.doesNotMatch(r.stdout, /NaN/);
    // The review rounds: reviewing the least certain lines makes more of the document right.
    const loop = /after 4 review rounds \(12 more lines labeled\): (\d+) of 78 lines right, from (\d+)/.exec(r.stdout);
    assert.ok(loop, r.stdout);
    assert.equal(loop[2], agreement[1], 'the first round is the listing above');
    assert.ok(Number(loop[1]) > Number(loop[2]), `the loop did not help: ${loop[2]} -> ${loop[1]}`);
  });

  it('info names the backend, the model and the methods', () => {
    const r = spawnCli(['info', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const info = JSON.parse(r.stdout);
    assert.ok(info.methods.length > 0 && info.methods.includes(info.defaultMethod));
    assert.ok(info.vocabulary > 1000);
  });

  it('classify streams a 20,000-line file: one row per line, confidences in 0..1', () => {
    const doc = path.join(dir, 'doc.txt');
    const tickets = fs.readFileSync(path.join(ROOT, 'samples/demo/tickets.txt'), 'utf8').trim().split('\n');
    fs.writeFileSync(doc, Array.from({ length: 20_000 }, (_, i) => `${tickets[i % tickets.length]} (#${i})`).join('\n'));
    const r = spawnCli(['classify', '--labels', path.join(ROOT, 'samples/demo/labels.jsonl'), '--batch', '4096', '--format', 'jsonl', doc]);
    assert.equal(r.code, 0, r.stderr);
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(rows.length, 20_000);
    for (const row of rows) assert.ok(row.confidence >= 0 && row.confidence <= 1 && typeof row.label === 'string');
    assert.match(r.stderr, /classified 20000 lines/);
  });

  it('eval of the default method beats chance by far on held-out CLINC domains, with its inductive variant beside it', () => {
    const r = spawnCli([
      'eval',
      '--data',
      path.join(DATA, 'clinc150.test.jsonl'),
      '--holdout-domains',
      'banking,credit_cards,work',
      '--way',
      '5',
      '--shot',
      '1',
      '--episodes',
      '30',
      '--methods',
      'default',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    const byMethod = new Map<string, number>(report.results.map((x: { method: string; mean: number }) => [x.method, x.mean]));
    assert.deepEqual([...byMethod.keys()], ['default', 'default-inductive'], 'the inductive variant is reported beside it');
    assert.ok(byMethod.get('default')! > 0.6, `default: ${byMethod.get('default')}`);
    // At 1 shot the unlabeled lines are worth several points (README: +5 to +12).
    assert.ok(byMethod.get('default')! > byMethod.get('default-inductive')!, `${[...byMethod]}`);
  });
});
