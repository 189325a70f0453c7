// Background refinement (src/worker/refine.ts) end to end, through the worker host's protocol in
// this process with the real engine and sentence encoder:
//   refine_10k_cold_s    a 10,000-line document (distinct lines): classify request to refined
//                        predictions, empty sentence cache (every line embedded by the model)
//   refine_10k_warm_ms   the same document again in a fresh host (a reopened file): the vectors
//                        come from the disk cache the cold run wrote
//   refine_lines_per_s   lines embedded per second in the cold run
//   instant_10k_ms       the instant answer (fast features) of the cold run, for comparison
//
//   npm run bench:refine [-- --lines N] [-- --backend wasm|cpu] [-- --json]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { type BackendChoice, Engine } from '../src/engine/engine';
import { SentenceEncoder } from '../src/engine/sentence/encoder';
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
async function refineOnce(engine: Engine, cacheDir: string, support: Example[], text: string) {
  const channel = new MessageChannel();
  void startWorkerHost(
    channel.port1 as unknown as Port,
    async () => engine,
    () => SentenceEncoder.load({ cacheDir }),
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
    return { instantMs, totalMs: performance.now() - started, lines: n.total, method: n.result.method, instantMethod: instant.method };
  } finally {
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
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fewshot-refine-bench-'));
  try {
    progress(`cold: ${count} lines, empty cache (backend ${engine.info().backend}, load average ${loadAverage.toFixed(2)})`);
    const cold = await refineOnce(engine, cacheDir, support, text);
    progress(`cold: ${(cold.totalMs / 1000).toFixed(1)} s`);
    const warm = await refineOnce(engine, cacheDir, support, text);
    progress(`warm: ${warm.totalMs.toFixed(0)} ms`);
    const perS = cold.lines / ((cold.totalMs - cold.instantMs) / 1000);
    const result = {
      refine_10k_cold_s: Math.round(cold.totalMs / 100) / 10,
      refine_10k_warm_ms: Math.round(warm.totalMs),
      refine_lines_per_s: Math.round(perS),
      instant_10k_ms: Math.round(cold.instantMs),
      lines: count,
      embedded: cold.lines,
      method: cold.method,
      backend: engine.info().backend,
      targets: TARGETS,
      pass: {
        refine_10k_cold_s: cold.totalMs / 1000 <= TARGETS.refine_10k_cold_s,
        refine_10k_warm_ms: warm.totalMs <= TARGETS.refine_10k_warm_ms,
      },
      cpus: os.cpus().length,
      loadavg_start: Math.round(loadAverage * 100) / 100,
      loadavg_end: Math.round(os.loadavg()[0]! * 100) / 100,
    };
    if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else {
      const rows: Array<[string, string, string]> = [
        ['refine_10k_cold_s', `${result.refine_10k_cold_s}`, `<= ${TARGETS.refine_10k_cold_s}`],
        ['refine_10k_warm_ms', `${result.refine_10k_warm_ms}`, `<= ${TARGETS.refine_10k_warm_ms}`],
        ['refine_lines_per_s', `${result.refine_lines_per_s}`, ''],
        ['instant_10k_ms', `${result.instant_10k_ms}`, ''],
      ];
      process.stdout.write(
        `refinement, ${count} lines (${cold.lines} distinct texts with the labeled lines), ${result.method}, backend ${result.backend}, ` +
          `load average ${result.loadavg_start} -> ${result.loadavg_end}\n` +
          `${rows.map(([k, v, t]) => `${k.padEnd(20)} ${v.padStart(8)}  ${t}`).join('\n')}\n`,
      );
    }
  } finally {
    fs.rmSync(cacheDir, { recursive: true, force: true });
    engine.dispose();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:refine: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
