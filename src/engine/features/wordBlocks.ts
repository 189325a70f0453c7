// The encoder's word blocks: each line's SIF-weighted mean of the vectors of its known words. In
// WebAssembly SIMD (wordBlock.wat) with the vector table moved into the module's memory, where
// the runtime has it; else in plain JS. Both sum in float64 in token order and give the same floats
// (tested), so an encoding does not depend on the runtime.
import type { WordVectors } from '../text/wordVectors';
import { canShareMemory } from '../learners/kernel/loader';
import wordBlock from './wordBlock.wat';

/** Known tokens of a batch of lines: line l's are offsets[l]..offsets[l+1] of rows and weights. */
export interface LineTokens {
  n: number;
  offsets: Int32Array;
  rows: Int32Array;
  weights: Float32Array;
}

type WordBlocksFn = (n: number, dim: number, table: number, offs: number, rows: number, weights: number, sum: number, out: number) => void;

let compiled: WebAssembly.Module | undefined | null;
function simdModule(): WebAssembly.Module | undefined {
  // null: no WebAssembly SIMD or no shared memory here; the JS loop serves instead.
  if (compiled === undefined) {
    compiled =
      typeof WebAssembly === 'object' && WebAssembly.validate(wordBlock) && canShareMemory() ? new WebAssembly.Module(wordBlock) : null;
  }
  return compiled ?? undefined;
}

const PAGE = 65536;

export class WordBlocks {
  /** Set up at the first batch of WASM_FROM_LINES lines or more (null: JS only). */
  private wasm?: { memory: WebAssembly.Memory; run: WordBlocksFn; tableBytes: number } | null;
  private readonly dim: number;

  /**
   * @param vectors the word vectors; once the module is set up, they are read from its memory
   * @param useWasm false: always the JS loop (tests compare the two)
   */
  constructor(
    private readonly vectors: WordVectors,
    useWasm = true,
  ) {
    this.dim = vectors.dim;
    if (!useWasm || this.dim % 4 !== 0 || !simdModule()) this.wasm = null;
  }

  /** What computes a batch of `lines` lines. */
  kind(lines: number): 'wasm-simd' | 'js' {
    return this.wasm === null || lines < WASM_FROM_LINES ? 'js' : 'wasm-simd';
  }

  /**
   * The module with the table in its memory (about 20 MB for the shipped vectors, 15-20 ms to set
   * up): made when a batch first needs it, so that loading the engine and encoding a few lines
   * never pay for it.
   */
  private module(): { memory: WebAssembly.Memory; run: WordBlocksFn; tableBytes: number } {
    if (this.wasm) return this.wasm;
    const module = simdModule();
    if (!module) throw new Error('wordBlocks: no WebAssembly SIMD module');
    const table = this.vectors.vectors;
    const tableBytes = table.length * 4;
    const memory = new WebAssembly.Memory({ initial: Math.ceil(tableBytes / PAGE) + 1, maximum: 65536, shared: true });
    const { wordBlocks } = new WebAssembly.Instance(module, { env: { memory } }).exports;
    if (typeof wordBlocks !== 'function' || wordBlocks.length !== 8) throw new Error('wordBlock.wat: no wordBlocks export');
    // The table lives at byte 0 for the module's life (each batch's arrays go after it), and the
    // word vectors are read from there: a shared memory's views survive its growing.
    const copy = new Float32Array(memory.buffer, 0, table.length);
    copy.set(table);
    this.vectors.moveTo(copy);
    this.wasm = { memory, run: wordBlocks as WordBlocksFn, tableBytes };
    return this.wasm;
  }

  /** Writes each line's word block (dim floats, zeros when it has no known token) at out[at + l dim..]. */
  compute(lines: LineTokens, out: Float32Array, at: number): void {
    const { n, offsets, rows, weights } = lines;
    const dim = this.dim;
    if (n === 0) return;
    if (this.kind(n) === 'js') {
      const table = this.vectors.vectors;
      const sum = new Float64Array(dim);
      for (let l = 0; l < n; l++) {
        sum.fill(0);
        for (let t = offsets[l]; t < offsets[l + 1]; t++) {
          const w = weights[t];
          const base = rows[t] * dim;
          for (let j = 0; j < dim; j++) sum[j] += w * table[base + j];
        }
        const known = offsets[l + 1] - offsets[l];
        for (let j = 0; j < dim; j++) out[at + l * dim + j] = known > 0 ? sum[j] / known : 0;
      }
      return;
    }
    const { memory, run, tableBytes } = this.module();
    const align = (x: number) => Math.ceil(x / 16) * 16;
    // A chunk of lines at a time: the memory past the table stays small (it never shrinks).
    for (let from = 0; from < n; from += CHUNK_LINES) {
      const count = Math.min(CHUNK_LINES, n - from);
      const first = offsets[from];
      const tokens = offsets[from + count] - first;
      const offs = align(tableBytes);
      const rowsAt = align(offs + (count + 1) * 4);
      const weightsAt = align(rowsAt + tokens * 4);
      const sumAt = align(weightsAt + tokens * 4);
      const outAt = align(sumAt + dim * 8);
      grow(memory, outAt + count * dim * 4);
      const buffer = memory.buffer;
      const chunkOffsets = new Int32Array(buffer, offs, count + 1);
      for (let l = 0; l <= count; l++) chunkOffsets[l] = offsets[from + l] - first;
      new Int32Array(buffer, rowsAt, tokens).set(rows.subarray(first, first + tokens));
      new Float32Array(buffer, weightsAt, tokens).set(weights.subarray(first, first + tokens));
      run(count, dim, 0, offs, rowsAt, weightsAt, sumAt, outAt);
      out.set(new Float32Array(buffer, outAt, count * dim), at + from * dim);
    }
  }
}

/** Batches from this many lines on go through WebAssembly (smaller ones are quick in JS). */
const WASM_FROM_LINES = 256;
/** Lines per call of the WebAssembly function. */
const CHUNK_LINES = 4096;

function grow(memory: WebAssembly.Memory, bytes: number): void {
  const have = memory.buffer.byteLength;
  if (bytes > have) memory.grow(Math.ceil((bytes - have) / PAGE));
}
