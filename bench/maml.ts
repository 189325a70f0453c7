// Meta-train step and adapt times of the MAML learners on wasm and cpu, for the shapes the
// engine uses: 5-way 5-shot, 15 queries per class, hidden 256, 5 inner steps.
// Usage: node out/bench/maml.js [--inputs 100,2148] [--backends wasm,cpu] [--reps 5]
import { selectBackend, type BackendChoice } from '../src/engine/tf/backend';
import { MamlLearner, type DenseTask, type MamlKind } from '../src/engine/meta/learner';
import { Rng } from '../src/engine/random';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const WAYS = 5,
  SHOTS = 5,
  QUERIES = 15;

/** Sparse-ish rows (about 5% non-zero, L2-normalised), densified, like hashed n-gram features. */
function task(rng: Rng, d: number): DenseTask {
  const rows = (count: number) => {
    const x = new Float32Array(count * WAYS * d);
    const y = new Int32Array(count * WAYS);
    for (let r = 0; r < y.length; r++) {
      y[r] = r % WAYS;
      let norm = 0;
      for (let k = 0; k < d; k++) {
        if (rng.next() < 0.05 || k % WAYS === y[r]) x[r * d + k] = rng.next();
        norm += x[r * d + k] ** 2;
      }
      for (let k = 0; k < d; k++) x[r * d + k] /= Math.sqrt(norm);
    }
    return { x, y };
  };
  const s = rows(SHOTS),
    q = rows(QUERIES);
  return { xs: s.x, ys: s.y, xq: q.x, yq: q.y, nClasses: WAYS };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(reps: number, f: () => void): number {
  f(); // warm-up (kernel compilation, allocation)
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = process.hrtime.bigint();
    f();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return median(times);
}

async function main(): Promise<void> {
  const inputs = arg('inputs', '100,2148').split(',').map(Number);
  const backends = arg('backends', 'wasm,cpu').split(',') as BackendChoice[];
  const reps = Number(arg('reps', '5'));
  const kinds: MamlKind[] = ['maml', 'fomaml', 'metasgd', 'protomaml'];
  const rows: string[][] = [];
  for (const backend of backends) {
    const got = await selectBackend(backend, (m) => console.error(m));
    for (const d of inputs) {
      const rng = new Rng(1);
      const t = task(rng, d);
      for (const kind of kinds) {
        const learner = new MamlLearner({ kind, inputDim: d, hidden: [256], steps: 5, innerLr: 0.1, seed: 1 });
        const stepMs = time(reps, () => learner.metaTrainStep([t], 1e-3));
        const adaptMs = time(reps, () => learner.adaptAndPredict(t.xs, t.ys, WAYS, t.xq));
        rows.push([got.name, String(d), kind, stepMs.toFixed(1), adaptMs.toFixed(1)]);
        learner.dispose();
        console.error(`done ${got.name} ${d} ${kind}`);
      }
    }
  }
  const header = ['backend', 'input', 'kind', 'meta-train step ms (1 task)', 'adapt+predict 75 ms'];
  console.log(`MAML timings: ${WAYS}-way ${SHOTS}-shot, ${WAYS * QUERIES} queries, hidden 256, 5 inner steps, median of ${reps}`);
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => '---').join('|')}|`);
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
