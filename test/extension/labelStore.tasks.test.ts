// Tasks through the LabelStore (the fake vscode, a real folder on disk): the active task is what
// labeling, labelsOf and examplesFor act on; tasks.json holds the list so a second window agrees;
// renaming a task rewrites its records' task field; the default task's records never get one.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseLabels } from '../../src/extension/labelFile';
import { LabelError, LabelStore } from '../../src/extension/labelStore';
import { parseTasks } from '../../src/extension/taskFile';

function folder() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fewshot-tasks-'));
  fs.writeFileSync(path.join(root, 'a.txt'), 'invoice overdue\npassword reset\n');
  const uri = vscode.Uri.file(path.join(root, 'a.txt'));
  const lines = ['invoice overdue', 'password reset'];
  const doc = { uri, lineCount: lines.length, lineAt: (l: number) => ({ text: lines[l] ?? '' }) } as unknown as vscode.TextDocument;
  (vscode.workspace as { workspaceFolders: unknown[] | undefined }).workspaceFolders = [
    { uri: vscode.Uri.file(root), name: 'w', index: 0 },
  ];
  return { root, doc, labels: path.join(root, '.fewshot', 'labels.jsonl'), tasks: path.join(root, '.fewshot', 'tasks.json') };
}

const records = (file: string) => parseLabels(fs.readFileSync(file, 'utf8')).records.map((r) => `${r.task ?? '-'}:${r.line}:${r.label}`);

describe('label store: tasks', () => {
  afterEach(() => {
    (vscode.workspace as { workspaceFolders: unknown[] | undefined }).workspaceFolders = undefined;
  });

  it('a multi-label task: lines get sets, the support carries them, a label is renamed and deleted inside sets', async () => {
    const { doc, labels } = folder();
    const store = new LabelStore('.fewshot/labels.jsonl', () => {});
    await store.load();
    await store.createTask('topics', 'multi-label');
    store.setActiveTask('topics');
    assert.equal(store.isMultiLabel(), true);
    assert.equal(store.isMultiLabel(undefined), false, 'the default task is single-label');
    assert.equal(await store.changeLabelSets(doc, [0], () => ['bug', 'billing']), 1);
    assert.equal(await store.changeLabelSets(doc, [1], () => []), 1);
    assert.equal(await store.changeLabelSets(doc, [0], (set) => [...set]), 0, 'an unchanged set writes nothing');
    assert.deepEqual(
      [...store.labelSetsOf(doc)],
      [
        [0, ['billing', 'bug']],
        [1, []],
      ],
    );
    assert.deepEqual(store.labelSetExamplesFor(doc.uri, 'topics'), [
      { text: 'invoice overdue', labels: ['billing', 'bug'] },
      { text: 'password reset', labels: [] },
    ]);
    assert.deepEqual(store.labelNames(), ['billing', 'bug', 'none']);
    // `bug` is no line's first label: renaming and deleting it still find it inside the set.
    assert.equal(await store.renameLabel('bug', 'defect'), 1);
    assert.deepEqual(store.labelSetsOf(doc).get(0), ['billing', 'defect']);
    assert.equal(await store.deleteLabel('defect'), 1);
    assert.deepEqual(store.labelSetsOf(doc).get(0), ['billing']);
    assert.deepEqual(records(labels), ['topics:0:billing', 'topics:1:none']);
    store.dispose();
  });

  it('Import Labels brings a set whole into a multi-label task, and checks every name of a set', async () => {
    const { doc, labels } = folder();
    const store = new LabelStore('.fewshot/labels.jsonl', () => {});
    await store.load();
    await store.createTask('topics', 'multi-label');
    store.setActiveTask('topics');
    const folderOf = vscode.workspace.workspaceFolders![0]!;
    const set = { document: 'a.txt', line: 0, text: 'invoice overdue', label: 'billing', labels: ['billing', 'bug'], task: 'topics' };
    // A name of the set that is not stored as given (spaces around it) is refused like a label's.
    await assert.rejects(store.importRecords(folderOf, [{ ...set, labels: ['billing', ' bug '] }]), LabelError);
    assert.equal(await store.importRecords(folderOf, [set]), 1);
    assert.deepEqual(store.labelSetsOf(doc).get(0), ['billing', 'bug']);
    assert.deepEqual(
      parseLabels(fs.readFileSync(labels, 'utf8')).records.map((r) => r.labels),
      [['billing', 'bug']],
    );
    store.dispose();
  });

  it('labels in the active task; each task sees its own labels and examples; a second window reads the same task list', async () => {
    const { doc, labels, tasks } = folder();
    const store = new LabelStore('.fewshot/labels.jsonl', () => {});
    await store.load();
    assert.deepEqual(
      store.tasks().map((t) => t.name),
      ['default'],
    );
    await store.setLabel(doc, [0], 'billing');
    await store.createTask('urgency', 'multi-label');
    store.setActiveTask('urgency');
    assert.deepEqual([...store.labelsOf(doc)], [], 'the new task has no labels');
    await store.setLabel(doc, [0], 'high');
    await store.setLabel(doc, [1], 'low');
    assert.deepEqual(
      [...store.labelsOf(doc)],
      [
        [0, 'high'],
        [1, 'low'],
      ],
    );
    assert.deepEqual(
      store.examplesFor(doc.uri).map((e) => e.label),
      ['high', 'low'],
    );
    assert.deepEqual(store.labelNames(), ['high', 'low']);
    // An explicit undefined is the default task (what `recordTask(defaultTask)` passes, e.g. the
    // all-tasks diagnostics), not the active one.
    assert.deepEqual([...store.labelsOf(doc, undefined)], [[0, 'billing']]);
    assert.deepEqual([...store.labelSetsOf(doc, undefined)], [[0, ['billing']]]);
    assert.deepEqual(
      store.examplesFor(doc.uri, undefined).map((e) => e.label),
      ['billing'],
    );
    assert.deepEqual(store.labelNames(undefined), ['billing']);
    store.setActiveTask('default');
    assert.deepEqual([...store.labelsOf(doc)], [[0, 'billing']]);
    assert.deepEqual(records(labels), ['-:0:billing', 'urgency:0:high', 'urgency:1:low']);
    assert.deepEqual(parseTasks(fs.readFileSync(tasks, 'utf8')), [
      { name: 'default', kind: 'single-label', isDefault: true },
      { name: 'urgency', kind: 'multi-label', isDefault: false },
    ]);

    const other = new LabelStore('.fewshot/labels.jsonl', () => {});
    await other.load();
    assert.deepEqual(
      other.tasks().map((t) => `${t.name}/${t.kind}`),
      ['default/single-label', 'urgency/multi-label'],
    );
    assert.equal(other.activeTask().name, 'default', 'the active task is per window');
    // Clear Labels clears the active task only.
    store.setActiveTask('urgency');
    assert.equal(await store.clear(vscode.workspace.workspaceFolders![0]!), 2);
    assert.deepEqual(records(labels), ['-:0:billing']);
    store.dispose();
    other.dispose();
  });

  it('renaming a task rewrites its records; renaming the default task leaves its records without a field; names stay unique', async () => {
    const { doc, labels, tasks } = folder();
    const store = new LabelStore('.fewshot/labels.jsonl', () => {});
    await store.load();
    await store.setLabel(doc, [0], 'billing');
    await store.createTask('urgency', 'single-label');
    store.setActiveTask('urgency');
    await store.setLabel(doc, [0], 'high');
    assert.equal(await store.renameTask('urgency', 'priority'), 1);
    assert.equal(store.activeTask().name, 'priority', 'the active task follows its rename');
    assert.deepEqual(records(labels), ['-:0:billing', 'priority:0:high']);
    const before = fs.readFileSync(labels, 'utf8');
    await store.renameTask('default', 'intent');
    assert.equal(fs.readFileSync(labels, 'utf8'), before, 'the default task records are not rewritten');
    assert.deepEqual(
      store.tasks().map((t) => `${t.name}${t.isDefault ? '*' : ''}`),
      ['intent*', 'priority'],
    );
    assert.match(fs.readFileSync(tasks, 'utf8'), /"name": "intent",[^}]*"default": true/);
    await assert.rejects(store.createTask('priority', 'single-label'), LabelError);
    await assert.rejects(store.renameTask('intent', 'priority'), LabelError);
    assert.throws(() => store.setActiveTask('nope'), LabelError);
    store.dispose();
  });

  it('keeps fields of tasks.json it does not know', async () => {
    const { tasks } = folder();
    fs.mkdirSync(path.dirname(tasks), { recursive: true });
    fs.writeFileSync(tasks, JSON.stringify({ owner: 'ana', tasks: [{ name: 'tone', kind: 'single-label', color: 'red' }] }));
    const store = new LabelStore('.fewshot/labels.jsonl', () => {});
    await store.load();
    await store.createTask('urgency', 'multi-label');
    const written = JSON.parse(fs.readFileSync(tasks, 'utf8')) as { owner: string; tasks: Array<Record<string, unknown>> };
    assert.equal(written.owner, 'ana');
    assert.deepEqual(written.tasks, [
      { name: 'tone', kind: 'single-label', color: 'red' },
      { name: 'default', kind: 'single-label', default: true },
      { name: 'urgency', kind: 'multi-label' },
    ]);
    store.dispose();
  });
});
