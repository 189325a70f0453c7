// The CLI reads its inputs as streams: a FIFO (what `<(...)` and `mkfifo` give) works as --labels
// and as a FILE, read once; what it cannot read (a device, a folder) is refused in words, at once.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readLines } from '../../src/engine/data';
import { runCli } from '../../src/cli/run';
import { fakeEngine, fakeIo } from './helpers';

const LABELS = '{"text":"refund my payment","label":"billing"}\n{"text":"cannot log in","label":"access"}\n';

describe('cli: pipes and other non-regular inputs', function () {
  // Guards against a hang (a blocked open or read), not a speed measure.
  this.timeout(20_000);
  let dir: string;
  let n = 0;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fewshot-pipes-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** A new FIFO, and a writer that fills it once a reader opens it. */
  const fifo = (content: string) => {
    const file = path.join(dir, `fifo-${n++}`);
    execFileSync('mkfifo', [file]);
    const written = fs.promises.writeFile(file, content).then(
      () => true,
      () => false,
    );
    return { file, written };
  };
  /** Lets a writer nobody read go: a reader that opens without waiting releases its blocked open. */
  const release = async (f: { file: string; written: Promise<boolean> }) => {
    const pending = await Promise.race([f.written, new Promise<'pending'>((r) => setImmediate(() => r('pending')))]);
    if (pending === 'pending') fs.closeSync(fs.openSync(f.file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK));
    return f.written;
  };

  it('--labels a FIFO: read as a stream, in words on failure, never ESPIPE', async () => {
    const doc = path.join(dir, 'doc.txt');
    fs.writeFileSync(doc, 'please refund the payment\ni cannot log in today\n');
    const labels = fifo(LABELS);
    const io = fakeIo(fakeEngine());
    const code = await runCli(['classify', '--labels', labels.file, '--model', dir, doc], io);
    await release(labels);
    assert.equal(code, 0, io.stderr.text);
    assert.doesNotMatch(io.stderr.text, /ESPIPE/);
    assert.deepEqual(io.stdout.text.trimEnd().split('\n').slice(1), [
      `${doc}\t1\tbilling\t0.750\tplease refund the payment`,
      `${doc}\t2\taccess\t0.750\ti cannot log in today`,
    ]);
  });

  it('a FIFO as FILE with a transductive method: classified once, left out of the pool, with a note', async () => {
    const labels = path.join(dir, 'labels.jsonl');
    fs.writeFileSync(labels, LABELS);
    const regular = path.join(dir, 'pool.txt');
    fs.writeFileSync(regular, 'refund please\n');
    const input = fifo('refund the payment please\r\nlog in fails\n');
    const engine = fakeEngine();
    const io = fakeIo(engine);
    const code = await runCli(['classify', '--labels', labels, '--model', dir, '--method', 'selftrain', regular, input.file], io);
    await release(input);
    assert.equal(code, 0, io.stderr.text);
    assert.deepEqual(
      io.stdout.text
        .trimEnd()
        .split('\n')
        .slice(1)
        .map((r) => r.split('\t').slice(1).join(' ')),
      ['1 billing 0.750 refund please', '1 billing 0.750 refund the payment please', '2 access 0.750 log in fails'],
    );
    assert.deepEqual(engine.log.adapts[0]?.options?.pool, ['refund please']);
    assert.match(io.stderr.text, /1 input\(s\) are pipes, read once/);
  });

  it('refuses a device or a folder in words before opening it', async () => {
    const labels = path.join(dir, 'labels2.jsonl');
    fs.writeFileSync(labels, LABELS);
    for (const [input, why] of [
      ['/dev/zero', /\/dev\/zero: is a device, not a file or a pipe/],
      [dir, /is a folder, not a file/],
    ] as const) {
      const io = fakeIo(fakeEngine());
      assert.equal(await runCli(['classify', '--labels', labels, '--model', dir, input], io), 1);
      assert.match(io.stderr.text, why);
    }
    const io = fakeIo(fakeEngine());
    assert.equal(await runCli(['classify', '--labels', '/dev/null', '--model', dir, labels], io), 1);
    assert.match(io.stderr.text, /\/dev\/null: is a device/);
  });

  const textOf = async (file: string) => {
    const lines: string[] = [];
    for await (const l of readLines(file)) lines.push(l.text);
    return lines;
  };

  it('a binary FIFO is refused from its first bytes; lines split at LF, CRLF and CR', async () => {
    const binary = fifo('text\u0000more');
    await assert.rejects(textOf(binary.file), /contains NUL bytes/);
    await release(binary);
    const big = `\uFEFF${'a'.repeat(70_000)}\r\n${'b'.repeat(70_000)}\r${'c'.repeat(5)}\n\nlast`;
    const text = fifo(big);
    assert.deepEqual(await textOf(text.file), ['a'.repeat(70_000), 'b'.repeat(70_000), 'ccccc', '', 'last']);
    await release(text);
    // A CRLF cut between two 64 KiB reads of a file is still one line end.
    const file = path.join(dir, 'cut.txt');
    fs.writeFileSync(file, `${'a'.repeat(65_535)}\r\nb\n`);
    assert.deepEqual(await textOf(file), ['a'.repeat(65_535), 'b']);
  });
});
