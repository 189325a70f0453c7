import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as fc from 'fast-check';
import { fillMessage } from '../../src/engine/data/labelName';
import { FolderLabels, LabelWriteError } from '../../src/extension/folderLabels';
import { type LabelFileMessage, parseLabels, sayLabelFileMessage } from '../../src/extension/labelFile';
import { at, runAsWriter, runWriter, textOf } from './labelWriter';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'fewshot-folder-'));
// A short settle time keeps the outside edits of the property test quick (the rule is the same).
const quiet = { log: () => {}, settle: { quietMs: 10, confirmMs: 50 } };
const onDisk = (file: string) => {
  const parsed = parseLabels(fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');
  return new Map(parsed.records.map((r) => [`${r.document}:${r.line}`, r.label]));
};

/** Two stores (two windows) on one new label file, both loaded. */
async function twoStores() {
  const root = tmp();
  const file = path.join(root, '.fewshot', 'labels.jsonl');
  const a = new FolderLabels(root, file, quiet);
  const b = new FolderLabels(root, file, quiet);
  await a.load();
  await b.load();
  return { file, a, b };
}

const writerProcess = runAsWriter();

if (!writerProcess)
  describe('folder labels (merging label store)', () => {
    it('two processes writing 100 labels each at once through the store lose none (item 2)', async function () {
      this.timeout(60_000);
      const root = tmp();
      const codes = await Promise.all([
        runWriter({ root, name: 'a.txt', count: 100, intervalMs: 2 }),
        runWriter({ root, name: 'b.txt', count: 100, intervalMs: 2 }),
      ]);
      assert.deepEqual(codes, [0, 0]);
      const labels = onDisk(path.join(root, '.fewshot', 'labels.jsonl'));
      assert.equal(labels.size, 200);
      assert.deepEqual(fs.readdirSync(path.join(root, '.fewshot')), ['labels.jsonl']);
    });

    it('two stores on one file: each write merges the other store changes, removals included (item 2)', async () => {
      const { file, a, b } = await twoStores();
      a.setLabel('x.txt', at('x.txt', 0), 'one');
      await a.save();
      b.setLabel('x.txt', at('x.txt', 1), 'two');
      await b.save();
      a.removeLabel('x.txt', [0]);
      a.setLabel('x.txt', at('x.txt', 2), 'one');
      await a.save();
      assert.deepEqual(
        [...onDisk(file)],
        [
          ['x.txt:1', 'two'],
          ['x.txt:2', 'one'],
        ],
      );
      await b.load();
      assert.equal(b.count, 2);
    });

    it('tasks: an old file loads as the default task and is written back unchanged; task records round-trip', async () => {
      const root = tmp();
      const file = path.join(root, '.fewshot', 'labels.jsonl');
      fs.mkdirSync(path.dirname(file));
      const old =
        '{"document":"a.txt","line":1,"text":"a.txt line 0","label":"billing"}\n' +
        '{"note":"kept","document":"a.txt","line":3,"text":"a.txt line 2","label":"refund"}\n';
      fs.writeFileSync(file, old);
      const store = new FolderLabels(root, file, quiet);
      await store.load();
      assert.deepEqual(store.tasks(), [undefined]);
      assert.deepEqual(
        store.records().map((r) => r.task),
        [undefined, undefined],
      );
      // The same line gets a label in a second task: the default task's lines stay byte for byte.
      assert.equal(store.setLabel('a.txt', at('a.txt', 0), 'high', 'urgency'), 1);
      await store.save();
      const lines = fs.readFileSync(file, 'utf8').split('\n');
      assert.deepEqual(lines, [
        '{"document":"a.txt","line":1,"text":"a.txt line 0","label":"billing"}',
        '{"document":"a.txt","line":1,"text":"a.txt line 0","label":"high","task":"urgency"}',
        '{"note":"kept","document":"a.txt","line":3,"text":"a.txt line 2","label":"refund"}',
        '',
      ]);
      const again = new FolderLabels(root, file, quiet);
      await again.load();
      assert.deepEqual(again.tasks(), [undefined, 'urgency']);
      assert.equal(again.document('a.txt')?.at(0)?.label, 'billing');
      assert.equal(again.document('a.txt', 'urgency')?.at(0)?.label, 'high');
      // Removing the task's label leaves the default task's label on that line, and the old file.
      again.removeLabel('a.txt', [0], 'urgency');
      await again.save();
      assert.equal(fs.readFileSync(file, 'utf8'), old);
    });

    it('tasks: two stores label one line in two tasks; each keeps the other task; a task rename goes through the merge', async () => {
      const { file, a, b } = await twoStores();
      a.setLabel('x.txt', at('x.txt', 0), 'billing');
      b.setLabel('x.txt', at('x.txt', 0), 'high', 'urgency');
      await a.save();
      await b.save();
      await a.load();
      const both = (s: FolderLabels) =>
        s
          .records()
          .map((r) => `${r.task ?? '-'}:${r.label}`)
          .sort();
      assert.deepEqual(both(a), ['-:billing', 'urgency:high']);
      assert.deepEqual(both(b), ['-:billing', 'urgency:high']);
      // A relabel in one task and a removal in the other, in two windows: both hold.
      a.setLabel('x.txt', at('x.txt', 0), 'low', 'urgency');
      b.removeLabel('x.txt', [0]);
      await b.save();
      await a.save();
      await b.load();
      assert.deepEqual(both(a), ['urgency:low']);
      assert.deepEqual(both(b), ['urgency:low']);
      assert.equal(a.renameTask('urgency', 'priority'), 1);
      assert.deepEqual(a.tasks(), ['priority']);
      assert.equal(a.document('x.txt', 'priority')?.at(0)?.label, 'low');
      await a.save();
      await b.load();
      assert.deepEqual(both(b), ['priority:low']);
      assert.deepEqual(
        parseLabels(fs.readFileSync(file, 'utf8')).records.map((r) => r.task),
        ['priority'],
      );
    });

    it('keeps unknown fields of records it rewrites (item 6)', async () => {
      const root = tmp();
      const file = path.join(root, '.fewshot', 'labels.jsonl');
      fs.mkdirSync(path.dirname(file));
      fs.writeFileSync(file, '{"document":"a.txt","line":1,"text":"a.txt line 0","label":"one","annotator":"ana","reviewed":true}\n');
      const store = new FolderLabels(root, file, quiet);
      await store.load();
      store.setLabel('a.txt', at('a.txt', 5), 'two');
      await store.save();
      const first = JSON.parse(fs.readFileSync(file, 'utf8').split('\n')[0]!) as Record<string, unknown>;
      assert.equal(first.annotator, 'ana');
      assert.equal(first.reviewed, true);
    });

    it('an outside revert to content this store wrote earlier is taken in (item 10)', async () => {
      const root = tmp();
      const file = path.join(root, '.fewshot', 'labels.jsonl');
      const store = new FolderLabels(root, file, quiet);
      await store.load();
      store.setLabel('a.txt', at('a.txt', 0), 'one');
      await store.save();
      const earlier = fs.readFileSync(file, 'utf8');
      store.setLabel('a.txt', at('a.txt', 1), 'two');
      await store.save();
      fs.writeFileSync(file, earlier); // git checkout, undo in a text editor
      assert.equal(await store.load(), true);
      assert.equal(store.count, 1);
    });

    it('a corrupt file is backed up once and warned about once, however many change events (item 8)', async () => {
      const root = tmp();
      const file = path.join(root, '.fewshot', 'labels.jsonl');
      fs.mkdirSync(path.dirname(file));
      fs.writeFileSync(file, '{"document":"a.txt","line":1,"text":"t","label":"one"}\nnot json\n');
      const store = new FolderLabels(root, file, quiet);
      await store.load();
      const first = store.corrupt!;
      assert.equal(first.newBackup, true);
      // Five outside edits, the file still corrupt: no new backup, no new warning.
      for (let i = 0; i < 5; i++) {
        fs.appendFileSync(file, `still bad ${i}\n`);
        await store.load();
        assert.equal(store.corrupt!.backup, first.backup);
        assert.equal(store.corrupt!.newBackup, false);
      }
      assert.equal(fs.readdirSync(path.dirname(file)).filter((f) => f.endsWith('.bak')).length, 1);
      assert.equal(store.count, 1);
      assert.match(store.readOnlyReason!, /bad lines \(2, 3, 4/);
      // The same reason in the user's language (labelStore shows it through vscode.l10n.t), the backup's part too.
      const zh: Record<string, string> = JSON.parse(
        fs.readFileSync(path.resolve(__dirname, '../../../l10n/bundle.l10n.zh-cn.json'), 'utf8'),
      );
      const t = (message: string, ...args: string[]) => zh[message]!.replace(/\{(\d+)\}/g, (_, i: string) => args[Number(i)]!);
      assert.equal(
        sayLabelFileMessage(store.readOnlyMessage as LabelFileMessage, t),
        `标签文件有错误行（2, 3, 4, 5, 6, 7）；请先修复或删除它们再标注（备份位于 ${first.backup}）`,
      );
    });

    it('disk full: the user is told, labels stay in memory, the save is retried, the file is not damaged', async () => {
      const root = tmp();
      const file = path.join(root, '.fewshot', 'labels.jsonl');
      let full = false;
      const problems: Array<string | undefined> = [];
      const store = new FolderLabels(root, file, {
        log: () => {},
        retryMs: 20,
        onSaveProblem: (e) => problems.push(e?.message),
        io: {
          writeFile: async (f, content) => {
            if (full) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
            fs.writeFileSync(f, content);
          },
        },
      });
      await store.load();
      store.setLabel('a.txt', at('a.txt', 0), 'one');
      await store.save();
      const before = fs.readFileSync(file, 'utf8');
      full = true;
      store.setLabel('a.txt', at('a.txt', 1), 'two');
      await store.save();
      assert.equal(store.count, 2);
      assert.equal(store.dirty, true);
      assert.equal(fs.readFileSync(file, 'utf8'), before);
      assert.deepEqual(fs.readdirSync(path.dirname(file)), ['labels.jsonl']);
      assert.match(problems[0]!, /ENOSPC/);
      // More failed saves in the same spell: told once.
      store.setLabel('a.txt', at('a.txt', 2), 'two');
      await store.save();
      assert.equal(problems.length, 1);
      full = false;
      // Saved (not dirty) is set under the lock; "saved again" is told once the lock is released.
      for (let i = 0; i < 100 && (store.dirty || problems.length < 2); i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(store.dirty, false);
      assert.equal(onDisk(file).size, 3);
      assert.deepEqual(problems.slice(1), [undefined]);
      store.dispose();
    });

    it('a label file linked outside the folder is neither read nor written (item 5)', async () => {
      const root = tmp();
      const outside = tmp();
      fs.writeFileSync(path.join(outside, 'profile'), 'export PATH=/usr/bin\n');
      fs.symlinkSync(outside, path.join(root, '.fewshot'));
      const store = new FolderLabels(root, path.join(root, '.fewshot', 'profile'), quiet);
      await store.load();
      assert.match(store.readOnlyReason!, /outside/);
      // Said in the user's language where it is shown (the path problem is one of LABEL_FILE_MESSAGES).
      const zh = { '{0} leads outside the workspace folder (to {1})': '{0} 指向工作区文件夹之外（指向 {1}）' };
      const said = sayLabelFileMessage(store.readOnlyMessage!, (m, ...args) => fillMessage(zh[m as keyof typeof zh] ?? m, args));
      assert.equal(
        said,
        `${path.join(root, '.fewshot', 'profile')} 指向工作区文件夹之外（指向 ${path.join(fs.realpathSync(outside), 'profile')}）`,
      );
      store.setLabel('a.txt', at('a.txt', 0), 'one');
      await assert.rejects(store.save(), (e: unknown) => e instanceof LabelWriteError && e.labelFileMessage.code === 'leadsOutside');
      assert.equal(fs.readFileSync(path.join(outside, 'profile'), 'utf8'), 'export PATH=/usr/bin\n');
      assert.deepEqual(fs.readdirSync(outside), ['profile']);
    });

    it('property: label/remove/relabel/undo/outside edits equal a reference model', async () => {
      type Op =
        | { kind: 'label'; who: 0 | 1; doc: string; line: number; label: string }
        | { kind: 'remove'; who: 0 | 1; doc: string; line: number }
        | { kind: 'rename'; who: 0 | 1; from: string; to: string }
        | { kind: 'undo'; who: 0 | 1 }
        | { kind: 'outside'; doc: string; line: number; label: string | undefined };
      const who = fc.constantFrom<0 | 1>(0, 1);
      const doc = fc.constantFrom('a.txt', 'b.txt');
      const line = fc.nat(5);
      const label = fc.constantFrom('x', 'y', 'z');
      const op: fc.Arbitrary<Op> = fc.oneof(
        fc.record({ kind: fc.constant('label' as const), who, doc, line, label }),
        fc.record({ kind: fc.constant('remove' as const), who, doc, line }),
        fc.record({ kind: fc.constant('rename' as const), who, from: label, to: label }),
        fc.record({ kind: fc.constant('undo' as const), who }),
        fc.record({ kind: fc.constant('outside' as const), doc, line, label: fc.option(label, { nil: undefined }) }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(op, { maxLength: 25 }), async (ops) => {
          const root = tmp();
          const file = path.join(root, '.fewshot', 'labels.jsonl');
          const stores = [new FolderLabels(root, file, quiet), new FolderLabels(root, file, quiet)];
          for (const s of stores) await s.load();
          // The model: one map of document line -> label, and each writer's undo stack of the
          // map entries its changes replaced (before) and wrote (after).
          const model = new Map<string, string>();
          type Entry = { key: string; before: string | undefined; after: string | undefined };
          const undo: Entry[][][] = [[], []];
          const apply = (w: 0 | 1, entries: Entry[]) => {
            for (const e of entries) e.after === undefined ? model.delete(e.key) : model.set(e.key, e.after);
            if (entries.length) undo[w]!.push(entries);
          };
          for (const o of ops) {
            if (o.kind === 'outside') {
              // Another program edits the file while nobody writes: both stores then read it.
              const lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
              const kept = lines.filter((l) => {
                const r = JSON.parse(l) as { document: string; line: number };
                return !(r.document === o.doc && r.line === o.line + 1);
              });
              if (o.label) kept.push(JSON.stringify({ document: o.doc, line: o.line + 1, text: textOf(o.doc, o.line), label: o.label }));
              fs.mkdirSync(path.dirname(file), { recursive: true });
              fs.writeFileSync(file, kept.map((l) => `${l}\n`).join(''));
              for (const s of stores) await s.load();
              const key = `${o.doc}:${o.line}`;
              o.label ? model.set(key, o.label) : model.delete(key);
              continue;
            }
            const s = stores[o.who]!;
            await s.load(); // the window heard of the other's last write (file watcher)
            if (o.kind === 'label') {
              const key = `${o.doc}:${o.line}`;
              s.setLabel(o.doc, at(o.doc, o.line), o.label);
              apply(o.who, [{ key, before: model.get(key), after: o.label }]);
            } else if (o.kind === 'remove') {
              const key = `${o.doc}:${o.line}`;
              if (s.removeLabel(o.doc, [o.line])) apply(o.who, [{ key, before: model.get(key), after: undefined }]);
            } else if (o.kind === 'rename') {
              const entries = [...model].filter(([, l]) => l === o.from).map(([key]) => ({ key, before: o.from, after: o.to }));
              s.renameLabel(o.from, o.to);
              if (o.from !== o.to) apply(o.who, entries);
            } else {
              const last = undo[o.who]!.pop();
              s.undo();
              // Undo takes back what is still as the change left it and restores lines left free.
              for (const e of [...(last ?? [])].reverse()) {
                if (e.after !== undefined && model.get(e.key) === e.after) model.delete(e.key);
                if (e.before !== undefined && !model.has(e.key)) model.set(e.key, e.before);
              }
            }
            await s.save();
          }
          for (const s of stores) s.dispose();
          assert.deepEqual(new Map([...onDisk(file)].sort()), new Map([...model].sort()));
        }),
        { numRuns: 60 },
      );
    });
  });
