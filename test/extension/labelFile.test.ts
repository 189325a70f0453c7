import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as fc from 'fast-check';
import {
  parseLabels,
  serializeLabels,
  writeFileAtomic,
  backupFile,
  readLabelFile,
  toCsv,
  cleanupTempFiles,
  escapesFolder,
  resolveLabelsPath,
  sayLabelFileMessage,
  withFileLock,
  LockLostError,
  readSettled,
  markWrittenWhole,
  type LabelRecord,
} from '../../src/extension/labelFile';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'fewshot-labels-'));
/** readSettled's content and whether it settled (the stat it also returns differs per run). */
const settle = async (...args: Parameters<typeof readSettled>) => {
  const { content, settled } = await readSettled(...args);
  return { content, settled };
};

describe('label file', () => {
  const records: LabelRecord[] = [
    { document: 'b.txt', line: 4, text: 'refund please', label: 'billing' },
    { document: 'a.txt', line: 0, text: 'login "fails"', label: 'account' },
  ];

  it('round-trips records, sorted by document then line, 1-based lines in the file', () => {
    const text = serializeLabels(records);
    const lines = text.trim().split('\n');
    assert.equal(lines.length, 2);
    assert.deepEqual(JSON.parse(lines[0]!), { document: 'a.txt', line: 1, text: 'login "fails"', label: 'account' });
    const parsed = parseLabels(text);
    assert.deepEqual(parsed.problems, []);
    assert.deepEqual(parsed.records, [records[1], records[0]]);
  });

  it('loads the valid records of a corrupt file and reports bad lines by number', () => {
    const content = [
      '{"document":"a.txt","line":1,"text":"x","label":"one"}',
      '{"document":"a.txt","line":2,"text":"y",',
      '',
      '{"document":"a.txt","line":0,"text":"z","label":"two"}',
      '[1,2]',
      '{"document":"a.txt","line":3,"text":"w","label":"two"}',
    ].join('\n');
    const parsed = parseLabels(content);
    assert.deepEqual(
      parsed.records.map((r) => r.text),
      ['x', 'w'],
    );
    assert.deepEqual(
      parsed.problems.map((p) => p.line),
      [2, 4, 5],
    );
    assert.match(parsed.problems[0]!.message, /JSON/);
    assert.match(parsed.problems[1]!.message, /line/);
  });

  it('writes atomically: the target is replaced whole and no temp file is left', async () => {
    const dir = tmp();
    const file = path.join(dir, 'nested', 'labels.jsonl');
    await writeFileAtomic(file, 'first\n');
    await writeFileAtomic(file, 'second\n');
    assert.equal(fs.readFileSync(file, 'utf8'), 'second\n');
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ['labels.jsonl']);
  });

  it('a failed write leaves the old file intact and cleans its temp file', async () => {
    const dir = tmp();
    const file = path.join(dir, 'labels.jsonl');
    fs.writeFileSync(file, 'old\n');
    // Renaming a file onto a non-empty folder fails: simulate with a folder at the target.
    const blocked = path.join(dir, 'blocked');
    fs.mkdirSync(path.join(blocked, 'inside'), { recursive: true });
    await assert.rejects(writeFileAtomic(blocked, 'new\n'));
    assert.equal(fs.readFileSync(file, 'utf8'), 'old\n');
    assert.deepEqual(fs.readdirSync(dir).sort(), ['blocked', 'labels.jsonl']);
  });

  it('backs up a corrupt file once per distinct content, and reads a missing file as empty', async () => {
    const dir = tmp();
    const file = path.join(dir, 'labels.jsonl');
    fs.writeFileSync(file, 'garbage\n');
    const first = await backupFile(file, 'garbage\n');
    assert.match(path.basename(first.backup!), /^labels\.jsonl\.corrupt-[0-9a-f]{12}\.bak$/);
    assert.equal(first.created, true);
    assert.equal(fs.readFileSync(first.backup!, 'utf8'), 'garbage\n');
    // Item 8: reading the same corrupt content again makes no new copy.
    const again = await backupFile(file, 'garbage\n');
    assert.deepEqual(again, { backup: first.backup, created: false });
    assert.equal(fs.readdirSync(dir).length, 2);
    const missing = await readLabelFile(path.join(dir, 'none.jsonl'));
    assert.deepEqual(missing, { records: [], problems: [], content: undefined });
  });

  it('a lock is released only by its owner; a holder that lost it hears so before writing', async () => {
    const file = path.join(tmp(), 'labels.jsonl');
    const lock = `${file}.lock`;
    const next = JSON.stringify({ token: 'next', pid: process.pid, host: os.hostname() });
    await withFileLock(file, async (held) => {
      await held.check();
      fs.writeFileSync(lock, next); // taken over meanwhile by the next holder
      await assert.rejects(held.check(), LockLostError);
    });
    assert.equal(fs.readFileSync(lock, 'utf8'), next);
  });

  it('a stale lock that cannot be moved aside makes the writer wait and time out with a message, not spin', async () => {
    // The lock's name is so long that the takeover's rename (to <lock>.stale-<uuid>) is refused
    // (ENAMETOOLONG), as a read-only folder refuses it: before the fix the loop retried at once, forever.
    const file = path.join(tmp(), `${'x'.repeat(240)}.jsonl`);
    const lock = `${file}.lock`;
    fs.writeFileSync(lock, JSON.stringify({ token: 'gone', pid: 2 ** 22 + 12345, host: os.hostname() }));
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(lock, old, old);
    await assert.rejects(
      withFileLock(file, async () => 'never', { timeoutMs: 300 }),
      /is locked: a stale lock could not be removed \(.*(ENAMETOOLONG|name too long)/i,
    );
    assert.ok(fs.existsSync(lock), 'the lock it could not move is left alone');
  });

  /**
   * Rewrites `file` in place with `full` over and over while `check` runs: truncate, the first
   * `half` characters, a pause of `pauseMs`, the rest, then `gapMs` until the next rewrite.
   */
  async function whileRewritten(
    file: string,
    full: string,
    rewrite: { half: number; pauseMs: number; gapMs: number },
    check: () => Promise<void>,
  ): Promise<void> {
    fs.writeFileSync(file, full);
    let running = true;
    const rewriter = (async () => {
      while (running) {
        const handle = await fs.promises.open(file, 'r+');
        await handle.truncate(0);
        await handle.write(full.slice(0, rewrite.half), 0);
        await new Promise((r) => setTimeout(r, rewrite.pauseMs));
        await handle.write(full.slice(rewrite.half), rewrite.half);
        await handle.close();
        await new Promise((r) => setTimeout(r, rewrite.gapMs));
      }
    })();
    try {
      await check();
    } finally {
      running = false;
      await rewriter;
    }
  }

  it('a file rewritten in place with the same content every 40 ms still reads as settled, never half', async () => {
    const file = path.join(tmp(), 'labels.jsonl');
    const full = 'a'.repeat(1000).concat('\n');
    await whileRewritten(file, full, { half: 500, pauseMs: 10, gapMs: 30 }, async () => {
      for (let i = 0; i < 3; i++) assert.deepEqual(await settle(file, { quietMs: 100, maxWaitMs: 2000 }), { content: full, settled: true });
    });
  });

  it('a half-written moment that recurs (the rewrite pauses long with half the file written) is never taken as settled', async () => {
    const file = path.join(tmp(), 'labels.jsonl');
    const full = 'b'.repeat(600).concat('\n').repeat(2);
    // The half is a whole first line: a valid, shorter file. The pause stays well under quietMs
    // (with 100 ms, a machine at load 15-20 stretched the 60 ms pause past it in a third of reads,
    // and the half was seen twice quietMs apart before anything longer: what no time rule tells).
    await whileRewritten(file, full, { half: 601, pauseMs: 60, gapMs: 15 }, async () => {
      for (let i = 0; i < 3; i++) assert.deepEqual(await settle(file, { quietMs: 300, maxWaitMs: 3000 }), { content: full, settled: true });
    });
  });

  /** A JSONL content of `n` records and its first half, cut at a record boundary (a valid, shorter file). */
  const records10 = () => {
    const lines = Array.from(
      { length: 10 },
      (_, i) => `${JSON.stringify({ document: 'd.txt', line: i + 1, text: `t${i}`, label: 'x' })}\n`,
    );
    return { full: lines.join(''), half: lines.slice(0, 5).join('') };
  };
  const removes = (full: string) => (content: string | undefined) =>
    content !== undefined && parseLabels(content).records.length < parseLabels(full).records.length;

  it('a rewrite in place that stalls 500 ms with a valid half file is not taken as settled: the whole file is', async () => {
    const file = path.join(tmp(), 'labels.jsonl');
    const { full, half } = records10();
    fs.writeFileSync(file, full);
    const handle = await fs.promises.open(file, 'r+');
    await handle.truncate(0);
    await handle.write(half, 0);
    // The half is there before the read starts and stays for 500 ms: longer than quietMs, shorter than confirmMs.
    const reading = settle(file, { quietMs: 100, confirmMs: 2000, maxWaitMs: 3000 }, removes(full));
    await new Promise((r) => setTimeout(r, 500));
    await handle.write(full.slice(half.length), half.length);
    await handle.close();
    assert.deepEqual(await reading, { content: full, settled: true });
  });

  it('a shorter file written in place must rest confirmMs; one marked as written whole (renamed into place) need not', async () => {
    const file = path.join(tmp(), 'labels.jsonl');
    const { full, half } = records10();
    // Written in place (an editor, a script): it waits for confirmMs, past maxWaitMs here...
    fs.writeFileSync(file, half);
    assert.deepEqual(await settle(file, { quietMs: 20, confirmMs: 5000, maxWaitMs: 600 }, removes(full)), {
      content: half,
      settled: false,
    });
    // ... and is taken once it has rested that long.
    fs.writeFileSync(file, half);
    assert.deepEqual(await settle(file, { quietMs: 20, confirmMs: 300, maxWaitMs: 3000 }, removes(full)), {
      content: half,
      settled: true,
    });
    // A label store's write (writeFileAtomic, the temp file marked): the short rest, even the start of a longer content.
    fs.writeFileSync(file, full);
    await writeFileAtomic(file, half, undefined, markWrittenWhole);
    assert.deepEqual(await settle(file, { quietMs: 20, confirmMs: 5000, maxWaitMs: 600 }, removes(full)), {
      content: half,
      settled: true,
    });
    // Any data write clears the mark: the same content rewritten in place waits again.
    fs.writeFileSync(file, half);
    assert.equal((await settle(file, { quietMs: 20, confirmMs: 5000, maxWaitMs: 600 }, removes(full))).settled, false);
  });

  it('a file replaced git-style again and again (gone 300 ms, there 150 ms) is not taken as missing', async () => {
    const file = path.join(tmp(), 'labels.jsonl');
    const { full } = records10();
    const aside = `${file}.aside`;
    fs.writeFileSync(aside, full);
    let running = true;
    // The read starts while the file is gone: "missing" is seen first, and again after the rest.
    // Every content must rest confirmMs (the folder store asks that under its lock), so the read
    // only has to see the file once in its first two seconds: a loaded machine that delays a poll
    // by hundreds of milliseconds still does (20 ms windows and a 100 ms rest were missed on CI).
    const replacer = (async () => {
      while (running) {
        await new Promise((r) => setTimeout(r, 300));
        fs.copyFileSync(aside, file);
        await new Promise((r) => setTimeout(r, 150));
        fs.rmSync(file);
      }
    })();
    try {
      assert.deepEqual(await settle(file, { quietMs: 100, confirmMs: 2000, maxWaitMs: 8000 }, () => true), {
        content: full,
        settled: true,
      });
    } finally {
      running = false;
      await replacer;
    }
  });

  it('quotes CSV fields that need it', () => {
    assert.equal(
      toCsv(
        ['a', 'b'],
        [
          ['x,y', 'say "hi"'],
          [1, 'plain'],
        ],
      ),
      'a,b\n"x,y","say ""hi"""\n1,plain\n',
    );
  });
  it('keeps fields it does not know through a read and a write (item 6)', () => {
    const line = '{"document":"a.txt","line":3,"text":"x","label":"one","annotator":"ana","note":{"why":"typo"},"reviewed":true}';
    const parsed = parseLabels(`${line}\n`);
    assert.deepEqual(parsed.records[0]!.extra, { annotator: '"ana"', note: '{"why":"typo"}', reviewed: 'true' });
    assert.deepEqual(JSON.parse(serializeLabels(parsed.records)), JSON.parse(line));
  });

  it('writes unknown fields back as written: big integers, 1e400, key order', () => {
    const line =
      '{"id":12345678901234567890,"score":1e400,"note":{"n":-0.10000000000000000001},"document":"a.txt","line":3,"text":"x","label":"one"}';
    assert.equal(serializeLabels(parseLabels(`${line}\n`).records), `${line}\n`);
  });

  it('a byte-order mark is not part of the first record', () => {
    const parsed = parseLabels(`\uFEFF${JSON.stringify({ document: 'a.txt', line: 1, text: 'x', label: 'one' })}\n`);
    assert.deepEqual(parsed.problems, []);
    assert.equal(parsed.records.length, 1);
  });

  it('a task field is read as the task; one that is not a clean name is a bad line, not a default-task label', () => {
    const ok = { document: 'a.txt', line: 1, text: 't', label: 'one' };
    const content = [{ ...ok, task: 'urgency' }, ok, { ...ok, task: 5 }, { ...ok, task: ' ' }].map((r) => JSON.stringify(r)).join('\n');
    const parsed = parseLabels(content);
    assert.deepEqual(
      parsed.records.map((r) => r.task),
      ['urgency', undefined],
    );
    assert.deepEqual(
      parsed.problems.map((p) => p.line),
      [3, 4],
    );
    assert.equal(serializeLabels(parsed.records), `${JSON.stringify(ok)}\n${JSON.stringify({ ...ok, task: 'urgency' })}\n`);
  });

  it('refuses label names with control, bidi or zero-width characters as bad lines (item 9)', () => {
    const bad = ['spam\u202e', 'a\u0007b', 'x\u200by', 'esc\u001b[31m'];
    const content = bad.map((label, i) => JSON.stringify({ document: 'a.txt', line: i + 1, text: 't', label })).join('\n');
    const parsed = parseLabels(content);
    assert.equal(parsed.records.length, 0);
    assert.deepEqual(
      parsed.problems.map((p) => p.line),
      [1, 2, 3, 4],
    );
    assert.match(parsed.problems[0]!.message, /bidirectional/);
  });

  it('writes concurrently from one process without temp-name collisions (item 4)', async () => {
    const file = path.join(tmp(), 'labels.jsonl');
    const results = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => writeFileAtomic(file, `write ${i}\n`)));
    assert.deepEqual(
      results.filter((r) => r.status === 'rejected'),
      [],
    );
    assert.match(fs.readFileSync(file, 'utf8'), /^write \d+\n$/);
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ['labels.jsonl']);
  });

  it('fsyncs the data before the rename and the folder after it (item 8)', async () => {
    const file = path.join(tmp(), 'labels.jsonl');
    const synced: string[] = [];
    const open = fs.promises.open;
    // Watch every handle the write opens: which paths get fsynced, in which order.
    fs.promises.open = (async (p: fs.PathLike, flags?: string | number, mode?: fs.Mode) => {
      const handle = await open(p, flags, mode);
      const sync = handle.sync.bind(handle);
      handle.sync = async () => {
        synced.push(fs.existsSync(file) ? `after rename: ${path.basename(String(p))}` : `before rename: ${path.basename(String(p))}`);
        return sync();
      };
      return handle;
    }) as typeof fs.promises.open;
    try {
      await writeFileAtomic(file, 'x\n');
    } finally {
      fs.promises.open = open;
    }
    assert.equal(synced.length, 2, synced.join('; '));
    assert.match(synced[0]!, /^before rename: \.labels\.jsonl\..*\.tmp$/);
    assert.equal(synced[1], `after rename: ${path.basename(path.dirname(file))}`);
  });

  it('removes temp files left by a killed write, not those of a live writer (item 8)', async () => {
    const dir = tmp();
    const file = path.join(dir, 'labels.jsonl');
    const dead = path.join(dir, '.labels.jsonl.999999999.abc.tmp');
    const live = path.join(dir, `.labels.jsonl.${process.pid}.def.tmp`);
    fs.writeFileSync(dead, 'half');
    fs.writeFileSync(live, 'in flight');
    assert.deepEqual(await cleanupTempFiles(file), [dead]);
    assert.deepEqual(fs.readdirSync(dir), [path.basename(live)]);
  });

  it('replaces the target of a symbolic link and keeps the link (item 5)', async () => {
    const dir = tmp();
    fs.mkdirSync(path.join(dir, 'real'));
    fs.writeFileSync(path.join(dir, 'real', 'labels.jsonl'), 'old\n');
    fs.symlinkSync(path.join(dir, 'real', 'labels.jsonl'), path.join(dir, 'labels.jsonl'));
    await writeFileAtomic(path.join(dir, 'labels.jsonl'), 'new\n');
    assert.equal(fs.lstatSync(path.join(dir, 'labels.jsonl')).isSymbolicLink(), true);
    assert.equal(fs.readFileSync(path.join(dir, 'real', 'labels.jsonl'), 'utf8'), 'new\n');
  });

  it('keeps the label file inside the workspace folder, symbolic links included (items 4, 5)', async () => {
    const root = tmp();
    const outside = tmp();
    const fallback = path.join(root, '.fewshot', 'labels.jsonl');
    assert.deepEqual(resolveLabelsPath(root, 'data/labels.jsonl'), { file: path.join(root, 'data', 'labels.jsonl') });
    assert.equal(resolveLabelsPath(root, path.join(outside, 'x.jsonl')).file, fallback);
    assert.match(resolveLabelsPath(root, '/home/me/.bashrc').refused!, /relative/);
    assert.match(resolveLabelsPath(root, '../../.bashrc').refused!, /inside/);
    assert.match(resolveLabelsPath(root, 'C:\\Users\\me\\x').refused!, /relative/);
    assert.match(resolveLabelsPath(root, 'data/labels.jsonl', false).refused!, /untrusted/);
    // Shown in the user's language: the refusal's English is the key of its translation.
    const zh: Record<string, string> = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../l10n/bundle.l10n.zh-cn.json'), 'utf8'));
    const t = (message: string, ...args: string[]) => zh[message]!.replace(/\{(\d+)\}/g, (_, i: string) => args[Number(i)]!);
    assert.equal(
      sayLabelFileMessage(resolveLabelsPath(root, '../../.bashrc').refusal!, t),
      'fewshot.labelsFile 必须位于工作区文件夹之内（实际为 ../../.bashrc）',
    );
    assert.equal(resolveLabelsPath(root, 'data/labels.jsonl', false).file, fallback);

    assert.equal(await escapesFolder(root, fallback), undefined);
    // A .fewshot folder linked outside.
    fs.symlinkSync(outside, path.join(root, '.fewshot'));
    assert.match((await escapesFolder(root, fallback))!, /outside/);
    fs.unlinkSync(path.join(root, '.fewshot'));
    // A label file linked to a file outside (a shell start-up file, a key).
    fs.mkdirSync(path.join(root, '.fewshot'));
    fs.writeFileSync(path.join(outside, 'secret'), 'ssh-key');
    fs.symlinkSync(path.join(outside, 'secret'), fallback);
    assert.match((await escapesFolder(root, fallback))!, /outside/);
    // A dangling link pointing outside.
    fs.unlinkSync(fallback);
    fs.symlinkSync(path.join(outside, 'not-yet'), fallback);
    assert.match((await escapesFolder(root, fallback))!, /outside/);
    // A link that stays inside is fine.
    fs.unlinkSync(fallback);
    fs.writeFileSync(path.join(root, 'mine.jsonl'), '');
    fs.symlinkSync(path.join(root, 'mine.jsonl'), fallback);
    assert.equal(await escapesFolder(root, fallback), undefined);
  });

  it('defuses spreadsheet formulas in CSV cells (item 3)', () => {
    const csv = toCsv(
      ['text', 'n'],
      [
        ['=HYPERLINK("http://x")', -3],
        ['+1+2', 2],
        ['-2+3', 0],
        ['@SUM(A1)', 1],
        ['\tcmd', 1],
        ['\r=1', 1],
        ['ok', 1],
      ],
    );
    const cells = csv.trim().split('\n').slice(1);
    assert.deepEqual(cells, ['"\'=HYPERLINK(""http://x"")",-3', "'+1+2,2", "'-2+3,0", "'@SUM(A1),1", "'\tcmd,1", '"\'\r=1",1', 'ok,1']);
  });

  it('property: any records survive serialize then parse (fields, order, unknown fields)', () => {
    const name = fc.string({ minLength: 1, maxLength: 10 }).filter((s) => s.trim() === s && /^[a-z0-9 _-]+$/i.test(s));
    const record = fc.record({
      document: fc.string({ minLength: 1, maxLength: 12 }),
      line: fc.nat(100_000),
      text: fc.string({ maxLength: 40 }),
      label: name,
      task: fc.option(name, { nil: undefined }),
      extra: fc.option(fc.dictionary(fc.constantFrom('annotator', 'note', 'reviewed', 'x-id'), fc.jsonValue({ maxDepth: 2 })), {
        nil: undefined,
      }),
    });
    fc.assert(
      fc.property(fc.array(record, { maxLength: 20 }), (records) => {
        const clean = records.map((r) => {
          const { extra, ...rest } = r;
          return extra && Object.keys(extra).length
            ? { ...rest, extra: Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, JSON.stringify(v)])) }
            : rest;
        });
        const text = serializeLabels(clean);
        const parsed = parseLabels(text);
        assert.deepEqual(parsed.problems, []);
        assert.equal(serializeLabels(parsed.records), text);
        assert.equal(parsed.records.length, clean.length);
      }),
    );
  });

  it('property: any text parses without throwing; every non-blank line is a record or a numbered problem', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.json()), { maxLength: 20 }), (lines) => {
        const parsed = parseLabels(lines.join('\n'));
        const nonBlank = lines
          .join('\n')
          .split(/\r?\n/)
          .filter((l) => l.trim() !== '').length;
        assert.equal(parsed.records.length + parsed.problems.length, nonBlank);
      }),
    );
  });
});
