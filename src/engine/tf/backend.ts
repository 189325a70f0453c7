// Picks the TensorFlow.js backend. Pure-JS/WASM always works; native TensorFlow and WebGPU
// are optional accelerators detected at run time (see docs/tfjs.md).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import fs from 'node:fs';
import path from 'node:path';

export type BackendChoice = 'auto' | 'wasm' | 'cpu' | 'tensorflow' | 'webgpu';
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'wasm', 'cpu', 'tensorflow', 'webgpu'];

export interface BackendSelection {
  /** The backend now active (`tf.getBackend()`). */
  name: string;
  /** Why the active backend differs from the one asked for, when it does. */
  note?: string;
}

export interface BackendOptions {
  /** Folder holding tfjs-backend-wasm's *.wasm files; else $FEWSHOT_WASM_DIR, else found near the bundle. */
  wasmDir?: string;
}

type Attempt = () => Promise<void>;

const WASM_FILE = 'tfjs-backend-wasm-simd.wasm';

/** Finds the wasm binaries: `out/wasm` next to (or above) the running bundle, else node_modules. */
export function findWasmDir(options: BackendOptions = {}): string {
  const explicit = options.wasmDir ?? process.env.FEWSHOT_WASM_DIR;
  if (explicit) {
    if (!fs.existsSync(path.join(explicit, WASM_FILE))) {
      throw new Error(`no ${WASM_FILE} in the wasm folder ${explicit}`);
    }
    return path.resolve(explicit);
  }
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    for (const candidate of [path.join(dir, 'wasm'), path.join(dir, 'out', 'wasm')]) {
      if (fs.existsSync(path.join(candidate, WASM_FILE))) return candidate;
    }
    if (path.dirname(dir) === dir) break;
  }
  try {
    return path.dirname(require.resolve(`@tensorflow/tfjs-backend-wasm/dist/${WASM_FILE}`));
  } catch {
    throw new Error(`cannot find ${WASM_FILE}: build with \`npm run build\` or set FEWSHOT_WASM_DIR`);
  }
}

async function activate(name: string): Promise<void> {
  let ok = false;
  let reason = '';
  try {
    ok = await tf.setBackend(name);
  } catch (e) {
    reason = errorText(e);
  }
  // setBackend reports failure by returning false while getBackend may still name it.
  if (!ok || tf.getBackend() !== name) throw new Error(reason || `backend '${name}' failed to initialise`);
  await tf.ready();
}

function errorText(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split('\n')[0];
}

async function loadWasm(options: BackendOptions): Promise<void> {
  setWasmPaths(findWasmDir(options) + path.sep);
  await activate('wasm');
}

/** Loads the native TensorFlow binding; `gpuOnly` skips the CPU build. */
async function loadTensorflow(gpuOnly: boolean): Promise<void> {
  const modules = gpuOnly ? ['@tensorflow/tfjs-node-gpu'] : ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'];
  const failures: string[] = [];
  for (const m of modules) {
    try {
      // Kept external by the bundler; registers the 'tensorflow' backend in the shared engine.
      require(m);
      await activate('tensorflow');
      return;
    } catch (e) {
      failures.push(`${m}: ${errorText(e)}`);
    }
  }
  throw new Error(`native TensorFlow is not available (${failures.join('; ')})`);
}

/** Dawn needs the Vulkan loader on Linux; without it, it only prints native warnings and finds nothing. */
function vulkanLoaderMissing(): boolean {
  if (process.platform !== 'linux') return false;
  const dirs = [
    ...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean),
    '/usr/lib/x86_64-linux-gnu',
    '/usr/lib/aarch64-linux-gnu',
    '/lib/x86_64-linux-gnu',
    '/lib/aarch64-linux-gnu',
    '/usr/lib64',
    '/usr/lib',
    '/usr/local/lib',
  ];
  return !dirs.some((d) => fs.existsSync(path.join(d, 'libvulkan.so.1')));
}

async function loadWebgpu(): Promise<void> {
  if (vulkanLoaderMissing()) throw new Error('no WebGPU adapter found (no Vulkan loader, libvulkan.so.1, on this machine)');
  let gpu: { requestAdapter(): Promise<unknown> };
  try {
    // The `webgpu` package is ESM (Dawn for Node) and optional.
    const dawn = (await import('webgpu')) as unknown as { create(o: string[]): typeof gpu; globals: object };
    Object.assign(globalThis, dawn.globals);
    gpu = dawn.create([]);
  } catch (e) {
    throw new Error(`the webgpu package could not be loaded (${errorText(e)})`);
  }
  const adapter = await gpu.requestAdapter();
  if (!adapter) throw new Error('no WebGPU adapter found (no GPU or no Vulkan/Metal/D3D driver)');
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (g.navigator) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  // Registers the backend only when navigator.gpu exists, so it is loaded after the set-up.
  require('@tensorflow/tfjs-backend-webgpu');
  await activate('webgpu');
}

/**
 * Activates a backend. A choice that cannot load falls back (GPU -> wasm -> cpu); the message
 * goes to `log` and into `note`. The backend returned is always the active one.
 */
export async function selectBackend(
  choice: BackendChoice,
  log: (message: string) => void = () => {},
  options: BackendOptions = {},
): Promise<BackendSelection> {
  if (!BACKEND_CHOICES.includes(choice)) {
    throw new Error(`unknown backend '${String(choice)}' (expected one of ${BACKEND_CHOICES.join(', ')})`);
  }
  // Production mode: no debug checks, and no console banner suggesting tfjs-node.
  tf.enableProdMode();
  const attempts: Array<[string, Attempt]> = [];
  if (choice === 'auto') {
    attempts.push(['tensorflow', () => loadTensorflow(true)], ['webgpu', loadWebgpu]);
  } else if (choice === 'tensorflow') {
    attempts.push(['tensorflow', () => loadTensorflow(false)]);
  } else if (choice === 'webgpu') {
    attempts.push(['webgpu', loadWebgpu]);
  }
  if (choice !== 'cpu') attempts.push(['wasm', () => loadWasm(options)]);
  attempts.push(['cpu', () => activate('cpu')]);

  const failures: string[] = [];
  for (const [name, attempt] of attempts) {
    try {
      await attempt();
    } catch (e) {
      failures.push(`${name}: ${errorText(e)}`);
      continue;
    }
    if (failures.length === 0) return { name: tf.getBackend() };
    const note =
      `backend '${choice}' ${choice === 'auto' ? 'found no GPU backend' : 'is unavailable'} ` + `(${failures.join('; ')}); using ${name}`;
    log(note);
    return { name: tf.getBackend(), note };
  }
  throw new Error(`no TensorFlow.js backend could be loaded (${failures.join('; ')})`);
}
