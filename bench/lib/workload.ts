// The work the benchmarks time, built from the shared data sets: few-shot support sets drawn
// from CLINC150 and 10,000-line batches of real short lines that the encoder has not seen yet.
import fs from 'node:fs';
import path from 'node:path';
import { mulberry32, sampleWithoutReplacement, shuffle, type Rng } from '../../src/engine/episodes/prng';
import { packageRootFrom } from '../../src/engine/packageRoot';
import type { Example } from '../../src/engine/types';

export const DATA_DIR = path.resolve(packageRootFrom(__dirname), '../shared/data');
export const SUPPORT_FILE = 'clinc150.test.jsonl';
/** Short, line-like texts (utterances, questions): what a labeled document's lines look like. */
export const LINE_FILES = [
  'clinc150.train.jsonl',
  'clinc150.val.jsonl',
  'clinc150.test.jsonl',
  'clinc150.oos.jsonl',
  'snips.train.jsonl',
  'snips.val.jsonl',
  'snips.test.jsonl',
  'trec50.train.jsonl',
  'trec50.test.jsonl',
];

export function readData(file: string): Example[] {
  const full = path.join(DATA_DIR, file);
  if (!fs.existsSync(full)) throw new Error(`bench: data set not found at ${full} (the shared data sets live in ../shared/data)`);
  return fs
    .readFileSync(full, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Example);
}

/** A `way`-way `shot`-shot support set; classes are numbered in the order drawn. */
export interface Support {
  examples: Example[];
  texts: string[];
  labels: Int32Array;
  way: number;
}

export class SupportSampler {
  private readonly byLabel = new Map<string, string[]>();
  private readonly rng: Rng;

  constructor(examples: Example[], seed: number) {
    for (const ex of examples) this.byLabel.set(ex.label, [...(this.byLabel.get(ex.label) ?? []), ex.text]);
    this.rng = mulberry32(seed);
  }

  next(way: number, shot: number): Support {
    const labels = sampleWithoutReplacement(this.rng, [...this.byLabel.keys()].sort(), way);
    const examples = labels.flatMap((label) =>
      sampleWithoutReplacement(this.rng, this.byLabel.get(label)!, shot).map((text) => ({ text, label })),
    );
    return { examples, texts: examples.map((e) => e.text), labels: Int32Array.from(examples, (e) => labels.indexOf(e.label)), way };
  }
}

/**
 * Batches of distinct lines, each batch new to any cache: consecutive windows of the shuffled
 * line corpus; once it is used up, the same lines again with a pass number appended, which
 * changes their character n-grams and so their cache key and encoding (not the work).
 */
export class FreshLines {
  private readonly lines: string[];
  private next = 0;

  constructor(seed: number) {
    const unique = new Set(LINE_FILES.flatMap((f) => readData(f).map((ex) => ex.text)));
    this.lines = shuffle(mulberry32(seed), [...unique]);
  }

  get corpusSize(): number {
    return this.lines.length;
  }

  batch(size: number): string[] {
    return Array.from({ length: size }, () => {
      const pass = Math.floor(this.next / this.lines.length);
      const text = this.lines[this.next % this.lines.length]!;
      this.next++;
      return pass === 0 ? text : `${text} (${pass})`;
    });
  }
}
