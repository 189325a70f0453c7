// Loads the kernel: sparseProduct.wat's module (assembled at build time, carried inline in the
// bundle), instantiated on a shared memory that a helper thread can run parts of products on
// (helper.ts). Every supported runtime has WebAssembly SIMD and shared memories (Node 20 and the
// Node of VS Code's Electron); one without them is told so, not served slower products.
import sparseProduct from './sparseProduct.wat';
import { type Helper, startHelper } from './helper';

/** The arguments every product over rows starts with: the rows' count, block sizes and placement (PlacedRows). */
export type RowArgs = [n: number, wd: number, cp: number, word: number, off: number, idx: number, val: number];
export type Product = (...args: [...RowArgs, table: number, out: number]) => void;
export type ScaledProduct = (...args: [...RowArgs, wordScale: number, charScale: number, table: number, out: number]) => void;
export type ScoreRows = (...args: [...RowArgs, table: number, out: number, outStride: number, constants: number, scratch: number]) => void;

export type Summarize = (n: number, P: number, Z: number, temperatureAt: number, best: number, sums: number, ents: number) => void;

export type SoftmaxResidual = (
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

/**
 * The kernel's exports (sparseProduct.wat documents each) over one memory; pointers are byte
 * offsets into it. The tests implement it in plain JS too (test/engine/learners/kernel/jsKernel.ts),
 * as the oracle the WebAssembly products are checked against.
 */
export interface Exec {
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
  /** The helper thread that runs one part of a split product, when there is one (helper.ts). */
  helper(): Helper | undefined;
  /** Stops the helper thread, if any. */
  close(): void;
}

/** Bytes of the view constants scoreRows reads (KernelScope.viewConstants writes them). */
export const VIEW_CONSTANTS_BYTES = 48;

const PAGE = 65536;
/** The memory's limit in pages (4 GiB): a shared memory is declared with one. */
const MAX_PAGES = 65536;

/** An export of the kernel, checked to be a function of `arity` parameters (the module is ours, but a bad build should fail loudly). */
function exported(instance: WebAssembly.Instance, name: string, arity: number): (...args: number[]) => void {
  const f = instance.exports[name];
  if (typeof f !== 'function' || f.length !== arity) throw new Error(`sparseProduct.wat: no export ${name} of ${arity} parameters`);
  return f as (...args: number[]) => void;
}

/**
 * The kernel on a fresh shared memory. `threads`: whether a split product's second part may go to
 * a helper thread (started at the first split product: a small job never pays for a thread).
 */
export function wasmExec(threads: boolean): Exec {
  const module = kernelModule();
  const memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  let helper: Helper | undefined | null = threads ? undefined : null;
  return {
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

let compiled: WebAssembly.Module | undefined;
/** The compiled kernel; throws on a runtime without WebAssembly SIMD or shared memories. */
function kernelModule(): WebAssembly.Module {
  if (!compiled) {
    if (typeof WebAssembly !== 'object' || !WebAssembly.validate(sparseProduct) || !canShareMemory()) {
      throw new Error('this runtime has no WebAssembly SIMD with shared memory (Node 20 or later and VS Code 1.100 or later have both)');
    }
    compiled = new WebAssembly.Module(sparseProduct);
  }
  return compiled;
}

/** Whether this runtime makes shared WebAssembly memories (SharedArrayBuffer; the kernels import one). */
export function canShareMemory(): boolean {
  try {
    return new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared: true }).buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}
