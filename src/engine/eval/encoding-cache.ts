// Encodes each distinct text once per run and assembles EncodedLines for any list of texts.
import type { EncodedLines } from '../types';

interface Row {
  word: Float32Array;
  charIndex: Int32Array;
  charValue: Float32Array;
  /** The ideograph block's entries, when the encoder has the block. */
  ideoIndex?: Int32Array;
  ideoValue?: Float32Array;
}

export type EncodeFn = (texts: string[]) => EncodedLines;

export class EncodingCache {
  private readonly rows = new Map<string, Row>();
  private wordDim = 0;
  private charDim = 0;
  private ideoDim = 0;

  constructor(private readonly encode: EncodeFn) {}

  get size(): number {
    return this.rows.size;
  }

  /** Encodes the texts not seen before (one batch), then gathers all rows in the order given. */
  lines(texts: readonly string[]): EncodedLines {
    const missing = [...new Set(texts.filter((t) => !this.rows.has(t)))];
    if (missing.length) this.store(missing, this.encode(missing));
    return this.gather(texts);
  }

  private store(texts: string[], enc: EncodedLines): void {
    if (enc.n !== texts.length) throw new Error(`encoder returned ${enc.n} rows for ${texts.length} texts`);
    this.wordDim = enc.wordDim;
    this.charDim = enc.charDim;
    const ideo = enc.ideo;
    if (ideo) this.ideoDim = ideo.dim;
    texts.forEach((text, i) => {
      const from = enc.charOffsets[i] as number;
      const to = enc.charOffsets[i + 1] as number;
      const row: Row = {
        word: enc.word.slice(i * enc.wordDim, (i + 1) * enc.wordDim),
        charIndex: enc.charIndex.slice(from, to),
        charValue: enc.charValue.slice(from, to),
      };
      if (ideo) {
        row.ideoIndex = ideo.index.slice(ideo.offsets[i], ideo.offsets[i + 1]);
        row.ideoValue = ideo.value.slice(ideo.offsets[i], ideo.offsets[i + 1]);
      }
      this.rows.set(text, row);
    });
  }

  private gather(texts: readonly string[]): EncodedLines {
    const rows = texts.map((t) => this.rows.get(t) as Row);
    const nnz = rows.reduce((sum, r) => sum + r.charIndex.length, 0);
    const out: EncodedLines = {
      n: rows.length,
      wordDim: this.wordDim,
      word: new Float32Array(rows.length * this.wordDim),
      charDim: this.charDim,
      charOffsets: new Int32Array(rows.length + 1),
      charIndex: new Int32Array(nnz),
      charValue: new Float32Array(nnz),
    };
    let at = 0;
    rows.forEach((r, i) => {
      out.word.set(r.word, i * this.wordDim);
      out.charIndex.set(r.charIndex, at);
      out.charValue.set(r.charValue, at);
      at += r.charIndex.length;
      out.charOffsets[i + 1] = at;
    });
    if (this.ideoDim > 0) out.ideo = this.gatherIdeographs(rows);
    return out;
  }

  private gatherIdeographs(rows: readonly Row[]): NonNullable<EncodedLines['ideo']> {
    const offsets = new Int32Array(rows.length + 1);
    rows.forEach((r, i) => {
      offsets[i + 1] = (offsets[i] as number) + (r.ideoIndex?.length ?? 0);
    });
    const index = new Int32Array(offsets[rows.length] as number);
    const value = new Float32Array(offsets[rows.length] as number);
    rows.forEach((r, i) => {
      if (r.ideoIndex && r.ideoValue) {
        index.set(r.ideoIndex, offsets[i]);
        value.set(r.ideoValue, offsets[i]);
      }
    });
    return { dim: this.ideoDim, offsets, index, value };
  }
}
