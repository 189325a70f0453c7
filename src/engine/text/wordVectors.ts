// Word vectors loaded from the binary table written by scripts/build-vectors.mjs.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseVectorTable } from './vectorTable';

export class WordVectors {
  readonly dim: number;
  readonly size: number;
  /** Dequantised vectors, row-major size x dim; row r belongs to the r-th most frequent word. */
  get vectors(): Float32Array {
    return this.table;
  }
  private table: Float32Array;
  /** Words by row, most frequent first. */
  readonly words: readonly string[];
  private readonly rows: WordIndex;
  private readonly bytes: Uint8Array;
  private hash: string | undefined;

  private constructor(bytes: Uint8Array, name: string) {
    const table = parseVectorTable(bytes, name);
    this.bytes = bytes;
    this.dim = table.dim;
    this.size = table.words.length;
    this.table = table.vectors;
    this.words = table.words;
    this.rows = new WordIndex(table.words);
  }

  /** @param name how errors refer to the data (a path or a description) */
  static fromBuffer(buf: Uint8Array, name = 'word-vector buffer'): WordVectors {
    return new WordVectors(buf, name);
  }

  static load(path: string): WordVectors {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(path);
    } catch (e) {
      throw new Error(`${path}: cannot read the word-vector table (${(e as Error).message}); build it with \`npm run vectors\``);
    }
    return new WordVectors(bytes, path);
  }

  /** SHA-256 (hex) of the table's bytes, computed on first use. */
  get sha256(): string {
    this.hash ??= createHash('sha256').update(this.bytes).digest('hex');
    return this.hash;
  }

  /**
   * Reads the vectors from `copy` from now on (the same floats elsewhere, such as in a WebAssembly
   * module's memory), so that the table is not held twice.
   */
  moveTo(copy: Float32Array): void {
    if (copy.length !== this.table.length) throw new Error(`moveTo: ${copy.length} floats for a table of ${this.table.length}`);
    this.table = copy;
  }

  /** Row of `word` (exact, lowercase as the tokenizer emits it), or -1 when unknown. */
  indexOf(word: string): number {
    return this.rows.get(word);
  }
}

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

/**
 * Rows by word: open addressing over an FNV-1a hash of the word's UTF-16 code units, a hit checked
 * code unit by code unit. Every token the encoder looks up is a fresh string, which a
 * Map<string, number> hashes (and probes) at several times this cost: it was the encoder's largest
 * single cost. The first occurrence of a word wins, so a duplicate keeps its more frequent row.
 */
export class WordIndex {
  private readonly slots: Int32Array;
  private readonly mask: number;
  private readonly chars: Uint16Array;
  private readonly starts: Int32Array;

  constructor(words: readonly string[]) {
    let size = 16;
    while (size < 2 * words.length) size *= 2;
    this.slots = new Int32Array(size);
    this.mask = size - 1;
    this.starts = new Int32Array(words.length + 1);
    let total = 0;
    for (let r = 0; r < words.length; r++) {
      total += words[r].length;
      this.starts[r + 1] = total;
    }
    this.chars = new Uint16Array(total);
    for (let r = 0; r < words.length; r++) {
      const w = words[r];
      for (let k = 0; k < w.length; k++) this.chars[this.starts[r] + k] = w.charCodeAt(k);
    }
    for (let r = 0; r < words.length; r++) {
      const slot = this.find(words[r]);
      // A slot holds row + 1 (0: empty); an occupied one is an earlier row of the same word.
      if (this.slots[slot] === 0) this.slots[slot] = r + 1;
    }
  }

  /** The word's row, or -1. */
  get(word: string): number {
    return this.slots[this.find(word)] - 1;
  }

  /** The slot holding `word`, or the empty slot where it would go. */
  private find(word: string): number {
    const n = word.length;
    let h = FNV_OFFSET;
    for (let k = 0; k < n; k++) h = Math.imul(h ^ word.charCodeAt(k), FNV_PRIME);
    h ^= h >>> 16;
    const { slots, mask, chars, starts } = this;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const held = slots[slot];
      if (held === 0) return slot;
      const from = starts[held - 1];
      if (starts[held] - from === n) {
        let k = 0;
        while (k < n && chars[from + k] === word.charCodeAt(k)) k++;
        if (k === n) return slot;
      }
    }
  }
}
