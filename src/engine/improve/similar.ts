// The warm start's choice: which finished task a new one (a few labeled lines) is most like, from
// the label names and the lines. A task is summarised by the mean of its lines' word blocks and the
// mean of its label names' word blocks, each line re-centred on the model's corpus centre and
// normalised as the adaptation sees it; similarity is the mean of the two cosines.
import { FeatureView, type Centre } from '../learners/featureView';
import { groupByLabel } from '../episodes/group';
import type { EncodedLines, Example } from '../types';
import type { UserTask } from './tasks';

function meanWord(lines: EncodedLines, view: FeatureView): Float32Array {
  const wd = lines.wordDim;
  const row = new Float32Array(wd);
  const mean = new Float32Array(wd);
  for (let i = 0; i < lines.n; i++) {
    view.writeWord(lines, i, row, 0);
    for (let j = 0; j < wd; j++) mean[j] += row[j]! / lines.n;
  }
  return mean;
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let j = 0; j < a.length; j++) {
    dot += a[j]! * b[j]!;
    na += a[j]! * a[j]!;
    nb += b[j]! * b[j]!;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

/** The label names as lines: `freeze_account` reads as "freeze account". */
const nameLines = (examples: readonly Example[]) => [...new Set(examples.map((ex) => ex.label))].map((l) => l.replace(/[_-]+/g, ' '));

export interface Similarity {
  task: string;
  similarity: number;
}

/** Every finished task's similarity to the new one's lines, most similar first. */
export function rankBySimilarity(
  encode: (texts: string[]) => EncodedLines,
  centre: Centre,
  tasks: readonly UserTask[],
  target: readonly Example[],
): Similarity[] {
  const view = new FeatureView(centre, { word: 1, char: 1 });
  const summary = (examples: readonly Example[]) => ({
    lines: meanWord(encode(examples.map((ex) => ex.text)), view),
    names: meanWord(encode(nameLines(examples)), view),
  });
  const t = summary(target);
  return tasks
    .map((task) => {
      const s = summary(task.examples);
      return { task: task.name, similarity: (cosine(s.lines, t.lines) + cosine(s.names, t.names)) / 2 };
    })
    .sort((a, b) => b.similarity - a.similarity);
}

/** The warm start's choice: the finished task the new one starts from, and every task's similarity. */
export interface WarmStartChoice {
  from: string;
  /** The new task's lines per label that judged the similarity. */
  lines: number;
  similarities: Similarity[];
}

/** The new task's lines per label that judge similarity, by default (the CLI's `--warm-start-lines`). */
export const WARM_START_LINES = 5;

/**
 * The warm start (`fewshot meta-train --warm-start`, and Improve the Model for a task with few
 * labels): the finished task most like the new one, judged from its label names and its first
 * `perLabel` lines per label. Undefined when there is no finished task.
 */
export function chooseWarmStart(
  encode: (texts: string[]) => EncodedLines,
  centre: Centre,
  tasks: readonly UserTask[],
  target: readonly Example[],
  perLabel = WARM_START_LINES,
): WarmStartChoice | undefined {
  const known = [...groupByLabel(target).values()].flatMap((lines) => lines.slice(0, perLabel));
  const similarities = rankBySimilarity(encode, centre, tasks, known);
  const best = similarities[0];
  return best ? { from: best.task, lines: perLabel, similarities } : undefined;
}
