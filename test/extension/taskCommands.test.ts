// Create and Switch Task against a fake context: the new task becomes the active one, and a
// multi-label task says its predictions are single-label for now.
import assert from 'node:assert/strict';
import { createTask, MULTI_LABEL_NOTE, switchTask, taskPickItems } from '../../src/extension/taskCommands';
import type { FewShotContext } from '../../src/extension/context';
import type { TaskInfo, TaskKind } from '../../src/extension/taskFile';
import { shown } from './fakeVscode';

function fakeContext() {
  const tasks: TaskInfo[] = [{ name: 'default', kind: 'single-label', isDefault: true }];
  let active = 'default';
  const logs: string[] = [];
  const labels = {
    tasks: () => tasks,
    activeTask: () => tasks.find((t) => t.name === active)!,
    setActiveTask: (name: string) => {
      if (!tasks.some((t) => t.name === name)) throw new Error(`no task ${name}`);
      active = name;
    },
    createTask: async (name: string, kind: TaskKind) => {
      const task = { name, kind, isDefault: false };
      tasks.push(task);
      return task;
    },
  };
  // A structural fake of the parts of the context the task commands use.
  const ctx = { labels, log: (m: string) => logs.push(m) } as unknown as FewShotContext;
  return { ctx, logs, active: () => active };
}

describe('task commands', () => {
  beforeEach(() => {
    shown.length = 0;
  });

  it('Create Task makes the new task active; a multi-label one says how its sets are labeled and predicted', async () => {
    const { ctx, logs, active } = fakeContext();
    assert.equal(await createTask(ctx)('urgency', 'multi-label'), 'urgency');
    assert.equal(active(), 'urgency');
    assert.ok(logs.join('\n').includes(MULTI_LABEL_NOTE));
    assert.doesNotMatch(MULTI_LABEL_NOTE, /not available/);
    assert.equal(shown.length, 1);
    assert.equal(await switchTask(ctx)('default'), 'default');
    assert.equal(shown.length, 1, 'a single-label task needs no note');
  });

  it('lists tasks with their kind, the active one checked', () => {
    const items = taskPickItems(
      [
        { name: 'default', kind: 'single-label', isDefault: true },
        { name: 'urgency', kind: 'multi-label', isDefault: false },
      ],
      'urgency',
    );
    assert.deepEqual(
      items.map((i) => [i.label, i.description, i.task]),
      [
        ['default', 'single-label · default task', 'default'],
        ['$(check) urgency', 'multi-label', 'urgency'],
      ],
    );
  });
});
