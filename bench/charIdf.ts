// What the char block's IDF weighting (src/engine/learners/charWeighting.ts) costs on the instant
// path, `default` and `default-idf` measured in one run, alternating, on the same work as the keys
// of `npm run bench` whose targets it must keep:
//   encode_classify_10k_ms  10,000 fresh lines: encode, adapt with them as the pool, classify them
//   many_77x10_ms           77 labels x 10 lines, adapt with a 10k-line document as pool + classify it
//   relabel_77x10_ms        the same after one more label, warm-started
//
//   npm run build && node out/bench/charIdf.js [--runs N]
import os from 'node:os';
import { Engine } from '../src/engine/engine';
import type { Example } from '../src/engine/types';
import { engineJob } from './lib/jobs';
import { labeledSet } from './lib/manyLabels';
import { table } from './lib/report';
import { summarizeTimes } from './lib/stats';
import { FreshLines, readData, SUPPORT_FILE, SupportSampler } from './lib/workload';

const METHODS = ['default', 'default-idf'] as const;
const TARGETS = { encode_classify_10k_ms: 150, many_77x10_ms: 250, relabel_77x10_ms: 80 } as const;
type Key = keyof typeof TARGETS;

function timeMany(engine: Engine, method: string, base: Example[], extra: Example[], document: string[]) {
  const t0 = performance.now();
  const first = engine.adapt(base, { method, pool: document });
  first.classify(document);
  const t1 = performance.now();
  const warm = first.state ? { warm: first.state } : {};
  const next = engine.adapt([...base, ...extra], { method, pool: document, ...warm });
  next.classify(document);
  return { many: t1 - t0, relabel: performance.now() - t1 };
}

async function main(): Promise<void> {
  const at = process.argv.indexOf('--runs');
  const runs = at >= 0 ? Number(process.argv[at + 1]) : 5;
  const log = (m: string) => process.stderr.write(`${m}\n`);
  log(`node ${process.version}, ${os.cpus().length} cpus, load average ${os.loadavg()[0]?.toFixed(2)}, ${runs} runs (+1 warm-up)`);
  const engine = await Engine.load({ log });
  const support = new SupportSampler(readData(SUPPORT_FILE), 1).next(5, 5);
  const fresh = new FreshLines(1);
  const document = new FreshLines(7).batch(10_000);
  engine.encode(document);
  const base = labeledSet(77, 10);
  const extra = labeledSet(78, 10)
    .filter((e) => !base.some((b) => b.label === e.label))
    .slice(0, 1);
  const samples = new Map<string, number[]>();
  const add = (method: string, key: Key, ms: number) => samples.set(`${method} ${key}`, [...(samples.get(`${method} ${key}`) ?? []), ms]);
  for (let r = 0; r <= runs; r++) {
    for (const method of METHODS) {
      // Fresh lines for each job: the encoder's cache must not serve them.
      const job = engineJob(engine, support, fresh.batch(10_000), method);
      const many = timeMany(engine, method, base, extra, document);
      if (r === 0) continue;
      add(method, 'encode_classify_10k_ms', job.totalMs);
      add(method, 'many_77x10_ms', many.many);
      add(method, 'relabel_77x10_ms', many.relabel);
    }
  }
  const rows = [['key', ...METHODS.flatMap((m) => [`${m} median`, `${m} min`]), 'target']];
  for (const key of Object.keys(TARGETS) as Key[]) {
    const cells = METHODS.flatMap((m) => {
      const t = summarizeTimes(samples.get(`${m} ${key}`) ?? []);
      return [`${t.median.toFixed(1)} ms`, `${t.min.toFixed(1)} ms`];
    });
    rows.push([key, ...cells, `<= ${TARGETS[key]} ms`]);
  }
  process.stdout.write(`${table(rows, 'lrrrrr')}\n`);
  engine.dispose();
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
