import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { Encoder } from '../../../src/engine/features/encoder';
import { CharNgramHasher } from '../../../src/engine/text/charNgrams';
import { isIdeographic, tokenize } from '../../../src/engine/text/tokenizer';
import { tinyVectors } from './tinyVectors';

/** Bucket -> value of one hashed line. */
function hashed(hasher: CharNgramHasher, tokens: string[]): Map<number, number> {
  const m = hasher.hash(tokens);
  return new Map(Array.from(hasher.index.subarray(0, m), (b, t) => [b, hasher.value[t]]));
}

// Lines in scripts that write spaces: their features are what the shipped model was trained on.
const SPACED_LINES = [
  'what is my card balance',
  'transfer money to my account',
  'ERROR 2024-01-05 DbPool: connection refused',
  'getUserByID returned null',
  'Größe Ärger naïve façade Ångström',
  'Привет, мир! КакДела',
  '한국어를 배우고 있습니다',
  'ภาษาไทยไม่มีช่องว่าง ครับ',
  '',
];

describe('character n-grams', () => {
  it('keeps the features of lines without Han or kana bit-identical (pinned from before CJK support)', () => {
    // The shipped checkpoint was meta-trained on these features: a change here needs `npm run train-model`.
    const encoded = new Encoder(tinyVectors(), { cacheSize: 0 }).encode(SPACED_LINES);
    const digest = createHash('sha256');
    for (const a of [encoded.word, encoded.charOffsets, encoded.charIndex, encoded.charValue]) {
      digest.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    }
    assert.equal(digest.digest('hex'), '5ddf29bd66b282498e03f18562c2440032d2fd6bda98868017af39771b3c7cc1');
  });

  it('gives a Chinese line character unigrams (counted twice) and bigrams, no wider windows', () => {
    const hasher = new CharNgramHasher(3, 5, 1 << 20);
    const line = hashed(hasher, tokenize('中文好'));
    // 3 unigrams (count 2) and 2 bigrams (count 1); with 2^20 buckets no two collide.
    const values = [...line.values()].sort();
    const uni = Math.log1p(2);
    const bi = Math.log1p(1);
    const norm = Math.sqrt(3 * uni * uni + 2 * bi * bi);
    assert.equal(values.length, 5);
    for (const [v, want] of values.map((v, i) => [v, i < 2 ? bi / norm : uni / norm]))
      assert.ok(Math.abs(v - want) < 1e-6, `${v} vs ${want}`);
    // The unigram of 中 is the same feature in any line; the bigram 中文 is shared with another line that has it.
    const other = hashed(hasher, tokenize('学中文'));
    const shared = [...line.keys()].filter((b) => other.has(b));
    assert.equal(shared.length, 3); // 中, 文, 中文
  });

  it('hashes the Latin words of a mixed line as on their own, and adds the ideographs beside them', () => {
    const hasher = new CharNgramHasher(3, 5, 1 << 20);
    const mixed = hashed(hasher, ['python', '写', '代', '码', 'v2']);
    const latin = hashed(hasher, ['python']);
    const tail = hashed(hasher, ['v2']);
    const han = hashed(hasher, ['写', '代', '码']);
    const expected = new Set([...latin.keys(), ...tail.keys(), ...han.keys()]);
    assert.deepEqual(new Set(mixed.keys()), expected);
  });

  it('counts Han ideographs and kana as ideographic tokens, nothing else', () => {
    for (const t of ['中', '文', 'の', 'カ', 'ー', '𠀋']) assert.ok(isIdeographic(t), t);
    for (const t of ['a', 'é', '한', 'ภ', '1', 'python', 'мир']) assert.ok(!isIdeographic(t), t);
  });
});
