// Word vectors loaded from the binary table written by scripts/build-vectors.mjs.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseVectorTable } from './vectorTable';

export class WordVectors {
  readonly dim: number;
  readonly size: number;
  /** Dequantised vectors, row-major size x dim; row r belongs to the r-th most frequent word. */
  readonly vectors: Float32Array;
  /** Words by row, most frequent first. */
  readonly words: readonly string[];
  private readonly rows: Map<string, number>;
  private readonly bytes: Uint8Array;
  private hash: string | undefined;

  private constructor(bytes: Uint8Array, name: string) {
    const table = parseVectorTable(bytes, name);
    this.bytes = bytes;
    this.dim = table.dim;
    this.size = table.words.length;
    this.vectors = table.vectors;
    this.words = table.words;
    this.rows = new Map();
    // First occurrence wins, so a duplicated word keeps its more frequent row.
    table.words.forEach((w, r) => {
      if (!this.rows.has(w)) this.rows.set(w, r);
    });
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

  /** Row of `word` (exact, lowercase as the tokenizer emits it), or -1 when unknown. */
  indexOf(word: string): number {
    return this.rows.get(word) ?? -1;
  }
}
