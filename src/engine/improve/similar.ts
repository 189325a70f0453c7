// The warm start's choice: which finished task a new one (a few labeled lines) is most like, from
// the label names and the lines. A task is summarised by the mean of its lines' word blocks and the
// mean of its label names' word blocks, each line re-centred on the model's corpus centre and
// normalised as the adaptation sees it; similarity is the mean of the two cosines.
import { FeatureView, type Centre } from '../learners/featureView';
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
