// Tasks (label sets) from the palette and the status bar: Create Task, Rename Task, Switch Task,
// and a status bar item naming the active task once there is more than one (click: switch).
// Handlers take optional arguments (tests, the panel); a person gets the prompts.
import * as vscode from 'vscode';
import type { FewShotContext } from './context';
import { LabelError } from './labelStore';
import { TASK_KINDS, type TaskInfo, type TaskKind } from './taskFile';

/** Said where a multi-label task becomes active: how its lines are labeled and predicted. */
export const MULTI_LABEL_NOTE =
  'multi-label task: a line carries a set of labels (none: the empty set); predictions are sets; in the panel, label keys toggle and Enter confirms the line';

const kindItems = (): Array<vscode.QuickPickItem & { taskKind: TaskKind }> => [
  { label: vscode.l10n.t('Single-label'), description: vscode.l10n.t('one label per line'), taskKind: TASK_KINDS[0]! },
  { label: vscode.l10n.t('Multi-label'), description: vscode.l10n.t('several labels per line'), taskKind: TASK_KINDS[1]! },
];

/** A task's line in a quick pick: its name, its kind, and whether it is the active one. */
export function taskPickItems(tasks: readonly TaskInfo[], active: string): Array<vscode.QuickPickItem & { task: string }> {
  return tasks.map((t) => ({
    label: t.name === active ? `$(check) ${t.name}` : t.name,
    description: [t.kind, t.isDefault ? vscode.l10n.t('default task') : ''].filter(Boolean).join(' · '),
    task: t.name,
  }));
}

export function createTask(ctx: FewShotContext) {
  return async (name?: string, kind?: TaskKind) => {
    const chosen =
      name ??
      (await vscode.window.showInputBox({
        title: vscode.l10n.t('Few-Shot: new task'),
        prompt: vscode.l10n.t('A task is a label set of its own (for example intent, urgency).'),
        validateInput: (v) =>
          ctx.labels.tasks().some((t) => t.name === v.trim()) ? vscode.l10n.t('A task with this name exists.') : undefined,
      }));
    if (!chosen) return undefined;
    const chosenKind =
      kind ?? (await vscode.window.showQuickPick(kindItems(), { title: vscode.l10n.t('Few-Shot: kind of task') }))?.taskKind;
    if (!chosenKind) return undefined;
    const task = await ctx.labels.createTask(chosen, chosenKind);
    ctx.labels.setActiveTask(task.name);
    noteKind(ctx);
    return task.name;
  };
}

export function renameTask(ctx: FewShotContext) {
  return async (from?: string, to?: string) => {
    const task = from ?? (await pickTask(ctx, vscode.l10n.t('Few-Shot: rename which task?')));
    if (!task) return undefined;
    const name = to ?? (await vscode.window.showInputBox({ title: vscode.l10n.t('Few-Shot: rename task {0}', task), value: task }));
    if (!name || name === task) return undefined;
    const n = await ctx.labels.renameTask(task, name);
    if (!to) void vscode.window.showInformationMessage(vscode.l10n.t('Few-Shot: task {0} renamed to {1} ({2} labels).', task, name, n));
    return n;
  };
}

export function switchTask(ctx: FewShotContext) {
  return async (name?: string) => {
    const task = name ?? (await pickTask(ctx, vscode.l10n.t('Few-Shot: switch to which task?')));
    if (!task) return undefined;
    ctx.labels.setActiveTask(task);
    noteKind(ctx);
    return ctx.labels.activeTask().name;
  };
}

/** A multi-label task labels and predicts sets: say how (log and status message). */
function noteKind(ctx: FewShotContext): void {
  const active = ctx.labels.activeTask();
  if (active.kind !== 'multi-label') return;
  ctx.log(`task ${active.name}: ${MULTI_LABEL_NOTE}`);
  vscode.window.setStatusBarMessage(`Few-Shot: ${active.name}: ${MULTI_LABEL_NOTE}`, 10_000);
}

async function pickTask(ctx: FewShotContext, title: string): Promise<string | undefined> {
  const tasks = ctx.labels.tasks();
  if (tasks.length === 0) throw new LabelError(vscode.l10n.t('Open a folder first: tasks are stored in the workspace folder.'));
  return (await vscode.window.showQuickPick(taskPickItems(tasks, ctx.labels.activeTask().name), { title }))?.task;
}

/** The active task in the status bar, once the workspace has more than one task (click: Switch Task). */
export function activateTaskStatus(ctx: FewShotContext): void {
  const item = vscode.window.createStatusBarItem('fewshot.task', vscode.StatusBarAlignment.Right, 101);
  item.name = vscode.l10n.t('Few-Shot Task');
  item.command = 'fewshot.switchTask';
  const update = () => {
    const tasks = ctx.labels.tasks();
    if (tasks.length < 2) {
      item.hide();
      return;
    }
    const active = ctx.labels.activeTask();
    item.text = `$(layers) ${active.name}`;
    item.tooltip = vscode.l10n.t('Few-Shot task: {0} ({1}). Click to switch task.', active.name, active.kind);
    item.show();
  };
  ctx.subscriptions.push(item, ctx.labels.onDidChangeTasks(update), ctx.labels.onDidChange(update));
  update();
}
