// What the abstention rule costs as the labels grow (src/engine/abstention/mode.ts lifts `auto`'s
// label limit only where this was measured): adapt `default` with a 10,000-line document as pool
// and classify every line, with the rule off and on, paired within each run (same support, same
// document, alternating order), for 8 to 77 labels of 10 labeled lines (CLINC150 intents, as the
// many-labels rows of `npm run bench`). Prints medians in ms and the ratio on/off.
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
  const rows = [['labels x lines', 'off: adapt + classify (ms)', 'on: adapt + classify (ms)', 'on / off']];
  for (const labels of LABEL_COUNTS) {
    const support = labeledSet(labels, perLabel);
    engine.encode(support.map((e) => e.text));
    const times = { off: [] as number[], on: [] as number[] };
    // One unmeasured pass of each, then alternate which goes first.
    for (let r = 0; r <= runs; r++) {
      const order = r % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const);
      for (const abstain of order) {
        const t0 = performance.now();
        engine.adapt(support, { pool: document, abstain }).classify(document);
        if (r > 0) times[abstain].push(performance.now() - t0);
      }
    }
    const off = median(times.off);
    const on = median(times.on);
    rows.push([`${labels} x ${perLabel}`, off.toFixed(0), on.toFixed(0), (on / off).toFixed(2)]);
    progress(`${labels} x ${perLabel}: off ${off.toFixed(0)} ms, on ${on.toFixed(0)} ms`);
  }
  engine.dispose();
  process.stdout.write(`${table(rows, 'lrrr')}\n`);
  process.stdout.write(
    `${DOCUMENT_LINES}-line document as pool, medians of ${runs} paired runs, load average ${os.loadavg()[0]!.toFixed(2)}\n`,
  );
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
