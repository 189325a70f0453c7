// Several writers on one label file: stores that hold unsaved changes at once, line shifts in one
// window, outside programs rewriting or replacing the file, a paused or dead lock holder.
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as fc from 'fast-check';
import type { LineSource } from '../../src/extension/anchor';
import { FolderLabels, type FolderLabelsOptions } from '../../src/extension/folderLabels';
import { parseLabels } from '../../src/extension/labelFile';
import { at, runAsWriter, runWriter, startWriter, textOf } from './labelWriter';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'fewshot-sync-'));
const fileOf = (root: string) => path.join(root, '.fewshot', 'labels.jsonl');
// Short bounds keep the tests quick; the rules are the same as with the defaults.
const fast: FolderLabelsOptions = { log: () => {}, settle: { quietMs: 10, confirmMs: 50 }, lock: { staleMs: 300 } };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const source = (lines: readonly string[]): LineSource => ({ lineCount: lines.length, lineAt: (l) => lines[l] ?? '' });
/** task and text -> label of a file or a store (positions differ between windows whose documents differ). */
const labelsOf = (records: ReadonlyArray<{ document: string; text: string; label: string; task?: string }>) =>
  new Map(records.map((r) => [`${r.document}|${r.task ?? ''}|${r.text}`, r.label] as const).sort(([a], [b]) => (a < b ? -1 : 1)));
const fileLabels = (file: string) => labelsOf(parseLabels(fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '').records);

const writerProcess = runAsWriter();

/** Where a rewrite stalls: half the characters (mid-line), or after the first half of the records (a valid file). */
const midLine = (content: string) => content.length >> 1;
const halfOfRecords = (content: string) => {
  let at = 0;
  for (let records = content.split('\n').length >> 1; records > 0; records--) at = content.indexOf('\n', at) + 1;
  return at;
};

/**
 * Rewrites the file with the content it holds, in place: truncate, the part before `cut`, a pause,
 * the rest. `paused` runs once the first part is written.
 */
async function rewriteInPlace(file: string, pauseMs = 25, cut = midLine, paused?: () => void): Promise<void> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, 'r+');
  } catch {
    paused?.();
    return;
  }
  try {
    // Read and write through one handle: a store's rename meanwhile leaves this inode behind, so
    // the rewriter never writes back an older content (only a moment of a half-written file).
    const content = Buffer.from(await handle.readFile('utf8'));
    const at = cut(content.toString('utf8'));
    await handle.truncate(0);
    await handle.write(content, 0, at, 0);
    paused?.();
    await sleep(pauseMs);
    await handle.write(content, at, content.length - at, at);
  } finally {
    await handle.close();
  }
}

/** Replaces the file the way git checks it out: gone, then created again with the same content. */
async function replaceLikeGit(file: string): Promise<void> {
  const aside = `${file}.git-${process.pid}`;
  try {
    await fs.promises.rename(file, aside); // takes exactly what was there, even if a store just wrote
  } catch {
    return;
  }
  const content = await fs.promises.readFile(aside, 'utf8');
  await sleep(5);
  // A store that wrote while it was gone has the newer content: keep that.
  await fs.promises.writeFile(file, content, { flag: 'wx' }).catch(() => {});
  await fs.promises.rm(aside, { force: true });
}

async function writersWithOutsider(outsider: (file: string) => Promise<void>): Promise<Map<string, string>> {
  const root = tmp();
  const file = fileOf(root);
  fs.mkdirSync(path.dirname(file));
  fs.writeFileSync(file, '');
  let running = true;
  let rewrites = 0;
  const outside = (async () => {
    while (running) {
      await sleep(100);
      await outsider(file);
      rewrites++;
    }
  })();
  const names = ['a.txt', 'b.txt', 'c.txt'];
  const codes = await Promise.all(names.map((name) => runWriter({ root, name, count: 60, intervalMs: 10 })));
  running = false;
  await outside;
  assert.deepEqual(codes, [0, 0, 0]);
  assert.ok(rewrites >= 3, `the outside program ran ${rewrites} times`);
  assert.deepEqual(
    fs.readdirSync(path.dirname(file)).filter((n) => n !== 'labels.jsonl'),
    [],
  );
  return fileLabels(file);
}

if (!writerProcess)
  describe('folder labels: several writers on one file', () => {
    it('the same line labeled in two windows: the write that comes last wins, everywhere', async () => {
      const root = tmp();
      const [a, b] = [new FolderLabels(root, fileOf(root), fast), new FolderLabels(root, fileOf(root), fast)];
      await a.load();
      await b.load();
      a.setLabel('x.txt', at('x.txt', 5), 'spam');
      b.setLabel('x.txt', at('x.txt', 5), 'ham');
      await a.save();
      await b.load(); // b hears of a's write while its own label is unsaved: its label stays
      assert.equal(b.document('x.txt')?.at(5)?.label, 'ham');
      await b.save();
      await a.load();
      assert.deepEqual([...fileLabels(fileOf(root)).values()], ['ham']);
      for (const s of [a, b]) assert.deepEqual([...labelsOf(s.records()).values()], ['ham']);
    });

    it('a line shift in one window does not bring back a label removed in the other; a relabel follows the moved line', async () => {
      const root = tmp();
      const file = fileOf(root);
      const lines = Array.from({ length: 10 }, (_, i) => textOf('x.txt', i));
      const [a, b] = [new FolderLabels(root, file, fast), new FolderLabels(root, file, fast)];
      await a.load();
      a.setLabel('x.txt', at('x.txt', 6), 'spam');
      a.setLabel('x.txt', at('x.txt', 8), 'spam');
      await a.save();
      await b.load();
      b.removeLabel('x.txt', [6]);
      b.setLabel('x.txt', at('x.txt', 8), 'ham');
      await b.save();
      // Window a presses Enter at the top of the document, then saves (its labels moved down).
      const shifted = ['', ...lines];
      a.applyEdits('x.txt', [{ startLine: 0, endLine: 0, insertedLineBreaks: 1 }], source(shifted));
      await a.save();
      const records = parseLabels(fs.readFileSync(file, 'utf8')).records;
      assert.deepEqual(
        records.map((r) => [r.line, r.text, r.label]),
        [[9, textOf('x.txt', 8), 'ham']],
      );
      await b.load();
      assert.deepEqual([...labelsOf(b.records())], [[`x.txt||${textOf('x.txt', 8)}`, 'ham']]);
    });

    it('lines with the same text: a label added above another in one window and a removal or relabel in the other both hold', async () => {
      const file = (root: string) => fileOf(root);
      const lineOf = (line: number) => [{ line, text: 'ok' }];
      const records = (root: string) =>
        parseLabels(fs.readFileSync(file(root), 'utf8'))
          .records.map((r) => [r.line, r.label])
          .sort((x, y) => (x[0] as number) - (y[0] as number));
      // A labels an earlier `ok` while B removes the later one: A's label stays, B's removal holds.
      for (const label of ['X', 'Y']) {
        const root = tmp();
        const [a, b] = [new FolderLabels(root, file(root), fast), new FolderLabels(root, file(root), fast)];
        a.setLabel('d.txt', lineOf(10), 'X');
        await a.save();
        await b.load();
        a.setLabel('d.txt', lineOf(2), label);
        b.removeLabel('d.txt', [10]);
        await b.save();
        await a.save();
        assert.deepEqual(records(root), [[2, label]], `new label ${label}`);
      }
      // A removes the first `ok` while B relabels the second: both hold.
      const root = tmp();
      const [a, b] = [new FolderLabels(root, file(root), fast), new FolderLabels(root, file(root), fast)];
      a.setLabel('d.txt', lineOf(5), 'X');
      a.setLabel('d.txt', lineOf(10), 'Y');
      await a.save();
      await b.load();
      a.removeLabel('d.txt', [5]);
      b.setLabel('d.txt', lineOf(10), 'Z');
      await b.save();
      await a.save();
      assert.deepEqual(records(root), [[10, 'Z']]);
      // And B adds an earlier `ok` while A removes the later one: the same, the other way round.
      const root2 = tmp();
      const [c, d] = [new FolderLabels(root2, file(root2), fast), new FolderLabels(root2, file(root2), fast)];
      c.setLabel('d.txt', lineOf(10), 'X');
      await c.save();
      await d.load();
      d.setLabel('d.txt', lineOf(2), 'X');
      c.removeLabel('d.txt', [10]);
      await d.save();
      await c.save();
      assert.deepEqual(records(root2), [[2, 'X']]);
    });

    it('two records for one line (files concatenated) are one label: removing it leaves none to come back', async () => {
      const root = tmp();
      const file = fileOf(root);
      fs.mkdirSync(path.dirname(file));
      const line = (label: string) => JSON.stringify({ document: 'x.txt', line: 3, text: textOf('x.txt', 2), label });
      fs.writeFileSync(file, `${line('spam')}\n${line('ham')}\n`);
      const store = new FolderLabels(root, file, fast);
      await store.load();
      assert.equal(store.count, 1);
      assert.equal(store.document('x.txt')?.at(2)?.label, 'ham'); // the one last in the file
      store.removeLabel('x.txt', [2]);
      await store.save();
      const reopened = new FolderLabels(root, file, fast);
      await reopened.load();
      assert.equal(reopened.count, 0);
    });

    it('a deleted file keeps its labels: told once, written back', async () => {
      const root = tmp();
      const file = fileOf(root);
      const told: number[] = [];
      const store = new FolderLabels(root, file, { ...fast, onFileDeleted: (kept) => told.push(kept) });
      await store.load();
      store.setLabel('x.txt', at('x.txt', 0), 'spam');
      await store.save();
      fs.rmSync(file);
      await store.load();
      await store.load();
      assert.equal(store.count, 1);
      for (let i = 0; i < 100 && !fs.existsSync(file); i++) await sleep(10);
      assert.deepEqual([...fileLabels(file).values()], ['spam']);
      assert.deepEqual(told, [1]);
      // Deleted again later: told again.
      fs.rmSync(file);
      await store.load();
      assert.deepEqual(told, [1, 1]);
    });

    it('a file read while half written, empty or missing is not taken for removals', async () => {
      const root = tmp();
      const file = fileOf(root);
      const store = new FolderLabels(root, file, { ...fast, settle: { quietMs: 60 } });
      await store.load();
      for (let i = 0; i < 6; i++) store.setLabel('x.txt', at('x.txt', i), 'spam');
      await store.save();
      const full = fs.readFileSync(file, 'utf8');
      // Another program rewrites it in place, slowly: the store reads it in the middle.
      fs.writeFileSync(file, full.slice(0, full.length >> 1));
      const loading = store.load();
      await sleep(20);
      fs.writeFileSync(file, full);
      await loading;
      assert.equal(store.count, 6);
      // Gone for a moment (git), then back.
      fs.rmSync(file);
      const again = store.load();
      await sleep(20);
      fs.writeFileSync(file, full);
      await again;
      assert.equal(store.count, 6);
      store.setLabel('x.txt', at('x.txt', 7), 'ham');
      await store.save();
      assert.equal(fileLabels(file).size, 7);
    });

    it('a rewriter that stalls 300-800 ms with a valid half file while a store reads and saves: no label lost', async function () {
      this.timeout(30_000);
      const root = tmp();
      const file = fileOf(root);
      const store = new FolderLabels(root, file, { log: () => {} }); // the store's own bounds (quietMs 150, confirmMs 1500)
      await store.load();
      for (let i = 0; i < 10; i++) store.setLabel('x.txt', at('x.txt', i), 'spam');
      await store.save();
      for (const [k, pauseMs] of [300, 550, 800, 400].entries()) {
        let paused!: () => void;
        const half = new Promise<void>((r) => (paused = r));
        const rewrite = rewriteInPlace(file, pauseMs, halfOfRecords, paused);
        await half;
        // During the stall: a label, then a save (or a load, as the file watcher asks, then a save).
        store.setLabel('y.txt', at('y.txt', k), 'ham');
        if (k % 2) await store.load();
        await store.save();
        await rewrite;
        assert.equal(store.count, 11 + k);
      }
      await store.load();
      assert.equal(store.count, 14);
      assert.equal(fileLabels(file).size, 14);
    });

    it('a store that has not read the newest records saves during a stalled rewrite whose valid half lacks them: none lost', async function () {
      this.timeout(30_000);
      const root = tmp();
      const file = fileOf(root);
      const [a, b] = [new FolderLabels(root, file, { log: () => {} }), new FolderLabels(root, file, { log: () => {} })];
      await a.load();
      b.setLabel('a.txt', at('a.txt', 9), 'ham');
      await b.save();
      for (const [k, pauseMs] of [600, 350].entries()) {
        // A labels three more lines (they sort last); B has not read them.
        const first = 3 * k;
        for (let i = first; i < first + 3; i++) a.setLabel('z.txt', at('z.txt', i), 'spam');
        await a.save();
        // The rewrite stalls just before A's new records: a valid file that removes nothing B knows of.
        const cut = (content: string) => content.indexOf(`{"document":"z.txt","line":${first + 1},`);
        let paused!: () => void;
        const half = new Promise<void>((r) => (paused = r));
        const rewrite = rewriteInPlace(file, pauseMs, cut, paused);
        await half;
        b.setLabel('a.txt', at('a.txt', k), 'ham');
        if (k) await b.load(); // as the file watcher asks: the half only adds, it is taken at once
        await b.save();
        await rewrite;
      }
      await a.load();
      assert.equal(a.count, 9);
      assert.equal(fileLabels(file).size, 9);
    });

    it('a removal by another store is taken at once; one written in place (an editor, git) once it has rested confirmMs', async () => {
      const root = tmp();
      const file = fileOf(root);
      const a = new FolderLabels(root, file, fast);
      // confirmMs past maxWaitMs: a read that would need the long rest is not taken at all (the load fails).
      const b = new FolderLabels(root, file, { ...fast, settle: { quietMs: 10, confirmMs: 60_000, maxWaitMs: 1000 } });
      const c = new FolderLabels(root, file, { ...fast, settle: { quietMs: 10, confirmMs: 300 } });
      await a.load();
      for (let i = 0; i < 6; i++) a.setLabel('x.txt', at('x.txt', i), 'spam');
      await a.save();
      await b.load();
      await c.load();
      // The last record too: the new file is the start of the old one, as a stalled rewrite's half is.
      a.removeLabel('x.txt', [1, 5]);
      await a.save();
      await b.load();
      await c.load();
      assert.deepEqual([b.count, c.count], [4, 4]);
      // Another program (a process of its own) writes the file in place without the first record.
      const script =
        "const fs = require('fs'); const c = fs.readFileSync(process.argv[1], 'utf8'); fs.writeFileSync(process.argv[1], c.slice(c.indexOf('\\n') + 1));";
      assert.equal(spawnSync(process.execPath, ['-e', script, file]).status, 0);
      await assert.rejects(b.load(), /keeps changing/);
      assert.equal(b.count, 4);
      await c.load();
      assert.equal(c.count, 3);
      c.setLabel('x.txt', at('x.txt', 7), 'ham');
      await c.save();
      assert.deepEqual(
        [...fileLabels(file).keys()],
        [2, 3, 4, 7].map((i) => `x.txt||${textOf('x.txt', i)}`),
      );
    });

    it('an outside program rewriting a corrupt file makes one backup for the episode', async () => {
      const root = tmp();
      const file = fileOf(root);
      fs.mkdirSync(path.dirname(file));
      const good = `${JSON.stringify({ document: 'x.txt', line: 1, text: 't', label: 'spam' })}\n`;
      fs.writeFileSync(file, `${good}not json\n`);
      const store = new FolderLabels(root, file, fast);
      await store.load();
      // Each rewrite truncates the file first; the store reads it in that moment, then again.
      for (let i = 0; i < 5; i++) {
        fs.writeFileSync(file, '');
        const reading = store.load();
        await sleep(5);
        fs.writeFileSync(file, `${good}not json ${i}\n`);
        await reading;
        await store.load();
      }
      const backups = fs.readdirSync(path.dirname(file)).filter((n) => n.endsWith('.bak'));
      assert.equal(backups.length, 1);
      assert.ok(store.readOnlyReason);
    });

    it('a BOM does not make the file corrupt; kept fields keep their numbers through a save, byte for byte', async () => {
      const root = tmp();
      const file = fileOf(root);
      fs.mkdirSync(path.dirname(file));
      const line = '{"id":12345678901234567890,"score":1e400,"document":"x.txt","line":1,"text":"t","label":"spam"}';
      fs.writeFileSync(file, `\uFEFF${line}\n`);
      const store = new FolderLabels(root, file, fast);
      await store.load();
      assert.equal(store.readOnlyReason, undefined);
      assert.equal(store.count, 1);
      store.setLabel('x.txt', at('x.txt', 4), 'ham');
      await store.save();
      assert.equal(fs.readFileSync(file, 'utf8').split('\n')[0], line);
    });

    it('a lock left by a dead process does not stall saving', async function () {
      this.timeout(4000); // the old rule waited 10 s for such a lock
      const root = tmp();
      const file = fileOf(root);
      const child = spawn(process.execPath, ['-e', '']);
      const pid = child.pid!;
      await new Promise((r) => child.on('exit', r));
      fs.mkdirSync(path.dirname(file));
      fs.writeFileSync(`${file}.lock`, JSON.stringify({ token: 'gone', pid, host: os.hostname() }));
      const store = new FolderLabels(root, file, { log: () => {} });
      await store.load();
      store.setLabel('x.txt', at('x.txt', 0), 'spam');
      await store.save();
      assert.equal(store.dirty, false);
      assert.equal(fileLabels(file).size, 1);
      assert.equal(fs.existsSync(`${file}.lock`), false);
    });

    it('a lock dated in the future is taken over once not renewed', async function () {
      this.timeout(4000);
      const root = tmp();
      const file = fileOf(root);
      fs.mkdirSync(path.dirname(file));
      // Held by a live process (this one) on a clock an hour ahead that stopped renewing it.
      fs.writeFileSync(`${file}.lock`, JSON.stringify({ token: 'ahead', pid: process.pid, host: os.hostname() }));
      const future = new Date(Date.now() + 3_600_000);
      fs.utimesSync(`${file}.lock`, future, future);
      const store = new FolderLabels(root, file, fast);
      await store.load();
      store.setLabel('x.txt', at('x.txt', 0), 'spam');
      await store.save();
      assert.equal(store.dirty, false);
      assert.equal(fileLabels(file).size, 1);
    });

    it('a holder paused past the stale bound loses the lock and merges again: nothing lost', async () => {
      const root = tmp();
      const file = fileOf(root);
      let pause: (() => void) | undefined;
      const paused = new Promise<void>((r) => {
        pause = r;
      });
      let resume: () => void = () => {};
      const a = new FolderLabels(root, file, {
        ...fast,
        // A paused process renews nothing: renewal is switched off for this holder.
        lock: { staleMs: 300, renewMs: 1e9 },
        io: {
          writeFile: async (f, content) => {
            if (pause) {
              pause();
              pause = undefined;
              await new Promise<void>((r) => {
                resume = r;
              });
            }
            fs.writeFileSync(f, content);
          },
        },
      });
      const b = new FolderLabels(root, file, fast);
      await a.load();
      await b.load();
      for (let i = 0; i < 3; i++) a.setLabel('a.txt', at('a.txt', i), 'spam');
      const aSaved = a.save();
      await paused; // a holds the lock, has merged and is about to write
      for (let i = 0; i < 3; i++) b.setLabel('b.txt', at('b.txt', i), 'ham');
      await b.save(); // takes the lock over without waiting for a
      assert.equal(fileLabels(file).size, 3);
      resume();
      await aSaved;
      await b.load();
      assert.equal(fileLabels(file).size, 6);
      assert.equal(b.count, 6);
      assert.equal(fs.existsSync(`${file}.lock`), false);
    });

    it('a writer process stopped while holding the lock (SIGSTOP) is taken over; when it resumes it merges again: nothing lost', async function () {
      this.timeout(30_000);
      const root = tmp();
      const file = fileOf(root);
      const paused = startWriter({ root, name: 'a.txt', count: 3, intervalMs: 0, staleMs: 300, stopAtFirstWrite: true });
      try {
        // Wait until it stops itself, holding the lock (it renews nothing from then on).
        for (let i = 0; i < 500 && !fs.existsSync(path.join(root, 'stopped')); i++) await sleep(20);
        assert.equal(fs.existsSync(`${file}.lock`), true);
        const b = new FolderLabels(root, file, fast);
        await b.load();
        for (let i = 0; i < 3; i++) b.setLabel('b.txt', at('b.txt', i), 'ham');
        await b.save(); // does not wait for the stopped holder
        assert.equal(fileLabels(file).size, 3);
      } finally {
        process.kill(paused.pid, 'SIGCONT'); // never leave a stopped process behind
      }
      assert.equal(await paused.exited, 0);
      assert.equal(fileLabels(file).size, 6);
      assert.equal(fs.existsSync(`${file}.lock`), false);
    });

    it('a full disk at the lock step: the save fails, no lock or handle is left, and it works once there is room', async () => {
      const root = tmp();
      const file = fileOf(root);
      let full = true;
      const problems: Array<string | undefined> = [];
      const store = new FolderLabels(root, file, {
        ...fast,
        retryMs: 1e9,
        onSaveProblem: (e) => problems.push(e?.message),
        io: {
          writeFile: async (f, content) => fs.writeFileSync(f, content),
          writeLock: async (handle, content) => {
            if (full) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
            await handle.writeFile(content);
          },
        },
      });
      await store.load();
      store.setLabel('x.txt', at('x.txt', 0), 'spam');
      // Open handles (Linux lists them; elsewhere this part checks nothing).
      const openHandles = () => (fs.existsSync('/proc/self/fd') ? fs.readdirSync('/proc/self/fd').length : 0);
      const handles = openHandles();
      for (let i = 0; i < 5; i++) await store.save();
      assert.match(problems[0] ?? '', /ENOSPC/);
      assert.equal(fs.existsSync(`${file}.lock`), false);
      assert.equal(openHandles(), handles);
      assert.equal(store.dirty, true);
      full = false;
      await store.save();
      assert.equal(store.dirty, false);
      assert.equal(fileLabels(file).size, 1);
      store.dispose();
    });

    it('three writing processes and a program rewriting the file in place: no label lost', async function () {
      this.timeout(60_000);
      const labels = await writersWithOutsider(rewriteInPlace);
      assert.equal(labels.size, 180);
    });

    it('three writing processes and a program rewriting the file in place that stalls 300-800 ms with a valid half file: no label lost', async function () {
      this.timeout(90_000);
      let n = 0;
      const labels = await writersWithOutsider((file) => rewriteInPlace(file, [300, 800, 550][n++ % 3], halfOfRecords));
      assert.equal(labels.size, 180);
    });

    it('three writing processes and a git-style replacer of the file: no label lost', async function () {
      this.timeout(60_000);
      const labels = await writersWithOutsider(replaceLikeGit);
      assert.equal(labels.size, 180);
    });

    it('property: stores with unsaved changes at once, line shifts in one window, two tasks on one line: all agree, the last write wins, removed labels stay removed', async function () {
      this.timeout(120_000);
      // Each line may carry a label of the default task (undefined) and one of `urgency`.
      type Op =
        | { kind: 'label'; who: number; line: number; label: string; task: string | undefined }
        | { kind: 'remove'; who: number; line: number; task: string | undefined }
        | { kind: 'shift'; who: number; at: number }
        | { kind: 'load'; who: number }
        | { kind: 'save'; who: number };
      const LINES = 4;
      const doc = 'x.txt';
      const texts = Array.from({ length: LINES }, (_, i) => textOf(doc, i));
      const tasks = [undefined, 'urgency'];
      // The model's key of one label: its task and its line's text.
      const slot = (task: string | undefined, text: string) => `${task ?? ''}|${text}`;
      const slots = tasks.flatMap((task) => texts.map((text) => slot(task, text)));
      const op = (stores: number): fc.Arbitrary<Op> => {
        const who = fc.nat(stores - 1);
        const line = fc.nat(LINES - 1); // few lines: conflicts on one line are likely
        const task = fc.constantFrom(...tasks);
        return fc.oneof(
          { weight: 3, arbitrary: fc.record({ kind: fc.constant('label' as const), who, line, label: fc.constantFrom('x', 'y'), task }) },
          { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove' as const), who, line, task }) },
          { weight: 1, arbitrary: fc.record({ kind: fc.constant('shift' as const), who, at: fc.nat(LINES) }) },
          { weight: 2, arbitrary: fc.record({ kind: fc.constant('load' as const), who }) },
          { weight: 2, arbitrary: fc.record({ kind: fc.constant('save' as const), who }) },
        );
      };
      const scenario = fc.integer({ min: 2, max: 3 }).chain((n) => fc.tuple(fc.constant(n), fc.array(op(n), { maxLength: 30 })));
      await fc.assert(
        fc.asyncProperty(scenario, async ([n, ops]) => {
          const root = tmp();
          const file = fileOf(root);
          // Each window's copy of the document: a shift inserts an empty line in that window only.
          const views = Array.from({ length: n }, () => [...texts]);
          // A window anchors the labels a merge brought in (LabelStore's disk-change hook).
          const stores: FolderLabels[] = views.map(
            (view, w) => new FolderLabels(root, file, { ...fast, onDiskChange: () => stores[w]!.anchor(doc, source(view)) }),
          );
          // The model (by line text): the file, and per store its base and its own labels. A store's
          // change is a label differing from its base; a save writes its changes over the file's.
          let disk = new Map<string, string>();
          const base = stores.map(() => new Map<string, string>());
          const ours = stores.map(() => new Map<string, string>());
          const changed = (w: number, t: string) => ours[w]!.get(t) !== base[w]!.get(t);
          const load = async (w: number) => {
            await stores[w]!.load();
            for (const t of slots) if (!changed(w, t)) setOrDelete(ours[w]!, t, disk.get(t));
            base[w] = new Map(disk);
          };
          const save = async (w: number) => {
            await stores[w]!.save();
            const next = new Map(disk);
            for (const t of slots) if (changed(w, t)) setOrDelete(next, t, ours[w]!.get(t));
            disk = next;
            base[w] = new Map(disk);
            ours[w] = new Map(disk);
          };
          for (const s of stores) await s.load();
          for (const o of ops) {
            const s = stores[o.who]!;
            const view = views[o.who]!;
            if (o.kind === 'label') {
              const t = texts[o.line]!;
              s.setLabel(doc, [{ line: view.indexOf(t), text: t }], o.label, o.task);
              ours[o.who]!.set(slot(o.task, t), o.label);
            } else if (o.kind === 'remove') {
              const t = texts[o.line]!;
              s.removeLabel(doc, [view.indexOf(t)], o.task);
              ours[o.who]!.delete(slot(o.task, t));
            } else if (o.kind === 'shift') {
              if (view.length >= LINES + 3) continue;
              const line = view.indexOf(texts[Math.min(o.at, LINES - 1)]!);
              view.splice(line, 0, '');
              s.applyEdits(doc, [{ startLine: line, endLine: line, insertedLineBreaks: 1 }], source(view));
            } else if (o.kind === 'load') {
              await load(o.who);
            } else {
              await save(o.who);
            }
          }
          // Everyone saves, then everyone hears of the last write.
          for (let w = 0; w < n; w++) await save(w);
          for (let w = 0; w < n; w++) await load(w);
          const expected = labelsOf(
            [...disk].map(([key, label]) => {
              const [task, text] = key.split('|') as [string, string];
              return task === '' ? { document: doc, text, label } : { document: doc, text, label, task };
            }),
          );
          assert.deepEqual(fileLabels(file), expected);
          for (const s of stores) assert.deepEqual(labelsOf(s.records()), expected);
          for (const s of stores) s.dispose();
        }),
        { numRuns: 80 },
      );
    });
  });

function setOrDelete(map: Map<string, string>, key: string, value: string | undefined): void {
  if (value === undefined) map.delete(key);
  else map.set(key, value);
}
