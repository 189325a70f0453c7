// Stress run of the parts that keep a person's labels and the editor responsive (issue 8), outside
// VS Code the way bench/extension.ts runs: the real label store (FolderLabels), the real worker
// (out/worker.js through EngineClient) and the same entry building (predictionView) as the
// extension. Scenarios:
//   writers   two processes labeling/removing/relabeling at --rate ops/s each for --seconds, while
//             this process keeps adapting the engine on their labels; every op is checked at the end
//   documents --docs open documents of --lines lines plus one of --big lines: anchoring on open,
//             typing edits, classification and capped diagnostics; longest main-thread task, peak MB
//   crash     the worker is killed mid-run: the request in flight fails, the next one recovers (ms)
//   disk      writes fail (disk full, then a read-only folder) while labeling: the user is told,
//             labels stay in memory, saving is retried, the file on disk stays whole
// Usage: npm run stress [-- --json] [--rate 100] [--seconds 10] [--docs 50] [--lines 20000] [--big 1000000]
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { LineSource } from '../src/extension/anchor';
import { EngineClient } from '../src/extension/engineClient';
import { FolderLabels } from '../src/extension/folderLabels';
import { parseLabels } from '../src/extension/labelFile';
import { buildEntries } from '../src/extension/diagnosticEntries';
import { positiveArg } from './lib/args';

const root = path.resolve(__dirname, '../..');
const argv = process.argv.slice(2);
const arg = positiveArg;
const json = argv.includes('--json');
const say = (m: string) => {
  if (!json) console.log(m);
};
const MAX_PER_FILE = 1000;
const LABELS_PER_DOC = 20;

// ---- synthetic text: four "intents", seeded --------------------------------------------------

const INTENTS: Record<string, string[]> = {
  billing: ['refund', 'invoice', 'charged', 'twice', 'payment', 'card', 'billing', 'price'],
  login: ['password', 'login', 'locked', 'account', 'reset', 'sign', 'two-factor', 'email'],
  crash: ['crash', 'freezes', 'error', 'stack', 'trace', 'exception', 'restart', 'hangs'],
  feature: ['please', 'add', 'dark', 'mode', 'export', 'option', 'shortcut', 'feature'],
};
const FILLER = ['the', 'my', 'when', 'i', 'it', 'again', 'today', 'app', 'since', 'update', 'after', 'this'];
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function makeLines(n: number, seed: number): string[] {
  const r = rng(seed);
  const names = Object.keys(INTENTS);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  return Array.from({ length: n }, (_, i) => {
    if (i % 40 === 39) return '';
    const words = INTENTS[pick(names)]!;
    const text = Array.from({ length: 6 + Math.floor(r() * 6) }, () => (r() < 0.5 ? pick(words) : pick(FILLER))).join(' ');
    return `${text} #${i}`;
  });
}
const intentOf = (text: string) => Object.keys(INTENTS).find((k) => INTENTS[k]!.some((w) => text.includes(w))) ?? 'billing';

// ---- a writer process ------------------------------------------------------------------------

interface WriterJob {
  root: string;
  document: string;
  rate: number;
  seconds: number;
  seed: number;
}

/** Labels, removes and relabels lines of its own document; prints what it believes the file holds. */
async function writer(job: WriterJob): Promise<void> {
  const store = new FolderLabels(job.root, path.join(job.root, '.fewshot', 'labels.jsonl'), { log: () => {} });
  await store.load();
  const lines = makeLines(2000, job.seed);
  const r = rng(job.seed + 1);
  const mine = new Map<number, string>();
  const end = Date.now() + job.seconds * 1000;
  let ops = 0;
  const interval = 1000 / job.rate;
  let next = Date.now();
  while (Date.now() < end) {
    const line = Math.floor(r() * 500) * 2; // even lines: never empty
    const roll = r();
    if (roll < 0.15 && mine.has(line)) {
      store.removeLabel(job.document, [line]);
      mine.delete(line);
    } else {
      const label = roll < 0.3 ? 'other' : intentOf(lines[line]!);
      store.setLabel(job.document, [{ line, text: lines[line]! }], label);
      mine.set(line, label);
    }
    ops++;
    // Like commands the extension runs while earlier saves are still going: each asks for a save,
    // and saves that pile up are done as one merge-and-write.
    void store.save();
    next += interval;
    const wait = next - Date.now();
    if (wait > 0) await new Promise((res) => setTimeout(res, wait));
  }
  await store.save();
  store.dispose();
  process.stdout.write(`${JSON.stringify({ ops, labels: [...mine] })}\n`);
}

function runWriter(job: WriterJob): Promise<{ ops: number; labels: Array<[number, string]> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [__filename, '--writer', JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!)) : reject(new Error(`writer exited ${code}`)),
    );
  });
}

// ---- measurement helpers ---------------------------------------------------------------------

let longestTask = 0;
let longestTaskCpu = 0;
let longestTaskWhat = '';
/**
 * Runs a synchronous main-thread task and keeps the longest (wall time), with the CPU time it used:
 * on a loaded machine the wall time also counts time the thread waited for a core.
 */
const longestByKind = new Map<string, { ms: number; cpuMs: number }>();
function task<T>(what: string, fn: () => T): T {
  const t = performance.now();
  const cpu = process.cpuUsage();
  const v = fn();
  const ms = performance.now() - t;
  const used = process.cpuUsage(cpu);
  const kind = what.replace(/ \(.*\)$/, '');
  const known = longestByKind.get(kind);
  if (!known || ms > known.ms) longestByKind.set(kind, { ms, cpuMs: (used.user + used.system) / 1000 });
  if (ms > longestTask) {
    longestTask = ms;
    longestTaskCpu = (used.user + used.system) / 1000;
    longestTaskWhat = what;
  }
  return v;
}
let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 25);
sampler.unref();
const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
const source = (lines: string[]): LineSource => ({ lineCount: lines.length, lineAt: (i) => lines[i]! });

function newClient(): EngineClient {
  const workerPath = path.join(root, 'out/worker.js');
  if (!fs.existsSync(workerPath)) throw new Error('stress: build first (npm run build): out/worker.js is missing');
  return new EngineClient({ workerPath, modelDir: path.join(root, 'models'), backend: 'auto', log: () => {}, idleStopMs: 0 });
}

// ---- scenarios -------------------------------------------------------------------------------

async function writersScenario(client: EngineClient, rate: number, seconds: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fewshot-stress-'));
  const jobs = ['a.txt', 'b.txt'].map((document, i) => ({ root: dir, document, rate, seconds, seed: 11 + i }));
  const done = Promise.all(jobs.map(runWriter));
  // Adaptations keep running on whatever the file holds meanwhile.
  let adaptations = 0;
  let finished = false;
  void done.finally(() => (finished = true));
  const text = makeLines(20_000, 5).join('\n');
  while (!finished) {
    const file = path.join(dir, '.fewshot', 'labels.jsonl');
    const records = fs.existsSync(file) ? parseLabels(fs.readFileSync(file, 'utf8')).records : [];
    const support = records.map((r) => ({ text: r.text, label: r.label }));
    if (new Set(support.map((s) => s.label)).size >= 2) {
      const result = await client.classify({ support, text, usePool: true });
      task('diagnostics (20,000 lines)', () =>
        buildEntries(result, new Set(), { minConfidence: 0, maxPerFile: MAX_PER_FILE, priority: 'confidence' }),
      );
      adaptations++;
    } else await new Promise((r) => setTimeout(r, 50));
  }
  const results = await done;
  const onDisk = parseLabels(fs.readFileSync(path.join(dir, '.fewshot', 'labels.jsonl'), 'utf8'));
  const found = new Map(onDisk.records.map((r) => [`${r.document}:${r.line}`, r.label]));
  let lost = 0;
  let expected = 0;
  results.forEach((r, i) => {
    for (const [line, label] of r.labels) {
      expected++;
      if (found.get(`${jobs[i]!.document}:${line}`) !== label) lost++;
    }
  });
  const extra = onDisk.records.length - expected;
  fs.rmSync(dir, { recursive: true, force: true });
  return { ops: results.reduce((n, r) => n + r.ops, 0), lost, extra, expected, adaptations, problems: onDisk.problems.length };
}

async function documentsScenario(client: EngineClient, docs: number, lineCount: number, big: number) {
  const store = new FolderLabels(os.tmpdir(), path.join(os.tmpdir(), 'unused.jsonl'), { log: () => {} });
  const documents = Array.from({ length: docs }, (_, i) => ({ name: `doc${i}.txt`, lines: makeLines(lineCount, 100 + i) }));
  documents.push({ name: 'big.log', lines: makeLines(big, 999) });
  let maxEntries = 0;
  let editLinesRead = 0;
  let edits = 0;
  let classified = 0;
  for (const d of documents) {
    // LABELS_PER_DOC labels per document, a quarter of them detached (their text is gone).
    for (let k = 0; k < LABELS_PER_DOC; k++) {
      const line = Math.floor((k * d.lines.length) / LABELS_PER_DOC) + 2;
      const text = k % 4 === 0 ? `gone ${k}` : d.lines[line]! || 'x';
      store.setLabel(d.name, [{ line, text }], intentOf(text === `gone ${k}` ? d.lines[line]! : text));
    }
    task(`anchoring on open (${d.lines.length} lines)`, () => store.anchor(d.name, source(d.lines)));
    // Typing: 20 keystrokes on one line, then Enter.
    for (let k = 0; k < 20; k++) {
      d.lines[10] = `${d.lines[10]}x`;
      editLinesRead += task('edit', () =>
        store.applyEdits(d.name, [{ startLine: 10, endLine: 10, insertedLineBreaks: 0 }], source(d.lines)),
      ).linesRead;
      edits++;
    }
    d.lines.splice(11, 0, '');
    editLinesRead += task('edit', () =>
      store.applyEdits(d.name, [{ startLine: 10, endLine: 10, insertedLineBreaks: 1 }], source(d.lines)),
    ).linesRead;
    edits++;
  }
  for (const d of documents) {
    const text = task(`document text (${d.lines.length} lines)`, () => d.lines.join('\n'));
    const support = store.records().map((r) => ({ text: r.text, label: r.label }));
    let request!: Promise<Awaited<ReturnType<EngineClient['classify']>>>;
    task('post to the worker', () => (request = client.classify({ support, text, usePool: true })));
    const result = await request;
    const labeled = new Set([...(store.document(d.name)?.attached() ?? [])].map((r) => r.line));
    const entries = task(`diagnostics (${d.lines.length} lines)`, () =>
      buildEntries(result, labeled, { minConfidence: 0, maxPerFile: MAX_PER_FILE, priority: 'uncertainty' }),
    );
    maxEntries = Math.max(maxEntries, entries.length);
    classified += d.lines.length;
  }
  return { documents: documents.length, classified, maxEntries, editLinesReadPerEdit: editLinesRead / edits };
}

async function crashScenario(client: EngineClient) {
  const support = [
    { text: 'refund charged twice', label: 'billing' },
    { text: 'password reset locked', label: 'login' },
  ];
  await client.classify({ support, text: 'warm up' });
  const inFlight = client.classify({ support, text: makeLines(200_000, 3).join('\n'), usePool: true });
  await new Promise((r) => setTimeout(r, 300));
  const killedAt = performance.now();
  await client.crashForTest();
  const failed = await inFlight.then(
    () => false,
    () => true,
  );
  const result = await client.classify({ support, text: 'my card was charged twice' });
  const recoveryMs = performance.now() - killedAt;
  return { inFlightFailed: failed, recoveryMs, recovered: result.labels.length === 2 };
}

async function diskScenario() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fewshot-disk-'));
  const file = path.join(dir, '.fewshot', 'labels.jsonl');
  let failure: string | undefined;
  const told: string[] = [];
  const store = new FolderLabels(dir, file, {
    log: () => {},
    retryMs: 50,
    onSaveProblem: (e) => e && told.push(e.message),
    io: {
      async writeFile(f, content) {
        if (failure) throw Object.assign(new Error(`${failure}: simulated`), { code: failure });
        const h = await fs.promises.open(f, 'wx');
        await h.writeFile(content);
        await h.sync();
        await h.close();
      },
    },
  });
  await store.load();
  const lines = makeLines(400, 7);
  let n = 0;
  const label = async () => {
    const line = n++ * 2;
    store.setLabel('a.txt', [{ line, text: lines[line]! }], intentOf(lines[line]!));
    await store.save();
  };
  for (let i = 0; i < 20; i++) await label();
  const good = fs.readFileSync(file, 'utf8');
  let damaged = false;
  for (const code of ['ENOSPC', 'EROFS']) {
    failure = code;
    for (let i = 0; i < 20; i++) await label();
    // While writes fail, the file keeps its last good content, whole.
    if (fs.readFileSync(file, 'utf8') !== good) damaged = true;
  }
  const inMemory = store.count;
  failure = undefined;
  const t = performance.now();
  while (store.dirty && performance.now() - t < 10_000) await new Promise((r) => setTimeout(r, 10));
  const saved = parseLabels(fs.readFileSync(file, 'utf8'));
  const leftovers = fs.readdirSync(path.dirname(file)).filter((f) => f !== 'labels.jsonl');
  store.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
  return { told: told.length, inMemory, savedAfter: saved.records.length, expected: n, damaged, leftovers: leftovers.length };
}

// ---- main ------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const rate = arg('rate', 100);
  const seconds = arg('seconds', 10);
  const docs = arg('docs', 50);
  const lines = arg('lines', 20_000);
  const big = arg('big', 1_000_000);
  const client = newClient();
  try {
    const info = await client.ready();
    say(`\nStress run (engine backend ${info.backend}; ${os.cpus().length} cores, load average ${os.loadavg()[0]!.toFixed(1)})\n`);
    const w = await writersScenario(client, rate, seconds);
    const d = await documentsScenario(client, docs, lines, big);
    const c = await crashScenario(client);
    const k = await diskScenario();
    const report = {
      labels_lost: w.lost,
      ops: w.ops,
      writers: 2,
      ops_per_second_per_writer: rate,
      seconds,
      adaptations_during_writes: w.adaptations,
      unexpected_records: w.extra,
      longest_task_ms: Math.round(longestTask * 10) / 10,
      longest_task: longestTaskWhat,
      longest_task_cpu_ms: Math.round(longestTaskCpu * 10) / 10,
      longest_task_by_kind_ms: Object.fromEntries([...longestByKind].map(([k, v]) => [k, Math.round(v.ms * 10) / 10])),
      load_average: Math.round(os.loadavg()[0]! * 10) / 10,
      peak_mb: mb(peakRss),
      documents: d.documents,
      lines_classified: d.classified,
      max_diagnostics_per_file: d.maxEntries,
      diagnostics_cap: MAX_PER_FILE,
      lines_read_per_edit: Math.round(d.editLinesReadPerEdit * 10) / 10,
      worker_recovery_ms: Math.round(c.recoveryMs),
      worker_in_flight_failed: c.inFlightFailed,
      worker_recovered: c.recovered,
      disk_failures_told: k.told,
      disk_labels_in_memory: k.inMemory,
      disk_labels_saved_after: k.savedAfter,
      disk_labels_expected: k.expected,
      disk_file_damaged: k.damaged,
      disk_leftover_files: k.leftovers,
    };
    if (json) {
      console.log(JSON.stringify(report));
      return;
    }
    const rows: Array<[string, string, string]> = [
      ['two writers, labels lost', `${w.lost} of ${w.expected} (${w.ops} ops, ${rate}/s each for ${seconds} s)`, '0'],
      ['  adaptations meanwhile', `${w.adaptations}`, '> 0'],
      ['  unexpected records on disk', `${w.extra}`, '0'],
      [
        `${d.documents} documents (${docs} x ${lines} + ${big} lines), longest main-thread task`,
        `${report.longest_task_ms} ms, ${report.longest_task_cpu_ms} ms CPU (${longestTaskWhat})`,
        'per kind below, as CPU ratios to the text join (what getText costs)',
      ],
      [`  lines read per typing edit (${LABELS_PER_DOC} labels/doc, 1/4 detached)`, `${report.lines_read_per_edit}`, 'O(changed lines)'],
      ['  diagnostics per file, at most', `${d.maxEntries}`, `<= ${MAX_PER_FILE}`],
      ['  peak memory (process, worker included)', `${report.peak_mb} MB`, ''],
      ['worker killed mid-run: request in flight failed', `${c.inFlightFailed}`, 'true'],
      ['  recovered (next answer) after', `${report.worker_recovery_ms} ms`, ''],
      ['disk full, then read-only: user told', `${k.told} time(s)`, '>= 1'],
      ['  labels kept in memory / saved after recovery', `${k.inMemory} / ${k.savedAfter} of ${k.expected}`, 'all'],
      ['  file on disk damaged / stray files', `${k.damaged} / ${k.leftovers}`, 'false / 0'],
    ];
    const text = longestByKind.get('document text');
    for (const [kind, v] of longestByKind) {
      if (kind === 'document text') continue;
      const ratio = text ? ` = ${(v.cpuMs / Math.max(0.1, text.cpuMs)).toFixed(2)} x the text join` : '';
      rows.splice(rows.length - 6, 0, [`  longest ${kind}`, `${v.ms.toFixed(1)} ms, ${v.cpuMs.toFixed(1)} ms CPU${ratio}`, '']);
    }
    console.log('| scenario | measured | target |');
    console.log('|---|---:|---|');
    for (const [a, b, t] of rows) console.log(`| ${a} | ${b} | ${t} |`);
  } finally {
    await client.stop();
  }
}

if (argv[0] === '--writer') {
  writer(JSON.parse(argv[1]!) as WriterJob).catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
} else {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  });
}
