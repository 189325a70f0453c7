// What the abstention rule costs as the labels grow (src/engine/abstention/mode.ts lifts `auto`'s
// label limit only where this was measured): adapt `default` with a 10,000-line document as pool
// and classify every line, with the rule off, on, and on with its threshold calibrated per document
// (what `auto` does: a few more adaptations, src/engine/abstention/calibrate.ts), paired within
// each run (same support, same document, rotating order), for 8 to 77 labels of 10 labeled lines
// (CLINC150 intents, as the many-labels rows of `npm run bench`). Prints medians in ms and the
// ratios to off.
// Usage: node out/bench/abstention.js [--runs 3] [--lines 10]
import os from 'node:os';
import { Engine } from '../src/engine/engine';
import { positiveArg } from './lib/args';
import { labeledSet } from './lib/manyLabels';
import { table } from './lib/report';
import { median } from './lib/stats';
import { FreshLines } from './lib/workload';

const DOCUMENT_LINES = 10_000;
const LABEL_COUNTS = [8, 12, 20, 40, 77];

async function main() {
  const runs = positiveArg('runs', 3);
  const perLabel = positiveArg('lines', 10);
  const progress = (m: string) => process.stderr.write(`${m}\n`);
  progress(`node ${process.version}, ${os.cpus().length} cpus, load average ${os.loadavg()[0]!.toFixed(2)}`);
  const engine = await Engine.load({ backend: 'wasm', log: progress });
  const document = new FreshLines(7).batch(DOCUMENT_LINES);
  engine.encode(document);
  const rows = [
    ['labels x lines', 'off: adapt + classify (ms)', 'on: adapt + classify (ms)', 'on / off', 'calibrated (ms)', 'calibrated / off'],
  ];
  const variants = {
    off: { abstain: 'off' },
    on: { abstain: 'on' },
    calibrated: { abstain: 'on', calibrateAbstention: true },
  } as const;
  const names = Object.keys(variants) as (keyof typeof variants)[];
  for (const labels of LABEL_COUNTS) {
    const support = labeledSet(labels, perLabel);
    engine.encode(support.map((e) => e.text));
    const times = { off: [] as number[], on: [] as number[], calibrated: [] as number[] };
    // One unmeasured pass of each, then rotate which goes first.
    for (let r = 0; r <= runs; r++) {
      const order = names.map((_, i) => names[(i + r) % names.length]!);
      for (const name of order) {
        const t0 = performance.now();
        engine.adapt(support, { pool: document, ...variants[name] }).classify(document);
        if (r > 0) times[name].push(performance.now() - t0);
      }
    }
    const off = median(times.off);
    const on = median(times.on);
    const calibrated = median(times.calibrated);
    rows.push([
      `${labels} x ${perLabel}`,
      off.toFixed(0),
      on.toFixed(0),
      (on / off).toFixed(2),
      calibrated.toFixed(0),
      (calibrated / off).toFixed(2),
    ]);
    progress(`${labels} x ${perLabel}: off ${off.toFixed(0)} ms, on ${on.toFixed(0)} ms, calibrated ${calibrated.toFixed(0)} ms`);
  }
  engine.dispose();
  process.stdout.write(`${table(rows, 'lrrrrr')}\n`);
  process.stdout.write(
    `${DOCUMENT_LINES}-line document as pool, medians of ${runs} paired runs, load average ${os.loadavg()[0]!.toFixed(2)}\n`,
  );
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
