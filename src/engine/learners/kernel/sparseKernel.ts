// The two products a linear head spends nearly all its time in, on feature rows kept in the
// FeatureView's form (a dense word block and a sparse char block per row):
//   spmm:  every row's scores against a class table (forward pass; classification)
//   spmmT: the table's gradient from per-row residuals (backward pass)
// They run in WebAssembly SIMD (sparseProduct.wat) where the runtime has it (Node 20 and VS Code's
// Electron do), else in plain JS over the same memory layout; the two agree to float rounding
// (tested). docs/scaling.md has the measured difference.
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
  buffer(): ArrayBuffer;
  /** Makes the memory at least `bytes` long (views taken before are then invalid). */
  reserve(bytes: number): void;
  spmm: ScaledProduct;
  spmmT: Product;
  softmaxResidual: SoftmaxResidual;
  descend: Descend;
}

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

function wasmExec(module: WebAssembly.Module): Exec {
  const instance = new WebAssembly.Instance(module, {});
  const memory = instance.exports.memory;
  if (!(memory instanceof WebAssembly.Memory)) throw new Error('sparseProduct.wat: no exported memory');
  return {
    kind: 'wasm-simd',
    buffer: () => memory.buffer,
    reserve(bytes) {
      const have = memory.buffer.byteLength;
      if (bytes <= have) return;
      // Grow by at least half again: every grow may move the memory.
      memory.grow(Math.max(Math.ceil((bytes - have) / PAGE), Math.ceil(have / PAGE / 2)));
    },
    spmm: exported(instance, 'spmm', 11),
    spmmT: exported(instance, 'spmmT', 9),
    softmaxResidual: exported(instance, 'softmaxResidual', 10),
    descend: exported(instance, 'descend', 10),
  };
}

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
    // null: this runtime has no WebAssembly or no SIMD; the JS products serve instead.
    compiled = typeof WebAssembly === 'object' && WebAssembly.validate(sparseProduct) ? new WebAssembly.Module(sparseProduct) : null;
  }
  return compiled ?? undefined;
}

/** The kind the engine uses: WebAssembly SIMD when available (or as set by useKernel). */
let chosen: KernelKind | undefined;
let exec: Exec | undefined;
let depth = 0;
// Allocation starts past byte 0: a pointer of 0 means "none" to the kernel.
let top = 16;

/** Which products run (tests switch to compare the two). Throws when wasm-simd is asked for and missing. */
export function useKernel(kind: KernelKind | 'auto'): KernelKind {
  if (depth > 0) throw new Error('useKernel: a kernel scope is open');
  if (kind === 'wasm-simd' && !simdModule()) throw new Error('this runtime has no WebAssembly SIMD');
  chosen = kind === 'auto' ? undefined : kind;
  exec = undefined;
  return kernelKind();
}

export function kernelKind(): KernelKind {
  return chosen ?? (simdModule() ? 'wasm-simd' : 'js');
}

/** Kernel memory kept after a scope closes; more than this is released (a fresh instance next time). */
const KEEP_BYTES = 64 * 1024 * 1024;

/**
 * Scratch memory for one computation: what `fn` allocates is freed when it returns. Scopes nest
 * (a fit's candidates are scored between its rounds). Calls are synchronous and the engine runs on
 * one thread, so one memory serves every scope.
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
    if (depth === 0 && exec.buffer().byteLength > KEEP_BYTES) exec = undefined;
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
   * nested withKernel: an allocation may grow the memory, which leaves earlier views empty
   * (WebAssembly) or pointing at the old buffer (JS).
   */
  floats(length: number): Slot {
    const slot = { ptr: this.alloc(length * 4), length };
    this.f32(slot).fill(0);
    return slot;
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
    return { n: rows.n, wordDim: rows.wordDim, word, offsets, index, value };
  }

  /**
   * out (n x cp) = rows . table (dim x cp); with `scales`, row i's word block counts times
   * scales.word[i] and its char block times scales.char[i].
   */
  spmm(rows: PlacedRows, table: Slot, cp: number, out: Slot, scales?: { word: Slot; char: Slot }): void {
    const { n, wordDim, word, offsets, index, value } = rows;
    this.exec.spmm(n, wordDim, cp, word, offsets, index, value, scales?.word.ptr ?? 0, scales?.char.ptr ?? 0, table.ptr, out.ptr);
  }

  /**
   * scores (n x cp, from spmm) -> the rows' weighted softmax residuals, in place; gMu += scale r and
   * gB += r. bias (cp) has PAD_BIAS for padding classes, wMu (cp) is W_char . mu, label holds ints.
   */
  softmaxResidual(
    n: number,
    cp: number,
    scores: Slot,
    s: { bias: Slot; wMu: Slot; scale: Slot; label: Slot; weight: Slot; gMu: Slot; gB: Slot },
  ): void {
    this.exec.softmaxResidual(n, cp, scores.ptr, s.bias.ptr, s.wMu.ptr, s.scale.ptr, s.label.ptr, s.weight.ptr, s.gMu.ptr, s.gB.ptr);
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

  /** grad (dim x cp) += rows^T . residuals (n x cp); rows' groups of zero residuals are skipped. */
  spmmT(rows: PlacedRows, residuals: Slot, cp: number, grad: Slot): void {
    this.exec.spmmT(rows.n, rows.wordDim, cp, rows.word, rows.offsets, rows.index, rows.value, residuals.ptr, grad.ptr);
  }
}
