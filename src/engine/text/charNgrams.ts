// Hashed character n-grams of one tokenised line, as a sparse L2-normalised vector.
//
// The n-grams run over ' ' + tokens.join(' ') + ' ': word boundaries are marked and neighbouring
// words share the n-grams that span their space. Hash: FNV-1a over UTF-16 code units, finished
// with a xor-shift, modulo the bucket count. Value: log(1 + term frequency), then L2 over the row.
// Everything runs in reused typed arrays: no string or array is allocated per n-gram or per line.
//
// Han ideographs and kana (one token each, see tokenizer.ts) get character unigrams ' X ' (counted
// twice) and bigrams 'X Y' instead of the 3..5-grams: in Chinese those carry the meaning (a word is one to
// three characters), and the wider windows over single-character tokens mostly repeat the bigram
// (' X Y', 'X Y ', ' X Y ') and drown the unigrams. A line without such tokens (English, any
// spaced script) hashes exactly as before: the shipped model was trained on those features.
import { isIdeographic } from './tokenizer';

const FNV_OFFSET = 0x811c9dc5 | 0; // as int32, so the hash loop stays in small integers
const FNV_PRIME = 0x01000193;

// log(1 + tf) for the usual small counts (Math.log1p per bucket was a visible cost).
const LOG1P = Float64Array.from({ length: 256 }, (_, c) => Math.log1p(c));

export class CharNgramHasher {
  /** Bucket indices of the last line, ascending; valid for the first `hash()` result entries. */
  index = new Int32Array(256);
  /** Values matching `index`. */
  value = new Float32Array(256);
  private codes = new Uint16Array(1024);
  /** Per code position of the last line with ideographic tokens: where the next one starts. */
  private nextIdeo = new Int32Array(1024);
  /** Per token of the last line: 1 for an ideographic token. */
  private ideoTokens = new Uint8Array(256);
  private readonly counts: Int32Array;
  private readonly bitmap: Int32Array;
  private touched = new Int32Array(256);
  private readonly mask: number;

  constructor(
    readonly ngramMin: number,
    readonly ngramMax: number,
    readonly buckets: number,
  ) {
    this.counts = new Int32Array(buckets);
    this.bitmap = new Int32Array(Math.ceil(buckets / 32));
    this.mask = (buckets & (buckets - 1)) === 0 ? buckets - 1 : -1;
  }

  /** Hashes one line; returns how many entries of `index`/`value` it filled (0 for no tokens). */
  hash(tokens: readonly string[]): number {
    const length = this.writeCodes(tokens);
    const ideographic = this.markIdeographic(tokens, length);
    const { ngramMin, ngramMax, buckets, mask, counts } = this;
    const text = this.codes;
    const nextIdeo = this.nextIdeo;
    let m = 0;
    for (let i = 0; i + ngramMin <= length; i++) {
      // Windows stop before an ideographic token: those have their own n-grams (below).
      const end = ideographic ? Math.min(length, i + ngramMax, nextIdeo[i]) : Math.min(length, i + ngramMax);
      if (i + ngramMin > end) continue;
      let h = FNV_OFFSET;
      for (let k = i; k < i + ngramMin - 1; k++) h = Math.imul(h ^ text[k], FNV_PRIME);
      // The hot loop of every line: count() inlined, the fields in locals (a method call per
      // n-gram measured slower on English text, which has no ideographic tokens).
      for (let k = i + ngramMin - 1; k < end; k++) {
        h = Math.imul(h ^ text[k], FNV_PRIME);
        const mixed = h ^ (h >>> 16);
        const bucket = mask >= 0 ? mixed & mask : (mixed >>> 0) % buckets;
        if (counts[bucket]++ === 0) {
          if (m === this.touched.length) this.touched = grow(this.touched, m + 1);
          this.touched[m++] = bucket;
        }
      }
    }
    if (ideographic) m = this.hashIdeographic(tokens, m);
    if (m > this.index.length) {
      this.index = new Int32Array(2 * m);
      this.value = new Float32Array(2 * m);
    }
    this.sortTouched(m);
    const { index, value } = this;
    let norm = 0;
    for (let t = 0; t < m; t++) {
      const count = counts[index[t]];
      counts[index[t]] = 0;
      const v = count < LOG1P.length ? LOG1P[count] : Math.log1p(count);
      value[t] = v;
      norm += v * v;
    }
    if (norm > 0) {
      const inv = 1 / Math.sqrt(norm);
      for (let t = 0; t < m; t++) value[t] *= inv;
    }
    return m;
  }

  /** Counts the n-gram of hash `h`; `m` buckets were touched so far, returns the new count. */
  private count(h: number, m: number): number {
    const mixed = h ^ (h >>> 16);
    const bucket = this.mask >= 0 ? mixed & this.mask : (mixed >>> 0) % this.buckets;
    if (this.counts[bucket]++ === 0) {
      if (m === this.touched.length) this.touched = grow(this.touched, m + 1);
      this.touched[m++] = bucket;
    }
    return m;
  }

  /**
   * Flags the ideographic tokens and, when there are any, fills `nextIdeo` (for each code
   * position, where the next ideographic token's code units start); false for a line without any.
   */
  private markIdeographic(tokens: readonly string[], length: number): boolean {
    if (tokens.length > this.ideoTokens.length) this.ideoTokens = new Uint8Array(Math.max(tokens.length, 2 * this.ideoTokens.length));
    let any = false;
    for (let j = 0; j < tokens.length; j++) {
      const ideo = isIdeographic(tokens[j]);
      this.ideoTokens[j] = ideo ? 1 : 0;
      any ||= ideo;
    }
    if (!any) return false;
    if (this.nextIdeo.length < length + 1) this.nextIdeo = new Int32Array(Math.max(length + 1, 2 * this.nextIdeo.length));
    const next = this.nextIdeo;
    // First flag the code units of ideographic tokens (token j starts after ' ' + the tokens before
    // it, each followed by a space), then turn the flags into "next flagged position" from the end.
    next.fill(0, 0, length);
    for (let j = 0, p = 1; j < tokens.length; p += tokens[j].length + 1, j++) {
      if (this.ideoTokens[j]) next.fill(1, p, p + tokens[j].length);
    }
    next[length] = length;
    for (let p = length - 1; p >= 0; p--) next[p] = next[p] === 1 ? p : next[p + 1];
    return true;
  }

  /** Unigram ' X ' of every ideographic token X and bigram 'X Y' of every two that follow each other. */
  private hashIdeographic(tokens: readonly string[], m: number): number {
    for (let j = 0; j < tokens.length; j++) {
      if (!this.ideoTokens[j]) continue;
      let h = Math.imul(FNV_OFFSET ^ 0x20, FNV_PRIME);
      h = this.fnv(h, tokens[j]);
      // Counted twice: on the Chinese evaluation set (docs/accuracy.md) unigrams weighing more
      // gained 2 points at 1 and 5 shots; three times or trigrams added nothing.
      const unigram = Math.imul(h ^ 0x20, FNV_PRIME);
      m = this.count(unigram, this.count(unigram, m));
      if (j + 1 < tokens.length && this.ideoTokens[j + 1]) {
        h = Math.imul(this.fnv(FNV_OFFSET, tokens[j]) ^ 0x20, FNV_PRIME);
        m = this.count(this.fnv(h, tokens[j + 1]), m);
      }
    }
    return m;
  }

  private fnv(h: number, token: string): number {
    for (let k = 0; k < token.length; k++) h = Math.imul(h ^ token.charCodeAt(k), FNV_PRIME);
    return h;
  }

  /** Writes ' ' + tokens.join(' ') + ' ' as code units into `codes`; returns the length. */
  private writeCodes(tokens: readonly string[]): number {
    let needed = 1;
    for (const t of tokens) needed += t.length + 1;
    if (needed > this.codes.length) this.codes = new Uint16Array(Math.max(needed, 2 * this.codes.length));
    const codes = this.codes;
    let p = 0;
    codes[p++] = 0x20;
    for (const t of tokens) {
      for (let j = 0; j < t.length; j++) codes[p++] = t.charCodeAt(j);
      codes[p++] = 0x20;
    }
    return tokens.length === 0 ? 0 : p;
  }

  /** Puts the m touched buckets into `index` in ascending order: a bitmap scan when the table is small. */
  private sortTouched(m: number): void {
    const bits = this.bitmap;
    if (bits.length > 4 * m) {
      this.index.set(this.touched.subarray(0, m).sort());
      return;
    }
    const touched = this.touched;
    for (let t = 0; t < m; t++) bits[touched[t] >>> 5] |= 1 << (touched[t] & 31);
    const out = this.index;
    let o = 0;
    for (let w = 0; w < bits.length; w++) {
      let word = bits[w];
      if (word === 0) continue;
      bits[w] = 0;
      while (word !== 0) {
        const low = word & -word; // lowest set bit
        out[o++] = (w << 5) | (31 - Math.clz32(low));
        word ^= low;
      }
    }
  }
}

function grow(a: Int32Array, atLeast: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(Math.max(atLeast, 2 * a.length));
  b.set(a);
  return b;
}
