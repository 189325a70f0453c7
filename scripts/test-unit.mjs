// Runs every unit-test bundle in its own mocha process (two at a time). Each test file is its own
// esbuild bundle with its own copy of TensorFlow.js, and tfjs keeps its backend and gradient
// registries on globalThis: files sharing a process would share (and fight over) them.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const mocha = path.join(root, 'node_modules', 'mocha', 'bin', 'mocha.js');
const filter = process.argv.slice(2);

function walk(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : p.endsWith('.test.js') ? [p] : [];
  });
}

const files = walk(path.join(root, 'out', 'test'))
  .sort()
  .filter((f) => filter.length === 0 || filter.some((s) => f.includes(s)));
if (files.length === 0) {
  console.error('test-unit: no test bundles under out/test (run `npm run build` first)');
  process.exit(1);
}

function run(file) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [mocha, '--no-config', '--forbid-only', '--timeout', '120000', '--reporter', 'spec', file], {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: '0' },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ file, code, out }));
  });
}

const jobs = Math.max(1, Math.min(2, os.cpus().length));
const results = new Array(files.length);
let next = 0;
let printed = 0;
const flush = () => {
  while (printed < files.length && results[printed]) {
    const r = results[printed++];
    process.stdout.write(`\n# ${path.relative(root, r.file)}\n${r.out}`);
  }
};
await Promise.all(
  Array.from({ length: jobs }, async () => {
    while (next < files.length) {
      const i = next++;
      results[i] = await run(files[i]);
      flush();
    }
  }),
);

const count = (out, word) => Number(out.match(new RegExp(`(\\d+) ${word}`))?.[1] ?? 0);
let passed = 0;
let failed = 0;
let pending = 0;
const broken = [];
for (const r of results) {
  passed += count(r.out, 'passing');
  failed += count(r.out, 'failing');
  pending += count(r.out, 'pending');
  if (r.code !== 0) broken.push(path.relative(root, r.file));
}
if (broken.length) console.log(`\nfailed files: ${broken.join(', ')}`);
if (pending) console.log(`pending: ${pending} (a pending test is a failure here)`);
console.log(`\nunit: ${passed} passed, ${failed + (broken.length && failed === 0 ? broken.length : 0)} failed`);
process.exit(broken.length || pending ? 1 : 0);
