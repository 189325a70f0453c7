// The task list of one workspace folder: `tasks.json` next to the label file. No vscode import.
//
// Records name their task themselves (`"task"`; none: the default task, see labelFile.ts), so a
// task's labels never depend on this file. It keeps what records cannot say: each task's kind, the
// tasks created but not labeled yet, and the default task's name (DEFAULT_TASK_NAME unless renamed):
//   {"tasks":[{"name":"intent","kind":"single-label","default":true},{"name":"urgency","kind":"multi-label"}]}
// A task named in records but not here is a single-label task. Every change is read, changed and
// written under the file's own lock (withFileLock), atomically (writeFileAtomic), keeping fields this
// version does not know (top level and per task), so every window agrees on the list.
import * as path from 'node:path';
import { normalizeLabelName } from '../engine/data/labelName';
import { readContent, withFileLock, writeFileAtomic } from './labelFile';

export type TaskKind = 'single-label' | 'multi-label';
export const TASK_KINDS: readonly TaskKind[] = ['single-label', 'multi-label'];

/** The default task's name while nobody renamed it. */
export const DEFAULT_TASK_NAME = 'default';

export interface TaskInfo {
  /** The name shown (the default task's too). */
  name: string;
  kind: TaskKind;
  /** The task of records without a task field. */
  isDefault: boolean;
}

/** The task field its records carry: none for the default task. */
export const recordTask = (task: TaskInfo): string | undefined => (task.isDefault ? undefined : task.name);

type Entry = Record<string, unknown>;

export const taskFilePath = (labelsFile: string): string => path.join(path.dirname(labelsFile), 'tasks.json');

/** The tasks of a tasks.json content (undefined: no file); entries that make no sense are skipped. */
export function parseTasks(content: string | undefined): TaskInfo[] {
  const tasks: TaskInfo[] = [];
  const seen = new Set<string>();
  let hasDefault = false;
  for (const e of entriesOf(content)) {
    const name = nameOf(e);
    if (name === undefined || seen.has(name)) continue;
    const isDefault: boolean = e.default === true && !hasDefault;
    hasDefault ||= isDefault;
    seen.add(name);
    tasks.push({ name, kind: e.kind === 'multi-label' ? 'multi-label' : 'single-label', isDefault });
  }
  if (!hasDefault && !seen.has(DEFAULT_TASK_NAME)) tasks.unshift({ name: DEFAULT_TASK_NAME, kind: 'single-label', isDefault: true });
  else if (!hasDefault) {
    // A task named like the default task while the default task has no entry: it is the default task.
    const t = tasks.find((x) => x.name === DEFAULT_TASK_NAME);
    if (t) t.isDefault = true;
  }
  return tasks.sort((a, b) => Number(b.isDefault) - Number(a.isDefault));
}

/** An entry's task name, normalised as label names are; undefined when it is not a clean name. */
function nameOf(e: Entry): string | undefined {
  if (typeof e.name !== 'string') return undefined;
  const name = normalizeLabelName(e.name);
  return 'problem' in name ? undefined : name.name;
}

function entriesOf(content: string | undefined): Entry[] {
  const top = parseTop(content);
  return Array.isArray(top.tasks) ? top.tasks.filter((e): e is Entry => typeof e === 'object' && e !== null && !Array.isArray(e)) : [];
}

function parseTop(content: string | undefined): Entry {
  if (content === undefined || content.trim() === '') return {};
  try {
    const top: unknown = JSON.parse(content);
    return typeof top === 'object' && top !== null && !Array.isArray(top) ? (top as Entry) : {};
  } catch {
    return {};
  }
}

/** The tasks of the file and those only records name (single-label), the default task first. */
export function mergeTaskNames(fromFile: readonly TaskInfo[], recordTasks: Iterable<string | undefined>): TaskInfo[] {
  const out = [...fromFile];
  for (const name of recordTasks) {
    if (name !== undefined && !out.some((t) => !t.isDefault && t.name === name)) out.push({ name, kind: 'single-label', isDefault: false });
  }
  return out;
}

/** What a change of the list does to the file's entries (unknown fields of each entry are kept). */
export type TaskChange =
  | { kind: 'create'; name: string; taskKind: TaskKind }
  | { kind: 'rename'; from: TaskInfo; to: string }
  | { kind: 'setKind'; task: TaskInfo; taskKind: TaskKind };

/** The file's content after a change (pure: tested without a disk). */
export function changeTasks(content: string | undefined, change: TaskChange): string {
  const top = parseTop(content);
  const entries = entriesOf(content);
  const known = parseTasks(content);
  const entryOf = (task: TaskInfo): Entry => {
    let e = entries.find((x) => nameOf(x) === task.name);
    if (!e) {
      // A task only records (or the implicit default) named: it gets its entry now.
      e = task.isDefault ? { name: task.name, kind: task.kind, default: true } : { name: task.name, kind: task.kind };
      entries.push(e);
    }
    return e;
  };
  if (change.kind === 'create') {
    // The default task gets its entry too: the file then says which task records without a field belong to.
    const defaultTask = known.find((t) => t.isDefault);
    if (defaultTask) entryOf(defaultTask).default = true;
    entries.push({ name: change.name, kind: change.taskKind });
  } else if (change.kind === 'rename') {
    entryOf(change.from).name = change.to;
  } else {
    entryOf(change.task).kind = change.taskKind;
  }
  return `${JSON.stringify({ ...top, tasks: entries }, null, 2)}\n`;
}

/** One folder's tasks.json: the last read, and changes written under its lock. */
export class TaskFile {
  private content: string | undefined;
  constructor(readonly file: string) {}

  tasks(): TaskInfo[] {
    return parseTasks(this.content);
  }

  /** Reads the file; returns whether it changed. */
  async load(): Promise<boolean> {
    const content = await readContent(this.file);
    if (content === this.content) return false;
    this.content = content;
    return true;
  }

  /** Reads the file again under its lock, applies the change and writes it. */
  async change(change: TaskChange): Promise<void> {
    await withFileLock(this.file, async (lock) => {
      const next = changeTasks(await readContent(this.file), change);
      await writeFileAtomic(this.file, next, undefined, () => lock.check());
      this.content = next;
    });
  }
}
