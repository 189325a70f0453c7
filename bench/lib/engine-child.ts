// Runs in a fresh Node process so that nothing is loaded or cached beforehand:
//   engine-child.js load [--model-dir D] [--backend B]          -> Engine.load time
//   engine-child.js memory --jobs N [--model-dir D] [--backend B] -> peak RSS after N fresh 10k jobs
//   engine-child.js many100k [--model-dir D] [--backend B]      -> 100 labels x 1,000 lines: time and peak RSS
//   engine-child.js peer77 --peer NAME                           -> a natural peer on the 77 x 10 job: time
// Prints one JSON object on stdout; errors go to stderr with exit code 1.
import { PEER_METHODS } from '../../src/engine/eval/peers';
import { hundredThousandCase, peerManyJob } from './manyLabels';
import fs from 'node:fs';
import { Engine, type BackendChoice } from '../../src/engine/engine';
import { engineJob } from './jobs';
import { FreshLines, readData, SUPPORT_FILE, SupportSampler } from './workload';

export interface LoadResult {
  loadMs: number;
  /** From process start (timeOrigin) to a ready engine: Node start-up, module loading and load. */
  readyMs: number;
  backend: string;
}

export interface MemoryResult {
  jobs: number;
  /** Peak resident set size of this process, MB. */
  peakRssMb: number;
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
  arrayBuffersMb: number;
  /** Distinct fresh lines encoded (the encoder caches up to its cacheSize of them). */
  linesEncoded: number;
}

const MB = 1024 * 1024;

/**
 * Peak resident set of this process, MB. On Linux from VmHWM: getrusage's maxRSS can carry the
 * parent's RSS over fork + exec, which would charge the benchmark's own memory to the child.
 */
function peakRssMb(): number {
  try {
    const hwm = /^VmHWM:\s+(\d+)\s+kB/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (hwm) return Number(hwm[1]) / 1024;
  } catch {
    // not Linux: fall through
  }
  return process.resourceUsage().maxRSS / 1024; // kilobytes
}

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const mode = process.argv[2];
  const modelDir = option('model-dir');
  const backend = option('backend') as BackendChoice | undefined;
  const t0 = performance.now();
  const cacheSize = option('cache-size');
  const engine = await Engine.load({ modelDir, backend, ...(cacheSize !== undefined ? { cacheSize: Number(cacheSize) } : {}) });
  const loadMs = performance.now() - t0;
  if (mode === 'load') {
    const result: LoadResult = { loadMs, readyMs: performance.now(), backend: engine.info().backend };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  if (mode === 'memory') {
    const jobs = Number(option('jobs') ?? 1);
    const support = new SupportSampler(readData(SUPPORT_FILE), 7).next(5, 5);
    const fresh = new FreshLines(7);
    for (let j = 0; j < jobs; j++) engineJob(engine, support, fresh.batch(10_000));
    const usage = process.memoryUsage();
    const result: MemoryResult = {
      jobs,
      peakRssMb: peakRssMb(),
      rssMb: usage.rss / MB,
      heapUsedMb: usage.heapUsed / MB,
      heapTotalMb: usage.heapTotal / MB,
      externalMb: usage.external / MB,
      arrayBuffersMb: usage.arrayBuffers / MB,
      linesEncoded: jobs * 10_000,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  if (mode === 'many100k') {
    const { ms, note } = hundredThousandCase(engine);
    process.stdout.write(`${JSON.stringify({ ms, peakRssMb: peakRssMb(), note })}\n`);
    return;
  }
  if (mode === 'peer77') {
    const name = option('peer') ?? '';
    const make = PEER_METHODS[name];
    if (!make) throw new Error(`unknown peer '${name}'`);
    process.stdout.write(`${JSON.stringify({ ms: peerManyJob(make()) })}\n`);
    return;
  }
  throw new Error(`unknown mode '${mode}' (expected load, memory, many100k or peer77)`);
}

main().catch((err: unknown) => {
  process.stderr.write(`engine-child: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
