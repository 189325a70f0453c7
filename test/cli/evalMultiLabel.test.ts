// `fewshot eval --multi-label`: multi-intent episodes from a single-label file, through the CLI bundle.
import assert from 'node:assert/strict';
import path from 'node:path';
import { DATA, spawnCli } from './helpers';

const BASE = ['eval', '--multi-label', '--data', path.join(DATA, 'clinc150.test.jsonl'), '--holdout-domains', 'banking,work'];

describe('fewshot eval --multi-label', function () {
  this.timeout(120_000);

  it('reports micro-F1, macro-F1 and exact match per method, with the gain over the baseline', () => {
    const r = spawnCli([
      ...BASE,
      '--shots-from',
      path.join(DATA, 'clinc150.train.jsonl'),
      '--way',
      '5',
      '--shot',
      '5',
      '--query',
      '4',
      '--episodes',
      '3',
      '--methods',
      'default,ovr-fixed',
      '--baseline',
      'ovr-fixed',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.deepEqual(report.intents, [2, 3]);
    assert.deepEqual(report.supportIntents, [2, 3]);
    assert.deepEqual(
      report.results.map((x: { method: string }) => x.method),
      ['default', 'ovr-fixed'],
    );
    for (const x of report.results)
      for (const key of ['microF1', 'macroF1', 'exactMatch']) assert.ok(x[key].mean >= 0 && x[key].mean <= 1, key);
    assert.ok(report.results[0].microF1Gain && !report.results[1].microF1Gain);
  });

  it('refuses options that do not apply and unknown methods', () => {
    assert.match(spawnCli([...BASE, '--way', 'all']).stderr, /needs a number of labels per episode/);
    assert.match(spawnCli([...BASE, '--open-set', '0.2']).stderr, /--open-set does not apply to --multi-label/);
    assert.match(spawnCli([...BASE, '--methods', 'logreg']).stderr, /unknown multi-label method "logreg"/);
    assert.match(spawnCli([...BASE, '--intents', '1,2,3']).stderr, /--intents takes lo,hi/);
  });
});
