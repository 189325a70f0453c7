// The abstention rule on text unlike the CLINC150 queries it was fitted on: the demo's 90 support
// tickets (samples/demo/tickets.gold.jsonl, six labels of 15). Each seeded draw sets aside 5
// tickets per label and 10 CLINC150 out-of-scope queries as the document (40 lines, a quarter out
// of scope), the same for every shot count, and labels k of the other tickets per label; the
// document is classified with `fewshot classify --abstain on`. Prints, per shot count, the share of
// the document's tickets kept (given a label), the accuracy on those, and the out-of-scope lines
// reported `none`: means over the draws with 95% intervals. docs/accuracy.md quotes it; run
// `npm run build` first.
// Usage: node scripts/abstention-tickets.mjs [--shots 1,2,3,5,8,10] [--draws 20] [--no-pool] [--model DIR] [--calibrate]
// (--calibrate: the threshold raised from the labeled tickets scored held out, classify --calibrate-abstention)
// (at most 10 shots: each label has 15 tickets, 5 of them in the document)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const argv = process.argv.slice(2);
const option = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
const shots = option('shots', '1,2,3,5,8,10').split(',').map(Number);
const draws = Number(option('draws', '20'));
const pool = !argv.includes('--no-pool');
const calibrate = argv.includes('--calibrate');
/** The model folder (its abstention.json is the rule measured); default the shipped models/. */
const model = option('model', undefined);
/** Tickets per label in the document; the other 10 of each label are the ones that may be labeled. */
const TEST_PER_LABEL = 5;

const readJsonl = (file) =>
  fs
    .readFileSync(path.join(root, file), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
const tickets = readJsonl('samples/demo/tickets.gold.jsonl');
const outOfScope = readJsonl('data/clinc150.oos.jsonl').map((e) => e.text);

/** mulberry32, as src/engine/random.ts: the draws are the same on every machine. */
function rng(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function shuffle(items, random) {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}
const mean = (xs) => xs.reduce((s, x) => s + x, 0) / xs.length;
const ci95 = (xs) => {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return (1.96 * Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1))) / Math.sqrt(xs.length);
};
const pct = (xs) => `${(100 * mean(xs)).toFixed(1)} ± ${(100 * ci95(xs)).toFixed(1)}`;

const labels = [...new Set(tickets.map((t) => t.label))].sort();
// Each label has 15 tickets: past 10 shots the support would silently stop growing.
const labelable = Math.min(...labels.map((label) => tickets.filter((t) => t.label === label).length)) - TEST_PER_LABEL;
const tooMany = shots.filter((k) => !(Number.isInteger(k) && k >= 1 && k <= labelable));
if (tooMany.length) {
  console.error(
    `abstention-tickets: --shots must be whole numbers from 1 to ${labelable} (tickets per label outside the document): ${tooMany.join(',')}`,
  );
  process.exit(1);
}
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fewshot-abstention-tickets-'));
console.log(`| shots per label | tickets kept | accuracy on kept | out-of-scope lines set apart |`);
console.log(`| --- | --- | --- | --- |`);
try {
  for (const k of shots) {
    const kept = [];
    const accuracy = [];
    const recall = [];
    for (let draw = 1; draw <= draws; draw++) {
      // Seeded by the draw only: every shot count classifies the same document.
      const random = rng(draw);
      const shuffled = labels.map((label) =>
        shuffle(
          tickets.filter((t) => t.label === label),
          random,
        ),
      );
      const inScope = shuffled.flatMap((list) => list.slice(0, TEST_PER_LABEL));
      const support = shuffled.flatMap((list) => list.slice(TEST_PER_LABEL, TEST_PER_LABEL + k));
      const oos = shuffle(outOfScope, random).slice(0, Math.round(inScope.length / 3));
      const labelsFile = path.join(dir, 'labels.jsonl');
      const documentFile = path.join(dir, 'document.txt');
      fs.writeFileSync(labelsFile, support.map((t) => JSON.stringify(t)).join('\n'));
      fs.writeFileSync(documentFile, [...inScope.map((t) => t.text), ...oos].join('\n'));
      const args = [path.join(root, 'out/cli.js'), 'classify', '--labels', labelsFile, '--format', 'jsonl', '--abstain', 'on'];
      const options = [
        ...(pool ? [] : ['--pool-size', '0']),
        ...(model ? ['--model', model] : []),
        ...(calibrate ? ['--calibrate-abstention'] : []),
      ];
      const out = execFileSync(process.execPath, [...args, ...options, '--quiet', documentFile], {
        encoding: 'utf8',
      });
      const rows = out
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l));
      const byLine = new Map(rows.map((r) => [r.line, r.label]));
      const given = inScope.map((t, i) => ({ gold: t.label, predicted: byLine.get(i + 1) }));
      const labeled = given.filter((g) => g.predicted !== 'none');
      kept.push(labeled.length / given.length);
      accuracy.push(labeled.length ? labeled.filter((g) => g.predicted === g.gold).length / labeled.length : 1);
      recall.push(oos.filter((_, i) => byLine.get(inScope.length + i + 1) === 'none').length / oos.length);
    }
    console.log(`| ${k} | ${pct(kept)} | ${pct(accuracy)} | ${pct(recall)} |`);
  }
  console.log(
    `\n${draws} draws per shot count, ${pool ? 'the document as pool' : 'no pool'}, model ${model ?? 'models/'}${calibrate ? ', threshold calibrated per document' : ''}`,
  );
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
