// Engine benchmarks against the targets, with natural's classifiers measured on the same
// work in the same run:
//   adapt_5w5s_ms          inductive adaptation (default-inductive) to a 5-way 5-shot support set
//   encode_classify_10k_ms encode 10,000 fresh lines, adapt `default` with them as the pool, classify them
//   load_ms                Engine.load (word vectors + checkpoint) in a fresh process
//   rss_mb                 peak RSS of a fresh process that loads the engine and does one 10k job
//
//   npm run bench [-- --quick] [-- --json] [-- --model-dir DIR] [-- --backend NAME]
//
// --json prints one JSON object on stdout (milliseconds, megabytes); everything else goes to stderr.
import os from 'node:os';
import { Engine, type BackendChoice } from '../src/engine/engine';
import { naturalBayes, naturalLogreg } from '../src/engine/eval/peers';
import type { TextMethod } from '../src/engine/eval/methods';
import { DEFAULT_CACHE_LINES } from '../src/engine/model';
import { childHundredThousand, childPeerMany, childLoad, childMemory, type ChildOptions } from './lib/child';
import { MANY_TARGETS, manyLabelRows } from './lib/manyLabels';
import { engineAdaptMs, engineJob, peerJob } from './lib/jobs';
import { formatRatios, formatRows, type Ratio, type Row, verdict } from './lib/report';
import { median, summarizeTimes, type Timing } from './lib/stats';
import { FreshLines, readData, SUPPORT_FILE, SupportSampler } from './lib/workload';

const TARGETS = { adapt_5w5s_ms: 15, encode_classify_10k_ms: 150, load_ms: 300, rss_mb: 300 } as const;
const LINES = 10_000;
/** 10k jobs of the cache runs: 200,000 fresh lines, twice the default cache, so it evicts and compacts. */
const CACHE_JOBS = 20;

interface Plan {
  adaptWarmup: number;
  adaptRuns: number;
  jobWarmup: number;
  jobRuns: number;
  /** Of the engine's 10k runs, how many the (slower) peers also do. */
  peerJobRuns: number;
  loadRuns: number;
  memoryRuns: number;
  /** Encoder cache sizes whose steady-state peak RSS is measured. */
  cacheSizes: number[];
}

const FULL: Plan = {
  adaptWarmup: 10,
  adaptRuns: 60,
  jobWarmup: 2,
  jobRuns: 15,
  peerJobRuns: 5,
  loadRuns: 7,
  memoryRuns: 3,
  cacheSizes: [0, 20_000, 50_000, 100_000],
};
const QUICK: Plan = { adaptWarmup: 5, adaptRuns: 20, jobWarmup: 1, jobRuns: 5, peerJobRuns: 2, loadRuns: 3, memoryRuns: 1, cacheSizes: [] };

const USAGE = 'usage: node out/bench/bench.js [--quick] [--json] [--model-dir DIR] [--backend auto|wasm|cpu|tensorflow|webgpu]';

interface Args {
  quick: boolean;
  json: boolean;
  modelDir?: string;
  backend?: BackendChoice;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { quick: false, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') args.quick = true;
    else if (a === '--json') args.json = true;
    else if ((a === '--model-dir' || a === '--backend') && argv[i + 1] !== undefined) {
      if (a === '--model-dir') args.modelDir = argv[++i];
      else args.backend = argv[++i] as BackendChoice;
    } else if (a === '--help' || a === '-h') {
      process.stderr.write(`${USAGE}\n`);
      process.exit(0);
    } else throw new UsageError(`unknown or incomplete argument '${a}'`);
  }
  return args;
}

class UsageError extends Error {}

const progress = (message: string) => process.stderr.write(`bench: ${message}\n`);

interface PeerResult {
  peer: TextMethod;
  trainMs: number[];
  jobMs: number[];
}

const t = (xs: number[]): Timing => summarizeTimes(xs);

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const plan = args.quick ? QUICK : FULL;
  const childOptions: ChildOptions = { modelDir: args.modelDir, backend: args.backend };
  // Other processes skew every figure on a small machine: the load average goes into the report.
  const loadAverage = os.loadavg()[0]!;
  progress(
    `node ${process.version}, ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, load average ${loadAverage.toFixed(2)}, ` +
      `${args.quick ? 'quick' : 'full'} run`,
  );

  const engine = await Engine.load({ modelDir: args.modelDir, backend: args.backend, log: progress });
  const info = engine.info();

  // The same support sets for the engine's adaptation and the peers' training.
  const sampler = new SupportSampler(readData(SUPPORT_FILE), 1);
  const supports = Array.from({ length: plan.adaptWarmup + plan.adaptRuns }, () => sampler.next(5, 5));
  const peers: PeerResult[] = [naturalBayes(), naturalLogreg()].map((peer) => ({ peer, trainMs: [], jobMs: [] }));

  progress(`5-way 5-shot adaptation x ${plan.adaptRuns} (+${plan.adaptWarmup} warm-up)`);
  const adaptMs: number[] = [];
  supports.forEach((s, i) => {
    const ms = engineAdaptMs(engine, s);
    if (i >= plan.adaptWarmup) adaptMs.push(ms);
  });
  for (const p of peers) {
    supports.forEach((s, i) => {
      const { trainMs } = peerJob(p.peer, s, []);
      if (i >= plan.adaptWarmup) p.trainMs.push(trainMs);
    });
  }

  progress(
    `${LINES} fresh lines: encode + adapt + classify x ${plan.jobRuns} (+${plan.jobWarmup} warm-up); peers on the first ` +
      `${plan.peerJobRuns}`,
  );
  const fresh = new FreshLines(1);
  const jobSupport = supports[0]!;
  const split = { encodeMs: [] as number[], adaptMs: [] as number[], classifyMs: [] as number[], totalMs: [] as number[] };
  for (let r = 0; r < plan.jobWarmup + plan.jobRuns; r++) {
    const lines = fresh.batch(LINES);
    const t = engineJob(engine, jobSupport, lines);
    if (r < plan.jobWarmup) continue;
    split.encodeMs.push(t.encodeMs);
    split.adaptMs.push(t.adaptMs);
    split.classifyMs.push(t.classifyMs);
    split.totalMs.push(t.totalMs);
    if (r - plan.jobWarmup < plan.peerJobRuns) for (const p of peers) p.jobMs.push(peerJob(p.peer, jobSupport, lines).totalMs);
  }
  const many = manyLabelRows(engine, args.quick, progress);
  engine.dispose();
  // natural on the 77 x 10 job, each in a process of its own with a time limit (its logistic
  // regression trains one model per label and runs for many minutes).
  const peerLimitMs = args.quick ? 30_000 : 120_000;
  const manyRatios: Ratio[] = [];
  for (const name of ['natural-bayes', 'natural-logreg']) {
    progress(`many labels: ${name} on the 77 x 10 job (fresh process, at most ${peerLimitMs / 1000} s)`);
    const ms = await childPeerMany(name, peerLimitMs, childOptions);
    manyRatios.push({
      name: `77x10 job vs ${name}`,
      engine: many.json.many_77x10_ms as number,
      peer: ms ?? peerLimitMs,
      what:
        ms === undefined
          ? `same labeled lines, same 10k document; ${name} did not finish in ${peerLimitMs / 1000} s (ratio: at least)`
          : 'same labeled lines, same 10k document',
    });
    many.json[`${name.replace(/-/g, '_')}_77x10_ms`] = ms ?? -1;
  }
  progress('many labels: 100 labels x 1,000 lines (100,000 labeled) in a fresh process');
  const hundredK = await childHundredThousand(childOptions);
  many.rows.push(
    {
      name: 'many_100k_ms',
      unit: 'ms',
      timing: t([hundredK.ms]),
      target: MANY_TARGETS.many_100k_ms,
      what: `100 labels x 1,000 lines, adapt + classify 10k lines, fresh process${hundredK.note ? ' [budget: capped]' : ''}`,
    },
    {
      name: 'many_100k_rss_mb',
      unit: 'MB',
      timing: t([hundredK.peakRssMb]),
      target: MANY_TARGETS.many_100k_rss_mb,
      what: 'peak RSS of that process',
    },
  );
  Object.assign(many.json, { many_100k_ms: hundredK.ms, many_100k_rss_mb: hundredK.peakRssMb });

  progress(`Engine.load in ${plan.loadRuns} fresh processes`);
  const loads = [];
  for (let i = 0; i < plan.loadRuns; i++) loads.push(await childLoad(childOptions));
  progress(`peak memory of ${plan.memoryRuns} fresh process(es) doing one 10k job`);
  const memory = [];
  for (let i = 0; i < plan.memoryRuns; i++) memory.push(await childMemory(1, childOptions));
  const cacheRows: Row[] = [];
  for (const size of plan.cacheSizes) {
    progress(`peak memory over ${CACHE_JOBS * LINES} fresh lines with an encoder cache of ${size} lines`);
    const m = await childMemory(CACHE_JOBS, { ...childOptions, cacheSize: size });
    cacheRows.push({
      name: `  rss_cache_${size / 1000}k_mb`,
      unit: 'MB',
      timing: t([m.peakRssMb]),
      what: `peak RSS, ${m.linesEncoded} fresh lines through a ${size}-line cache${size === DEFAULT_CACHE_LINES ? ' (default)' : ''}`,
    });
  }

  const [bayes, logreg] = peers as [PeerResult, PeerResult];
  const rows: Row[] = [
    {
      name: 'adapt_5w5s_ms',
      what: 'default-inductive on 25 CLINC150 lines',
      unit: 'ms',
      timing: t(adaptMs),
      target: TARGETS.adapt_5w5s_ms,
    },
    {
      name: 'encode_classify_10k_ms',
      what: `encode ${LINES} fresh lines + adapt default (pool) + classify`,
      unit: 'ms',
      timing: t(split.totalMs),
      target: TARGETS.encode_classify_10k_ms,
    },
    { name: '  encode_10k_ms', what: 'encoder, cache misses', unit: 'ms', timing: t(split.encodeMs) },
    { name: '  adapt_10k_ms', what: 'logreg + self-training on the 10k pool', unit: 'ms', timing: t(split.adaptMs) },
    { name: '  classify_10k_ms', what: 'score, softmax, predictions', unit: 'ms', timing: t(split.classifyMs) },
    {
      name: 'load_ms',
      what: `Engine.load in a fresh process (backend ${loads[0]?.backend})`,
      unit: 'ms',
      timing: t(loads.map((l) => l.loadMs)),
      target: TARGETS.load_ms,
    },
    {
      name: '  ready_ms',
      what: 'process start to engine ready (Node + modules + load)',
      unit: 'ms',
      timing: t(loads.map((l) => l.readyMs)),
    },
    { name: 'rss_mb', what: 'peak RSS: load + one 10k job', unit: 'MB', timing: t(memory.map((m) => m.peakRssMb)), target: TARGETS.rss_mb },
    { name: '  heap_used_mb', what: 'V8 heap in use after the job', unit: 'MB', timing: t(memory.map((m) => m.heapUsedMb)) },
    { name: '  array_buffers_mb', what: 'typed arrays after the job', unit: 'MB', timing: t(memory.map((m) => m.arrayBuffersMb)) },
    ...cacheRows,
    ...many.rows,
    { name: 'natural_bayes_train_5w5s_ms', what: 'natural BayesClassifier, same supports', unit: 'ms', timing: t(bayes.trainMs) },
    {
      name: 'natural_logreg_train_5w5s_ms',
      what: 'natural LogisticRegressionClassifier, same supports',
      unit: 'ms',
      timing: t(logreg.trainMs),
    },
    { name: 'natural_bayes_10k_ms', what: `train on 25 + classify the same ${LINES} lines`, unit: 'ms', timing: t(bayes.jobMs) },
    { name: 'natural_logreg_10k_ms', what: `train on 25 + classify the same ${LINES} lines`, unit: 'ms', timing: t(logreg.jobMs) },
  ];
  const engineJobMs = median(split.totalMs);
  const engineAdapt = median(adaptMs);
  const ratios: Ratio[] = [
    { name: '10k job vs natural Bayes', engine: engineJobMs, peer: median(bayes.jobMs), what: 'same support, same lines' },
    { name: '10k job vs natural logreg', engine: engineJobMs, peer: median(logreg.jobMs), what: 'same support, same lines' },
    { name: '5w5s training vs natural Bayes', engine: engineAdapt, peer: median(bayes.trainMs), what: 'same support sets' },
    { name: '5w5s training vs natural logreg', engine: engineAdapt, peer: median(logreg.trainMs), what: 'same support sets' },
    ...manyRatios,
  ];

  const report = [
    `engine benchmarks: model ${info.model} (${info.vocabulary} words), backend ${info.backend}, ` +
      `${os.cpus().length} CPUs, node ${process.version}, load average ${loadAverage.toFixed(2)} at start / ` +
      `${os.loadavg()[0]!.toFixed(2)} at end`,
    formatRows(rows),
    '',
    'engine against the natural peers (medians of this run; > 1 x: the engine is faster)',
    formatRatios(ratios),
  ].join('\n');
  if (many.json.growth_ratio > 2)
    rows.push({ name: 'growth_ratio', unit: 'ms', timing: t([many.json.growth_ratio]), target: 2, what: 'doubling the labeled lines' });
  const failed = rows.filter((r) => verdict(r) === 'FAIL').map((r) => r.name.trim());
  const summary = failed.length ? `missed: ${failed.join(', ')}` : 'all targets met';
  if (!args.json) {
    process.stdout.write(`${report}\n${summary}\n`);
    return;
  }
  process.stderr.write(`${report}\n${summary}\n`);
  const json: Record<string, unknown> = {};
  for (const r of rows) {
    const key = r.name.trim();
    json[key] = round(r.timing.median);
    json[key.replace(/_(ms|mb)$/, '_p90_$1')] = round(r.timing.p90);
  }
  json.natural_bayes_ratio_10k = round(median(bayes.jobMs) / engineJobMs);
  json.natural_logreg_ratio_10k = round(median(logreg.jobMs) / engineJobMs);
  for (const [key, value] of Object.entries(many.json)) json[key] = round(value);
  json.targets = { ...TARGETS, ...MANY_TARGETS };
  json.pass = Object.fromEntries(rows.filter((r) => r.target !== undefined).map((r) => [r.name.trim(), verdict(r) === 'pass']));
  json.backend = info.backend;
  json.quick = args.quick;
  json.cpus = os.cpus().length;
  json.loadavg_start = round(loadAverage);
  json.loadavg_end = round(os.loadavg()[0]!);
  json.node = process.version;
  process.stdout.write(`${JSON.stringify(json)}\n`);
}

const round = (x: number) => Math.round(x * 100) / 100;

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  if (err instanceof UsageError) process.stderr.write(`${USAGE}\n`);
  process.exit(err instanceof UsageError ? 2 : 1);
});
