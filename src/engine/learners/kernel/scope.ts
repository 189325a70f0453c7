// The kernel's memory for the engine: scopes of scratch memory (withKernel) and the products over
// them (KernelScope), on the kernel loader.ts instantiates.
//   spmm:  every row's scores against a class table (forward pass; classification)
//   spmmT: the table's gradient from per-row residuals (backward pass)
// both on feature rows kept in the FeatureView's form (a dense word block and a sparse char block
// per row), together with the softmax residuals, the descent step and the classification summary.
//
// A large product is split by rows into two parts; a helper thread sharing the WebAssembly memory
// (helper.ts) runs the second while the calling thread runs the first. The split depends on the
// product's size only, and the parts' partial sums are added in a fixed order, so the results are
// the same with or without the helper, on any machine (the calling thread runs a part the helper
// has not taken).
import { CONTROL, CONTROL_INTS, type HelperFunction } from './control';
import {
  type Exec,
  type Product,
  type RowArgs,
  type ScaledProduct,
  type ScoreRows,
  type SoftmaxResidual,
  type Summarize,
  VIEW_CONSTANTS_BYTES,
  wasmExec,
} from './loader';
import { helperThreadsOn } from './helper';

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

/** A residual whose magnitude is at most this is left out of the backward pass (set to zero). */
export const NEGLIGIBLE = 1e-6;
/** The bias of a padding class: probability zero. */
export const PAD_BIAS = -1e30;

/** Classes padded to the kernel's group width. */
export function paddedClasses(nClasses: number): number {
  return Math.ceil(nClasses / 4) * 4;
}

/** Makes the kernel the scopes run on: the WebAssembly one unless a test swaps in another (useKernel). */
type ExecFactory = (threads: boolean) => Exec;

let make: ExecFactory = wasmExec;
/** Whether products may use a helper thread: the policy's answer unless set (useKernelThreads). */
let threads: boolean | undefined;
let exec: Exec | undefined;
let depth = 0;
// Allocation starts past the helper's control block (and so past byte 0: a pointer of 0 means
// "none" to the kernel).
const FIRST_FREE = CONTROL + CONTROL_INTS * 4;
let top = FIRST_FREE;

/**
 * Which kernel the scopes run on: the WebAssembly one (undefined), or another implementation of its
 * exports (the tests' plain-JS oracle, to compare whole computations).
 */
export function useKernel(factory?: ExecFactory): void {
  if (depth > 0) throw new Error('useKernel: a kernel scope is open');
  make = factory ?? wasmExec;
  exec?.close();
  exec = undefined;
}

/**
 * Whether a split product's second part may run on a helper thread: true or false, or undefined
 * for the policy's answer (helper.ts, helperThreadsOn). The results are the same either way; tests
 * and benchmarks switch it.
 */
export function useKernelThreads(on: boolean | undefined): void {
  if (depth > 0) throw new Error('useKernelThreads: a kernel scope is open');
  threads = on;
  exec?.close();
  exec = undefined;
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
    exec = make(threads ?? helperThreadsOn());
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
function rowRange(rows: PlacedRows, cp: number, from: number, to: number): RowArgs {
  // The char offsets stay absolute (index and value are the whole rows'), so only the word block
  // and the offsets move with `from`.
  return [to - from, rows.wordDim, cp, rows.word + from * rows.wordDim * 4, rows.offsets + from * 4, rows.index, rows.value];
}

/** Where a product over these rows is split (the first row of its second part), or 0: not split. */
function splitRow(rows: PlacedRows, cp: number): number {
  return rows.n >= 2 && cp * (rows.n * rows.wordDim + rows.nnz) >= SPLIT_WORK ? rows.n >> 1 : 0;
}
