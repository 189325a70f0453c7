// Few-Shot: Improve the Model From My Labels, and Few-Shot: Use the Shipped Model. The improvement
// (src/engine/improve) runs in a worker of its own; an adopted model is kept in the extension's
// storage for this workspace, and the workspace state says which model the engine loads. An active
// task with few labels starts from the finished task most like it (fewshot.improve.warmStart).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ImproveProgress, ImproveResult, Score } from '../engine/improve/improve';
import { WARM_START_LINES } from '../engine/improve/similar';
import type { UserTask } from '../engine/improve/tasks';
import type { Example } from '../engine/types';
import type { ImproveAnswer } from '../protocol/worker';
import { CancelSource, RpcError } from '../protocol/rpc';
import type { FewShotContext } from './context';
import type { LabelRecord } from './labelFile';
import { activeModelDir, improvedDir, MODEL_CHOICE } from './modelChoice';
import { recordTask } from './taskFile';

/** Options a caller (a test, a keybinding's args) may pass instead of the dialogs. */
interface ImproveArgs {
  /** JSONL files of more finished tasks; given, no file picker is shown. */
  files?: string[];
  steps?: number;
  /** Episodes per shot count that pick the training step kept (the engine's default when absent). */
  validationEpisodes?: number;
  testEpisodes?: number;
}

const pct = (s: Score) => `${(100 * s.mean).toFixed(1)} ± ${(100 * s.ci95).toFixed(1)}%`;

/** Both models' accuracy per shot count, in the user's language. */
export function comparisonText(r: ImproveResult): string {
  return r.base
    .map((b, i) => vscode.l10n.t('{0}-way {1}-shot: improved {2}, shipped {3}', b.way, b.shot, pct(r.candidate[i]!), pct(b)))
    .join('; ');
}

function progressText(p: ImproveProgress): string {
  if (p.phase === 'comparing')
    return vscode.l10n.t('comparing with the shipped model: {0}-shot episode {1} of {2}', p.shot, p.episode, p.episodes);
  const t = p.progress;
  const minutes = Math.max(1, Math.round(t.etaSeconds / 60));
  return t.valAcc === undefined
    ? vscode.l10n.t('{0} training episodes of {1}, about {2} min left', 2 * t.step, 2 * t.steps, minutes)
    : vscode.l10n.t(
        '{0} training episodes of {1}, validation accuracy {2}%, about {3} min left',
        2 * t.step,
        2 * t.steps,
        (100 * t.valAcc).toFixed(1),
        minutes,
      );
}

/** A finished task of the workspace: one folder's labels of one task (label set). */
interface WorkspaceTask extends UserTask {
  /** The task's record field (undefined: the default task). */
  task: string | undefined;
}

/**
 * The workspace's labeled lines as tasks: one per folder and label set (a line labeled in two
 * tasks is an example of each, never two labels of one task). The default task keeps the folder's
 * name; another is `folder/task`.
 */
export function userTasks(folders: ReadonlyArray<{ folder: { name: string }; records: readonly LabelRecord[] }>): WorkspaceTask[] {
  const out = new Map<string, WorkspaceTask>();
  for (const { folder, records } of folders)
    for (const r of records) {
      const name = r.task === undefined ? folder.name : `${folder.name}/${r.task}`;
      let task = out.get(name);
      if (!task) {
        task = { name, task: r.task, examples: [] };
        out.set(name, task);
      }
      task.examples.push({ text: r.text, label: r.label });
    }
  return [...out.values()];
}

/** Few labels: fewer lines per label, on average, than the warm start judges similarity on (the CLI's default). */
export function hasFewLabels(examples: readonly Example[]): boolean {
  const labels = new Set(examples.map((e) => e.label)).size;
  return labels >= 2 && examples.length < labels * WARM_START_LINES;
}

export function improveModel(ctx: FewShotContext) {
  let running = false;
  return async (args: ImproveArgs = {}): Promise<ImproveAnswer | undefined> => {
    const outDir = improvedDir(ctx.extension);
    if (!outDir) throw new Error(vscode.l10n.t('Open a folder or workspace first: the improved model is kept per workspace.'));
    if (running) throw new Error(vscode.l10n.t('An improvement is already running.'));
    const all = userTasks(ctx.labels.all());
    let files = args.files;
    if (!files) {
      const picked = await vscode.window.showOpenDialog({
        title: vscode.l10n.t('Add JSONL files of other labeled tasks (optional: Cancel uses the workspace labels only)'),
        canSelectMany: true,
        filters: { 'JSON Lines': ['jsonl'] },
      });
      files = picked?.map((u) => u.fsPath) ?? [];
    }
    // A new task with few labels starts from the finished task (another label set, another folder's
    // or a picked file) most like it; the worker chooses.
    const active = recordTask(ctx.labels.activeTask());
    const fresh = all.filter((t) => t.task === active).flatMap((t) => t.examples);
    const finished = all.filter((t) => t.task !== active);
    const warmStart = ctx.config.improveWarmStart && hasFewLabels(fresh) && finished.length + files.length > 0;
    const tasks: UserTask[] = (warmStart ? finished : all).map(({ name, examples }) => ({ name, examples }));
    if (tasks.length === 0 && files.length === 0)
      throw new Error(vscode.l10n.t('There are no labeled lines in this workspace to learn from.'));
    running = true;
    try {
      const result = await run(ctx, {
        tasks,
        files,
        outDir,
        steps: args.steps ?? 40,
        testEpisodes: args.testEpisodes ?? 200,
        ...(warmStart ? { warmStart: { name: ctx.labels.activeTask().name, examples: fresh } } : {}),
        ...(args.validationEpisodes === undefined ? {} : { validationEpisodes: args.validationEpisodes }),
      });
      if (result) await announce(ctx, result);
      return result;
    } finally {
      running = false;
    }
  };
}

async function run(
  ctx: FewShotContext,
  o: {
    tasks: UserTask[];
    files: string[];
    outDir: string;
    steps: number;
    testEpisodes: number;
    validationEpisodes?: number;
    warmStart?: UserTask;
  },
): Promise<ImproveAnswer | undefined> {
  return vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: vscode.l10n.t('Few-Shot: improving the model from your labels'),
      cancellable: true,
    },
    async (progress, token) => {
      const stopFlag = new Int32Array(new SharedArrayBuffer(4));
      const cancel = new CancelSource();
      token.onCancellationRequested(() => {
        Atomics.store(stopFlag, 0, 1);
        cancel.cancel();
      });
      try {
        fs.mkdirSync(path.dirname(o.outDir), { recursive: true });
        const result = await ctx.engine.improveModel(
          {
            run: Date.now(),
            tasks: o.tasks,
            files: o.files,
            baseDir: ctx.extension.asAbsolutePath('models'),
            outDir: o.outDir,
            steps: o.steps,
            evalEvery: Math.max(1, Math.round(o.steps / 5)),
            seed: 1,
            testEpisodes: o.testEpisodes,
            ...(o.validationEpisodes === undefined ? {} : { validationEpisodes: o.validationEpisodes }),
            ...(o.warmStart ? { warmStart: o.warmStart } : {}),
            stopFlag,
          },
          (p) => progress.report({ message: progressText(p) }),
          cancel,
        );
        return result.status === 'cancelled' ? undefined : result;
      } catch (error) {
        if (error instanceof RpcError && error.code === 'cancelled') return undefined;
        throw error;
      }
    },
  );
}

async function announce(ctx: FewShotContext, result: ImproveAnswer): Promise<void> {
  const warm = result.warmStart;
  if (warm)
    ctx.log(
      `improve: warm start: the active task has few labels; trained on ${warm.from} only, the most similar finished task ` +
        `(${warm.similarities.map((x) => `${x.task} ${x.similarity.toFixed(3)}`).join(', ')}; fewshot.improve.warmStart turns it off)`,
    );
  ctx.log(
    `improve: ${result.status} (${result.reason}); labels ${JSON.stringify(result.labels)}, skipped ${result.skipped.length}; ${comparisonText(result)}`,
  );
  if (result.status === 'adopted') {
    await ctx.extension.workspaceState.update(MODEL_CHOICE, 'improved');
    await useModel(ctx, activeModelDir(ctx.extension));
    const back = vscode.l10n.t('Use the Shipped Model');
    // Not awaited: the command is done once the model is in use, whether or not the message is answered.
    void vscode.window
      .showInformationMessage(
        vscode.l10n.t('Few-Shot now uses the improved model. On labels it did not train on: {0}.', comparisonText(result)),
        back,
      )
      .then((choice) => (choice === back ? vscode.commands.executeCommand('fewshot.useShippedModel') : undefined));
  } else {
    void vscode.window.showInformationMessage(
      vscode.l10n.t(
        'Few-Shot keeps the shipped model: the improved one was not better on labels it did not train on ({0}).',
        comparisonText(result),
      ),
    );
  }
}

/** Restarts the engine on a model folder and predicts every open document again. */
async function useModel(ctx: FewShotContext, modelDir: string): Promise<void> {
  ctx.log(`engine model: ${modelDir}`);
  await ctx.engine.restart({ modelDir });
  ctx.scheduler.scheduleAll(0);
}

export function useShippedModel(ctx: FewShotContext) {
  return async (): Promise<void> => {
    await ctx.extension.workspaceState.update(MODEL_CHOICE, 'shipped');
    await useModel(ctx, activeModelDir(ctx.extension));
    void vscode.window.showInformationMessage(vscode.l10n.t('Few-Shot now uses the shipped model.'));
  };
}
