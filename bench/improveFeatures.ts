// Why `fewshot meta-train --from-checkpoint` gains nothing on a new CLINC150 domain (docs/improve.md,
// "Where a gain could come from"): the base model's adaptation against variants on the same paired
// 5-way episodes of one domain (--test, its --split lines), each variant either
//   key=factor   one of the adaptation's meta-parameters multiplied by factor (nameWeight,
//                temperature, pseudoWeight, lr, weightDecay, steps, wordScale, charScale): what
//                the improve command meta-trains, moved by hand;
//   w|c|wcA      a per-dimension weighting of the word (w) and/or char (c) block learned from the
//                --tasks domains' train lines: (between-class / within-class variance)^A of each
//                dimension, as the adaptation sees the lines (centred per task, L2-normalised per
//                block), shrunk towards the block's mean;
//   WL           the word block whitened by the tasks' within-class covariance (+ L * its mean
//                variance on the diagonal), so that paraphrase variation common to every domain
//                weighs less.
// --half keeps the first 8 intents of each task domain for the tasks and tests on the others (a
// finished task of the same domain, new labels).
//   npm run build && node out/bench/improveFeatures.js --tasks banking,credit_cards,home,utility \
//     --test work [--variants nameWeight=2,w0.5,W1] [--episodes 300] [--shot 1] [--model models] [--data data]
import fs from 'node:fs';
import path from 'node:path';
import { parseExamples } from '../src/engine/data/jsonl';
import { evaluate } from '../src/engine/eval/evaluate';
import { LogregMethod } from '../src/engine/learners/adaptation';
import type { Centre } from '../src/engine/learners/featureView';
import { loadModel } from '../src/engine/model';
import type { Classifier, EncodedLines, Example, FewShotMethod } from '../src/engine/types';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const dataDir = arg('data', 'data');
const domains: Record<string, string> = JSON.parse(fs.readFileSync(path.join(dataDir, 'clinc150.domains.json'), 'utf8'));
/** One CLINC150 domain's lines of one split. */
function domain(split: string, d: string): Example[] {
  const file = path.join(dataDir, `clinc150.${split}.jsonl`);
  return parseExamples(fs.readFileSync(file, 'utf8'), file).filter((x) => domains[x.label] === d);
}

interface Weights {
  word: Float32Array;
  char: Float32Array;
}

/** Between-class and within-class sums of squares per dimension over one task's lines, centred on the task and L2-normalised per block. */
function fisher(
  lines: EncodedLines,
  labels: string[],
  common: Float32Array | undefined,
  acc: { b: Float64Array; w: Float64Array; S: Float64Array; n: number },
) {
  const wd = lines.wordDim;
  const cd = lines.charDim;
  const dim = wd + cd;
  const X = new Float64Array(lines.n * dim);
  for (let i = 0; i < lines.n; i++) {
    const row = X.subarray(i * dim, (i + 1) * dim);
    for (let j = 0; j < wd; j++) row[j] = lines.word[i * wd + j];
    if (common) {
      let dot = 0;
      for (let j = 0; j < wd; j++) dot += row[j] * common[j];
      for (let j = 0; j < wd; j++) row[j] -= dot * common[j];
    }
    for (let p = lines.charOffsets[i]; p < lines.charOffsets[i + 1]; p++) row[wd + lines.charIndex[p]] += lines.charValue[p];
  }
  const mean = new Float64Array(dim);
  for (let i = 0; i < lines.n; i++) for (let k = 0; k < dim; k++) mean[k] += X[i * dim + k] / lines.n;
  for (let i = 0; i < lines.n; i++) {
    const row = X.subarray(i * dim, (i + 1) * dim);
    for (const [a, b] of [
      [0, wd],
      [wd, dim],
    ]) {
      let s = 0;
      for (let k = a; k < b; k++) {
        row[k] -= mean[k];
        s += row[k] * row[k];
      }
      const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
      for (let k = a; k < b; k++) row[k] *= inv;
    }
  }
  const byLabel = new Map<string, number[]>();
  labels.forEach((l, i) => {
    byLabel.set(l, [...(byLabel.get(l) ?? []), i]);
  });
  for (const rows of byLabel.values()) {
    const mu = new Float64Array(dim);
    for (const i of rows) for (let k = 0; k < dim; k++) mu[k] += X[i * dim + k] / rows.length;
    for (let k = 0; k < dim; k++) acc.b[k] += rows.length * mu[k] * mu[k];
    for (const i of rows) {
      for (let k = 0; k < dim; k++) {
        const d = X[i * dim + k] - mu[k];
        acc.w[k] += d * d;
      }
      for (let a = 0; a < wd; a++) {
        const da = X[i * dim + a] - mu[a];
        for (let b = 0; b < wd; b++) acc.S[a * wd + b] += da * (X[i * dim + b] - mu[b]);
      }
      acc.n++;
    }
  }
}

function learnWeights(
  tasks: Example[][],
  encode: (t: string[]) => EncodedLines,
  common: Float32Array | undefined,
  alpha: number,
  wd: number,
  cd: number,
): Weights & { S: Float64Array } {
  const acc = { b: new Float64Array(wd + cd), w: new Float64Array(wd + cd), S: new Float64Array(wd * wd), n: 0 };
  for (const t of tasks)
    fisher(
      encode(t.map((x) => x.text)),
      t.map((x) => x.label),
      common,
      acc,
    );
  const block = (a: number, b: number) => {
    // Ratio shrunk towards the block's mean ratio, so rare dimensions do not swing.
    let sb = 0;
    let sw = 0;
    for (let k = a; k < b; k++) {
      sb += acc.b[k];
      sw += acc.w[k];
    }
    const lam = 0.5;
    const mb = sb / (b - a);
    const mw = sw / (b - a);
    const out = new Float32Array(b - a);
    for (let k = a; k < b; k++) out[k - a] = ((acc.b[k] + lam * mb) / (acc.w[k] + lam * mw) / (mb / mw)) ** alpha;
    return out;
  };
  return { word: block(0, wd), char: block(wd, wd + cd), S: acc.S.map((v) => v / acc.n) };
}

/** Lower Cholesky factor of S + lam * mean(diag S) * I. */
function cholesky(S: Float64Array, d: number, lam: number): Float64Array {
  let tr = 0;
  for (let i = 0; i < d; i++) tr += S[i * d + i];
  const M = S.map((v, idx) => v + (Math.floor(idx / d) === idx % d ? (lam * tr) / d : 0));
  const L = new Float64Array(d * d);
  for (let i = 0; i < d; i++)
    for (let j = 0; j <= i; j++) {
      let s = M[i * d + j];
      for (let k = 0; k < j; k++) s -= L[i * d + k] * L[j * d + k];
      L[i * d + j] = i === j ? Math.sqrt(s) : s / L[j * d + j];
    }
  return L;
}

/** Word block: common component removed, then L^-1 x (the within-class whitening, up to a rotation). */
function whiten(lines: EncodedLines, L: Float64Array, common: Float32Array | undefined): EncodedLines {
  const d = lines.wordDim;
  const word = new Float32Array(lines.word.length);
  const x = new Float64Array(d);
  for (let i = 0; i < lines.n; i++) {
    for (let j = 0; j < d; j++) x[j] = lines.word[i * d + j];
    if (common) {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += x[j] * common[j];
      for (let j = 0; j < d; j++) x[j] -= dot * common[j];
    }
    for (let a = 0; a < d; a++) {
      let s = x[a];
      for (let k = 0; k < a; k++) s -= L[a * d + k] * word[i * d + k];
      word[i * d + a] = s / L[a * d + a];
    }
  }
  return { ...lines, word };
}

function weigh(lines: EncodedLines, w: Weights): EncodedLines {
  const wd = lines.wordDim;
  const word = Float32Array.from(lines.word, (v, i) => v * w.word[i % wd]!);
  const charValue = Float32Array.from(lines.charValue, (v, p) => v * w.char[lines.charIndex[p]!]!);
  return { ...lines, word, charValue };
}

function weighCentre(c: Centre, w: Weights): Centre {
  let common: Float32Array | undefined;
  if (c.common) {
    common = Float32Array.from(c.common, (v, j) => v * w.word[j]!);
    const n = Math.hypot(...common);
    common = common.map((v) => v / n);
  }
  return { word: c.word.map((v, j) => v * w.word[j]!), char: c.char.map((v, k) => v * w.char[k]!), common };
}

/** The base's adaptation on transformed lines: support, pool, names and every scored line alike. */
class Transformed implements FewShotMethod {
  readonly transductive = true;
  private inner: LogregMethod;
  constructor(
    readonly name: string,
    base: LogregMethod,
    centre: Centre,
    private t: (lines: EncodedLines) => EncodedLines,
  ) {
    this.inner = new LogregMethod(name, base.hyper, true, centre);
  }
  adapt(support: EncodedLines, labels: Int32Array, n: number, pool?: EncodedLines, names?: EncodedLines): Classifier {
    const t = this.t;
    const c = this.inner.adapt(t(support), labels, n, pool && t(pool), names && t(names));
    return { predictProbs: (lines: EncodedLines) => c.predictProbs(t(lines)) };
  }
}

/** Whitened lines; the adaptation re-centres on the episode, and the common component is removed before whitening, not after. */
const whitened = (name: string, base: LogregMethod, centre: Centre, L: Float64Array) =>
  new Transformed(name, base, { word: centre.word, char: centre.char }, (x) => whiten(x, L, centre.common));

/** The word block's covariance over the given lines (common component removed, centred, rows L2-normalised), as fisher() sees a task. */
function lineCovariance(batches: EncodedLines[], common: Float32Array | undefined): Float64Array {
  const d = batches[0]!.wordDim;
  const rows: Float64Array[] = [];
  for (const b of batches)
    for (let i = 0; i < b.n; i++) {
      const x = Float64Array.from(b.word.subarray(i * d, (i + 1) * d));
      if (common) {
        let dot = 0;
        for (let j = 0; j < d; j++) dot += x[j]! * common[j]!;
        for (let j = 0; j < d; j++) x[j]! -= dot * common[j]!;
      }
      rows.push(x);
    }
  const mean = new Float64Array(d);
  for (const x of rows) for (let j = 0; j < d; j++) mean[j]! += x[j]! / rows.length;
  const S = new Float64Array(d * d);
  for (const x of rows) {
    let n = 0;
    for (let j = 0; j < d; j++) {
      x[j]! -= mean[j]!;
      n += x[j]! * x[j]!;
    }
    const inv = n > 0 ? 1 / Math.sqrt(n) : 0;
    for (let j = 0; j < d; j++) x[j]! *= inv;
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) S[a * d + b]! += (x[a]! * x[b]!) / rows.length;
  }
  return S;
}

/** The word block whitened by the covariance of the episode's lines (support and pool): no labels read. */
class DocumentWhitened implements FewShotMethod {
  readonly transductive = true;
  constructor(
    readonly name: string,
    private base: LogregMethod,
    private centre: Centre,
    private lam: number,
  ) {}
  adapt(support: EncodedLines, labels: Int32Array, n: number, pool?: EncodedLines, names?: EncodedLines): Classifier {
    const S = lineCovariance(pool ? [support, pool] : [support], this.centre.common);
    return whitened(this.name, this.base, this.centre, cholesky(S, support.wordDim, this.lam)).adapt(support, labels, n, pool, names);
  }
}

const model = loadModel(arg('model', 'models'));
const encode = (t: string[]) => model.encoder.encode(t);
let tasks = arg('tasks', '')
  .split(',')
  .map((d) => domain('train', d));
let test = domain(arg('split', 'test'), arg('test', 'work'));
if (process.argv.includes('--half')) {
  // New labels of a known domain: the tasks keep the first 8 intents (sorted) of their domains, the test the others.
  const kept = new Set(tasks.flatMap((t) => [...new Set(t.map((x) => x.label))].sort().slice(0, 8)));
  tasks = tasks.map((t) => t.filter((x) => kept.has(x.label)));
  test = test.filter((x) => !kept.has(x.label));
}
const base = new LogregMethod('base', model.config.defaultHyper, true, model.corpusCentre);
const probe = encode(['x']);
const methods: FewShotMethod[] = [base];
for (const spec of arg('variants', 'w0.5,c0.5,wc0.5').split(',')) {
  if (spec.includes('=')) {
    // A changed hyper-parameter: key=factor (scales.word, scales.char: wordScale, charScale).
    const [key, factor] = spec.split('=');
    const h = structuredClone(model.config.defaultHyper);
    const f = Number(factor);
    const scaled: Record<string, () => void> = {
      wordScale: () => (h.scales.word *= f),
      charScale: () => (h.scales.char *= f),
      steps: () => (h.steps = Math.round(h.steps * f)),
      lr: () => (h.lr *= f),
      weightDecay: () => (h.weightDecay *= f),
      temperature: () => (h.temperature *= f),
      pseudoWeight: () => (h.pseudoWeight *= f),
      nameWeight: () => (h.nameWeight *= f),
    };
    const apply = scaled[key!];
    if (!apply) throw new Error(`unknown meta-parameter ${key}`);
    apply();
    methods.push(new LogregMethod(spec, h, true, model.corpusCentre));
    continue;
  }
  const alpha = Number(spec.replace(/^[a-zA-Z]+/, ''));
  if (spec.startsWith('T')) {
    methods.push(new DocumentWhitened(spec, base, model.corpusCentre, alpha));
    continue;
  }
  if (spec.startsWith('W')) {
    const { S } = learnWeights(tasks, encode, model.corpusCentre.common, 0, probe.wordDim, probe.charDim);
    methods.push(whitened(spec, base, model.corpusCentre, cholesky(S, probe.wordDim, alpha)));
    continue;
  }
  const full = learnWeights(tasks, encode, model.corpusCentre.common, alpha, probe.wordDim, probe.charDim);
  const w: Weights = {
    word: spec.includes('w') ? full.word : full.word.map(() => 1),
    char: spec.includes('c') ? full.char : full.char.map(() => 1),
  };
  methods.push(new Transformed(spec, base, weighCentre(model.corpusCentre, w), (x) => weigh(x, w)));
}
const shot = Number(arg('shot', '1'));
const r = evaluate({
  examples: test,
  way: 5,
  shots: [shot],
  query: 15,
  episodes: Number(arg('episodes', '300')),
  seed: Number(arg('seed', '3')),
  methods,
  encode,
  baseline: 'base',
});
for (const m of r.results) {
  const g = r.gains?.find((x) => x.method === m.method);
  const pt = (v: number) => (100 * v).toFixed(1);
  console.log(`${m.method}\t${pt(m.mean)} ± ${pt(m.ci95)}\t${g ? `${g.mean >= 0 ? '+' : ''}${pt(g.mean)} ± ${pt(g.ci95)}` : ''}`);
}
