// The CLI as a user meets it (spawned from out/cli.js): help, usage errors, bad files.
// None of these need the engine: they fail (or finish) before it is loaded.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DATA, spawnCli } from './helpers';

const noStack = (s: string) => assert.doesNotMatch(s, /\n\s+at .+:\d+:\d+/, `stack trace in: ${s}`);

describe('cli: help and usage errors', () => {
  it('prints the command list and per-command help with exit 0', () => {
    const main = spawnCli(['--help']);
    assert.equal(main.code, 0);
    for (const c of ['demo', 'classify', 'eval', 'info', 'meta-train']) assert.match(main.stdout, new RegExp(`^  ${c} `, 'm'));
    const help = spawnCli(['classify', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: fewshot classify --labels labels\.jsonl/);
    assert.match(help.stdout, /reservoir/);
    assert.equal(spawnCli(['help', 'eval']).code, 0);
    assert.equal(spawnCli([]).code, 0);
  });

  it('exits 2 with a hint on unknown commands and options', () => {
    const r = spawnCli(['clasify']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown command "clasify" \(did you mean classify\?\)/);
    const o = spawnCli(['eval', '--data', 'x', '--wya', '5']);
    assert.equal(o.code, 2);
    assert.match(o.stderr, /fewshot eval: unknown option --wya \(did you mean --way\?\)\nRun `fewshot eval --help`/);
    assert.equal(spawnCli(['eval']).code, 2);
    assert.match(spawnCli(['classify', '--labels', 'l.jsonl']).stderr, /no input FILE given/);
  });
});

describe('cli: bad files', () => {
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fewshot-cli-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, content: string | Buffer) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, content);
    return file;
  };
  const fails = (args: string[], message: RegExp) => {
    const r = spawnCli(args);
    assert.equal(r.code, 1, `exit code for ${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    noStack(r.stderr);
    assert.doesNotMatch(r.stdout + r.stderr, /NaN/);
  };

  it('eval: missing file, malformed line, binary file, too few labels', () => {
    fails(['eval', '--data', path.join(dir, 'nope.jsonl'), '--methods', 'natural-bayes'], /nope\.jsonl: file not found/);
    const bad = write('bad.jsonl', '{"text":"a","label":"x"}\n{"text":"b","label":"y"}\n{"text":"c"}\n');
    fails(['eval', '--data', bad, '--methods', 'natural-bayes'], /bad\.jsonl:3: expected a JSON object with string "text" and "label"/);
    fails(['eval', '--data', write('bin.jsonl', Buffer.from([1, 2, 0, 3])), '--methods', 'natural-bayes'], /NUL bytes/);
    const tiny = write(
      'tiny.jsonl',
      Array.from({ length: 30 }, (_, i) => JSON.stringify({ text: `t ${i}`, label: `l${i % 3}` })).join('\n'),
    );
    fails(['eval', '--data', tiny, '--way', '5', '--methods', 'natural-bayes'], /5-way episodes need 5 labels with at least 16 examples/);
    fails(['eval', '--data', tiny, '--way', '2', '--labels', 'l0,zz', '--methods', 'natural-bayes'], /unknown label\(s\): zz/);
    fails(
      ['eval', '--data', tiny, '--way', '2', '--holdout-domains', 'banking', '--methods', 'natural-bayes'],
      /clinc150\.domains\.json not found/,
    );
  });

  it('classify: bad label files and inputs are reported before the engine loads', () => {
    const text = write('doc.txt', 'hello\nworld\n');
    fails(['classify', '--labels', path.join(dir, 'none.jsonl'), text], /none\.jsonl: file not found/);
    fails(['classify', '--labels', write('empty.jsonl', '\n'), text], /empty\.jsonl: no examples/);
    const one = write('one.jsonl', '{"text":"hello","label":"greeting"}\n{"text":"hi","label":"greeting"}\n');
    fails(['classify', '--labels', one, text], /at least two labels .*only "greeting"/);
    const two = write('two.jsonl', '{"text":"hello","label":"greeting"}\n{"text":"bye","label":"farewell"}\n');
    fails(['classify', '--labels', two, path.join(dir, 'missing.txt')], /missing\.txt: file not found/);
    fails(['classify', '--labels', two, dir], /is a folder/);
    fails(
      ['classify', '--labels', two, write('image.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13]))],
      /image\.png: contains NUL bytes/,
    );
  });

  it('classify: a label name with terminal escapes or bidi marks is refused and printed escaped (issue 8 item 9)', () => {
    const text = write('doc9.txt', 'hello\nworld\n');
    const esc = write('esc.jsonl', '{"text":"hello","label":"\\u001b[31mred"}\n{"text":"bye","label":"farewell"}\n');
    fails(['classify', '--labels', esc, text], /label "\\u\{1b\}\[31mred": a label name cannot contain control/);
    const r = spawnCli(['classify', '--labels', esc, text]);
    assert.ok(!(r.stdout + r.stderr).includes('\u001b'), 'no raw escape character in the output');
    const bidi = write('bidi.jsonl', '{"text":"hello","label":"ok\\u202egnp.exe"}\n{"text":"bye","label":"farewell"}\n');
    fails(['classify', '--labels', bidi, text], /\\u\{202e\}/);
  });

  it('errors the user can fix are not worded "unexpected error" (issue 8 item 11)', () => {
    const data = write('d11.jsonl', '{"text":"a b","label":"x"}\n{"text":"c d","label":"y"}\n');
    const r = spawnCli(['eval', '--data', data, '--methods', 'natural-bayes', '--episodes', '1e15']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--episodes must be at most 1000000/);
    // A model folder without vectors.bin.
    const model = path.join(dir, 'model-without-vectors');
    fs.mkdirSync(model, { recursive: true });
    const m = spawnCli(['info', '--model', model]);
    assert.equal(m.code, 1, m.stderr);
    assert.match(m.stderr, /vectors\.bin is missing/);
    assert.doesNotMatch(m.stderr, /unexpected error/);
    noStack(m.stderr);
  });

  it('eval with the natural peers runs without the engine and prints one JSON object with --json', () => {
    const data = path.join(DATA, 'clinc150.test.jsonl');
    const r = spawnCli([
      'eval',
      '--data',
      data,
      '--holdout-domains',
      'banking,work',
      '--way',
      '5',
      '--shot',
      '1,5',
      '--episodes',
      '20',
      '--methods',
      'natural-bayes,natural-logreg',
      '--baseline',
      'natural-bayes',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(r.stdout.trim().split('\n').length, 1);
    assert.equal(report.data, 'clinc150.test.jsonl');
    assert.deepEqual([report.way, report.query, report.episodes, report.seed], [5, 15, 20, 1]);
    assert.deepEqual(report.skippedLabels, []);
    assert.equal(report.results.length, 4);
    for (const row of report.results) {
      assert.ok(row.mean > 0.5 && row.mean <= 1, `${row.method} ${row.shot}-shot: ${row.mean}`);
      assert.ok(row.ci95 > 0 && row.ci95 < 0.2);
    }
    assert.deepEqual(
      report.gains.map((g: { method: string }) => g.method),
      ['natural-logreg', 'natural-logreg'],
    );
    const table = spawnCli(['eval', '--data', data, '--holdout-domains', 'banking,work', '--episodes', '20', '--methods', 'natural-bayes']);
    assert.match(table.stdout, /natural-bayes\s+\d+\.\d ± \d+\.\d\s+\d+\.\d ± \d+\.\d/);
    const again = spawnCli([
      'eval',
      '--data',
      data,
      '--holdout-domains',
      'banking,work',
      '--way',
      '5',
      '--shot',
      '1,5',
      '--episodes',
      '20',
      '--methods',
      'natural-bayes,natural-logreg',
      '--baseline',
      'natural-bayes',
      '--json',
    ]);
    assert.deepEqual(
      JSON.parse(again.stdout).results.map((x: { mean: number }) => x.mean),
      report.results.map((x: { mean: number }) => x.mean),
    );
  });
});
