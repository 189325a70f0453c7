// The ideograph block: character unigrams and bigrams of Han ideographs and kana, hashed into a
// table of their own. The char n-gram block (charNgrams.ts) holds them too, but shares its 2,048
// buckets with every other n-gram: thousands of characters and their bigrams collide there, and on
// the Chinese evaluation set hashing alone cost char-tfidf 2 to 6 points (docs/accuracy.md). Lines
// without ideographs or kana have no entries here, so English and every spaced script are untouched.
//
// Beside the characters, a line's rhythm (its clauses' lengths): Chinese verse and prose are told
// apart by form as much as by words (诗经's four-character clauses, 楚辞's 兮 in longer ones, ci
// lines of set lengths, a line that ends without punctuation), which neither the characters nor
// TF-IDF over them see. These grams lifted the default by 7 to 10 points on the tuning half of
// zh-classics (docs/accuracy.md, "Chinese").
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
// Seeds of the rhythm grams (a clause's length; with the previous clause's; with what ends it) and
// of the line's end (punctuation or none). A length or a code unit is hashed after its seed.
const CLAUSE = 0x03;
const CLAUSE_PAIR = 0x04;
const CLAUSE_END = 0x05;
const LINE_END = 0x06;
/** Clauses longer than this count as this long (a prose run's exact length says little). */
const MAX_CLAUSE = 12;

/**
 * Count of each rhythm gram relative to a character's: the best of 0.5, 0.75, 1, 1.5 and 3 on the
 * tuning half of zh-classics (docs/accuracy.md); at 3 the form drowns the words.
 */
export const RHYTHM_WEIGHT = 0.75;
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

/** FNV-1a steps: a seed, then one number (a length or a code unit). */
function seeded(seed: number, value: number): number {
  return mix(Math.imul(FNV_OFFSET ^ seed, FNV_PRIME), value);
}

function mix(h: number, value: number): number {
  return Math.imul(h ^ value, FNV_PRIME);
}

function fnv(h: number, text: string, from: number, to: number): number {
  for (let k = from; k < to; k++) h = Math.imul(h ^ text.charCodeAt(k), FNV_PRIME);
  return h;
}

export class IdeographHasher {
  private readonly mask: number;
  private readonly counts = new Map<number, number>();

  /** @param rhythm count of each rhythm gram (0: characters only) */
  constructor(
    readonly buckets: number = IDEOGRAPH_BUCKETS,
    readonly rhythm: number = RHYTHM_WEIGHT,
  ) {
    if (!Number.isInteger(buckets) || buckets < 1 || (buckets & (buckets - 1)) !== 0 || buckets > 2 ** 24) {
      throw new Error(`IdeographHasher: buckets must be a power of two up to 2^24, got ${buckets}`);
    }
    this.mask = buckets - 1;
  }

  /**
   * Bucket -> count of one line's grams: each ideograph or kana, and each two that follow each
   * other in the text (punctuation, spaces or any other character between them break the pair);
   * then, at `rhythm` each, its clauses (runs of ideographs and kana ended by any other visible
   * character or the line's end): each clause's length, its length with the previous clause's, its
   * length with the character that ends it, and whether the line ends in punctuation.
   * The line is read as the tokenizer reads it (first MAX_TOKENIZE_CHARS code units, NFKC).
   */
  line(text: string): Map<number, number> {
    const counts = this.counts;
    counts.clear();
    let s = text.length > MAX_TOKENIZE_CHARS ? text.slice(0, MAX_TOKENIZE_CHARS) : text;
    if (!MAYBE_CJK.test(s)) return counts;
    s = s.normalize('NFKC');
    let prev = -1; // start of the previous character when it was ideographic, else -1
    let run = 0; // ideographs in the clause so far
    let lastClause = 0; // length of the previous clause, 0 before the first
    const clause = (end: number) => {
      const length = Math.min(run, MAX_CLAUSE);
      this.add(seeded(CLAUSE, length), this.rhythm);
      if (lastClause > 0) this.add(mix(seeded(CLAUSE_PAIR, length), lastClause), this.rhythm);
      this.add(mix(seeded(CLAUSE_END, length), end), this.rhythm);
      lastClause = length;
      run = 0;
    };
    for (let i = 0; i < s.length; ) {
      const code = s.charCodeAt(i);
      const width = code >= 0xd800 && code <= 0xdbff && i + 1 < s.length ? 2 : 1;
      if (code >= FIRST_CJK && isIdeographic(s.slice(i, i + width))) {
        this.add(fnv(Math.imul(FNV_OFFSET ^ UNIGRAM, FNV_PRIME), s, i, i + width));
        if (prev >= 0) this.add(fnv(Math.imul(FNV_OFFSET ^ BIGRAM, FNV_PRIME), s, prev, i + width));
        prev = i;
        run++;
      } else {
        prev = -1;
        // Spaces and controls end no clause (a spaced line of Japanese or a wrapped line reads on).
        if (run > 0 && code > 0x20 && this.rhythm > 0) clause(code);
      }
      i += width;
    }
    if (this.rhythm > 0 && counts.size > 0) {
      const unpunctuated = run > 0;
      if (unpunctuated) clause(0);
      this.add(seeded(LINE_END, unpunctuated ? 0 : 1), this.rhythm);
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

  private add(h: number, count = 1): void {
    const bucket = (h ^ (h >>> 16)) & this.mask;
    this.counts.set(bucket, (this.counts.get(bucket) ?? 0) + count);
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
