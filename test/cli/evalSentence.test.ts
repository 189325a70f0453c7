import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DATA, spawnCli } from './helpers';

interface Report {
  results: Array<{ method: string; shot: number; mean: number }>;
}

const LABELS = 'freeze_account,lost_luggage,book_flight,tell_joke,weather,pay_bill';

function evalArgs(methods: string, extra: string[] = []): string[] {
  return [
    'eval',
    '--data',
    path.join(DATA, 'clinc150.test.jsonl'),
    '--labels',
    LABELS,
    '--way',
    '5',
    '--shot',
    '1',
    '--episodes',
    '8',
    '--backend',
    'wasm',
    '--methods',
    methods,
    '--json',
    ...extra,
  ];
}

const means = (stdout: string) => new Map((JSON.parse(stdout) as Report).results.map((r) => [r.method, r.mean]));

describe('fewshot eval --sentence', function () {
  this.timeout(240_000);
  let cache: string;
  before(() => {
    cache = fs.mkdtempSync(path.join(os.tmpdir(), 'fewshot-eval-sentence-'));
  });
  after(() => fs.rmSync(cache, { recursive: true, force: true }));

  it('adds the sentence methods, leaves the others as they are, and reuses its cache', () => {
    const plain = spawnCli(evalArgs('logreg'));
    assert.equal(plain.code, 0, plain.stderr);
    const withBlock = spawnCli(evalArgs('logreg,sentence-logreg,both-logreg', ['--sentence', '--sentence-cache', cache]));
    assert.equal(withBlock.code, 0, withBlock.stderr);
    const got = means(withBlock.stdout);
    assert.deepEqual([...got.keys()], ['logreg', 'sentence-logreg', 'both-logreg']);
    assert.equal(got.get('logreg'), means(plain.stdout).get('logreg'), 'same episodes, same features: the same accuracy');
    assert.ok(got.get('sentence-logreg')! > 0.6, `sentence-logreg ${got.get('sentence-logreg')}`);
    assert.match(withBlock.stderr, /sentence block: \d+ texts, [1-9]\d* embedded/);
    assert.equal(fs.readdirSync(cache).filter((f) => f.startsWith('sentence-')).length, 1);
    const again = spawnCli(evalArgs('sentence-logreg', ['--sentence', '--sentence-cache', cache]));
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /sentence block: \d+ texts, 0 embedded/);
    assert.equal(means(again.stdout).get('sentence-logreg'), got.get('sentence-logreg'));
  });

  it('refuses sentence methods without --sentence and a weightless default+sentence', () => {
    const missing = spawnCli(evalArgs('sentence-logreg'));
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /unknown method "sentence-logreg"/);
    const weightless = spawnCli(evalArgs('default+sentence', ['--sentence']));
    assert.notEqual(weightless.code, 0);
    assert.match(weightless.stderr, /weight/);
  });

  it('with --multi-label: adds default+sentence@W, leaves the other multi-label methods as they are', () => {
    const multi = (methods: string, extra: string[] = []) => [
      'eval',
      '--multi-label',
      '--data',
      path.join(DATA, 'clinc150.test.jsonl'),
      '--labels',
      LABELS,
      ...['--way', '3', '--shot', '1', '--query', '2', '--episodes', '3', '--backend', 'wasm', '--methods', methods, '--json'],
      ...extra,
    ];
    const micro = (stdout: string) =>
      new Map(
        (JSON.parse(stdout) as { results: Array<{ method: string; microF1: { mean: number } }> }).results.map((r) => [
          r.method,
          r.microF1.mean,
        ]),
      );
    const plain = spawnCli(multi('default'));
    assert.equal(plain.code, 0, plain.stderr);
    const withBlock = spawnCli(multi('default,default+sentence@1', ['--sentence', '--sentence-cache', cache]));
    assert.equal(withBlock.code, 0, withBlock.stderr);
    const got = micro(withBlock.stdout);
    assert.deepEqual([...got.keys()], ['default', 'default+sentence@1']);
    assert.equal(got.get('default'), micro(plain.stdout).get('default'), 'same episodes, same features: the same micro-F1');
    assert.match(withBlock.stderr, /sentence block: \d+ texts/);
    const weightless = spawnCli(multi('default+sentence', ['--sentence']));
    assert.notEqual(weightless.code, 0);
    assert.match(weightless.stderr, /weight/);
  });
});
