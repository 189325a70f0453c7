// The commands in-process against a fake engine with known behaviour: streaming, skipping,
// pools, formats, backpressure and error reporting.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/cli/run';
import { resolveMethods, expandMethodNames } from '../../src/cli/methods';
import { Capture, DATA, fakeEngine, fakeIo } from './helpers';
import { MAX_POOL, PoolSampler } from '../../src/engine/pool';

describe('cli: classify (fake engine)', () => {
  let dir: string;
  let labels: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fewshot-classify-'));
    labels = path.join(dir, 'labels.jsonl');
    fs.writeFileSync(labels, '{"text":"refund my payment","label":"billing"}\n{"text":"cannot log in","label":"access"}\n');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const modelArgs = () => ['--model', dir];

  it('writes one TSV row per unlabeled non-empty line, skipping labeled and empty lines', async () => {
    const doc = path.join(dir, 'doc.txt');
    fs.writeFileSync(doc, 'refund my payment\r\n\r\nplease refund the payment\n   \ni cannot log in today\twith tab\n');
    const engine = fakeEngine();
    const io = fakeIo(engine);
    const code = await runCli(['classify', '--labels', labels, ...modelArgs(), doc], io);
    assert.equal(code, 0, io.stderr.text);
    const rows = io.stdout.text.trimEnd().split('\n');
    assert.equal(rows[0], 'file\tline\tlabel\tconfidence\ttext');
    assert.deepEqual(rows.slice(1), [
      `${doc}\t3\tbilling\t0.750\tplease refund the payment`,
      `${doc}\t5\taccess\t0.750\ti cannot log in today with tab`,
    ]);
    assert.match(io.stderr.text, /1 line\(s\) already labeled, skipped/);
    assert.equal(engine.log.disposed, true);
  });

  it('gives transductive methods a seeded reservoir pool of unlabeled lines; inductive ones none', async () => {
    const doc = path.join(dir, 'many.txt');
    fs.writeFileSync(doc, Array.from({ length: 500 }, (_, i) => `line ${i} refund`).join('\n'));
    const engine = fakeEngine();
    await runCli(
      ['classify', '--labels', labels, ...modelArgs(), '--pool-size', '50', '--seed', '3', '--format', 'jsonl', doc],
      fakeIo(engine),
    );
    await runCli(['classify', '--labels', labels, ...modelArgs(), '--pool-size', '50', '--seed', '3', doc], fakeIo(engine));
    await runCli(['classify', '--labels', labels, ...modelArgs(), '--method', 'logreg', doc], fakeIo(engine));
    const [a, b, c] = engine.log.adapts;
    assert.equal(a!.options!.pool!.length, 50);
    assert.deepEqual(a!.options!.pool, b!.options!.pool, 'same seed, same pool');
    assert.ok(
      a!.options!.pool!.some((t) => Number(t.split(' ')[1]) >= 250),
      'the pool reaches past the first half of the file',
    );
    assert.equal(c!.options!.pool, undefined);
    assert.equal(c!.options!.method, 'logreg');
  });

  it('the pool spans a 30,000-line document (the first-20,000 mutation fails): the engine sampler, labeled lines included', async () => {
    const doc = path.join(dir, 'long.txt');
    fs.writeFileSync(doc, ['refund my payment', ...Array.from({ length: 29_999 }, (_, i) => `line ${i + 1}`)].join('\n'));
    const engine = fakeEngine();
    await runCli(['classify', '--labels', labels, ...modelArgs(), doc], fakeIo(engine));
    const pool = engine.log.adapts[0]!.options!.pool!;
    const sampler = new PoolSampler();
    for (const line of fs.readFileSync(doc, 'utf8').split('\n')) sampler.add(line);
    assert.deepEqual(pool, sampler.items, "the engine's sampler, seed and size, fed every non-empty line");
    const last = pool.filter((l) => Number(l.split(' ')[1]) >= 20_000).length;
    assert.ok(Math.abs(last - MAX_POOL / 3) < 300, `${last} of the pool from the last third`);
  });

  it('classifies a CSV or JSONL file by record (the text column, numbered by its first line) and writes it back with --format dataset', async () => {
    const csv = path.join(dir, 'tickets.csv');
    fs.writeFileSync(
      csv,
      'id,text,when\r\n1,"please refund\nthe payment",mon\r\n2,refund my payment,tue\r\n3,"i cannot log in",wed\r\n4,"never closed\r\n',
    );
    const engine = fakeEngine();
    const io = fakeIo(engine);
    assert.equal(await runCli(['classify', '--labels', labels, ...modelArgs(), csv], io), 0, io.stderr.text);
    assert.deepEqual(io.stdout.text.trimEnd().split('\n').slice(1), [
      `${csv}\t2\tbilling\t0.750\tplease refund the payment`,
      `${csv}\t5\taccess\t0.750\ti cannot log in`,
    ]);
    assert.match(io.stderr.text, /1 record\(s\) could not be read/);
    /** The --format dataset output of `files`, after checking the exit code. */
    const dataset = async (files: string[], code = 0) => {
      const out = fakeIo(fakeEngine());
      assert.equal(
        await runCli(['classify', '--labels', labels, ...modelArgs(), '--format', 'dataset', ...files], out),
        code,
        out.stderr.text,
      );
      return out.stdout.text;
    };
    assert.equal(
      await dataset([csv]),
      'id,text,when,label,label_source,confidence\r\n1,"please refund\nthe payment",mon,billing,prediction,0.75\r\n' +
        '2,refund my payment,tue,billing,label,\r\n3,i cannot log in,wed,access,prediction,0.75\r\n',
    );
    const jsonl = path.join(dir, 'tickets.jsonl');
    fs.writeFileSync(jsonl, '{"id":1,"msg":{"text":"refund the payment"}}\n\n{"id":2,"msg":{"text":"cannot log in at all"}}\n');
    assert.equal(
      await dataset([jsonl]),
      '{"id":1,"msg":{"text":"refund the payment"},"label":"billing","label_source":"prediction","confidence":0.75}\n' +
        '{"id":2,"msg":{"text":"cannot log in at all"},"label":"access","label_source":"prediction","confidence":0.75}\n',
    );
    assert.equal(await dataset([csv, jsonl], 2), '', 'one file only');
  });

  it('streams big inputs in batches with backpressure into a slow consumer', async () => {
    const doc = path.join(dir, 'big.txt');
    fs.writeFileSync(doc, Array.from({ length: 30_000 }, (_, i) => `ticket ${i} about a refund`).join('\n'));
    const engine = fakeEngine();
    const slow = new Capture(1);
    const io = fakeIo(engine, slow);
    const code = await runCli(
      ['classify', '--labels', labels, ...modelArgs(), '--batch', '1000', '--pool-size', '0', '--format', 'jsonl', doc],
      io,
    );
    assert.equal(code, 0, io.stderr.text);
    const lines = slow.text.trimEnd().split('\n');
    assert.equal(lines.length, 30_000);
    assert.deepEqual(JSON.parse(lines[29_999]!), {
      file: doc,
      line: 30_000,
      label: 'billing',
      confidence: 0.75,
      uncertainty: 0.25,
      text: 'ticket 29999 about a refund',
    });
    assert.equal(engine.log.predicted, 30_000);
    assert.ok(slow.maxBuffered < 200_000, `the writer buffered ${slow.maxBuffered} bytes: backpressure ignored`);
  });

  it('passes --abstain to the engine (auto by default, as the extension) and refuses other values', async () => {
    const doc = path.join(dir, 'abstain.txt');
    fs.writeFileSync(doc, 'please refund the payment\n');
    const engine = fakeEngine();
    await runCli(['classify', '--labels', labels, ...modelArgs(), doc], fakeIo(engine));
    await runCli(['classify', '--labels', labels, ...modelArgs(), '--abstain', 'off', doc], fakeIo(engine));
    await runCli(['classify', '--labels', labels, ...modelArgs(), '--abstain', 'on', doc], fakeIo(engine));
    assert.deepEqual(
      engine.log.adapts.map((a) => a.options?.abstain),
      ['auto', 'off', 'on'],
    );
    const io = fakeIo(fakeEngine());
    assert.equal(await runCli(['classify', '--labels', labels, ...modelArgs(), '--abstain', 'yes', doc], io), 2);
    assert.match(io.stderr.text, /--abstain.*auto, on, off/);
  });

  it('reports engine input errors and unknown methods as one line, exit 1', async () => {
    const doc = path.join(dir, 'd.txt');
    fs.writeFileSync(doc, 'x\n');
    const io = fakeIo(fakeEngine());
    assert.equal(await runCli(['classify', '--labels', labels, ...modelArgs(), '--method', 'nope', doc], io), 1);
    assert.equal(io.stderr.text.trim().split('\n').pop(), 'fewshot classify: unknown method "nope"');
    assert.match(io.stderr.text, /note: only one example for billing, access/);
    const failing = fakeIo(async () => {
      throw new TypeError('boom');
    });
    assert.equal(await runCli(['classify', '--labels', labels, ...modelArgs(), doc], failing), 1);
    assert.match(failing.stderr.text, /fewshot classify: unexpected error: boom\n\(set FEWSHOT_DEBUG=1 for details\)/);
    const noModel = fakeIo(fakeEngine());
    assert.equal(await runCli(['classify', '--labels', labels, '--model', path.join(dir, 'no-model'), doc], noModel), 1);
    assert.match(noModel.stderr.text, /model folder not found: .*no-model/);
  });
});

describe('cli: demo, info and eval (fake engine)', () => {
  it('demo prints every line with a label and confidence, plus agreement and timings', async () => {
    const io = fakeIo(fakeEngine());
    const code = await runCli(['demo', '--model', os.tmpdir()], io);
    assert.equal(code, 0, io.stderr.text);
    const out = io.stdout.text;
    assert.match(out, /tickets\.txt: 90 lines, 12 labeled by hand \(6 labels\), 78 to classify/);
    assert.equal(out.split('\n').filter((l) => / 75% {2}/.test(l)).length, 78);
    assert.equal(out.split('\n').filter((l) => /✎/.test(l)).length, 13, '12 labeled lines and the legend');
    assert.match(out, /agrees with the reference labels on \d+ of 78 lines/);
    assert.match(out, /method selftrain · backend fake · model fake-model/);
    assert.ok(!out.includes('\u001b['), 'no colour when stdout is not a terminal');
    // The labeling loop: round 1 and four review rounds of three lines each.
    const rounds = out.split('\n').filter((l) => /^\s+\d+\s+\d+\s+\d+\/78 /.test(l));
    assert.deepEqual(
      rounds.map((l) => Number(l.trim().split(/\s+/)[1])),
      [12, 15, 18, 21, 24],
    );
    assert.match(out, /after 4 review rounds \(12 more lines labeled\): \d+ of 78 lines right, from \d+/);
  });

  it('demo --rounds 0 stops after the first round; --per-round sets the lines reviewed per round', async () => {
    const none = fakeIo(fakeEngine());
    assert.equal(await runCli(['demo', '--rounds', '0', '--model', os.tmpdir()], none), 0, none.stderr.text);
    assert.doesNotMatch(none.stdout.text, /labeling loop/);
    const two = fakeIo(fakeEngine());
    assert.equal(await runCli(['demo', '--rounds', '2', '--per-round', '5', '--model', os.tmpdir()], two), 0, two.stderr.text);
    assert.match(two.stdout.text, /after 2 review rounds \(10 more lines labeled\)/);
    const bad = fakeIo(fakeEngine());
    assert.equal(await runCli(['demo', '--per-round', '0', '--model', os.tmpdir()], bad), 2);
  });

  it('info lists backend, model and methods', async () => {
    const io = fakeIo(fakeEngine());
    assert.equal(await runCli(['info', '--model', os.tmpdir()], io), 0);
    assert.match(io.stdout.text, /^backend\s+fake$/m);
    assert.match(io.stdout.text, /^methods\s+selftrain, selftrain-inductive, logreg$/m);
    const json = fakeIo(fakeEngine());
    await runCli(['info', '--json', '--model', os.tmpdir()], json);
    assert.equal(JSON.parse(json.stdout.text).defaultMethod, 'selftrain');
  });

  it('adds the inductive variant beside each transductive method and rejects unknown names', () => {
    const engine = fakeEngine();
    assert.deepEqual(expandMethodNames(['default', 'logreg', 'natural-bayes'], engine), [
      'default',
      'selftrain-inductive',
      'logreg',
      'natural-bayes',
    ]);
    assert.deepEqual(expandMethodNames(['selftrain', 'selftrain-inductive'], engine), ['selftrain', 'selftrain-inductive']);
    assert.throws(() => expandMethodNames(['selftrian'], engine), /unknown method "selftrian" \(did you mean selftrain\?\)/);
    assert.throws(() => expandMethodNames(['logreg'], undefined), /engine methods need the engine/);
    const methods = resolveMethods(engine, ['selftrain']);
    assert.deepEqual(
      methods.map((m) => [m.name, m.transductive]),
      [
        ['selftrain', true],
        ['selftrain-inductive', false],
      ],
    );
  });

  it('eval runs engine methods through the facade with pools for transductive ones', async () => {
    const engine = fakeEngine();
    const io = fakeIo(engine);
    const data = path.join(DATA, 'clinc150.test.jsonl');
    const code = await runCli(
      [
        'eval',
        '--data',
        data,
        '--model',
        os.tmpdir(),
        '--labels',
        'translate,timer,weather,alarm,balance,bill_due',
        '--way',
        '3',
        '--shot',
        '2',
        '--episodes',
        '5',
        '--methods',
        'selftrain',
        '--json',
      ],
      io,
    );
    assert.equal(code, 0, io.stderr.text);
    const report = JSON.parse(io.stdout.text);
    assert.deepEqual(
      report.results.map((r: { method: string }) => r.method),
      ['selftrain', 'selftrain-inductive'],
    );
    const withPool = engine.log.adapts.filter((a) => a.options?.pool);
    assert.equal(withPool.length, 5);
    for (const a of withPool) assert.equal(a.options!.pool!.length, 2 * 3 * 15);
    assert.equal(report.engine.backend, 'fake');
  });
});

describe('cli: eval --open-set (fake engine)', () => {
  const data = path.join(os.tmpdir(), `fewshot-open-set-${process.pid}.jsonl`);
  before(() => {
    const rows = ['a', 'b', 'c', 'd'].flatMap((l) =>
      Array.from({ length: 20 }, (_, i) => JSON.stringify({ text: `${l} line ${i}`, label: l })),
    );
    fs.writeFileSync(data, `${rows.join('\n')}\n`);
  });
  after(() => fs.rmSync(data, { force: true }));
  const evalArgs = ['eval', '--data', data, '--model', os.tmpdir(), '--way', '2', '--shot', '1', '--query', '2', '--episodes', '2'];

  it('refuses --oos-file without --open-set, and a ratio of 1', async () => {
    const io = fakeIo(fakeEngine());
    assert.equal(await runCli([...evalArgs, '--oos-file', data], io), 2);
    assert.match(io.stderr.text, /--oos-file needs --open-set R/);
    const one = fakeIo(fakeEngine());
    assert.equal(await runCli([...evalArgs, '--open-set', '1'], one), 2);
    assert.match(one.stderr.text, /--open-set must be below 1/);
  });

  it('says what is missing when the engine has no abstention rules', async () => {
    const io = fakeIo(fakeEngine());
    assert.notEqual(await runCli([...evalArgs, '--open-set', '0.25', '--methods', 'selftrain'], io), 0);
    assert.match(io.stderr.text, /has no abstention rules \(abstention.json\): fit them with `fewshot fit-abstention/);
  });
});
