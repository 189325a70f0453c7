// Hashed character n-grams of one tokenised line, as a sparse L2-normalised vector.
//
// The n-grams run over ' ' + tokens.join(' ') + ' ': word boundaries are marked and neighbouring
// words share the n-grams that span their space. Hash: FNV-1a over UTF-16 code units, finished
// with a xor-shift, modulo the bucket count. Value: log(1 + term frequency), then L2 over the row.
// Everything runs in reused typed arrays: no string or array is allocated per n-gram or per line.

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
    const { ngramMin, ngramMax, buckets, mask, counts } = this;
    const text = this.codes;
    let m = 0;
    for (let i = 0; i + ngramMin <= length; i++) {
      let h = FNV_OFFSET;
      for (let k = i; k < i + ngramMin - 1; k++) h = Math.imul(h ^ text[k], FNV_PRIME);
      const end = Math.min(length, i + ngramMax);
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
