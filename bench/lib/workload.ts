// The work the benchmarks time, built from public data sets: few-shot support sets drawn from
// CLINC150 (carried in data/) and 10,000-line batches of real short lines that the encoder has
// not seen yet (CLINC150, plus SNIPS and TREC when the user has them: see data/README.md).
import fs from 'node:fs';
import path from 'node:path';
import { sampleWithoutReplacement, shuffle } from '../../src/engine/episodes/prng';
import { Rng } from '../../src/engine/random';
import { packageRootFrom } from '../../src/engine/packageRoot';
import type { Example } from '../../src/engine/types';

/** The data sets the repository carries (data/README.md). */
const DATA_DIR = path.join(packageRootFrom(__dirname), 'data');
/** Names the folder of the evaluation-only sets the repository may not carry (their licences). */
export const EVAL_DATA_ENV = 'FEWSHOT_EVAL_DATA';
export const SUPPORT_FILE = 'clinc150.test.jsonl';
/** Short, line-like texts (utterances, questions): what a labeled document's lines look like. */
const LINE_FILES = ['clinc150.train.jsonl', 'clinc150.val.jsonl', 'clinc150.test.jsonl', 'clinc150.oos.jsonl'];
const EVAL_LINE_FILES = ['snips.train.jsonl', 'snips.val.jsonl', 'snips.test.jsonl', 'trec50.train.jsonl', 'trec50.test.jsonl'];

function readJsonl(full: string): Example[] {
  return fs
    .readFileSync(full, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Example);
}

/** A data set the repository carries, from data/. */
export function readData(file: string): Example[] {
  const full = path.join(DATA_DIR, file);
  if (!fs.existsSync(full)) throw new Error(`bench: data set not found at ${full} (data/ is part of the repository)`);
  return readJsonl(full);
}

/**
 * An evaluation-only set from the folder $FEWSHOT_EVAL_DATA names, or undefined (after saying on
 * stderr where to put it) when it is not there: the caller skips what needs it.
 */
export function readEvalData(file: string): Example[] | undefined {
  const dir = process.env[EVAL_DATA_ENV];
  const full = dir ? path.resolve(dir, file) : undefined;
  if (full && fs.existsSync(full)) return readJsonl(full);
  console.error(
    `bench: skipping ${file}: ${full ? `not found at ${full}` : `${EVAL_DATA_ENV} is not set`}. It is an evaluation-only set ` +
      `the repository may not carry (see data/README.md, "Sets that are not here"): put it in a folder and set ${EVAL_DATA_ENV}=<folder>.`,
  );
  return undefined;
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
    this.rng = new Rng(seed);
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
    const sets = [...LINE_FILES.map(readData), ...EVAL_LINE_FILES.map((f) => readEvalData(f) ?? [])];
    const unique = new Set(sets.flatMap((set) => set.map((ex) => ex.text)));
    this.lines = shuffle(new Rng(seed), [...unique]);
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
