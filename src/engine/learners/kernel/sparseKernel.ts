// The two products a linear head spends nearly all its time in, on feature rows kept in the
// FeatureView's form (a dense word block and a sparse char block per row):
//   spmm:  every row's scores against a class table (forward pass; classification)
//   spmmT: the table's gradient from per-row residuals (backward pass)
// They run in WebAssembly SIMD (sparseProduct.wat) where the runtime has it (Node 20 and VS Code's
// Electron do), else in plain JS over the same memory layout; the two agree to float rounding
// (tested). docs/scaling.md has the measured difference.
//
// A large product is split by rows into two parts; a helper thread sharing the WebAssembly memory
// runs the second while the calling thread runs the first. The split depends on the product's size
// only, and the parts' partial sums are added in a fixed order, so the results are the same with
// or without the helper, on any machine (the calling thread runs a part the helper has not taken).
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import sparseProduct from './sparseProduct.wat';

export type KernelKind = 'wasm-simd' | 'js';

/** Rows as both EncodedLines and SparseRows carry them. */
export interface KernelRows {
  n: number;
  wordDim: number;
  word: Float32Array;
  charOffsets: Int32Array;
  charIndex: Int32Array;
  charValue: Float32Array;
}

/** A run of floats in kernel memory. */
export interface Slot {
  readonly ptr: number;
  readonly length: number;
}

/** Rows copied into kernel memory (byte offsets). */
export interface PlacedRows {
  readonly n: number;
  readonly wordDim: number;
  readonly word: number;
  readonly offsets: number;
  readonly index: number;
  readonly value: number;
  /** Stored char entries of all the rows. */
  readonly nnz: number;
}

type Product = (n: number, wd: number, cp: number, word: number, off: number, idx: number, val: number, table: number, out: number) => void;
type ScaledProduct = (
  n: number,
  wd: number,
  cp: number,
  word: number,
  off: number,
  idx: number,
  val: number,
  wordScale: number,
  charScale: number,
  table: number,
  out: number,
) => void;

type ScoreRows = (
  n: number,
  wd: number,
  cp: number,
  word: number,
  off: number,
  idx: number,
  val: number,
  table: number,
  out: number,
  outStride: number,
  constants: number,
  scratch: number,
) => void;

type Summarize = (n: number, P: number, Z: number, temperatureAt: number, best: number, sums: number, ents: number) => void;

type SoftmaxResidual = (
  n: number,
  cp: number,
  z: number,
  bias: number,
  wMu: number,
  scale: number,
  label: number,
  weight: number,
  gMu: number,
  gB: number,
) => void;
type Descend = (
  wd: number,
  cd: number,
  cp: number,
  T: number,
  G: number,
  mu: number,
  gMu: number,
  wMu: number,
  decay: number,
  lr: number,
) => void;

/** The kernel's exports (sparseProduct.wat documents each). */
interface Exec {
  readonly kind: KernelKind;
  buffer(): ArrayBufferLike;
  /** Makes the memory at least `bytes` long (views taken before are then invalid). */
  reserve(bytes: number): void;
  spmm: ScaledProduct;
  spmmT: Product;
  scoreRows: ScoreRows;
  summarize: Summarize;
  softmaxResidual: SoftmaxResidual;
  descend: Descend;
  addInto: (dst: number, src: number, count: number) => void;
  transpose: (src: number, srcStride: number, rows: number, cols: number, dst: number, dstStride: number) => void;
  rowDots: (src: number, srcStride: number, rows: number, cols: number, vec: number, out: number) => void;
  /** Zeroes `bytes` bytes from `ptr` (a memset: filling a view of shared memory from JS is slower). */
  zero: (ptr: number, bytes: number) => void;
  /** The helper thread that runs one part of a split product, when there is one (see Helper). */
  helper(): Helper | undefined;
  /** Stops the helper thread, if any. */
  close(): void;
}

/** Bytes of the view constants scoreRows reads (KernelScope.viewConstants writes them). */
const VIEW_CONSTANTS_BYTES = 48;
/** Added under the square root of a block's squared norm (FeatureView's). */
const EPS = 1e-8;

/** A residual whose magnitude is at most this is left out of the backward pass (set to zero). */
export const NEGLIGIBLE = 1e-6;
/** The bias of a padding class: probability zero. */
export const PAD_BIAS = -1e30;

/** Classes padded to the kernel's group width. */
export function paddedClasses(nClasses: number): number {
  return Math.ceil(nClasses / 4) * 4;
}

const PAGE = 65536;

/** An export of the kernel, checked to be a function of `arity` parameters (the module is ours, but a bad build should fail loudly). */
function exported(instance: WebAssembly.Instance, name: string, arity: number): (...args: number[]) => void {
  const f = instance.exports[name];
  if (typeof f !== 'function' || f.length !== arity) throw new Error(`sparseProduct.wat: no export ${name} of ${arity} parameters`);
  return f as (...args: number[]) => void;
}

/** The memory's limit in pages (4 GiB): a shared memory is declared with one. */
const MAX_PAGES = 65536;

function wasmExec(module: WebAssembly.Module): Exec {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  // Started at the first split product: a small job never pays for a thread.
  let helper: Helper | undefined | null = threads ? undefined : null;
  return {
    kind: 'wasm-simd',
    buffer: () => memory.buffer,
    reserve(bytes) {
      const have = memory.buffer.byteLength;
      if (bytes <= have) return;
      // Grow by at least half again: fewer, larger grows.
      memory.grow(Math.max(Math.ceil((bytes - have) / PAGE), Math.ceil(have / PAGE / 2)));
    },
    spmm: exported(instance, 'spmm', 11),
    spmmT: exported(instance, 'spmmT', 9),
    scoreRows: exported(instance, 'scoreRows', 12),
    summarize: exported(instance, 'summarize', 7),
    softmaxResidual: exported(instance, 'softmaxResidual', 10),
    descend: exported(instance, 'descend', 10),
    addInto: exported(instance, 'addInto', 3),
    zero: exported(instance, 'zero', 2),
    transpose: exported(instance, 'transpose', 6),
    rowDots: exported(instance, 'rowDots', 6),
    helper() {
      if (helper === undefined) helper = startHelper(module, memory) ?? null;
      return helper ?? undefined;
    },
    close: () => helper?.close(),
  };
}

// The helper thread. It waits on a control block at the start of the shared memory (bytes
// CONTROL..CONTROL+128, below the first allocation) for a posted job: a function of the kernel and
// its arguments. A job is claimed by compare-and-swap, by the helper or by the thread that posted
// it once that thread has run its own part, so a helper that is still starting, busy or gone costs
// nothing but its part's time on the calling thread.
// Both threads look for what they wait on for a while (SPIN_MS) before they sleep: the jobs of a
// fit come a fraction of a millisecond apart, and a sleeping thread takes tens of microseconds to
// wake, each time. A sleeper says so (HELPER_ASLEEP, CALLER_ASLEEP), and only then is it woken.
const CONTROL = 16;
const POSTED = 0;
const CLAIMED = 1;
const DONE = 2;
const FN = 3;
const NARGS = 4;
const HELPER_ASLEEP = 5;
const CALLER_ASLEEP = 6;
/** The last job whose run threw on the helper (the caller then runs that part itself). */
const FAILED = 7;
const ARGS = 8;
const CONTROL_INTS = 32;
const SPIN_MS = 2;
/** The functions a helper runs, by index (the job's FN). */
const HELPER_FUNCTIONS = ['spmm', 'spmmT', 'scoreRows', 'summarize', 'softmaxResidual'] as const;
type HelperFunction = (typeof HELPER_FUNCTIONS)[number];

const HELPER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, control } = workerData;
const kernel = new WebAssembly.Instance(module, { env: { memory } }).exports;
const fns = ${JSON.stringify(HELPER_FUNCTIONS)}.map((name) => kernel[name]);
const c = new Int32Array(memory.buffer, control, ${CONTROL_INTS});
let seen = Atomics.load(c, ${POSTED});
for (;;) {
  let job = Atomics.load(c, ${POSTED});
  for (let until = performance.now() + ${SPIN_MS}, k = 0; job === seen; k++) {
    if ((k & 1023) === 0 && performance.now() > until) break;
    job = Atomics.load(c, ${POSTED});
  }
  if (job === seen) {
    Atomics.store(c, ${HELPER_ASLEEP}, 1);
    Atomics.wait(c, ${POSTED}, seen);
    Atomics.store(c, ${HELPER_ASLEEP}, 0);
    continue;
  }
  seen = job;
  if (c[${FN}] < 0) break;
  if (Atomics.compareExchange(c, ${CLAIMED}, (job - 1) | 0, job) !== ((job - 1) | 0)) continue;
  const args = Array.from(c.subarray(${ARGS}, ${ARGS} + c[${NARGS}]));
  try {
    fns[c[${FN}]](...args);
  } catch {
    Atomics.store(c, ${FAILED}, job);
  }
  Atomics.store(c, ${DONE}, job);
  if (Atomics.load(c, ${CALLER_ASLEEP})) Atomics.notify(c, ${DONE});
}
`;

interface Helper {
  /** Posts fn(...args) for the helper; `finish` must follow before the next post. */
  post(fn: HelperFunction, args: number[]): void;
  /**
   * Returns once the posted job has run: on the helper, or here (`run`) if the helper has not taken
   * it or its run threw there (so that the error, if it is one, is thrown here).
   */
  finish(run: () => void): void;
  close(): void;
}

function startHelper(module: WebAssembly.Module, memory: WebAssembly.Memory): Helper | undefined {
  let worker: Worker;
  try {
    worker = new Worker(HELPER_SOURCE, { eval: true, workerData: { module, memory, control: CONTROL } });
  } catch {
    return undefined;
  }
  // The helper never keeps the process alive, and a helper that fails leaves every part to the
  // calling thread (its jobs are never claimed).
  worker.unref();
  worker.on('error', () => {});
  const c = new Int32Array(memory.buffer, CONTROL, CONTROL_INTS);
  let job = Atomics.load(c, POSTED);
  return {
    post(fn, args) {
      c[FN] = HELPER_FUNCTIONS.indexOf(fn);
      c[NARGS] = args.length;
      for (let k = 0; k < args.length; k++) c[ARGS + k] = args[k];
      job = (job + 1) | 0;
      Atomics.store(c, POSTED, job);
      if (Atomics.load(c, HELPER_ASLEEP)) Atomics.notify(c, POSTED);
    },
    finish(run) {
      const previous = (job - 1) | 0;
      if (Atomics.compareExchange(c, CLAIMED, previous, job) === previous) {
        run();
        return;
      }
      partsOnHelper++;
      for (let until = performance.now() + SPIN_MS, k = 0; Atomics.load(c, DONE) !== job; k++) {
        if ((k & 1023) === 0 && performance.now() > until) break;
      }
      Atomics.store(c, CALLER_ASLEEP, 1);
      for (;;) {
        const done = Atomics.load(c, DONE);
        if (done === job) break;
        Atomics.wait(c, DONE, done);
      }
      Atomics.store(c, CALLER_ASLEEP, 0);
      if (Atomics.load(c, FAILED) === job) run();
    },
    close() {
      c[FN] = -1;
      Atomics.store(c, POSTED, (job + 1) | 0);
      Atomics.notify(c, POSTED);
      void worker.terminate();
    },
  };
}

/** Second parts the helper ran (kernelThreadStats). */
let partsOnHelper = 0;

/** How many second parts of split products the helper thread has run in this process (for tests and the bench). */
export function kernelThreadStats(): { partsOnHelper: number } {
  return { partsOnHelper };
}

/** Whether products may use a helper thread (useKernelThreads). */
let threads = (os.availableParallelism?.() ?? os.cpus().length) > 1;

/** The same products in plain JS, on the same layout (pointers are byte offsets into one buffer). */
function jsExec(): Exec {
  let buffer = new ArrayBuffer(PAGE);
  let f32 = new Float32Array(buffer);
  let i32 = new Int32Array(buffer);
  return {
    kind: 'js',
    buffer: () => buffer,
    reserve(bytes) {
      if (bytes <= buffer.byteLength) return;
      const next = new ArrayBuffer(Math.max(Math.ceil(bytes / PAGE), Math.ceil((buffer.byteLength * 1.5) / PAGE)) * PAGE);
      new Uint8Array(next).set(new Uint8Array(buffer));
      buffer = next;
      f32 = new Float32Array(buffer);
      i32 = new Int32Array(buffer);
    },
    spmm(n, wd, cp, word, off, idx, val, wordScale, charScale, table, out) {
      const T = table >> 2;
      const charT = T + wd * cp;
      for (let i = 0; i < n; i++) {
        const o = (out >> 2) + i * cp;
        for (let c = 0; c < cp; c++) f32[o + c] = 0;
        const x = (word >> 2) + i * wd;
        const ws = wordScale ? f32[(wordScale >> 2) + i] : 1;
        const cs = charScale ? f32[(charScale >> 2) + i] : 1;
        for (let j = 0; j < wd; j++) {
          const v = ws * f32[x + j];
          const t = T + j * cp;
          for (let c = 0; c < cp; c++) f32[o + c] += v * f32[t + c];
        }
        const end = i32[(off >> 2) + i + 1];
        for (let q = i32[(off >> 2) + i]; q < end; q++) {
          const v = cs * f32[(val >> 2) + q];
          const t = charT + i32[(idx >> 2) + q] * cp;
          for (let c = 0; c < cp; c++) f32[o + c] += v * f32[t + c];
        }
      }
    },
    summarize(n, P, Z, temperatureAt, best, sums, ents) {
      const temperature = f32[temperatureAt >> 2];
      for (let i = 0; i < n; i++) {
        const o = (Z >> 2) + i * P;
        let max = -Infinity;
        let b = -1;
        let bad = false;
        for (let c = 0; c < P; c++) {
          const v = f32[o + c];
          if (Number.isNaN(v) || v === Infinity) bad = true;
          else if (v > max) {
            max = v;
            b = c;
          }
        }
        i32[(best >> 2) + i] = b;
        let S = Number.NaN;
        let E = Number.NaN;
        if (!bad && b >= 0) {
          S = 0;
          E = 0;
          for (let c = 0; c < P; c++) {
            const t = temperature * f32[o + c] - temperature * max;
            if (t <= -87) continue;
            const e = Math.exp(t);
            S += e;
            E += e * t;
          }
        }
        f32[(sums >> 2) + i] = S;
        f32[(ents >> 2) + i] = E;
      }
    },
    scoreRows(n, wd, cp, word, off, idx, val, table, out, outStride, constants, scratch) {
      const k = new DataView(buffer, constants, VIEW_CONSTANTS_BYTES);
      const cw = k.getInt32(0, true) >> 2;
      const u = k.getInt32(4, true) >> 2;
      const mu = k.getInt32(8, true) >> 2;
      const wU = k.getInt32(12, true) >> 2;
      const wMu = k.getInt32(16, true) >> 2;
      const b = k.getInt32(20, true) >> 2;
      const sWord = k.getFloat32(24, true);
      const sChar = k.getFloat32(28, true);
      const muSq = k.getFloat64(32, true);
      const uSq = k.getFloat64(40, true);
      const s = scratch >> 2;
      const one = new Float32Array(2);
      for (let i = 0; i < n; i++) {
        const x = (word >> 2) + i * wd;
        let d2 = 0;
        let a = 0;
        for (let j = 0; j < wd; j++) {
          const d = f32[x + j] - f32[cw + j];
          f32[s + j] = d;
          d2 += d * d;
          if (u) a += d * f32[u + j];
        }
        one[0] = sWord / Math.sqrt(Math.max(d2 - 2 * a * a + a * a * uSq, 0) + EPS);
        const begin = i32[(off >> 2) + i];
        const end = i32[(off >> 2) + i + 1];
        let xsq = 0;
        let xmu = 0;
        for (let q = begin; q < end; q++) {
          const v = f32[(val >> 2) + q];
          xsq += v * v;
          xmu += v * f32[mu + i32[(idx >> 2) + q]];
        }
        one[1] = sChar / Math.sqrt(Math.max(xsq - 2 * xmu + muSq, 0) + EPS);
        const ws = one[0];
        const cs = one[1];
        const o = (out >> 2) + i * outStride;
        for (let c = 0; c < cp; c++) f32[o + c] = 0;
        for (let j = 0; j < wd; j++) {
          const v = f32[s + j];
          const t = (table >> 2) + j * cp;
          for (let c = 0; c < cp; c++) f32[o + c] += v * f32[t + c];
        }
        for (let c = 0; c < cp; c++) f32[o + c] *= ws;
        const charT = (table >> 2) + wd * cp;
        for (let q = begin; q < end; q++) {
          const v = cs * f32[(val >> 2) + q];
          const t = charT + i32[(idx >> 2) + q] * cp;
          for (let c = 0; c < cp; c++) f32[o + c] += v * f32[t + c];
        }
        for (let c = 0; c < cp; c++) f32[o + c] = f32[o + c] - ws * a * f32[wU + c] - cs * f32[wMu + c] + f32[b + c];
      }
    },
    spmmT(n, wd, cp, word, off, idx, val, residuals, grad) {
      const G = grad >> 2;
      const charG = G + wd * cp;
      for (let i = 0; i < n; i++) {
        const r = (residuals >> 2) + i * cp;
        let any = false;
        for (let c = 0; c < cp && !any; c++) any = f32[r + c] !== 0;
        if (!any) continue;
        const x = (word >> 2) + i * wd;
        for (let j = 0; j < wd; j++) {
          const v = f32[x + j];
          const g = G + j * cp;
          for (let c = 0; c < cp; c++) f32[g + c] += v * f32[r + c];
        }
        const end = i32[(off >> 2) + i + 1];
        for (let q = i32[(off >> 2) + i]; q < end; q++) {
          const v = f32[(val >> 2) + q];
          const g = charG + i32[(idx >> 2) + q] * cp;
          for (let c = 0; c < cp; c++) f32[g + c] += v * f32[r + c];
        }
      }
    },
    softmaxResidual(n, cp, z, bias, wMu, scale, label, weight, gMu, gB) {
      const e = new Float64Array(cp);
      for (let i = 0; i < n; i++) {
        const o = (z >> 2) + i * cp;
        const sc = f32[(scale >> 2) + i];
        let max = -Infinity;
        for (let c = 0; c < cp; c++) {
          e[c] = f32[o + c] + f32[(bias >> 2) + c] - sc * f32[(wMu >> 2) + c];
          max = Math.max(max, e[c]);
        }
        let sum = 0;
        for (let c = 0; c < cp; c++) {
          e[c] = Math.exp(e[c] - max);
          sum += e[c];
        }
        const w = f32[(weight >> 2) + i];
        const y = i32[(label >> 2) + i];
        for (let c = 0; c < cp; c++) {
          const r = e[c] / sum - (c === y ? 1 : 0);
          const g = r > NEGLIGIBLE || r < -NEGLIGIBLE ? w * r : 0;
          f32[o + c] = g;
          f32[(gMu >> 2) + c] += sc * g;
          f32[(gB >> 2) + c] += g;
        }
      }
    },
    addInto(dst, src, count) {
      for (let k = 0; k < count; k++) {
        f32[(dst >> 2) + k] += f32[(src >> 2) + k];
        f32[(src >> 2) + k] = 0;
      }
    },
    zero(ptr, bytes) {
      new Uint8Array(buffer, ptr, bytes).fill(0);
    },
    transpose(src, srcStride, rows, cols, dst, dstStride) {
      for (let i = 0; i < rows; i++)
        for (let j = 0; j < cols; j++) f32[(dst >> 2) + j * dstStride + i] = f32[(src >> 2) + i * srcStride + j];
    },
    rowDots(src, srcStride, rows, cols, vec, out) {
      for (let i = 0; i < rows; i++) {
        let acc = 0;
        for (let j = 0; j < cols; j++) acc += f32[(src >> 2) + i * srcStride + j] * f32[(vec >> 2) + j];
        f32[(out >> 2) + i] = acc;
      }
    },
    helper: () => undefined,
    close() {},
    descend(wd, cd, cp, T, G, mu, gMu, wMu, decay, lr) {
      for (let q = 0; q < wd * cp; q++) f32[(T >> 2) + q] = decay * f32[(T >> 2) + q] - lr * f32[(G >> 2) + q];
      for (let c = 0; c < cp; c++) f32[(wMu >> 2) + c] = 0;
      for (let k = 0; k < cd; k++) {
        const m = f32[(mu >> 2) + k];
        const o = (wd + k) * cp;
        for (let c = 0; c < cp; c++) {
          const v = decay * f32[(T >> 2) + o + c] - lr * (f32[(G >> 2) + o + c] - m * f32[(gMu >> 2) + c]);
          f32[(T >> 2) + o + c] = v;
          f32[(wMu >> 2) + c] += m * v;
        }
      }
    },
  };
}

let compiled: WebAssembly.Module | undefined | null;
function simdModule(): WebAssembly.Module | undefined {
  if (compiled === undefined) {
    // null: this runtime has no WebAssembly SIMD or no shared memory; the JS products serve instead.
    compiled =
      typeof WebAssembly === 'object' && WebAssembly.validate(sparseProduct) && canShareMemory()
        ? new WebAssembly.Module(sparseProduct)
        : null;
  }
  return compiled ?? undefined;
}

/** Whether this runtime makes shared WebAssembly memories (SharedArrayBuffer; the kernels import one). */
export function canShareMemory(): boolean {
  try {
    return new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared: true }).buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

/** The kind the engine uses: WebAssembly SIMD when available (or as set by useKernel). */
let chosen: KernelKind | undefined;
let exec: Exec | undefined;
let depth = 0;
// Allocation starts past the helper's control block (and so past byte 0: a pointer of 0 means
// "none" to the kernel).
const FIRST_FREE = CONTROL + CONTROL_INTS * 4;
let top = FIRST_FREE;

/** Which products run (tests switch to compare the two). Throws when wasm-simd is asked for and missing. */
export function useKernel(kind: KernelKind | 'auto'): KernelKind {
  if (depth > 0) throw new Error('useKernel: a kernel scope is open');
  if (kind === 'wasm-simd' && !simdModule()) throw new Error('this runtime has no WebAssembly SIMD');
  chosen = kind === 'auto' ? undefined : kind;
  exec?.close();
  exec = undefined;
  return kernelKind();
}

/**
 * Whether a split product's second part may run on a helper thread (default: when the machine has
 * more than one core). The results are the same either way; tests and benchmarks switch it.
 */
export function useKernelThreads(on: boolean): void {
  if (depth > 0) throw new Error('useKernelThreads: a kernel scope is open');
  threads = on;
  exec?.close();
  exec = undefined;
}

export function kernelKind(): KernelKind {
  return chosen ?? (simdModule() ? 'wasm-simd' : 'js');
}

/** Kernel memory kept after a scope closes; more than this is released (a fresh instance next time). */
const KEEP_BYTES = 64 * 1024 * 1024;

/**
 * Scratch memory for one computation: what `fn` allocates is freed when it returns. Scopes nest
 * (a fit's candidates are scored between its rounds). Calls are synchronous and only the engine's
 * thread allocates (the helper only runs parts of products it is handed), so one memory serves every
 * scope.
 */
export function withKernel<T>(fn: (k: KernelScope) => T): T {
  if (!exec) {
    const module = kernelKind() === 'wasm-simd' ? simdModule() : undefined;
    exec = module ? wasmExec(module) : jsExec();
  }
  const scope = new KernelScope(exec);
  const mark = top;
  depth++;
  try {
    return fn(scope);
  } finally {
    depth--;
    top = mark;
    if (depth === 0 && exec.buffer().byteLength > KEEP_BYTES) {
      exec.close();
      exec = undefined;
    }
  }
}

export class KernelScope {
  constructor(private readonly exec: Exec) {}

  private alloc(bytes: number): number {
    const ptr = Math.ceil(top / 16) * 16;
    top = ptr + bytes;
    this.exec.reserve(top);
    return ptr;
  }

  /**
   * `length` zeroed floats. Take views (f32, i32) after the scope's allocations, and again after any
   * nested withKernel: an allocation may grow the memory, which leaves earlier views of the JS
   * products' buffer pointing at the old one (a shared WebAssembly memory's views stay valid).
   */
  floats(length: number): Slot {
    const slot = { ptr: this.alloc(length * 4), length };
    this.exec.zero(slot.ptr, length * 4);
    return slot;
  }

  /** Sets the slot's floats to zero. */
  zero(slot: Slot): void {
    this.exec.zero(slot.ptr, slot.length * 4);
  }

  /** A copy of `values` in kernel memory. */
  copy(values: Float32Array): Slot {
    const slot = this.scratch(values.length);
    this.f32(slot).set(values);
    return slot;
  }

  /**
   * dst[j * dstStride + i] = src[i * srcStride + j] for i < rows, j < cols: a head's rows
   * (classes x dim) into a table's columns (dim x cp), and back.
   */
  transpose(src: Slot, srcStride: number, rows: number, cols: number, dst: Slot, dstStride: number): void {
    this.exec.transpose(src.ptr, srcStride, rows, cols, dst.ptr, dstStride);
  }

  /** out[i] = sum_j src[at + i * srcStride + j] vec[j] for i < rows, j < vec.length, summed in float64. */
  rowDots(src: Slot, at: number, srcStride: number, rows: number, vec: Slot, out: Slot): void {
    this.exec.rowDots(src.ptr + at * 4, srcStride, rows, vec.length, vec.ptr, out.ptr);
  }

  /** The head (count x dim) whose rows are a table's first count columns (dim x cp). */
  headOf(table: Slot, dim: number, count: number, cp: number): Float32Array {
    return withKernel((scope) => {
      const rows = scope.scratch(count * dim);
      scope.transpose(table, cp, dim, count, rows, dim);
      return scope.f32(rows).slice();
    });
  }

  /** `length` floats whose content is undefined: for output the kernel writes in full. */
  scratch(length: number): Slot {
    return { ptr: this.alloc(length * 4), length };
  }

  f32(slot: Slot): Float32Array {
    return new Float32Array(this.exec.buffer(), slot.ptr, slot.length);
  }

  /** The same slot read as 32-bit integers. */
  i32(slot: Slot): Int32Array {
    return new Int32Array(this.exec.buffer(), slot.ptr, slot.length);
  }

  /** Copies rows into kernel memory. */
  rows(rows: KernelRows): PlacedRows {
    const nnz = rows.charOffsets[rows.n] - rows.charOffsets[0];
    const word = this.alloc(rows.n * rows.wordDim * 4);
    const offsets = this.alloc((rows.n + 1) * 4);
    const index = this.alloc(nnz * 4);
    const value = this.alloc(nnz * 4);
    const buffer = this.exec.buffer();
    new Float32Array(buffer, word, rows.n * rows.wordDim).set(rows.word.subarray(0, rows.n * rows.wordDim));
    const off = new Int32Array(buffer, offsets, rows.n + 1);
    const base = rows.charOffsets[0];
    for (let i = 0; i <= rows.n; i++) off[i] = rows.charOffsets[i] - base;
    new Int32Array(buffer, index, nnz).set(rows.charIndex.subarray(base, base + nnz));
    new Float32Array(buffer, value, nnz).set(rows.charValue.subarray(base, base + nnz));
    return { n: rows.n, wordDim: rows.wordDim, word, offsets, index, value, nnz };
  }

  /**
   * out (n x cp) = rows . table (dim x cp); with `scales`, row i's word block counts times
   * scales.word[i] and its char block times scales.char[i].
   */
  spmm(rows: PlacedRows, table: Slot, cp: number, out: Slot, scales?: { word: Slot; char: Slot }): void {
    const { n } = rows;
    const ws = scales?.word.ptr ?? 0;
    const cs = scales?.char.ptr ?? 0;
    const part = (from: number, to: number): Parameters<ScaledProduct> => [
      ...rowRange(rows, cp, from, to),
      ws && ws + from * 4,
      cs && cs + from * 4,
      table.ptr,
      out.ptr + from * cp * 4,
    ];
    const h = splitRow(rows, cp);
    if (h === 0) this.exec.spmm(...part(0, n));
    else this.inParts('spmm', part(0, h), part(h, n), (args) => this.exec.spmm(...args));
  }

  /**
   * A view's constants for scoreRows (its layout is sparseProduct.wat's): the word centre cw, the
   * common direction u (absent: none), the char centre mu, the per-output terms wU = W_word.u and
   * wMu = W_char.mu and the bias b (cp floats each), the block scales, |mu|^2 and |u|^2.
   */
  viewConstants(c: {
    cw: Slot;
    u?: Slot;
    mu: Slot;
    wU: Slot;
    wMu: Slot;
    b: Slot;
    sWord: number;
    sChar: number;
    muSq: number;
    uSq: number;
  }): Slot {
    const slot = this.floats(VIEW_CONSTANTS_BYTES / 4);
    const k = new DataView(this.exec.buffer(), slot.ptr, VIEW_CONSTANTS_BYTES);
    k.setInt32(0, c.cw.ptr, true);
    k.setInt32(4, c.u?.ptr ?? 0, true);
    k.setInt32(8, c.mu.ptr, true);
    k.setInt32(12, c.wU.ptr, true);
    k.setInt32(16, c.wMu.ptr, true);
    k.setInt32(20, c.b.ptr, true);
    k.setFloat32(24, c.sWord, true);
    k.setFloat32(28, c.sChar, true);
    k.setFloat64(32, c.muSq, true);
    k.setFloat64(40, c.uSq, true);
    return slot;
  }

  /**
   * The view's scores of rows placed as encoded (sparseProduct.wat, scoreRows): centred and scaled
   * per row, with the centring terms and the bias; row i's cp scores go to out.slot at float
   * i * out.stride + out.column. `scratch` holds 2 wd floats.
   */
  scoreRows(
    rows: PlacedRows,
    table: Slot,
    cp: number,
    out: { slot: Slot; column: number; stride: number },
    constants: Slot,
    scratch: Slot,
  ): void {
    const { n, wordDim: wd } = rows;
    const part = (from: number, to: number, rowScratch: number): Parameters<ScoreRows> => [
      ...rowRange(rows, cp, from, to),
      table.ptr,
      out.slot.ptr + (from * out.stride + out.column) * 4,
      out.stride,
      constants.ptr,
      rowScratch,
    ];
    const h = splitRow(rows, cp);
    if (h === 0) this.exec.scoreRows(...part(0, n, scratch.ptr));
    else this.inParts('scoreRows', part(0, h, scratch.ptr), part(h, n, scratch.ptr + wd * 4), (args) => this.exec.scoreRows(...args));
  }

  /**
   * Each of n rows of P scores at Z (padding at PAD_BIAS) summarised: best (ints) gets the first
   * index of the row's largest finite score or -1, sums and ents the row's sum of e^t and of e^t t
   * with t = T (z - z_best) (NaN for a row with a NaN or an infinite score); T is temperature's float.
   */
  summarize(n: number, P: number, Z: Slot, temperature: Slot, out: { best: Slot; sums: Slot; ents: Slot }): void {
    const part = (from: number, to: number): Parameters<Summarize> => [
      to - from,
      P,
      Z.ptr + from * P * 4,
      temperature.ptr,
      out.best.ptr + from * 4,
      out.sums.ptr + from * 4,
      out.ents.ptr + from * 4,
    ];
    if (n * P < SPLIT_ENTRIES) this.exec.summarize(...part(0, n));
    else this.inParts('summarize', part(0, n >> 1), part(n >> 1, n), (args) => this.exec.summarize(...args));
  }

  /**
   * Runs `first` here and `second` on the helper thread when there is one (else here, after
   * `first`), returning when both are done. The two parts must write to disjoint memory.
   */
  private inParts<A extends number[]>(fn: HelperFunction, first: A, second: A, run: (args: A) => void): void {
    const helper = this.exec.helper();
    if (!helper) {
      run(first);
      run(second);
      return;
    }
    helper.post(fn, second);
    try {
      run(first);
    } catch (error) {
      // The posted part is settled before the error goes on (claimed back unrun, or waited for), or
      // the next product would find the job counters out of step.
      helper.finish(() => {});
      throw error;
    }
    helper.finish(() => run(second));
  }

  /**
   * scores (n x cp, from spmm) -> the rows' weighted softmax residuals, in place; gMu += scale r and
   * gB += r. bias (cp) has PAD_BIAS for padding classes, wMu (cp) is W_char . mu, label holds ints;
   * spare is 2 cp zeroed floats for a split's second part (left zeroed).
   */
  softmaxResidual(
    n: number,
    cp: number,
    scores: Slot,
    s: { bias: Slot; wMu: Slot; scale: Slot; label: Slot; weight: Slot; gMu: Slot; gB: Slot; spare: Slot },
  ): void {
    const part = (from: number, to: number, gMu: number, gB: number): Parameters<SoftmaxResidual> => [
      to - from,
      cp,
      scores.ptr + from * cp * 4,
      s.bias.ptr,
      s.wMu.ptr,
      s.scale.ptr + from * 4,
      s.label.ptr + from * 4,
      s.weight.ptr + from * 4,
      gMu,
      gB,
    ];
    if (n * cp < SPLIT_ENTRIES) {
      this.exec.softmaxResidual(...part(0, n, s.gMu.ptr, s.gB.ptr));
      return;
    }
    const h = n >> 1;
    const gMu = s.spare.ptr;
    const gB = gMu + cp * 4;
    this.inParts('softmaxResidual', part(0, h, s.gMu.ptr, s.gB.ptr), part(h, n, gMu, gB), (args) => this.exec.softmaxResidual(...args));
    this.exec.addInto(s.gMu.ptr, gMu, cp);
    this.exec.addInto(s.gB.ptr, gB, cp);
  }

  /** table = decay table - lr (grad - [char rows] mu gMu); wMu = the new table's char rows . mu. */
  descend(
    wd: number,
    cd: number,
    cp: number,
    s: { table: Slot; grad: Slot; mu: Slot; gMu: Slot; wMu: Slot },
    decay: number,
    lr: number,
  ): void {
    this.exec.descend(wd, cd, cp, s.table.ptr, s.grad.ptr, s.mu.ptr, s.gMu.ptr, s.wMu.ptr, decay, lr);
  }

  /**
   * grad (dim x cp) += rows^T . residuals (n x cp); rows' groups of zero residuals are skipped.
   * `spare` is a zeroed slot as long as grad, for a split product's second part; it is left zeroed.
   * (The kernel's methods allocate nothing, so views taken before a call stay valid.)
   */
  spmmT(rows: PlacedRows, residuals: Slot, cp: number, grad: Slot, spare: Slot): void {
    const { n } = rows;
    const part = (from: number, to: number, into: number): Parameters<Product> => [
      ...rowRange(rows, cp, from, to),
      residuals.ptr + from * cp * 4,
      into,
    ];
    const h = splitRow(rows, cp);
    if (h === 0) {
      this.exec.spmmT(...part(0, n, grad.ptr));
      return;
    }
    // The second part sums into a spare table, added to the first's afterwards: the same sums in
    // the same order whichever thread runs which part.
    this.inParts('spmmT', part(0, h, grad.ptr), part(h, n, spare.ptr), (args) => this.exec.spmmT(...args));
    this.exec.addInto(grad.ptr, spare.ptr, grad.length);
  }
}

/**
 * Multiply-adds from which a product is split in two: each part is then at least a few hundred
 * microseconds of work, well above the cost of handing one to the helper (tens of microseconds).
 */
export const SPLIT_WORK = 4e6;
/** Row x class entries from which the softmax residuals are split in two. */
const SPLIT_ENTRIES = 32768;

/** The arguments every product over rows starts with, for rows from..to of placed rows. */
function rowRange(
  rows: PlacedRows,
  cp: number,
  from: number,
  to: number,
): [n: number, wd: number, cp: number, word: number, off: number, idx: number, val: number] {
  // The char offsets stay absolute (index and value are the whole rows'), so only the word block
  // and the offsets move with `from`.
  return [to - from, rows.wordDim, cp, rows.word + from * rows.wordDim * 4, rows.offsets + from * 4, rows.index, rows.value];
}

/** Where a product over these rows is split (the first row of its second part), or 0: not split. */
function splitRow(rows: PlacedRows, cp: number): number {
  return rows.n >= 2 && cp * (rows.n * rows.wordDim + rows.nnz) >= SPLIT_WORK ? rows.n >> 1 : 0;
}
