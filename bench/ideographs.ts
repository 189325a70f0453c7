// What the ideograph block (src/engine/text/ideographs.ts) adds to encoding: the engine's encoder
// attaches it to every batch (not cached), so lines without Han or kana must stay cheap. Encodes
// 10,000 fresh English lines and the 1,440 Chinese lines of zh-classics with the block off and on,
// alternating in one process: every line fresh (cache off), and every line in the cache (the
// block is not cached, so its share is largest there).
//
//   npm run build && node out/bench/ideographs.js [--runs N]
import path from 'node:path';
import { Encoder } from '../src/engine/features/encoder';
import { packageRootFrom } from '../src/engine/packageRoot';
import { IDEOGRAPH_BUCKETS } from '../src/engine/text/ideographs';
import { WordVectors } from '../src/engine/text/wordVectors';
import { table } from './lib/report';
import { summarizeTimes } from './lib/stats';
import { readData } from './lib/workload';

const runsAt = process.argv.indexOf('--runs');
const runs = runsAt >= 0 ? Number(process.argv[runsAt + 1]) : 9;
const vectors = WordVectors.load(path.join(packageRootFrom(__dirname), 'models', 'vectors.bin'));
const sets = [
  ['clinc150.train (English), 10,000 lines', readData('clinc150.train.jsonl').slice(0, 10_000)],
  ['zh-classics (Chinese), 1,440 lines', readData('zh-classics.jsonl')],
] as const;
const rows = [['lines', 'cache', 'block off: median ms', 'block on: median ms', 'ratio']];
for (const [name, examples] of sets) {
  const texts = examples.map((e) => e.text);
  for (const cached of [false, true]) {
    const times = { off: [] as number[], on: [] as number[] };
    for (let r = 0; r < runs; r++) {
      for (const mode of ['off', 'on'] as const) {
        const ideographBuckets = mode === 'on' ? IDEOGRAPH_BUCKETS : 0;
        const encoder = new Encoder(vectors, { cacheSize: cached ? texts.length : 0, ideographBuckets });
        if (cached) encoder.encode(texts);
        const t = performance.now();
        encoder.encode(texts);
        times[mode].push(performance.now() - t);
      }
    }
    const off = summarizeTimes(times.off).median;
    const on = summarizeTimes(times.on).median;
    rows.push([name, cached ? 'all cached' : 'all fresh', off.toFixed(1), on.toFixed(1), (on / off).toFixed(2)]);
  }
}
console.log(table(rows, 'llrrr'));
