// The commands against the fake vscode: what each does with the label store and the scheduler's
// predictions, and how errors reach the user (a LabelError as a message; anything else logged too).
import { RecentLabels } from '../../src/extension/recentLabels';
import { Memento } from './memento';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { registerCommands } from '../../src/extension/commands';
import type { FewShotContext } from '../../src/extension/context';
import { LabelError } from '../../src/extension/labelStore';
import type { PredictedSets } from '../../src/protocol/labelSets';
import { RpcError } from '../../src/protocol/rpc';
import { WORKER_MESSAGES } from '../../src/protocol/workerMessages';
import { details, inLanguageUntil, shown } from './fakeVscode';

const uri = vscode.Uri.file('/w/tickets.txt');
const doc = { uri, version: 1, isClosed: false, lineCount: 3, getText: () => 'a\nb\nc' };

function setUp(
  options: {
    included?: boolean;
    result?: { labels: string[]; labelIndex: number[]; sets?: PredictedSets };
    setLabel?: () => Promise<number>;
    /** The active task is multi-label, its lines' sets these (line -> set). */
    labelSets?: Map<number, string[]>;
    /** The labels the document has: line -> label. */
    labeled?: Array<[number, string]>;
    /** In place of the plain-documents-only structure. */
    structured?: object;
    /** More of the context: an engine, and members added to the scheduler and the labels. */
    extend?: { engine?: object; scheduler?: object; labels?: object };
  } = {},
) {
  const setLabels: Array<[number[], string]> = [];
  const logs: string[] = [];
  const recentLabels = new RecentLabels(new Memento());
  const ctx = {
    subscriptions: [] as vscode.Disposable[],
    recentLabels,
    // Plain documents only unless the test says otherwise: no record structure.
    structured: options.structured ?? { formatOf: () => undefined, unitsOf: () => undefined },
    log: (m: string) => logs.push(m),
    isIncluded: () => options.included ?? true,
    scheduler: {
      schedule: () => {},
      resultFor: () => (options.result ? { ...options.result, labelIndex: Int32Array.from(options.result.labelIndex) } : undefined),
    },
    labels: {
      labelNames: () => ['bug', 'feature'],
      labelsOf: () => new Map(options.labeled),
      examplesFor: () => (options.labeled ?? []).map(([line, label]) => ({ text: `line ${line}`, label })),
      expectNewTexts: () => {},
      isMultiLabel: () => options.labelSets !== undefined,
      labelSetsOf: () => new Map(options.labelSets),
      // Applies the change to the test's sets: what a multi-label command asked for is what they hold after.
      changeLabelSets: async (_d: unknown, lines: number[], change: (set: readonly string[]) => readonly string[]) => {
        for (const line of lines) options.labelSets?.set(line, [...change(options.labelSets.get(line) ?? [])]);
        return lines.length;
      },
      setLabel:
        options.setLabel ??
        (async (_d: unknown, lines: number[], label: string) => {
          setLabels.push([lines, label]);
          return lines.length;
        }),
    },
  };
  const { extend = {} } = options;
  Object.assign(ctx.scheduler, extend.scheduler);
  Object.assign(ctx.labels, extend.labels);
  // A structural fake of the parts of the context these commands use.
  registerCommands({ ...ctx, engine: extend.engine } as unknown as FewShotContext);
  return { setLabels, logs, recentLabels, dispose: () => ctx.subscriptions.forEach((s) => void s.dispose()) };
}

describe('commands', () => {
  let env: ReturnType<typeof setUp> | undefined;
  beforeEach(() => {
    shown.length = 0;
    (vscode.workspace.textDocuments as unknown[]).splice(0, Infinity, doc);
  });
  afterEach(() => env?.dispose());

  it('Accept Prediction labels each given line with its predicted label and skips lines without one', async () => {
    env = setUp({ result: { labels: ['bug', 'feature'], labelIndex: [1, -1, 0] } });
    assert.equal(await vscode.commands.executeCommand('fewshot.acceptPrediction', uri, [0, 1, 2]), 2);
    assert.deepEqual(env.setLabels, [
      [[0], 'feature'],
      [[2], 'bug'],
    ]);
    assert.deepEqual(shown, []);
  });

  it('says why there is nothing to accept, as a message, without logging it as a failure', async () => {
    env = setUp();
    assert.equal(await vscode.commands.executeCommand('fewshot.acceptPrediction', uri, [0]), undefined);
    assert.deepEqual(shown, [
      {
        level: 'error',
        message:
          'Few-Shot: No predictions for this document yet: at least two labels need examples (found none); label a line with each of two labels.',
      },
    ]);
    assert.deepEqual(env.logs, []);
  });

  it('Label Line labels the given lines, and refuses a document Few-Shot does not classify', async () => {
    env = setUp();
    assert.equal(await vscode.commands.executeCommand('fewshot.labelLine', 'bug', uri, [0, 2]), 2);
    assert.deepEqual(env.setLabels, [[[0, 2], 'bug']]);
    assert.deepEqual(env.recentLabels.recent, ['bug'], 'the label given is the most recent one in the quick pick');
    env.dispose();
    env = setUp({ included: false });
    assert.equal(await vscode.commands.executeCommand('fewshot.labelLine', 'bug', uri, [0]), undefined);
    assert.match(shown.at(-1)!.message, /tickets\.txt is not a document Few-Shot classifies \(see the fewshot\.languages/);
    assert.deepEqual(env.setLabels, []);
  });

  it('Label Line says a document that is not a local file cannot be labeled (not a settings problem)', async () => {
    const untitled = { ...doc, uri: vscode.Uri.parse('untitled://Untitled-1') };
    const remote = { ...doc, uri: vscode.Uri.parse('memfs://share/notes.txt') };
    (vscode.workspace.textDocuments as unknown[]).push(untitled, remote);
    env = setUp({ included: false });
    assert.equal(await vscode.commands.executeCommand('fewshot.labelLine', 'bug', untitled.uri, [0]), undefined);
    assert.equal(
      shown.at(-1)!.message,
      "Few-Shot: Untitled-1 is not saved: save it in a workspace folder to label its lines (labels are stored in the folder's label file).",
    );
    assert.equal(await vscode.commands.executeCommand('fewshot.labelLine', 'bug', remote.uri, [0]), undefined);
    assert.equal(
      shown.at(-1)!.message,
      'Few-Shot: notes.txt is not a file on this machine (memfs:): Few-Shot labels only local files in a workspace folder.',
    );
    assert.deepEqual(env.setLabels, []);
    assert.deepEqual(env.logs, [], 'the user is told, nothing is logged as a failure');
  });

  it("Show Engine Info says its lines in the user's language and logs them in English", async () => {
    const zh: Record<string, string> = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../l10n/bundle.l10n.zh-cn.json'), 'utf8'));
    const info = {
      backend: 'cpu',
      backendNote: 'no GPU',
      model: 'shipped',
      modelHash: '0123456789abcdef',
      vocabulary: 5,
      methods: ['default'],
      defaultMethod: 'default',
      loadMs: 12,
    };
    env = setUp({
      extend: { engine: { ready: async () => info }, scheduler: { lastRun: undefined }, labels: { count: 0, labelNames: () => [] } },
    });
    details.length = 0;
    await inLanguageUntil(zh, () => vscode.commands.executeCommand('fewshot.showEngineInfo'));
    assert.deepEqual(shown.at(-1), { level: 'info', message: 'Few-Shot 引擎：cpu，shipped' });
    assert.deepEqual(details, [
      [
        '后端：cpu（no GPU）',
        '模型：shipped（0123456789ab），词汇量 5',
        '方法：default（默认 default）',
        '加载：12 毫秒',
        '上次运行：尚无',
        '标签：0（无）',
      ].join('\n'),
    ]);
    assert.deepEqual(env.logs, [
      'engine info:\n  backend: cpu (no GPU)\n  model: shipped (0123456789ab), vocabulary 5\n  methods: default (default default)\n  load: 12 ms\n  last run: none yet\n  labels: 0 (none)',
    ]);
  });

  it("shows a worker's or the engine client's error in the user's language and logs it in English", async () => {
    const zh: Record<string, string> = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../l10n/bundle.l10n.zh-cn.json'), 'utf8'));
    env = setUp({
      setLabel: async () => {
        throw RpcError.said('input', WORKER_MESSAGES.cannotRead, 'big.csv', 'EACCES');
      },
    });
    await inLanguageUntil(zh, () => vscode.commands.executeCommand('fewshot.labelLine', 'bug', uri, [1]));
    assert.deepEqual(shown.at(-1), { level: 'error', message: 'Few-Shot：无法读取 big.csv：EACCES' });
    assert.deepEqual(env.logs, ['fewshot.labelLine failed: cannot read big.csv: EACCES']);
  });

  it('tells the user when no line could be labeled, and logs an unexpected error besides showing it', async () => {
    env = setUp({ setLabel: async () => 0 });
    assert.equal(await vscode.commands.executeCommand('fewshot.labelLine', 'bug', uri, [1]), 0);
    assert.deepEqual(shown, [{ level: 'info', message: 'Few-Shot: empty lines cannot be labeled.' }]);
    env.dispose();
    env = setUp({
      setLabel: async () => {
        throw new Error('disk full');
      },
    });
    await vscode.commands.executeCommand('fewshot.labelLine', 'bug', uri, [1]);
    assert.deepEqual(shown.at(-1), { level: 'error', message: 'Few-Shot: disk full' });
    assert.deepEqual(env.logs, ['fewshot.labelLine failed: disk full']);
    // A LabelError is the user's to fix: shown, not logged.
    env.dispose();
    env = setUp({
      setLabel: async () => {
        throw new LabelError('The label file is corrupt.');
      },
    });
    await vscode.commands.executeCommand('fewshot.labelLine', 'bug', uri, [1]);
    assert.deepEqual(env.logs, []);
    assert.equal(shown.at(-1)!.message, 'Few-Shot: The label file is corrupt.');
  });

  it('Label Line says so when the line already has that label, and leaves such lines alone among others', async () => {
    env = setUp({
      labeled: [
        [0, 'bug'],
        [2, 'feature'],
      ],
    });
    assert.equal(await vscode.commands.executeCommand('fewshot.labelLine', 'bug', uri, [0]), 0);
    assert.deepEqual(shown, [{ level: 'info', message: 'Few-Shot: Line 1 is already labeled "bug".' }]);
    assert.deepEqual(env.setLabels, [], 'nothing is written');
    assert.deepEqual(env.recentLabels.recent, []);
    // Among other lines: only those that change are labeled, without a message.
    shown.length = 0;
    assert.equal(await vscode.commands.executeCommand('fewshot.labelLine', 'bug', uri, [0, 1, 2]), 2);
    assert.deepEqual(env.setLabels, [[[1, 2], 'bug']]);
    assert.deepEqual(shown, []);
    env.dispose();
    env = setUp({
      labeled: [
        [0, 'bug'],
        [2, 'bug'],
      ],
    });
    await vscode.commands.executeCommand('fewshot.labelLine', 'bug', uri, [0, 2]);
    assert.deepEqual(shown, [{ level: 'info', message: 'Few-Shot: The 2 selected lines are already labeled "bug".' }]);
  });

  it('Label Line: a record already labeled is named by its first line, from any of its lines', async () => {
    // Records on lines 1 (spanning 1-2) and 3, under a header on line 0.
    const units = { lines: ['', 'a', '', 'c'], startOf: (l: number) => [-1, 1, 1, 3][l] ?? -1, endOf: (l: number) => l };
    env = setUp({ labeled: [[1, 'bug']], structured: { formatOf: () => 'csv', unitsOf: () => units } });
    assert.equal(await vscode.commands.executeCommand('fewshot.labelLine', 'bug', uri, [2]), 0);
    assert.deepEqual(shown, [{ level: 'info', message: 'Few-Shot: The record on line 2 is already labeled "bug".' }]);
    assert.deepEqual(env.setLabels, []);
  });

  it('Choose Text Column: null forgets the choice and returns the column detected again', async () => {
    const columns: Array<string | undefined> = [];
    let chosen: string | undefined = 'id';
    const table = () => ({ format: 'jsonl', columns: ['id', 'msg.text'], samples: ['r1', 'hi'], column: chosen ?? 'msg.text' });
    env = setUp({
      structured: {
        formatOf: () => 'jsonl',
        paramsOf: () => ({ format: 'jsonl', column: chosen }),
        tableFor: async () => table(),
        setColumn: async (_d: unknown, column: string | undefined) => {
          columns.push(column);
          chosen = column;
          return table();
        },
      },
    });
    assert.equal(await vscode.commands.executeCommand('fewshot.chooseTextColumn', null, uri), 'msg.text');
    assert.equal(await vscode.commands.executeCommand('fewshot.chooseTextColumn', 'id', uri), 'id');
    assert.deepEqual(columns, [undefined, 'id']);
    await vscode.commands.executeCommand('fewshot.chooseTextColumn', 'nope', uri);
    assert.match(shown.at(-1)!.message, /has no column named nope/);
  });
  it('Export Dataset writes every task from predictions of this version, computing those not held (not the active task)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fewshot-export-'));
    const file = path.join(dir, 'out.csv');
    const computed: Array<string | undefined> = [];
    const sent: Array<{ labels: unknown[]; tasks?: Array<{ task: string; labels: unknown[] }> }> = [];
    const prediction = (label: string) => ({
      labels: ['bug', 'feature', label],
      labelIndex: Int32Array.from([2, 2, 2]),
      confidence: Float32Array.from([0.5, 0.6, 0.7]),
      uncertainty: new Float32Array(3),
    });
    env = setUp({
      labeled: [[0, 'bug']],
      structured: {
        formatOf: () => 'csv',
        paramsOf: () => ({ format: 'csv' }),
        tableFor: async () => ({ records: [{ line: 1 }, { line: 2 }], problems: [] }),
      },
      extend: {
        engine: {
          dataset: async (params: (typeof sent)[number]) => {
            sent.push(params);
            return 'written';
          },
        },
        scheduler: {
          // The active task's result is held; the other's is computed now.
          freshResultForTask: async (_doc: unknown, task: string | undefined) => {
            computed.push(task);
            return prediction(task ?? 'intent-label');
          },
        },
        labels: {
          labelsOf: (_doc: unknown, task?: string) => new Map(task === undefined ? [[1, 'bug']] : []),
          tasks: () => [
            { name: 'intent', kind: 'single-label', isDefault: true },
            { name: 'urgency', kind: 'single-label', isDefault: false },
          ],
          activeTask: () => ({ name: 'intent', kind: 'single-label', isDefault: true }),
        },
      },
    });
    try {
      const result = await vscode.commands.executeCommand<{ records: number }>('fewshot.exportDataset', uri, file);
      assert.equal(result?.records, 2);
      assert.deepEqual(computed, [undefined, 'urgency'], 'every task asked for its fresh predictions');
      assert.deepEqual(sent[0]!.tasks, [
        {
          task: 'intent',
          labels: [
            { label: 'bug', source: 'label' },
            { label: 'intent-label', source: 'prediction', confidence: Math.fround(0.7) },
          ],
        },
        {
          task: 'urgency',
          labels: [
            { label: 'urgency', source: 'prediction', confidence: Math.fround(0.6) },
            { label: 'urgency', source: 'prediction', confidence: Math.fround(0.7) },
          ],
        },
      ]);
      assert.equal(fs.readFileSync(file, 'utf8'), 'written');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("Export Dataset writes a multi-label task's sets in its column (labeled and predicted), the single-label task's labels in its own", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fewshot-export-'));
    const file = path.join(dir, 'out.csv');
    const sent: Array<{ tasks?: Array<{ task: string; labels: unknown[] }> }> = [];
    // topics: line 0 labeled {bug, billing}; line 1 predicted {feature 0.9, bug 0.6}; line 2 the empty set.
    const topics = {
      labels: ['bug', 'feature', 'none'],
      labelIndex: Int32Array.from([0, 1, 2]),
      confidence: Float32Array.from([0.5, 0.9, 0.8]),
      uncertainty: new Float32Array(3),
      sets: { start: Int32Array.of(0, 1, 3, 3), label: Int32Array.of(0, 1, 0), confidence: Float32Array.of(0.5, 0.9, 0.6) },
    };
    const intent = {
      labels: ['bug', 'feature'],
      labelIndex: Int32Array.from([1, 1, 0]),
      confidence: Float32Array.from([0.7, 0.7, 0.7]),
      uncertainty: new Float32Array(3),
    };
    env = setUp({
      structured: {
        formatOf: () => 'csv',
        paramsOf: () => ({ format: 'csv' }),
        tableFor: async () => ({ records: [{ line: 0 }, { line: 1 }, { line: 2 }], problems: [] }),
      },
      extend: {
        engine: {
          dataset: async (params: (typeof sent)[number]) => {
            sent.push(params);
            return 'written';
          },
        },
        scheduler: { freshResultForTask: async (_doc: unknown, task: string | undefined) => (task === 'topics' ? topics : intent) },
        labels: {
          // The default task (undefined) is single-label even while topics is active.
          isMultiLabel: (...task: [] | [string | undefined]) => (task.length === 0 ? 'topics' : task[0]) === 'topics',
          labelSetsOf: (_doc: unknown, task?: string) => new Map(task === 'topics' ? [[0, ['billing', 'bug']]] : []),
          // A set's first label is all labelsOf knows of it.
          labelsOf: (_doc: unknown, task?: string) => new Map(task === 'topics' ? [[0, 'billing']] : []),
          tasks: () => [
            { name: 'intent', kind: 'single-label', isDefault: true },
            { name: 'topics', kind: 'multi-label', isDefault: false },
          ],
          activeTask: () => ({ name: 'topics', kind: 'multi-label', isDefault: false }),
        },
      },
    });
    try {
      await vscode.commands.executeCommand('fewshot.exportDataset', uri, file);
      assert.deepEqual(sent[0]!.tasks, [
        {
          task: 'intent',
          labels: [
            { label: 'feature', source: 'prediction', confidence: Math.fround(0.7) },
            { label: 'feature', source: 'prediction', confidence: Math.fround(0.7) },
            { label: 'bug', source: 'prediction', confidence: Math.fround(0.7) },
          ],
        },
        {
          task: 'topics',
          labels: [
            { label: 'billing|bug', source: 'label' },
            // The set's confidence: its least probable label's.
            { label: 'bug|feature', source: 'prediction', confidence: Math.fround(0.6) },
            { label: 'none', source: 'none', confidence: Math.fround(0.8) },
          ],
        },
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('in a multi-label task, Label Line adds the label to each line set (none empties it), toggleLabel and setLabels change sets', async () => {
    const labelSets = new Map([[0, ['bug']]]);
    env = setUp({ labelSets });
    assert.equal(await vscode.commands.executeCommand('fewshot.labelLine', 'feature', uri, [0, 2]), 2);
    assert.deepEqual(
      [...labelSets],
      [
        [0, ['bug', 'feature']],
        [2, ['feature']],
      ],
    );
    assert.deepEqual(env.setLabels, [], 'no single-label write');
    await vscode.commands.executeCommand('fewshot.toggleLabel', 'bug', uri, [0, 2]);
    assert.deepEqual(
      [...labelSets],
      [
        [0, ['feature']],
        [2, ['bug', 'feature']],
      ],
    );
    await vscode.commands.executeCommand('fewshot.labelLine', 'none', uri, [2]);
    await vscode.commands.executeCommand('fewshot.setLabels', ['bug', 'ui'], uri, [0]);
    assert.deepEqual(
      [...labelSets],
      [
        [0, ['bug', 'ui']],
        [2, []],
      ],
    );
  });

  it('in a multi-label task, Accept Prediction gives each line its predicted set (empty: none)', async () => {
    const labelSets = new Map<number, string[]>();
    // Line 0: {feature, bug}; line 1: no prediction; line 2: the empty set.
    const sets = { start: Int32Array.of(0, 2, 2, 2), label: Int32Array.of(1, 0), confidence: Float32Array.of(0.9, 0.7) };
    env = setUp({ labelSets, result: { labels: ['bug', 'feature', 'none'], labelIndex: [1, -1, 2], sets } });
    assert.equal(await vscode.commands.executeCommand('fewshot.acceptPrediction', uri, [0, 1, 2]), 2);
    assert.deepEqual(
      [...labelSets],
      [
        [0, ['feature', 'bug']],
        [2, []],
      ],
    );
  });
  it("Export Labels writes a multi-label task's sets whole (JSONL labels, CSV a|b) and Import Labels reads them back as sets; a single-label task refuses them", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fewshot-export-labels-'));
    const records = [
      { document: 'a.txt', line: 0, text: 'invoice crash', label: 'billing', labels: ['billing', 'bug'], task: 'topics' },
      { document: 'a.txt', line: 1, text: 'pipes', label: 'a|b', labels: ['a|b', 'c\\d'], task: 'topics' },
      { document: 'a.txt', line: 2, text: 'nothing', label: 'none', task: 'topics' },
      { document: 'a.txt', line: 3, text: 'plain', label: 'bug' },
    ];
    const importedRecords: Array<Array<{ line: number; label: string; labels?: string[]; task?: string }>> = [];
    let multi = (task: string | undefined): boolean => task === 'topics';
    env = setUp({
      extend: {
        labels: {
          all: () => [{ folder: { name: 'w' }, records }],
          isMultiLabel: (task: string | undefined) => multi(task),
          labelNames: () => [],
          tasks: () => [
            { name: 'intent', kind: 'single-label', isDefault: true },
            { name: 'topics', kind: 'multi-label', isDefault: false },
          ],
          activeTask: () => ({ name: 'intent', kind: 'single-label', isDefault: true }),
          importRecords: async (_folder: unknown, rs: (typeof importedRecords)[number]) => {
            importedRecords.push(rs);
            return rs.length;
          },
        },
      },
    });
    const folders = vscode.workspace.workspaceFolders && [...vscode.workspace.workspaceFolders];
    (vscode.workspace as { workspaceFolders: unknown[] | undefined }).workspaceFolders = [
      { uri: vscode.Uri.file(dir), name: 'w', index: 0 },
    ];
    const setsOf = (rs: (typeof importedRecords)[number]) =>
      rs.map((r) => `${r.line}:${r.task ?? ''}:${(r.labels ?? [r.label]).join('+')}`);
    const expected = ['0:topics:billing+bug', '1:topics:a|b+c\\d', '2:topics:none', '3::bug'];
    try {
      const jsonl = path.join(dir, 'out.jsonl');
      assert.equal(await vscode.commands.executeCommand('fewshot.exportLabels', jsonl, false), 4);
      const rows = fs
        .readFileSync(jsonl, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { labels?: string[] });
      assert.deepEqual(rows[0]!.labels, ['billing', 'bug']);
      const csv = path.join(dir, 'out.csv');
      assert.equal(await vscode.commands.executeCommand('fewshot.exportLabels', csv, false), 4);
      assert.match(fs.readFileSync(csv, 'utf8'), /,billing\|bug,label,,topics\n.*,a\\\|b\|c\\\\d,label,,topics\n/);
      for (const file of [jsonl, csv]) assert.equal(await vscode.commands.executeCommand('fewshot.importLabels', file), 4);
      assert.deepEqual(importedRecords.map(setsOf), [expected, expected]);
      // The same files where topics is single-label: nothing is imported, and the message says which lines and why.
      multi = () => false;
      shown.length = 0;
      for (const file of [jsonl, csv]) assert.equal(await vscode.commands.executeCommand('fewshot.importLabels', file), undefined);
      assert.equal(importedRecords.length, 2);
      assert.deepEqual(
        shown.map((m) => m.message),
        ['jsonl', 'csv'].map(
          (ext) =>
            `Few-Shot: out.${ext}: 2 lines give a set of labels (lines ${ext === 'csv' ? '2, 3' : '1, 2'}), but task topics is not multi-label here. ` +
            'Nothing was imported: create a multi-label task of that name (Few-Shot: Create Task) and import again.',
        ),
      );
    } finally {
      (vscode.workspace as { workspaceFolders: unknown[] | undefined }).workspaceFolders = folders;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
