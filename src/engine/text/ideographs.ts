// The ideograph block: character unigrams and bigrams of Han ideographs and kana, hashed into a
// table of their own. The char n-gram block (charNgrams.ts) holds them too, but shares its 2,048
// buckets with every other n-gram: thousands of characters and their bigrams collide there, and on
// the Chinese evaluation set hashing alone cost char-tfidf 2 to 6 points (docs/accuracy.md). Lines
// without ideographs or kana have no entries here, so English and every spaced script are untouched.
//
// Values are raw counts: the weighting (IDF over the lines an adaptation sees) and the row's length
// are the learner's (learners/ideographBlock.ts).
import type { SparseRows } from '../types';
import { isIdeographic, MAX_TOKENIZE_CHARS } from './tokenizer';

/** Buckets of the ideograph block: a power of two, 8 times the char block (few collisions among a document's grams). */
export const IDEOGRAPH_BUCKETS = 16_384;

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;
// Seeds that keep unigrams and bigrams apart (a bigram's code units never hash like a unigram's).
const UNIGRAM = 0x01;
const BIGRAM = 0x02;
/** The first code unit at which a character can be Han or kana (CJK radicals start at U+2E80). */
const FIRST_CJK = 0x2e80;
/** Lines without such a code unit (surrogates included) have no entries: one native test rejects them. */
const MAYBE_CJK = /[\u2e80-\uffff]/;

/** One line's entries in the block. */
export interface LineEntries {
  index: Int32Array;
  value: Float32Array;
}

/** Lines' entries (undefined: none) as sparse rows. */
export function joinEntries(lines: ReadonlyArray<LineEntries | undefined>, dim: number): SparseRows {
  const offsets = new Int32Array(lines.length + 1);
  for (let i = 0; i < lines.length; i++) offsets[i + 1] = offsets[i] + (lines[i]?.index.length ?? 0);
  const index = new Int32Array(offsets[lines.length]);
  const value = new Float32Array(offsets[lines.length]);
  for (let i = 0; i < lines.length; i++) {
    const e = lines[i];
    if (!e) continue;
    index.set(e.index, offsets[i]);
    value.set(e.value, offsets[i]);
  }
  return { dim, offsets, index, value };
}

function fnv(h: number, text: string, from: number, to: number): number {
  for (let k = from; k < to; k++) h = Math.imul(h ^ text.charCodeAt(k), FNV_PRIME);
  return h;
}

export class IdeographHasher {
  private readonly mask: number;
  private readonly counts = new Map<number, number>();

  constructor(readonly buckets: number = IDEOGRAPH_BUCKETS) {
    if (!Number.isInteger(buckets) || buckets < 1 || (buckets & (buckets - 1)) !== 0 || buckets > 2 ** 24) {
      throw new Error(`IdeographHasher: buckets must be a power of two up to 2^24, got ${buckets}`);
    }
    this.mask = buckets - 1;
  }

  /**
   * Bucket -> count of one line's grams: each ideograph or kana, and each two that follow each
   * other in the text (punctuation, spaces or any other character between them break the pair).
   * The line is read as the tokenizer reads it (first MAX_TOKENIZE_CHARS code units, NFKC).
   */
  line(text: string): Map<number, number> {
    const counts = this.counts;
    counts.clear();
    let s = text.length > MAX_TOKENIZE_CHARS ? text.slice(0, MAX_TOKENIZE_CHARS) : text;
    if (!MAYBE_CJK.test(s)) return counts;
    s = s.normalize('NFKC');
    let prev = -1; // start of the previous character when it was ideographic, else -1
    for (let i = 0; i < s.length; ) {
      const code = s.charCodeAt(i);
      const width = code >= 0xd800 && code <= 0xdbff && i + 1 < s.length ? 2 : 1;
      if (code >= FIRST_CJK && isIdeographic(s.slice(i, i + width))) {
        this.add(fnv(Math.imul(FNV_OFFSET ^ UNIGRAM, FNV_PRIME), s, i, i + width));
        if (prev >= 0) this.add(fnv(Math.imul(FNV_OFFSET ^ BIGRAM, FNV_PRIME), s, prev, i + width));
        prev = i;
      } else prev = -1;
      i += width;
    }
    return counts;
  }

  /** One line's entries (indices ascending, counts), or undefined when it has none (most lines). */
  entries(text: string): LineEntries | undefined {
    const counts = this.line(text);
    if (counts.size === 0) return undefined;
    const sorted = [...counts].sort((a, b) => a[0] - b[0]);
    return { index: Int32Array.from(sorted, (e) => e[0]), value: Float32Array.from(sorted, (e) => e[1]) };
  }

  /** The lines' grams as sparse rows. */
  rows(texts: readonly string[]): SparseRows {
    return joinEntries(
      texts.map((t) => this.entries(t)),
      this.buckets,
    );
  }

  private add(h: number): void {
    const bucket = (h ^ (h >>> 16)) & this.mask;
    this.counts.set(bucket, (this.counts.get(bucket) ?? 0) + 1);
  }
}

/** The given rows of sparse rows, as rows of their own. */
export function selectSparseRows(rows: SparseRows, picked: ArrayLike<number>): SparseRows {
  const offsets = new Int32Array(picked.length + 1);
  for (let r = 0; r < picked.length; r++) offsets[r + 1] = offsets[r] + rows.offsets[picked[r] + 1] - rows.offsets[picked[r]];
  const index = new Int32Array(offsets[picked.length]);
  const value = new Float32Array(offsets[picked.length]);
  for (let r = 0; r < picked.length; r++) {
    const from = rows.offsets[picked[r]];
    const to = rows.offsets[picked[r] + 1];
    index.set(rows.index.subarray(from, to), offsets[r]);
    value.set(rows.value.subarray(from, to), offsets[r]);
  }
  return { dim: rows.dim, offsets, index, value };
}
