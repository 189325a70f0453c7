import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { Encoder } from '../../../src/engine/features/encoder';
import { EncodingCache } from '../../../src/engine/eval/encoding-cache';
import { selectRows } from '../../../src/engine/learners/featureView';
import { IDEOGRAPH_BUCKETS, IdeographHasher, RHYTHM_WEIGHT, selectSparseRows } from '../../../src/engine/text/ideographs';
import type { SparseRows } from '../../../src/engine/types';
import { tinyVectors } from './tinyVectors';

/** Row i of sparse rows as bucket -> value. */
function rowOf(rows: SparseRows, i: number): Map<number, number> {
  const from = rows.offsets[i];
  return new Map(Array.from(rows.index.subarray(from, rows.offsets[i + 1]), (b, p) => [b, rows.value[from + p]]));
}

const SPACED_LINES = [
  'what is my card balance',
  'Größe Ärger naïve façade Ångström',
  'Привет, мир! КакДела',
  '한국어를 배우고 있습니다',
  'ภาษาไทยไม่มีช่องว่าง ครับ',
  'שלום עולם',
  'हिन्दी भाषा',
  '',
];

describe('ideograph block', () => {
  const hasher = new IdeographHasher();

  it('has no entries for lines without Han or kana (English and every spaced script are untouched)', () => {
    const rows = hasher.rows(SPACED_LINES);
    assert.deepEqual([...rows.offsets], new Array(SPACED_LINES.length + 1).fill(0));
    assert.equal(rows.dim, IDEOGRAPH_BUCKETS);
  });

  it('counts each ideograph and each pair of neighbouring ones; anything between them breaks the pair', () => {
    const hasher = new IdeographHasher(IDEOGRAPH_BUCKETS, 0); // characters only
    assert.equal(hasher.line('中文好').size, 5, '中 文 好, 中文 文好');
    assert.equal(hasher.line('中，文').size, 2, 'punctuation: no bigram');
    assert.equal(hasher.line('中 文').size, 2, 'a space: no bigram');
    assert.deepEqual([...hasher.line('之之之').values()].sort(), [2, 3], '之 three times, 之之 twice');
    // Mixed text: the Latin word is no part of the block, and the characters around it are no pair.
    assert.deepEqual(new Set(hasher.line('北京Beijing上海').keys()), new Set(hasher.line('北京，上海').keys()));
  });

  it('handles kana like Han, after NFKC (half-width katakana, composed voiced marks)', () => {
    const hasher = new IdeographHasher(IDEOGRAPH_BUCKETS, 0);
    assert.equal(hasher.line('がっこう').size, 4 + 3);
    assert.deepEqual(hasher.line('ｶﾞｲﾄﾞ'), hasher.line('ガイド'));
    assert.deepEqual(hasher.line('か\u3099'), hasher.line('が'));
  });

  it('counts the rhythm: each clause length, with the previous one, with what ends it, and the line end', () => {
    const chars = new IdeographHasher(IDEOGRAPH_BUCKETS, 0);
    const rhythmOf = (text: string) => {
      const all = new Map(hasher.line(text));
      for (const bucket of chars.line(text).keys()) all.delete(bucket);
      return all;
    };
    // Two clauses of four: length 4 twice, (4 after 4) once, 4 ended by ',' and by '。', punctuated end.
    assert.deepEqual([...rhythmOf('关关雎鸠，在河之洲。').values()].sort(), [0.75, 0.75, 0.75, 0.75, 1.5]);
    assert.equal(RHYTHM_WEIGHT, 0.75);
    // The same characters in another form: the characters' grams are the same, the rhythm is not.
    assert.deepEqual(chars.line('春眠不觉晓处处闻啼鸟'), chars.line('春眠不觉晓，处处闻啼鸟。'));
    assert.notDeepEqual(new Set(hasher.line('春眠不觉晓处处闻啼鸟').keys()), new Set(hasher.line('春眠不觉晓，处处闻啼鸟。').keys()));
    // Lines of other characters in the same form share every rhythm bucket.
    assert.deepEqual(new Set(rhythmOf('关关雎鸠，在河之洲。').keys()), new Set(rhythmOf('采采卷耳，不盈顷筐。').keys()));
    // A line that ends without punctuation says so; a space ends no clause.
    assert.notDeepEqual(new Set(rhythmOf('山一程，水一程').keys()), new Set(rhythmOf('山一程，水一程。').keys()));
    assert.deepEqual(new Set(rhythmOf('東京 タワー。').keys()), new Set(rhythmOf('東京タワー。').keys()));
  });

  it('hashes the same way on every run (pinned: a change here changes every adapted model)', () => {
    const texts = ['子曰：学而时习之，不亦说乎？', '東京タワーに行く', '我用Python写了3个程序', '𠀋𠀍'];
    const digestOf = (rows: SparseRows) => {
      const digest = createHash('sha256');
      for (const a of [rows.offsets, rows.index, rows.value]) digest.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
      return digest.digest('hex');
    };
    // The characters' grams as before the rhythm came in; with it.
    assert.equal(
      digestOf(new IdeographHasher(IDEOGRAPH_BUCKETS, 0).rows(texts)),
      'fa0bd4266e60eb210b2d90d044b6a72483326969978d84720fc56da5f0b5cb31',
    );
    const rows = hasher.rows(texts);
    assert.equal(digestOf(rows), 'c6b501fcf8779543c4691400aebe685fcce541a08fbc4569eba372e0c218363e');
    for (let i = 0; i < 4; i++) {
      const row = rows.index.subarray(rows.offsets[i], rows.offsets[i + 1]);
      assert.ok(
        row.every((b, p) => p === 0 || b > row[p - 1]),
        'indices strictly ascending',
      );
    }
  });

  it('picks rows (selectSparseRows), and the encoder attaches the block only when asked to', () => {
    const lines = ['hello world', '中文好', '日本語', 'plain'];
    const rows = hasher.rows(lines);
    const picked = selectSparseRows(rows, [2, 0, 1]);
    assert.deepEqual(rowOf(picked, 0), rowOf(rows, 2));
    assert.equal(rowOf(picked, 1).size, 0);
    assert.deepEqual(rowOf(picked, 2), rowOf(rows, 1));

    assert.equal(new Encoder(tinyVectors(), { cacheSize: 0 }).encode(lines).ideo, undefined);
    const encoder = new Encoder(tinyVectors(), { cacheSize: 10, ideographBuckets: IDEOGRAPH_BUCKETS });
    const plain = new Encoder(tinyVectors(), { cacheSize: 10 }).encode(lines);
    for (const pass of [1, 2]) {
      const encoded = encoder.encode(lines);
      assert.deepEqual(encoded.ideo, rows, `pass ${pass} (the second from the cache)`);
      assert.deepEqual({ ...encoded, ideo: undefined }, { ...plain, ideo: undefined }, 'the other blocks are unchanged');
    }
    // Row subsets and the evaluator's cache keep each line's entries with it.
    const encoded = encoder.encode(lines);
    assert.deepEqual(selectRows(encoded, [2, 0, 1]).ideo, picked);
    const cache = new EncodingCache((t) => encoder.encode(t));
    cache.lines(['中文好', 'plain']);
    assert.deepEqual(cache.lines(['日本語', 'hello world', '中文好']).ideo, picked);
  });

  it('rejects a bucket count that is not a power of two', () => {
    assert.throws(() => new IdeographHasher(1000), /power of two/);
    assert.throws(() => new Encoder(tinyVectors(), { ideographBuckets: 3 }), /ideographBuckets/);
  });
});
