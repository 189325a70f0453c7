// Improve the Model From My Labels and Use the Shipped Model against the fake vscode: which model
// the engine is restarted on after an adoption, a rejection and a cancel (the previous model stays
// in use), both numbers in the message, and the way back to the shipped model.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import type { ImproveResult } from '../../src/engine/improve/improve';
import { registerCommands } from '../../src/extension/commands';
import type { FewShotContext } from '../../src/extension/context';
import { activeModelDir } from '../../src/extension/modelChoice';
import { RpcError } from '../../src/protocol/rpc';
import type { ImproveAnswer, ImproveParams } from '../../src/protocol/worker';
import { shown } from './fakeVscode';
import { Memento } from './memento';

const SHIPPED = path.join('/ext', 'models');

function result(status: ImproveResult['status'], candidate: number): ImproveResult {
  const score = (mean: number) => ({ shot: 1, way: 5, mean, ci95: 0.01 });
  return {
    status,
    reason: 'test',
    labels: { train: 6, validation: 2, test: 2 },
    skipped: [],
    episodes: 10,
    base: [score(0.9)],
    candidate: [score(candidate)],
    gain: [score(candidate - 0.9)],
  };
}

interface Workspace {
  records?: Array<{ text: string; label: string; task?: string }>;
  /** The active task's record field (undefined: the default task). */
  active?: string;
  warmStart?: boolean;
}

function setUp(outcome: (p: ImproveParams) => ImproveAnswer, workspace: Workspace = {}) {
  const logs: string[] = [];
  const storage = fs.mkdtempSync(path.join(os.tmpdir(), 'improve-ext-'));
  const restarts: Array<string | undefined> = [];
  const calls: ImproveParams[] = [];
  const extension = {
    storageUri: vscode.Uri.file(storage),
    workspaceState: new Memento(),
    asAbsolutePath: (p: string) => path.join('/ext', p),
  };
  const ctx = {
    subscriptions: [] as vscode.Disposable[],
    extension,
    log: (m: string) => logs.push(m),
    config: { improveWarmStart: workspace.warmStart ?? true },
    labels: {
      all: () => [
        {
          folder: { name: 'tickets' },
          records: workspace.records ?? [
            { text: 'my invoice', label: 'billing' },
            { text: 'reset password', label: 'account' },
          ],
        },
      ],
      activeTask: () =>
        workspace.active === undefined
          ? { name: 'default', kind: 'single-label', isDefault: true }
          : { name: workspace.active, kind: 'single-label', isDefault: false },
    },
    scheduler: { scheduleAll: () => {} },
    engine: {
      restart: async (o: { modelDir?: string }) => {
        restarts.push(o.modelDir);
      },
      improveModel: async (p: ImproveParams) => {
        calls.push(p);
        return outcome(p);
      },
    },
  };
  registerCommands(ctx as unknown as FewShotContext);
  return {
    logs,
    storage,
    extension,
    restarts,
    calls,
    dispose: () => {
      for (const s of ctx.subscriptions) s.dispose();
      fs.rmSync(storage, { recursive: true, force: true });
    },
  };
}

/** What the worker does on an adoption: a model folder in outDir. */
function writeModel(outDir: string): void {
  fs.mkdirSync(path.join(outDir, 'checkpoint'), { recursive: true });
  fs.writeFileSync(path.join(outDir, 'checkpoint', 'manifest.json'), '{}');
}

describe('Improve the Model From My Labels', () => {
  let env: ReturnType<typeof setUp> | undefined;
  beforeEach(() => {
    shown.length = 0;
  });
  afterEach(() => env?.dispose());

  it('an adopted model is used at once (and at the next start), with both numbers shown; Use the Shipped Model goes back', async () => {
    // No warm start: the workspace's two lines train with the picked file.
    env = setUp(
      (p) => {
        writeModel(p.outDir);
        return result('adopted', 0.95);
      },
      { warmStart: false },
    );
    const r = await vscode.commands.executeCommand<ImproveResult>('fewshot.improveModel', { files: ['/data/more.jsonl'], steps: 3 });
    assert.equal(r.status, 'adopted');
    const call = env.calls[0]!;
    assert.deepEqual(call.tasks, [
      {
        name: 'tickets',
        examples: [
          { text: 'my invoice', label: 'billing' },
          { text: 'reset password', label: 'account' },
        ],
      },
    ]);
    assert.deepEqual(call.files, ['/data/more.jsonl']);
    assert.equal(call.baseDir, SHIPPED);
    assert.equal(call.steps, 3);
    assert.equal(call.validationEpisodes, undefined, "the engine's default unless given");
    assert.ok(call.outDir.startsWith(env.storage));
    assert.deepEqual(env.restarts, [call.outDir]);
    assert.equal(activeModelDir(env.extension as unknown as vscode.ExtensionContext), call.outDir);
    assert.match(shown[0]!.message, /improved model.*5-way 1-shot: improved 95\.0 ± 1\.0%, shipped 90\.0 ± 1\.0%/);

    await vscode.commands.executeCommand('fewshot.useShippedModel');
    assert.deepEqual(env.restarts, [call.outDir, SHIPPED]);
    assert.equal(activeModelDir(env.extension as unknown as vscode.ExtensionContext), SHIPPED);
  });

  it('takes a test budget: steps, validation and test episodes', async () => {
    env = setUp(() => result('rejected', 0.9));
    await vscode.commands.executeCommand('fewshot.improveModel', { files: [], steps: 2, validationEpisodes: 10, testEpisodes: 12 });
    const call = env.calls[0]!;
    assert.deepEqual([call.steps, call.validationEpisodes, call.testEpisodes], [2, 10, 12]);
  });

  it('a task with few labels starts from the most similar finished task (the worker chooses), named in the log; the setting turns it off', async () => {
    const intents = ['billing', 'account', 'shipping'].flatMap((label) =>
      Array.from({ length: 6 }, (_, i) => ({ text: `${label} question ${i}`, label })),
    );
    const urgency = [
      { text: 'billing question 0', label: 'high', task: 'urgency' },
      { text: 'account question 1', label: 'low', task: 'urgency' },
    ];
    const answer = (): ImproveAnswer => ({
      ...result('rejected', 0.9),
      warmStart: { from: 'tickets', lines: 5, similarities: [{ task: 'tickets', similarity: 0.7 }] },
    });
    env = setUp(answer, { records: [...intents, ...urgency], active: 'urgency' });
    await vscode.commands.executeCommand('fewshot.improveModel', { files: [] });
    const call = env.calls[0]!;
    // Each task of the folder is a task of its own; the new one is what the warm start judges by.
    assert.deepEqual(
      call.tasks.map((t) => [t.name, t.examples.length]),
      [['tickets', 18]],
    );
    assert.deepEqual(call.warmStart, {
      name: 'urgency',
      examples: urgency.map(({ text, label }) => ({ text, label })),
    });
    assert.ok(
      env.logs.some((l) => /warm start: .*trained on tickets only.*tickets 0\.700/.test(l)),
      env.logs.join('\n'),
    );
    env.dispose();

    env = setUp(answer, { records: [...intents, ...urgency], active: 'urgency', warmStart: false });
    await vscode.commands.executeCommand('fewshot.improveModel', { files: [] });
    assert.equal(env.calls[0]!.warmStart, undefined);
    assert.deepEqual(
      env.calls[0]!.tasks.map((t) => [t.name, t.examples.length]),
      [
        ['tickets', 18],
        ['tickets/urgency', 2],
      ],
    );
    env.dispose();

    // The default task active, with 6 lines per label: not few, no warm start.
    env = setUp(answer, { records: [...intents, ...urgency] });
    await vscode.commands.executeCommand('fewshot.improveModel', { files: [] });
    assert.equal(env.calls[0]!.warmStart, undefined);
    env.dispose();

    // The only task has few labels: a picked file is a finished task to start from; without one, no warm start.
    env = setUp(answer);
    await vscode.commands.executeCommand('fewshot.improveModel', { files: ['/data/more.jsonl'] });
    await vscode.commands.executeCommand('fewshot.improveModel', { files: [] });
    const [withFile, without] = env.calls;
    assert.equal(withFile!.warmStart?.name, 'default');
    assert.deepEqual(withFile!.tasks, []);
    assert.equal(without!.warmStart, undefined);
    assert.equal(without!.tasks.length, 1);
  });

  it('a rejected model changes nothing and says so with both numbers', async () => {
    env = setUp(() => result('rejected', 0.89));
    await vscode.commands.executeCommand('fewshot.improveModel', { files: [] });
    assert.deepEqual(env.restarts, []);
    assert.equal(activeModelDir(env.extension as unknown as vscode.ExtensionContext), SHIPPED);
    assert.match(shown[0]!.message, /keeps the shipped model.*improved 89\.0 ± 1\.0%, shipped 90\.0 ± 1\.0%/);
  });

  it('a cancel leaves the model in use: an adopted one stays adopted, nothing restarts, no message', async () => {
    let outcome: 'adopt' | 'cancel' = 'adopt';
    env = setUp((p) => {
      if (outcome === 'cancel') throw new RpcError('improveModel cancelled', 'cancelled');
      writeModel(p.outDir);
      return result('adopted', 0.95);
    });
    await vscode.commands.executeCommand('fewshot.improveModel', { files: [] });
    const adopted = env.restarts[0];
    shown.length = 0;
    outcome = 'cancel';
    assert.equal(await vscode.commands.executeCommand('fewshot.improveModel', { files: [] }), undefined);
    assert.deepEqual(env.restarts, [adopted]);
    assert.deepEqual(shown, []);
    assert.equal(activeModelDir(env.extension as unknown as vscode.ExtensionContext), adopted);
  });
});
