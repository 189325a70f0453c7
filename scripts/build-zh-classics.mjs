#!/usr/bin/env node
// Rebuilds data/zh-classics.jsonl, the Chinese evaluation set: lines of classical Chinese works
// labelled by the work they come from, read from the chinese-poetry npm package (MIT).
//
//   mkdir -p /tmp/zh && cd /tmp/zh && npm pack chinese-poetry@2.0.1 && tar xzf chinese-poetry-2.0.1.tgz
//   node scripts/build-zh-classics.mjs /tmp/zh/package [--out data/zh-classics.jsonl]
//
// Only works the package stores in simplified characters are used: mixing in the works it keeps in
// traditional characters would let a classifier tell them apart by script alone. Each class keeps
// LINES_PER_CLASS lines of 8-80 characters, evenly spaced over the work (deterministic: the same
// package gives the same bytes).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const LINES_PER_CLASS = 160;
const MIN_CHARS = 8;
const MAX_CHARS = 80;

const args = process.argv.slice(2);
const outAt = args.indexOf('--out');
const out = outAt >= 0 ? args[outAt + 1] : 'data/zh-classics.jsonl';
const root = args.find((a, i) => !a.startsWith('--') && (outAt < 0 || i !== outAt + 1));
if (!root) {
  console.error('usage: node scripts/build-zh-classics.mjs <unpacked chinese-poetry package folder> [--out FILE]');
  process.exit(2);
}

const read = (file) => JSON.parse(readFileSync(path.join(root, 'dist', file), 'utf8'));
/** Lines of a list of entries: the field that holds each entry's text lines. */
const linesOf = (entries, field) => entries.flatMap((e) => (Array.isArray(e[field]) ? e[field] : [e[field]]));

const works = {
  论语: () => linesOf(read('lunyu/lunyu.json'), 'paragraphs'),
  诗经: () => linesOf(read('shijing/shijing.json'), 'content'),
  楚辞: () => linesOf(read('chuci/chuci.json'), 'content'),
  宋词: () => ['ci.song.0.json', 'ci.song.1000.json', 'ci.song.2000.json'].flatMap((f) => linesOf(read(`songci/${f}`), 'paragraphs')),
  元曲: () => linesOf(read('yuanqu/yuanqu.json'), 'paragraphs'),
  幽梦影: () => linesOf(read('youmengying/youmengying.json'), 'content'),
  曹操诗集: () => linesOf(read('caocaoshiji/caocao.json'), 'paragraphs'),
  纳兰性德词: () => linesOf(read('nalanxingde/纳兰性德诗集.json'), 'para'),
  花间集: () => [1, 2, 3, 4, 5, 6, 7, 8].flatMap((j) => linesOf(read(`wudaishici/huajianji/huajianji-${j}-juan.json`), 'paragraphs')),
};

const rows = [];
for (const [label, load] of Object.entries(works)) {
  const seen = new Set();
  const lines = [];
  for (const raw of load()) {
    const text = typeof raw === 'string' ? raw.replace(/\s+/g, ' ').trim() : '';
    const chars = [...text].length;
    if (chars < MIN_CHARS || chars > MAX_CHARS || seen.has(text)) continue;
    seen.add(text);
    lines.push(text);
  }
  const take = Math.min(LINES_PER_CLASS, lines.length);
  for (let i = 0; i < take; i++) rows.push({ text: lines[Math.floor((i * lines.length) / take)], label });
  console.error(`${label}: ${take} of ${lines.length} lines`);
}
writeFileSync(out, `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
console.error(`${out}: ${rows.length} lines`);
