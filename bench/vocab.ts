// Which vocabulary size should ship? Builds the word-vector table at several sizes and measures
// file size, load time, token coverage and the accuracy of an untrained prototype classifier on
// seeded few-shot episodes of held-out intent data; then times the tokenizer and the encoder.
//
//   npm run build && node out/bench/vocab.js [--episodes 300]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sampleWithoutReplacement } from '../src/engine/episodes/prng';
import { Rng } from '../src/engine/random';
import { Encoder } from '../src/engine/features/encoder';
import { tokenize } from '../src/engine/text/tokenizer';
import { WordVectors } from '../src/engine/text/wordVectors';
import type { EncodedLines, Example } from '../src/engine/types';
import { readData, readEvalData } from './lib/workload';

const root = path.resolve(__dirname, '../..');
const SIZES = [25_000, 50_000, 100_000];
const SPEED_SIZE = 50_000;
const WAYS = 5;
const QUERIES = 15;
const episodesArg = process.argv.indexOf('--episodes');
const EPISODES = episodesArg > 0 ? Number(process.argv[episodesArg + 1]) : 300;

interface Episode {
  support: number[];
  supportLabels: number[];
  query: number[];
  queryLabels: number[];
}

function makeEpisodes(examples: Example[], shots: number, seed: number): Episode[] {
  const byLabel = new Map<string, number[]>();
  examples.forEach((e, i) => {
    byLabel.set(e.label, [...(byLabel.get(e.label) ?? []), i]);
  });
  const labels = [...byLabel.keys()].filter((l) => byLabel.get(l)!.length >= shots + QUERIES).sort();
  const rand = new Rng(seed); // same seed for every vocabulary size: same episodes
  return Array.from({ length: EPISODES }, () => {
    const ep: Episode = { support: [], supportLabels: [], query: [], queryLabels: [] };
    sampleWithoutReplacement(rand, labels, WAYS).forEach((label, c) => {
      const picked = sampleWithoutReplacement(rand, byLabel.get(label)!, shots + QUERIES);
      picked.forEach((idx, k) => {
        (k < shots ? ep.support : ep.query).push(idx);
        (k < shots ? ep.supportLabels : ep.queryLabels).push(c);
      });
    });
    return ep;
  });
}

/** Dense episode features: [word block re-centred on the episode, L2] (+ [char block]). */
function episodeFeatures(enc: EncodedLines, rows: number[], withChar: boolean): Float32Array[] {
  const d = enc.wordDim;
  const mean = new Float64Array(d);
  for (const r of rows) for (let j = 0; j < d; j++) mean[j] += enc.word[r * d + j] / rows.length;
  return rows.map((r) => {
    const f = new Float32Array(d + (withChar ? enc.charDim : 0));
    let norm = 0;
    for (let j = 0; j < d; j++) {
      f[j] = enc.word[r * d + j] - mean[j];
      norm += f[j] * f[j];
    }
    if (norm > 0) for (let j = 0; j < d; j++) f[j] /= Math.sqrt(norm);
    if (withChar) for (let t = enc.charOffsets[r]; t < enc.charOffsets[r + 1]; t++) f[d + enc.charIndex[t]] = enc.charValue[t];
    return f;
  });
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0,
    na = 0,
    nb = 0;
  for (let j = 0; j < a.length; j++) {
    dot += a[j] * b[j];
    na += a[j] * a[j];
    nb += b[j] * b[j];
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

/** Accuracy (%) of nearest class mean by cosine, mean and 95% half-width over episodes. */
function prototypeAccuracy(enc: EncodedLines, episodes: Episode[], withChar: boolean): [number, number] {
  const accs = episodes.map((ep) => {
    const feats = episodeFeatures(enc, [...ep.support, ...ep.query], withChar);
    const dim = feats[0].length;
    const protos = Array.from({ length: WAYS }, () => new Float32Array(dim));
    ep.supportLabels.forEach((c, k) => {
      feats[k].forEach((v, j) => {
        protos[c][j] += v;
      });
    });
    let correct = 0;
    ep.queryLabels.forEach((label, q) => {
      const f = feats[ep.support.length + q];
      let best = 0;
      for (let c = 1; c < WAYS; c++) if (cosine(f, protos[c]) > cosine(f, protos[best])) best = c;
      if (best === label) correct++;
    });
    return (100 * correct) / ep.query.length;
  });
  const mean = accs.reduce((a, b) => a + b, 0) / accs.length;
  const sd = Math.sqrt(accs.reduce((a, b) => a + (b - mean) ** 2, 0) / (accs.length - 1));
  return [mean, (1.96 * sd) / Math.sqrt(accs.length)];
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function timeMs(fn: () => void, runs = 5): number {
  return median(
    Array.from({ length: runs }, () => {
      const t = performance.now();
      fn();
      return performance.now() - t;
    }),
  );
}

function main(): void {
  const domains = JSON.parse(fs.readFileSync(path.join(root, 'data', 'clinc150.domains.json'), 'utf8')) as Record<string, string>;
  const heldOut = new Set(['banking', 'credit_cards', 'work']);
  const snips = readEvalData('snips.test.jsonl');
  const sets: Array<[string, Example[]]> = [
    ['CLINC held-out', readData('clinc150.test.jsonl').filter((e) => heldOut.has(domains[e.label]))],
    ...(snips ? [['SNIPS test', snips] as [string, Example[]]] : []),
  ];
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fewshot-vocab-'));
  console.log(`vocabulary sizes, ${EPISODES} seeded ${WAYS}-way episodes, ${QUERIES} queries per class; accuracy % ± 95% CI`);
  console.log('prototype on [word re-centred, L2] (+ char block); the char block is the same for every size\n');
  const header = ['N', 'file MB', 'load ms', 'token coverage'];
  for (const [name] of sets) for (const s of [1, 5]) header.push(`${name} 5w${s}s word`, `${name} 5w${s}s word+char`);
  const rows: string[][] = [];
  try {
    // Build every table first and time on a small, quiet heap; accuracy runs afterwards.
    const files = SIZES.map((size) => {
      const file = path.join(tmp, `vectors-${size}.bin`);
      execFileSync(process.execPath, [path.join(root, 'scripts/build-vectors.mjs'), '--vocab', String(size), '--out', file], {
        stdio: 'ignore',
      });
      return file;
    });
    const loadMs = files.map((file) => timeMs(() => WordVectors.load(file)));
    const speedTable = speed(WordVectors.load(files[SIZES.indexOf(SPEED_SIZE)]));
    files.forEach((file, f) => {
      const vectors = WordVectors.load(file);
      let tokens = 0,
        known = 0;
      const cells: string[] = [];
      sets.forEach(([, examples], s) => {
        for (const text of examples.map((e) => e.text))
          for (const t of tokenize(text)) {
            tokens++;
            if (vectors.indexOf(t) >= 0) known++;
          }
        const enc = new Encoder(vectors).encode(examples.map((e) => e.text));
        for (const shots of [1, 5]) {
          const episodes = makeEpisodes(examples, shots, 1000 * s + shots);
          for (const withChar of [false, true]) {
            const [acc, ci] = prototypeAccuracy(enc, episodes, withChar);
            cells.push(`${acc.toFixed(1)} ± ${ci.toFixed(1)}`);
          }
        }
      });
      rows.push([
        String(SIZES[f]),
        (fs.statSync(file).size / 1e6).toFixed(2),
        loadMs[f].toFixed(1),
        `${((100 * known) / tokens).toFixed(2)}%`,
        ...cells,
      ]);
    });
    printTable(header, rows);
    speedTable();
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Times tokenizer and encoder now; returns a function that prints the table. */
function speed(vectors: WordVectors): () => void {
  const lines = readData('clinc150.train.jsonl')
    .map((e) => e.text)
    .slice(0, 10_000);
  const avg = lines.reduce((a, l) => a + l.length, 0) / lines.length;
  const runs = (fn: () => number): number[] => Array.from({ length: 9 }, fn);
  const timed = (fn: () => void): number => {
    const t = performance.now();
    fn();
    return performance.now() - t;
  };
  let round = 0;
  const cachedEncoder = new Encoder(vectors);
  cachedEncoder.encode(lines);
  const rows: Array<[string, number[]]> = [
    ['tokenize', runs(() => timed(() => lines.forEach((l) => void tokenize(l))))],
    [
      'encode, fresh lines',
      runs(() => {
        const fresh = lines.map((l) => `${l} ${round++}`); // new texts: no cache hits
        const encoder = new Encoder(vectors);
        return timed(() => encoder.encode(fresh));
      }),
    ],
    ['encode, all cached', runs(() => timed(() => cachedEncoder.encode(lines)))],
  ];
  return () => {
    console.log(`\nspeed, ${lines.length} lines of clinc150.train (avg ${avg.toFixed(0)} chars), N = ${vectors.size}, 9 runs, one core`);
    printTable(
      ['step', 'median ms', 'min ms'],
      rows.map(([k, v]) => [k, median(v).toFixed(1), Math.min(...v).toFixed(1)]),
    );
  };
}

function printTable(header: string[], rows: string[][]): void {
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => '---').join('|')}|`);
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
}

main();
