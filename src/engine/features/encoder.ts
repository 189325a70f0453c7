// Line -> features: a SIF-weighted word-vector block and a sparse hashed character n-gram block.
// Each line is encoded on its own (document-level transforms happen in the learners), so the
// result is cached per line text: documents that change little re-encode only changed lines.
//
// Memory layout: the fresh lines of one encode() call are written into one "slab" (three typed
// arrays) and cache entries point into it; allocating small typed arrays per line cost more than
// the encoding itself. A slab lives while any of its lines is cached; when the slabs pinned hold
// more than twice the live data, the cache is compacted into one new slab.
import type { EncodedLines } from '../types';
import { CharNgramHasher } from '../text/charNgrams';
import { IdeographHasher, joinEntries, type LineEntries } from '../text/ideographs';
import { type LineTokens, WordBlocks } from './wordBlocks';
import { MAX_TOKENIZE_CHARS, tokenize } from '../text/tokenizer';
import type { WordVectors } from '../text/wordVectors';

export interface EncoderOptions {
  /** SIF smoothing: weight a / (a + p(w)). */
  sifA: number;
  /** Shortest and longest character n-gram. */
  ngramMin: number;
  ngramMax: number;
  /** Hash buckets of the character block (its dimension). */
  charBuckets: number;
  /**
   * Lines kept in the LRU cache (0 disables it), about 1.7 KB each for a 40-character line. The
   * engine sets it (DEFAULT_CACHE_LINES, model.ts); this default serves training and evaluation.
   */
  cacheSize: number;
  /**
   * Buckets of the ideograph block (text/ideographs.ts), 0 for none. The engine's encoder has it
   * (model.ts); training reads no such block, so the default is 0.
   */
  ideographBuckets: number;
}

export const DEFAULT_ENCODER_OPTIONS: Readonly<EncoderOptions> = Object.freeze({
  sifA: 1e-3,
  ngramMin: 3,
  ngramMax: 5,
  charBuckets: 2048,
  cacheSize: 100_000,
  ideographBuckets: 0,
});

/** Encodings of a batch of lines, stored contiguously. */
interface Slab {
  word: Float32Array;
  charIndex: Int32Array;
  charValue: Float32Array;
  /** Cached lines still pointing into this slab. */
  live: number;
}

/** One line's encoding: where it lies in its slab. */
interface LineCode {
  slab: Slab;
  wordAt: number;
  charAt: number;
  charCount: number;
  /** Value of the encoder's use counter when the line was last moved to the young end of the LRU. */
  used: number;
  /** Its entries in the ideograph block, when the encoder has the block and the line has any. */
  ideo?: LineEntries;
}

function checkOptions(o: EncoderOptions): void {
  const bad = (what: string): never => {
    throw new Error(`Encoder: ${what}`);
  };
  if (!(o.sifA > 0 && Number.isFinite(o.sifA))) bad(`sifA must be a positive number, got ${o.sifA}`);
  if (!Number.isInteger(o.ngramMin) || o.ngramMin < 1) bad(`ngramMin must be an integer >= 1, got ${o.ngramMin}`);
  if (!Number.isInteger(o.ngramMax) || o.ngramMax < o.ngramMin) bad(`ngramMax must be an integer >= ngramMin, got ${o.ngramMax}`);
  if (!Number.isInteger(o.charBuckets) || o.charBuckets < 1 || o.charBuckets > 2 ** 24) {
    bad(`charBuckets must be an integer in 1..2^24, got ${o.charBuckets}`);
  }
  if (!Number.isInteger(o.cacheSize) || o.cacheSize < 0) bad(`cacheSize must be an integer >= 0, got ${o.cacheSize}`);
  const ib = o.ideographBuckets;
  if (!Number.isInteger(ib) || ib < 0 || ib > 2 ** 24 || (ib & (ib - 1)) !== 0)
    bad(`ideographBuckets must be 0 or a power of two up to 2^24, got ${ib}`);
}

/**
 * SIF weights by vocabulary row: p(w) by Zipf's law from the frequency rank r (1-based),
 * p = 1 / (r * H_N) with H_N the N-th harmonic number so the p sum to 1.
 */
export function zipfSifWeights(size: number, a: number): Float32Array {
  let harmonic = 0;
  for (let r = 1; r <= size; r++) harmonic += 1 / r;
  const weights = new Float32Array(size);
  for (let r = 1; r <= size; r++) weights[r - 1] = a / (a + 1 / (r * harmonic));
  return weights;
}

/**
 * SIF weights a / (a + p(w)) with p(w) counted in a corpus (words it never uses weigh 1):
 * measured 1-1.5 points better than the Zipf estimate on classes never trained on.
 */
export function corpusSifWeights(vectors: WordVectors, texts: Iterable<string>, a: number): Float32Array {
  const counts = new Float64Array(vectors.size);
  let total = 0;
  for (const text of texts) {
    for (const token of tokenize(text)) {
      const row = vectors.indexOf(token);
      if (row >= 0) {
        counts[row]++;
        total++;
      }
    }
  }
  return Float32Array.from(counts, (c) => a / (a + (total > 0 ? c / total : 0)));
}

/** Growable typed-array scratch for the fresh lines of one batch. */
class SlabBuilder {
  word = new Float32Array(0);
  charIndex = new Int32Array(1024);
  charValue = new Float32Array(1024);
  words = 0;
  chars = 0;

  reset(wordCapacity: number): void {
    if (this.word.length < wordCapacity) this.word = new Float32Array(wordCapacity);
    this.words = 0;
    this.chars = 0;
  }

  reserveChars(extra: number): void {
    const need = this.chars + extra;
    if (need <= this.charIndex.length) return;
    const size = Math.max(need, 2 * this.charIndex.length);
    const index = new Int32Array(size);
    index.set(this.charIndex.subarray(0, this.chars));
    const value = new Float32Array(size);
    value.set(this.charValue.subarray(0, this.chars));
    this.charIndex = index;
    this.charValue = value;
  }

  /** Copies what was written into a right-sized slab. */
  finish(): Slab {
    return {
      word: this.word.slice(0, this.words),
      charIndex: this.charIndex.slice(0, this.chars),
      charValue: this.charValue.slice(0, this.chars),
      live: 0,
    };
  }
}

export class Encoder {
  readonly options: EncoderOptions;
  private readonly sifWeights: Float32Array;
  private readonly hasher: CharNgramHasher;
  private readonly ideographs?: IdeographHasher;
  private readonly cache = new Map<string, LineCode>();
  private readonly builder = new SlabBuilder();
  private readonly wordBlocks: WordBlocks;
  /** The known tokens of a batch's fresh lines (grown as needed, reused). */
  private tokens: LineTokens = { n: 0, offsets: new Int32Array(1025), rows: new Int32Array(8192), weights: new Float32Array(8192) };
  /** Floats held by slabs that still have cached lines, and by the cached lines themselves. */
  private pinnedFloats = 0;
  /** Lines looked up so far: the clock of the LRU. */
  private uses = 0;
  private liveFloats = 0;

  /**
   * @param sifWeights SIF weight per vocabulary row (e.g. from corpus counts, see `corpusSifWeights`);
   *   by default estimated from the frequency rank by Zipf's law.
   */
  constructor(
    private readonly vectors: WordVectors,
    options: Partial<EncoderOptions> = {},
    sifWeights?: Float32Array,
  ) {
    this.options = { ...DEFAULT_ENCODER_OPTIONS, ...options };
    checkOptions(this.options);
    if (sifWeights && sifWeights.length !== vectors.size) {
      throw new Error(`SIF weights cover ${sifWeights.length} words but the vector table has ${vectors.size}`);
    }
    this.sifWeights = sifWeights ?? zipfSifWeights(vectors.size, this.options.sifA);
    this.hasher = new CharNgramHasher(this.options.ngramMin, this.options.ngramMax, this.options.charBuckets);
    if (this.options.ideographBuckets > 0) this.ideographs = new IdeographHasher(this.options.ideographBuckets);
    this.wordBlocks = new WordBlocks(vectors);
  }

  encode(texts: readonly string[]): EncodedLines {
    const lines = texts.map((t) => (typeof t === 'string' ? t : String(t ?? '')));
    const codes = this.lookUpOrEncode(lines);
    const out = this.encodeBlocks(codes);
    if (this.ideographs)
      out.ideo = joinEntries(
        codes.map((c) => c.ideo),
        this.ideographs.buckets,
      );
    return out;
  }

  /** The word and char blocks of the lines' codes. */
  private encodeBlocks(codes: LineCode[]): EncodedLines {
    const n = codes.length;
    const dim = this.vectors.dim;

    const charOffsets = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) charOffsets[i + 1] = charOffsets[i] + codes[i].charCount;
    // A batch of distinct fresh lines is exactly one new slab, in order: hand out views of it
    // instead of copying (callers treat encodings as read-only; the cache shares them).
    const first = codes[0];
    if (
      n > 0 &&
      first.wordAt === 0 &&
      first.charAt === 0 &&
      first.slab.word.length === n * dim &&
      first.slab.charIndex.length === charOffsets[n] &&
      codes[n - 1].slab === first.slab &&
      codes[n - 1].wordAt === (n - 1) * dim
    ) {
      let inOrder = true;
      for (let i = 0; i < n && inOrder; i++)
        inOrder = codes[i].slab === first.slab && codes[i].wordAt === i * dim && codes[i].charAt === charOffsets[i];
      if (inOrder) {
        return {
          n,
          wordDim: dim,
          word: first.slab.word,
          charDim: this.options.charBuckets,
          charOffsets,
          charIndex: first.slab.charIndex,
          charValue: first.slab.charValue,
        };
      }
    }
    const word = new Float32Array(n * dim);
    const charIndex = new Int32Array(charOffsets[n]);
    const charValue = new Float32Array(charOffsets[n]);
    // Copy runs of lines that lie next to each other in one slab (a fresh batch is one run).
    for (let i = 0; i < n; ) {
      const first = codes[i];
      let end = i + 1;
      while (
        end < n &&
        codes[end].slab === first.slab &&
        codes[end].wordAt === first.wordAt + (end - i) * dim &&
        codes[end].charAt === first.charAt + charOffsets[end] - charOffsets[i]
      )
        end++;
      const { slab } = first;
      word.set(slab.word.subarray(first.wordAt, first.wordAt + (end - i) * dim), i * dim);
      const chars = charOffsets[end] - charOffsets[i];
      charIndex.set(slab.charIndex.subarray(first.charAt, first.charAt + chars), charOffsets[i]);
      charValue.set(slab.charValue.subarray(first.charAt, first.charAt + chars), charOffsets[i]);
      i = end;
    }
    return { n, wordDim: dim, word, charDim: this.options.charBuckets, charOffsets, charIndex, charValue };
  }

  clearCache(): void {
    this.cache.clear();
    this.pinnedFloats = 0;
    this.liveFloats = 0;
  }

  /** Lines currently cached. */
  get cachedLines(): number {
    return this.cache.size;
  }

  /** Cache hits are refreshed in the LRU order; misses (each distinct text once) go into one new slab. */
  private lookUpOrEncode(lines: string[]): LineCode[] {
    const codes = new Array<LineCode>(lines.length);
    // Fresh texts in first-seen order; duplicates of a fresh text are filled in afterwards.
    const fresh = new Map<string, number>();
    let duplicates = false;
    const young = this.uses - (this.options.cacheSize >> 1);
    for (let i = 0; i < lines.length; i++) {
      const text = lines[i];
      const hit = this.cache.get(text);
      if (hit) {
        // Re-inserting moves a line to the young end of the LRU; lines used recently are already
        // far from eviction, so they skip the two map operations.
        if (hit.used < young) {
          this.cache.delete(text);
          this.cache.set(text, hit);
          hit.used = this.uses;
        }
        codes[i] = hit;
      } else if (fresh.has(text)) duplicates = true;
      else fresh.set(text, i);
    }
    this.uses += lines.length;
    if (fresh.size === 0) return codes;

    const dim = this.vectors.dim;
    const b = this.builder;
    b.reset(fresh.size * dim);
    const wordAts = new Int32Array(fresh.size);
    const charAts = new Int32Array(fresh.size);
    const counts = new Int32Array(fresh.size);
    const known = this.startTokens(fresh.size);
    let f = 0;
    for (const text of fresh.keys()) {
      const tokens = tokenize(text);
      wordAts[f] = b.words;
      this.addKnownTokens(known, f, tokens);
      b.words += dim;
      const count = this.hasher.hash(tokens);
      b.reserveChars(count);
      b.charIndex.set(this.hasher.index.subarray(0, count), b.chars);
      b.charValue.set(this.hasher.value.subarray(0, count), b.chars);
      charAts[f] = b.chars;
      counts[f++] = count;
      b.chars += count;
    }
    // Word blocks of every fresh line at once; they lie one after the other from the builder's start.
    this.wordBlocks.compute(known, b.word, 0);
    const slab = b.finish();
    f = 0;
    for (const [text, i] of fresh) {
      const code: LineCode = { slab, wordAt: wordAts[f], charAt: charAts[f], charCount: counts[f++], used: this.uses };
      const ideo = this.ideographs?.entries(text);
      if (ideo) code.ideo = ideo;
      codes[i] = code;
      this.remember(text, code);
    }
    if (duplicates) {
      for (let i = 0; i < lines.length; i++) {
        if (!codes[i]) codes[i] = codes[fresh.get(lines[i])!];
      }
    }
    if (slab.live > 0) this.pinnedFloats += slab.word.length + 2 * slab.charIndex.length;
    this.evictAndCompact();
    return codes;
  }

  private remember(text: string, code: LineCode): void {
    // Huge lines are not cached: the key would keep the whole text alive.
    if (this.options.cacheSize === 0 || text.length > MAX_TOKENIZE_CHARS) return;
    this.cache.set(text, code);
    code.slab.live++;
    this.liveFloats += this.vectors.dim + 2 * code.charCount;
  }

  private evictAndCompact(): void {
    const dim = this.vectors.dim;
    // One pass from the oldest entry (Map order is the LRU order; deleting while iterating is safe).
    let excess = this.cache.size - this.options.cacheSize;
    if (excess > 0) {
      for (const [text, code] of this.cache) {
        if (excess-- <= 0) break;
        this.cache.delete(text);
        this.liveFloats -= dim + 2 * code.charCount;
        if (--code.slab.live === 0) this.pinnedFloats -= code.slab.word.length + 2 * code.slab.charIndex.length;
      }
    }
    if (this.pinnedFloats > 2 * this.liveFloats + (1 << 20)) this.compact();
  }

  /** Copies every cached line into one new slab, releasing the old ones. */
  private compact(): void {
    const dim = this.vectors.dim;
    const b = this.builder;
    b.reset(this.cache.size * dim);
    const moved: Array<[LineCode, number, number]> = [];
    for (const code of this.cache.values()) {
      b.word.set(code.slab.word.subarray(code.wordAt, code.wordAt + dim), b.words);
      b.reserveChars(code.charCount);
      b.charIndex.set(code.slab.charIndex.subarray(code.charAt, code.charAt + code.charCount), b.chars);
      b.charValue.set(code.slab.charValue.subarray(code.charAt, code.charAt + code.charCount), b.chars);
      moved.push([code, b.words, b.chars]);
      b.words += dim;
      b.chars += code.charCount;
    }
    const slab = b.finish();
    for (const [code, wordAt, charAt] of moved) Object.assign(code, { slab, wordAt, charAt });
    slab.live = moved.length;
    this.pinnedFloats = slab.word.length + 2 * slab.charIndex.length;
  }

  /** The reused known-token arrays, emptied for `lines` lines. */
  private startTokens(lines: number): LineTokens {
    const t = this.tokens;
    if (t.offsets.length < lines + 1) t.offsets = new Int32Array(2 * lines + 1);
    t.n = lines;
    t.offsets[0] = 0;
    return t;
  }

  /** Line l's tokens found in the vocabulary (its word block is their SIF-weighted mean, see WordBlocks). */
  private addKnownTokens(t: LineTokens, l: number, tokens: readonly string[]): void {
    let k = t.offsets[l];
    if (k + tokens.length > t.rows.length) {
      const size = Math.max(k + tokens.length, 2 * t.rows.length);
      const rows = new Int32Array(size);
      rows.set(t.rows.subarray(0, k));
      const weights = new Float32Array(size);
      weights.set(t.weights.subarray(0, k));
      t.rows = rows;
      t.weights = weights;
    }
    for (const token of tokens) {
      const row = this.vectors.indexOf(token);
      if (row < 0) continue;
      t.rows[k] = row;
      t.weights[k++] = this.sifWeights[row];
    }
    t.offsets[l + 1] = k;
  }
}
