// Workspace benchmark: `Few-Shot: Classify Workspace` on a generated folder of 200 files and
// 1,000,000 lines (deterministic mixed log lines, support tickets, survey answers and notes),
// outside VS Code. It drives the real worker (out/worker.js, the real engine) through the
// extension's EngineClient and keeps each file's result with the extension's own code
// (WorkspaceResults + the capped diagnostic entries), timing every main-thread task that does.
// Then a label is added and the run repeated (what the extension does when labels change).
// Targets: first run <= 30 s, peak memory (extension host + worker: one process here) <= 800 MB,
// no main-thread task over 20 ms. While each run goes, an open document is classified again and
// again (one request at a time, 100 ms apart, as an editor being typed in): open_doc_latency_ms
// is how long those requests took (median and max); the run has a worker of its own, so they
// should not wait for it (target: max <= 500 ms).
// With --tasks-only it measures what a second task (label set) costs instead: one task, two tasks
// in one run (each line encoded once, classified per task) and the second task's run alone.
// --mixed: every third file is a CSV or a JSONL (alternately) of records instead of lines (one in
// 20 CSV records with a line break inside its quoted text), so `lines` counts records there: the
// run's cost with the structured files' parsing in it (issue 17: 1,000,000 records, same targets).
// Usage: npm run bench:workspace [-- --files 200 --lines 1000000 --runs 3 --mixed --json --keep --tasks-only]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Rng } from '../src/engine/random';
import type { Example } from '../src/engine/types';
import { EngineClient } from '../src/extension/engineClient';
import { entryRanges, WorkspaceResults } from '../src/extension/workspaceResults';
import type { WorkspaceEvent } from '../src/protocol/workspace';
import { positiveArg } from './lib/args';

const root = path.resolve(__dirname, '../..');
const argv = process.argv.slice(2);
const arg = positiveArg;
const json = argv.includes('--json');
const keep = argv.includes('--keep');
const mixed = argv.includes('--mixed');
const log = (line: string) => {
  if (!json) console.log(line);
};

// ---- the generated workspace -------------------------------------------------------------------

const pick = <T>(rng: () => number, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
const services = ['api', 'auth', 'billing', 'cart', 'search', 'mailer', 'worker', 'gateway', 'ledger', 'images'];
const people = ['Ana', 'Ben', 'Chloe', 'Dmitri', 'Eve', 'Farah', 'Goro', 'Hana', 'Ivan', 'Jules', 'Kofi', 'Lena'];
const products = ['the starter plan', 'my annual subscription', 'the team plan', 'order 4471', 'the gift card', 'my last invoice'];
const templates: Record<string, Array<(r: () => number, n: number) => string>> = {
  billing: [
    (r, n) => `I was charged twice for ${pick(r, products)}, please refund ${n % 90}.${n % 100} EUR`,
    (r) => `Why does ${pick(r, products)} cost more than last month?`,
    (r, n) => `Invoice ${10000 + n} is overdue, the card on file was declined (${pick(r, people)})`,
    (r) => `Can I get a receipt with our VAT number for ${pick(r, products)}?`,
  ],
  login: [
    (r) => `${pick(r, people)} cannot log in, the password reset email never arrives`,
    (_r, n) => `Two-factor code rejected ${(n % 7) + 2} times in a row, account locked`,
    (r) => `After the update the sign-in page keeps redirecting to itself for ${pick(r, people)}`,
    () => 'How do I change the email address I use to sign in?',
  ],
  shipping: [
    (r, n) => `Parcel ${900000 + n} has been stuck in customs since ${pick(r, ['Monday', 'Tuesday', 'last week', 'May 3'])}`,
    (r) => `The courier left ${pick(r, products)} at the wrong address`,
    (r, n) => `Tracking shows delivered but nothing arrived at ${n % 300} ${pick(r, ['Oak St', 'Main Rd', 'Rue Haute'])}`,
    () => 'Can you ship to a parcel locker instead of my home?',
  ],
  error: [
    (r, n) =>
      `2024-05-${String((n % 28) + 1).padStart(2, '0')}T${String(n % 24).padStart(2, '0')}:${String(n % 60).padStart(2, '0')}:11Z ` +
      `ERROR ${pick(r, services)} request ${n.toString(16)} failed: connection reset by peer`,
    (r, n) => `[${pick(r, services)}] ERROR timeout after ${(n % 30) * 100} ms calling ${pick(r, services)}`,
    (r, n) => `Unhandled exception in ${pick(r, services)}: TypeError: cannot read properties of undefined (line ${n % 800})`,
    (r, n) => `${pick(r, services)} exited with code ${(n % 3) + 1}, restarting (attempt ${n % 5})`,
  ],
};
const noise: Array<(r: () => number, n: number) => string> = [
  (r, n) => `2024-05-${String((n % 28) + 1).padStart(2, '0')} INFO ${pick(r, services)} handled ${n % 1000} requests in ${n % 97} ms`,
  (r) => `# Notes from the ${pick(r, ['Monday', 'weekly', 'planning', 'retro'])} meeting`,
  (r) => `- ${pick(r, people)} will look at the dashboard numbers`,
  (r, n) =>
    `Survey answer ${n}: ${pick(r, ['very satisfied', 'satisfied', 'neutral', 'unhappy'])}, ` +
    `${pick(r, ['fast support', 'too expensive', 'nice app', 'slow delivery'])}`,
  (r) => `Thanks ${pick(r, people)}, talk soon!`,
];
const labelNames = Object.keys(templates);

/** A file's units written as records: a CSV with a header (quoted text, some of it over two lines) or a JSONL. */
function asRecords(units: readonly string[], csv: boolean, first: number): string {
  const out: string[] = csv ? ['id,created,text'] : [];
  units.forEach((text, i) => {
    if (text === '') return;
    const n = first + i;
    const created = `2024-05-${String((n % 28) + 1).padStart(2, '0')}`;
    if (!csv) out.push(JSON.stringify({ id: n, created, channel: 'email', text }));
    else out.push(`${n},${created},"${(n % 20 === 0 ? `${text}\nsent from my phone` : text).replace(/"/g, '""')}"`);
  });
  return `${out.join('\n')}\n`;
}

/**
 * Writes `files` files with `lines` lines in all under `dir` (with `structured`, every third file
 * is a CSV or JSONL of records: `lines` counts units); the same arguments give the same bytes.
 */
function generate(dir: string, files: number, lines: number, structured: boolean): void {
  const random = new Rng(20240501);
  const rng = () => random.next();
  const kinds = ['.log', '.txt', '.md'];
  let n = 0;
  for (let f = 0; f < files; f++) {
    const count = Math.floor(lines / files) + (f < lines % files ? 1 : 0);
    const sub = path.join(dir, `team-${f % 8}`);
    fs.mkdirSync(sub, { recursive: true });
    const out: string[] = [];
    for (let i = 0; i < count; i++, n++) {
      const r = rng();
      if (r < 0.04) out.push('');
      else if (r < 0.45) out.push(pick(rng, noise)(rng, n));
      else out.push(pick(rng, templates[pick(rng, labelNames)]!)(rng, n));
    }
    const name = path.join(sub, `file-${String(f).padStart(3, '0')}`);
    if (structured && f % 3 === 2) {
      const csv = f % 6 === 2;
      fs.writeFileSync(`${name}${csv ? '.csv' : '.jsonl'}`, asRecords(out, csv, n - count));
    } else fs.writeFileSync(`${name}${kinds[f % kinds.length]}`, `${out.join('\n')}\n`);
  }
  // Left out by the walker: a binary file, an excluded folder and a git-ignored one.
  fs.writeFileSync(path.join(dir, 'image.txt'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d]));
  fs.mkdirSync(path.join(dir, 'node_modules/pkg'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'node_modules/pkg/readme.md'), 'not part of the workspace\n');
  fs.mkdirSync(path.join(dir, 'build'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'build/out.log'), 'ignored by .gitignore\n');
  fs.writeFileSync(path.join(dir, '.gitignore'), 'build/\n');
}

function support(shots: number, extra: number): Example[] {
  const random = new Rng(7);
  const rng = () => random.next();
  const out: Example[] = [];
  for (const label of labelNames)
    for (let k = 0; k < shots + (label === 'error' ? extra : 0); k++) out.push({ label, text: pick(rng, templates[label]!)(rng, k * 131) });
  return out;
}

// ---- one measured run ---------------------------------------------------------------------------

interface RunFigures {
  total_s: number;
  lines_per_s: number;
  files: number;
  lines: number;
  skipped: number;
  scan_s: number;
  adapt_ms: number;
  longest_task_ms: number;
  loop_delay_max_ms: number;
  /** Open-document requests answered while the run went, in ms. */
  open_doc_ms: number[];
}

/** The open document classified during the runs: 60 lines like the workspace's. */
function openDocument(): string {
  const random = new Rng(99);
  const rng = () => random.next();
  return Array.from({ length: 60 }, (_, n) => pick(rng, templates[pick(rng, labelNames)]!)(rng, n)).join('\n');
}

async function classifyOnce(
  client: EngineClient,
  dir: string,
  examples: Example[],
  run: number,
  otherTasks?: Array<{ task: string; support: Example[] }>,
): Promise<RunFigures> {
  const results = new WorkspaceResults();
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  let longest = 0;
  let labels: string[] = [];
  let diagnostics = 0;
  const onEvent = (event: WorkspaceEvent) => {
    // One main-thread task per message: what the extension does with a file's result.
    const t = performance.now();
    if (event.type === 'scanned') labels = event.labels;
    else {
      const file = results.add(`file://${event.file.path}`, event.file, labels);
      diagnostics += entryRanges(file, new Set(), { minConfidence: 0, maxPerFile: 1000, priority: 'confidence' }).length;
    }
    const took = performance.now() - t;
    longest = Math.max(longest, took);
  };
  histogram.enable();
  const started = performance.now();
  const scope = {
    root: dir,
    include: ['**/*.{txt,md,markdown,log,csv,jsonl}'],
    exclude: ['**/node_modules', '**/.git'],
    useIgnoreFiles: true,
    maxFileBytes: 50 * 2 ** 20,
  };
  const openDoc = openDocument();
  const openDocMs: number[] = [];
  let going = true;
  const typing = (async () => {
    while (going) {
      const t = performance.now();
      await client.classify({ support: examples, text: openDoc, document: 'bench:open-document' });
      openDocMs.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const result = await client.classifyWorkspace(
    { run, scope, support: examples, poolSize: 10_000, ...(otherTasks ? { otherTasks } : {}) },
    onEvent,
  );
  const total = (performance.now() - started) / 1000;
  going = false;
  await typing;
  histogram.disable();
  if (results.size !== result.files || diagnostics === 0) throw new Error(`bench: ${results.size} files kept, ${diagnostics} diagnostics`);
  return {
    total_s: total,
    lines_per_s: result.lines / total,
    files: result.files,
    lines: result.lines,
    skipped: result.skipped.length,
    scan_s: result.scanMs / 1000,
    adapt_ms: result.adaptMs,
    longest_task_ms: longest,
    loop_delay_max_ms: histogram.max / 1e6,
    open_doc_ms: openDocMs,
  };
}

/** Median and max of the open-document requests of these runs. */
function openDocLatency(runs: RunFigures[]): { median: number; max: number; requests: number } {
  const all = runs.flatMap((r) => r.open_doc_ms);
  return { median: all.length ? median(all) : Number.NaN, max: all.length ? Math.max(...all) : Number.NaN, requests: all.length };
}
const latencyCell = (l: { median: number; max: number }) => `${f1(l.median)} / ${f1(l.max)}`;

/** A second label set on the same lines: every other label of the first task is `urgent`, the rest `calm`. */
const secondTask = (examples: Example[]): Example[] =>
  examples.map((e) => ({ text: e.text, label: labelNames.indexOf(e.label) % 2 ? 'urgent' : 'calm' }));

/** One task, two tasks in one run, and the second task's run alone (what two runs would add), the median of `runs`. */
async function taskCost(client: EngineClient, dir: string, runs: number): Promise<void> {
  const first = support(3, 0);
  const other = [{ task: 'urgency', support: secondTask(first) }];
  const rows: Record<string, number[]> = { 'one task': [], 'two tasks, one run': [], 'the second task alone': [] };
  for (let r = 0; r < runs; r++) {
    rows['one task']!.push((await classifyOnce(client, dir, first, 3 * r + 1)).total_s);
    rows['two tasks, one run']!.push((await classifyOnce(client, dir, first, 3 * r + 2, other)).total_s);
    rows['the second task alone']!.push((await classifyOnce(client, dir, other[0]!.support, 3 * r + 3)).total_s);
  }
  console.log('| run | total s (median) |');
  console.log('|---|---:|');
  for (const [name, totals] of Object.entries(rows)) console.log(`| ${name} | ${f1(median(totals))} |`);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const f1 = (x: number) => x.toFixed(1);

async function main(): Promise<void> {
  const workerPath = path.join(root, 'out/worker.js');
  if (!fs.existsSync(workerPath)) throw new Error('bench: build first (npm run build): out/worker.js is missing');
  const fileCount = arg('files', 200);
  const lineCount = arg('lines', 1_000_000);
  const runs = arg('runs', 1);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fewshot-workspace-'));
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const client = new EngineClient({ workerPath, modelDir: path.join(root, 'models'), backend: 'auto', log: () => {} });
  try {
    const g = performance.now();
    generate(dir, fileCount, lineCount, mixed);
    log(
      `\nGenerated ${fileCount} files, ${lineCount} ${mixed ? 'units (a third of the files CSV/JSONL records)' : 'lines'} in ${f1((performance.now() - g) / 1000)} s under ${dir}`,
    );
    const info = await client.ready();
    // The open document was classified before the run, as in an editor: its first (cold) request is not the run's doing.
    await client.classify({ support: support(3, 0), text: openDocument(), document: 'bench:open-document' });
    log(`Workspace benchmark (engine backend ${info.backend}, model ${info.model}, method ${info.defaultMethod})\n`);
    if (argv.includes('--tasks-only')) {
      await taskCost(client, dir, runs);
      return;
    }
    const first: RunFigures[] = [];
    const again: RunFigures[] = [];
    for (let r = 0; r < runs; r++) {
      first.push(await classifyOnce(client, dir, support(3, 0), 2 * r + 1));
      // A new label on an `error` line: the extension re-runs the workspace with the new support.
      again.push(await classifyOnce(client, dir, support(3, 1), 2 * r + 2));
    }
    clearInterval(sampler);
    const peakMb = Math.max(peakRss, process.resourceUsage().maxRSS * 1024) / 2 ** 20;
    const best = first.reduce((a, b) => (b.total_s < a.total_s ? b : a));
    const summary = {
      total_s: median(first.map((r) => r.total_s)),
      lines_per_s: median(first.map((r) => r.lines_per_s)),
      peak_mb: peakMb,
      longest_task_ms: Math.max(...first.map((r) => r.longest_task_ms), ...again.map((r) => r.longest_task_ms)),
      best_total_s: best.total_s,
      rerun_total_s: median(again.map((r) => r.total_s)),
      runs,
      mixed,
      files: best.files,
      lines: best.lines,
      skipped: best.skipped,
      open_doc_latency_ms: openDocLatency([...first, ...again]),
    };
    if (json) {
      console.log(JSON.stringify(summary));
      return;
    }
    console.log(
      '| run | files | lines | skipped | scan s | adapt ms | total s | lines/s | longest main-thread task ms | event-loop max delay ms | ' +
        'open-document requests | open_doc_latency_ms median / max |',
    );
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    const row = (name: string, r: RunFigures) =>
      console.log(
        `| ${name} | ${r.files} | ${r.lines} | ${r.skipped} | ${f1(r.scan_s)} | ${r.adapt_ms.toFixed(0)} | ${f1(r.total_s)} | ` +
          `${Math.round(r.lines_per_s)} | ${f1(r.longest_task_ms)} | ${f1(r.loop_delay_max_ms)} | ${r.open_doc_ms.length} | ` +
          `${latencyCell(openDocLatency([r]))} |`,
      );
    first.forEach((r, i) => {
      row(`first ${i + 1}`, r);
      row(`after a new label ${i + 1}`, again[i]!);
    });
    console.log(
      `\nMedian of ${runs}: ${f1(summary.total_s)} s (best ${f1(summary.best_total_s)} s), ${Math.round(summary.lines_per_s)} ` +
        `lines/s; re-run after a label ${f1(summary.rerun_total_s)} s; peak memory ${summary.peak_mb.toFixed(0)} MB; longest ` +
        `main-thread task ${f1(summary.longest_task_ms)} ms; open_doc_latency_ms ${latencyCell(summary.open_doc_latency_ms)}`,
    );
    console.log(
      'Targets: total <= 30 s, peak memory (extension host + worker) <= 800 MB, longest main-thread task <= 20 ms, ' +
        'open_doc_latency_ms max <= 500 ms.',
    );
  } finally {
    clearInterval(sampler);
    await client.stop();
    if (!keep) fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
