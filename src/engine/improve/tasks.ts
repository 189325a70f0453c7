// The user's finished tasks as meta-training material. A task is one set of labeled lines (a
// workspace folder's labels, a JSONL file the user names). Labels are split, not lines: the
// validation and the adoption test run on labels the meta-training never saw, as the shipped
// model's recipe validates on a domain it never trains on.
import type { Example } from '../types';
import { groupByLabel } from '../episodes/group';
import { shuffle } from '../episodes/prng';
import { isNoneLabel } from '../labels/none';
import { Rng } from '../random';

export interface UserTask {
  name: string;
  examples: Example[];
}

export interface SkippedUserLabel {
  task: string;
  label: string;
  count: number;
}

export interface TaskSplit {
  /** Training label groups, one per task (episodes are drawn within a group: its labels are neighbours). */
  train: Example[][];
  /** Lines of the labels that pick the best training step. */
  validation: Example[];
  /** Lines of the labels the candidate and the base are compared on. */
  test: Example[];
  /** Labels with fewer lines than `minExamples`: too few for one shot and one query. */
  skipped: SkippedUserLabel[];
  labels: { train: number; validation: number; test: number };
}

export interface SplitOptions {
  seed: number;
  /** Fewest lines a label needs: one shot plus one query (default 2). */
  minExamples?: number;
  /** Fraction of the labels held out for validation, and again for the test (default 0.2 each, at least 2 labels each). */
  heldOutFraction?: number;
  /** A task given for the test alone (never trained or validated on): then every other label trains or validates. */
  test?: UserTask;
}

export class ImproveError extends Error {
  override name = 'ImproveError';
}

/** The least labels a role needs: an episode has at least two classes. */
const MIN_LABELS = 2;

/**
 * Splits the tasks' labels into train, validation and test labels (seeded). Labels are known by
 * name across tasks (the same name in two tasks is one label, kept in one role); the built-in
 * `none` label is not a class of its own meaning and is left out.
 */
export function splitUserTasks(tasks: readonly UserTask[], o: SplitOptions): TaskSplit {
  const minExamples = o.minExamples ?? 2;
  const fraction = o.heldOutFraction ?? 0.2;
  const skipped: SkippedUserLabel[] = [];
  const eligible = (task: UserTask): Map<string, Example[]> => {
    const kept = new Map<string, Example[]>();
    for (const [label, lines] of groupByLabel(task.examples)) {
      if (isNoneLabel(label)) continue;
      if (lines.length >= minExamples) kept.set(label, lines);
      else skipped.push({ task: task.name, label, count: lines.length });
    }
    return kept;
  };
  const perTask = tasks.map((t) => ({ name: t.name, groups: eligible(t) }));
  const testGroups = o.test ? eligible(o.test) : undefined;
  // Sorted before the seeded shuffle, so that the order of tasks and lines does not change the split.
  const names = [...new Set(perTask.flatMap((t) => [...t.groups.keys()]))].filter((l) => !testGroups?.has(l)).sort();
  const shuffled = shuffle(new Rng(o.seed), names);
  const heldOut = Math.max(MIN_LABELS, Math.round(fraction * names.length));
  const nTest = testGroups ? 0 : heldOut;
  const need = MIN_LABELS + heldOut + nTest;
  if (names.length < need || (testGroups && testGroups.size < MIN_LABELS)) {
    throw new ImproveError(
      `improving the model needs at least ${need} labels with ${minExamples} or more lines each` +
        `${testGroups ? ` and ${MIN_LABELS} in the test task` : ''}; found ${names.length}` +
        `${skipped.length ? ` (${skipped.length} label(s) had too few lines)` : ''}`,
    );
  }
  const testLabels = new Set(shuffled.slice(0, nTest));
  const validationLabels = new Set(shuffled.slice(nTest, nTest + heldOut));
  const linesOf = (wanted: Set<string>) =>
    perTask.flatMap((t) => [...t.groups].filter(([l]) => wanted.has(l)).flatMap(([, lines]) => lines));

  // Episodes stay within a task; labels of tasks left with a single training label train together.
  const train: Example[][] = [];
  const leftovers: Example[] = [];
  for (const t of perTask) {
    const own = [...t.groups].filter(([l]) => !testLabels.has(l) && !validationLabels.has(l) && !testGroups?.has(l));
    if (own.length >= MIN_LABELS) train.push(own.flatMap(([, lines]) => lines));
    else leftovers.push(...own.flatMap(([, lines]) => lines));
  }
  // A lone leftover label joins the last group rather than be lost.
  if (new Set(leftovers.map((ex) => ex.label)).size >= MIN_LABELS || train.length === 0) train.push(leftovers);
  else train[train.length - 1]!.push(...leftovers);
  return {
    train,
    validation: linesOf(validationLabels),
    test: testGroups ? [...testGroups.values()].flat() : linesOf(testLabels),
    skipped,
    labels: {
      train: new Set(train.flat().map((ex) => ex.label)).size,
      validation: validationLabels.size,
      test: testGroups ? testGroups.size : testLabels.size,
    },
  };
}

export interface EpisodeShape {
  way: number;
  query: number;
  /** The lines of the labels that can fill such an episode. */
  examples: Example[];
}

/**
 * The largest episodes some lines allow at a shot count: up to `maxWay` classes and `maxQuery`
 * queries per class, over the labels with at least shot + 1 lines; undefined when fewer than two
 * labels have that many.
 */
export function episodeShape(examples: readonly Example[], shot: number, maxQuery: number, maxWay = 5): EpisodeShape | undefined {
  const groups = [...groupByLabel(examples).values()].filter((lines) => lines.length >= shot + 1);
  if (groups.length < MIN_LABELS) return undefined;
  const fewest = Math.min(...groups.map((lines) => lines.length));
  return { way: Math.min(maxWay, groups.length), query: Math.min(maxQuery, fewest - shot), examples: groups.flat() };
}
