// Cost of the sentence block (src/engine/sentence): one thread, the wasm backend unless told.
//   sentence_load_ms       SentenceEncoder.load (model files -> graph model), first in this process
//   sentence_lines_per_s   2,000 distinct short lines (CLINC150 queries), one embed call, fresh caches
//   sentence_rss_mb        peak RSS of this process after the runs
//
//   npm run bench:sentence [-- --runs N] [-- --lines N] [-- --backend wasm|cpu] [-- --json]
//
// Each run gets a fresh encoder (no cached vectors) and different lines; the table gives the median.
import os from 'node:os';
import { SentenceEncoder } from '../src/engine/sentence/encoder';
import { selectBackend, type BackendChoice } from '../src/engine/tf/backend';
import { Rng } from '../src/engine/random';
import { shuffle } from '../src/engine/episodes/prng';
import { readData } from './lib/workload';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const progress = (message: string) => process.stderr.write(`bench:sentence: ${message}\n`);

async function main(): Promise<void> {
  const runs = Number(arg('runs', '3'));
  const count = Number(arg('lines', '2000'));
  const backend = await selectBackend(arg('backend', 'wasm') as BackendChoice, progress);
  const texts = shuffle(new Rng(1), [
    ...new Set(['clinc150.train.jsonl', 'clinc150.test.jsonl'].flatMap((f) => readData(f).map((e) => e.text))),
  ]);
  if (texts.length < count * runs) throw new Error(`only ${texts.length} distinct lines for ${runs} runs of ${count}`);
  const loadMs: number[] = [];
  const perS: number[] = [];
  let pieces = 0;
  for (let r = 0; r < runs; r++) {
    const started = performance.now();
    const encoder = await SentenceEncoder.load();
    await encoder.prepare();
    loadMs.push(performance.now() - started);
    const lines = texts.slice(r * count, (r + 1) * count);
    pieces = lines.reduce((s, t) => s + encoder.pieces(t).length, 0) / lines.length;
    const t0 = performance.now();
    await encoder.embed(lines);
    perS.push(count / ((performance.now() - t0) / 1000));
    encoder.dispose();
    progress(`run ${r + 1}/${runs}: ${perS[r]?.toFixed(0)} lines/s`);
  }
  const result = {
    backend: backend.name,
    // Other processes skew every figure on a small machine: the load average goes into the report.
    load_average: Math.round(os.loadavg()[0]! * 100) / 100,
    lines: count,
    runs,
    mean_pieces_per_line: Math.round(pieces * 10) / 10,
    sentence_load_ms: Math.round(median(loadMs)),
    sentence_lines_per_s: Math.round(median(perS)),
    sentence_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(result));
    return;
  }
  console.log(
    `sentence block, ${result.backend}, one thread, ${count} short lines (${result.mean_pieces_per_line} pieces each), median of ${runs}`,
  );
  console.log('| measurement | value |\n| --- | --- |');
  console.log(`| sentence_lines_per_s | ${result.sentence_lines_per_s} |`);
  console.log(`| sentence_load_ms | ${result.sentence_load_ms} |`);
  console.log(`| sentence_rss_mb (peak) | ${result.sentence_rss_mb} |`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
