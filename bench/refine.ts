// Background refinement (src/worker/refine.ts) end to end, through the worker host's protocol in
// this process with the real engine and sentence encoder:
//   refine_10k_cold_s    a 10,000-line document (distinct lines): classify request to refined
//                        predictions, empty sentence cache (every line embedded by the model)
//   refine_10k_warm_ms   the same document again in a fresh host (a reopened file): the vectors
//                        come from the disk cache the cold run wrote; classify request to refined
//                        predictions, so the fresh host's instant answer is in it
//   refine_10k_warm_refine_ms  the part of it after the instant answer (cache read, adaptation
//                        with the block, predictions)
//   refine_lines_per_s   lines embedded per second in the cold run
//   instant_10k_ms       the instant answer (fast features) of the cold run, for comparison
//
// --threads 1,2 runs the whole measurement once per count of encoding threads (each with an empty
// cache), in one process, and prints a row for each and the ratio of their lines per second; the
// keys above are then the last count's. Default: the count the product uses (encoderThreads).
//
//   npm run bench:refine [-- --lines N] [-- --threads 1,2] [-- --backend wasm|cpu] [-- --json]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { type BackendChoice, Engine } from '../src/engine/engine';
import { encoderThreads, loadEncoderPool } from '../src/engine/sentence/threads';
import type { Example } from '../src/engine/types';
import { RpcClient } from '../src/protocol/rpc';
import { isLog, isRefine, type RefineNotification, type WorkerRequests } from '../src/protocol/worker';
import { type Port, startWorkerHost } from '../src/worker/host';
import { FreshLines, readData, SUPPORT_FILE, SupportSampler } from './lib/workload';

const TARGETS = { refine_10k_cold_s: 25, refine_10k_warm_ms: 500 } as const;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}
const progress = (message: string) => process.stderr.write(`bench:refine: ${message}\n`);

/** One host (a fresh worker's state: no vectors in memory) serving one classify with refinement. */
async function refineOnce(engine: Engine, cacheDir: string, threads: number, support: Example[], text: string) {
  const channel = new MessageChannel();
  let pool: Awaited<ReturnType<typeof loadEncoderPool>> | undefined;
  void startWorkerHost(
    channel.port1 as unknown as Port,
    async () => engine,
    async (log) => {
      pool = await loadEncoderPool({ cacheDir, threads, log });
      return pool;
    },
  );
  const client = new RpcClient<WorkerRequests>((m) => channel.port2.postMessage(m));
  let done!: (n: RefineNotification) => void;
  const refined = new Promise<RefineNotification>((r) => (done = r));
  let last = 0;
  channel.port2.on('message', (m: unknown) => {
    if (isRefine(m)) {
      if (m.result || m.error) done(m);
      else if (performance.now() - last > 5000) {
        last = performance.now();
        progress(`  ${m.done}/${m.total} lines`);
      }
    } else if (isLog(m)) progress(m.message);
    else client.handle(m);
  });
  try {
    const started = performance.now();
    const instant = await client.request('classify', { support, text, usePool: true, document: 'bench', refine: { version: 1 } });
    const instantMs = performance.now() - started;
    const n = await refined;
    if (n.error || !n.result) throw new Error(`refinement failed: ${n.error}`);
    return {
      instantMs,
      totalMs: performance.now() - started,
      lines: n.total,
      method: n.result.method,
      instantMethod: instant.method,
      helpers: pool?.helperCount ?? 0,
    };
  } finally {
    pool?.dispose();
    channel.port1.close();
    channel.port2.close();
  }
}

async function main(): Promise<void> {
  const count = Number(arg('lines', '10000'));
  const json = process.argv.includes('--json');
  const loadAverage = os.loadavg()[0]!;
  const engine = await Engine.load({ backend: arg('backend', 'wasm') as BackendChoice, log: progress });
  const support = new SupportSampler(readData(SUPPORT_FILE), 1).next(5, 5).examples;
  const text = new FreshLines(1).batch(count).join('\n');
  const counts = arg('threads', `${encoderThreads()}`)
    .split(',')
    .map((t) => Number.parseInt(t, 10));
  if (counts.some((t) => !(t >= 1))) throw new Error(`--threads takes counts of threads, such as 1,2 (got ${arg('threads', '')})`);
  const runs = [];
  for (const threads of counts) {
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fewshot-refine-bench-'));
    try {
      progress(
        `cold, ${threads} thread(s): ${count} lines, empty cache (backend ${engine.info().backend}, load average ${os.loadavg()[0]!.toFixed(2)})`,
      );
      const cold = await refineOnce(engine, cacheDir, threads, support, text);
      progress(`cold: ${(cold.totalMs / 1000).toFixed(1)} s (${cold.helpers} helper thread(s) at the end)`);
      const warm = await refineOnce(engine, cacheDir, threads, support, text);
      progress(`warm: ${warm.totalMs.toFixed(0)} ms (instant answer ${warm.instantMs.toFixed(0)} ms)`);
      runs.push({ threads, cold, warm, perS: cold.lines / ((cold.totalMs - cold.instantMs) / 1000) });
    } finally {
      fs.rmSync(cacheDir, { recursive: true, force: true });
    }
  }
  engine.dispose();
  const { cold, warm, perS } = runs[runs.length - 1]!;
  const first = runs[0]!;
  const result = {
    refine_10k_cold_s: Math.round(cold.totalMs / 100) / 10,
    refine_10k_warm_ms: Math.round(warm.totalMs),
    refine_10k_warm_refine_ms: Math.round(warm.totalMs - warm.instantMs),
    refine_lines_per_s: Math.round(perS),
    instant_10k_ms: Math.round(cold.instantMs),
    threads: runs.map((r) => ({
      threads: r.threads,
      helpers: r.cold.helpers,
      refine_10k_cold_s: Math.round(r.cold.totalMs / 100) / 10,
      refine_10k_warm_ms: Math.round(r.warm.totalMs),
      refine_10k_warm_refine_ms: Math.round(r.warm.totalMs - r.warm.instantMs),
      refine_lines_per_s: Math.round(r.perS),
      speedup: Math.round((r.perS / first.perS) * 100) / 100,
    })),
    lines: count,
    embedded: cold.lines,
    method: cold.method,
    backend: engine.info().backend,
    targets: TARGETS,
    pass: {
      refine_10k_cold_s: cold.totalMs / 1000 <= TARGETS.refine_10k_cold_s,
      refine_10k_warm_ms: warm.totalMs <= TARGETS.refine_10k_warm_ms,
    },
    cpus: os.availableParallelism(),
    loadavg_start: Math.round(loadAverage * 100) / 100,
    loadavg_end: Math.round(os.loadavg()[0]! * 100) / 100,
  };
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    const header = ['threads', 'cold_s', 'warm_ms', 'warm_refine_ms', 'lines_per_s', 'vs first'];
    const table = result.threads.map((r) => [
      `${r.threads}`,
      `${r.refine_10k_cold_s}`,
      `${r.refine_10k_warm_ms}`,
      `${r.refine_10k_warm_refine_ms}`,
      `${r.refine_lines_per_s}`,
      `${r.speedup}`,
    ]);
    process.stdout.write(
      `refinement, ${count} lines (${cold.lines} distinct texts with the labeled lines), ${result.method}, backend ${result.backend}, ` +
        `${result.cpus} cores, load average ${result.loadavg_start} -> ${result.loadavg_end}; targets: cold <= ${TARGETS.refine_10k_cold_s} s, ` +
        `warm <= ${TARGETS.refine_10k_warm_ms} ms; instant answer ${result.instant_10k_ms} ms\n` +
        `${[header, ...table].map((row) => row.map((c) => c.padStart(16)).join('')).join('\n')}\n`,
    );
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:refine: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
