import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import { Encoder, zipfSifWeights } from '../../../src/engine/features/encoder';
import { MAX_TOKENIZE_CHARS } from '../../../src/engine/text/tokenizer';
import { WordVectors } from '../../../src/engine/text/wordVectors';
import type { EncodedLines } from '../../../src/engine/types';
import { TINY_DIM, tinyVectors } from '../text/tinyVectors';

const LINES = [
  'what is my card balance',
  'transfer money to my account',
  'I lost my card',
  'book a flight',
  'weather in Paris tomorrow?',
  'ERROR 2024-01-05 DbPool: connection refused',
  'getUserByID returned null',
  '',
  '   ...   ',
  'café',
  'what is my card balance', // repeated line
];

/** Row i of a batch as plain arrays, for comparing lines across batches. */
function row(e: EncodedLines, i: number): { word: number[]; index: number[]; value: number[] } {
  const from = e.charOffsets[i];
  const to = e.charOffsets[i + 1];
  return {
    word: [...e.word.subarray(i * e.wordDim, (i + 1) * e.wordDim)],
    index: [...e.charIndex.subarray(from, to)],
    value: [...e.charValue.subarray(from, to)],
  };
}

function assertCsrInvariants(e: EncodedLines): void {
  assert.equal(e.charOffsets.length, e.n + 1);
  assert.equal(e.charOffsets[0], 0);
  assert.equal(e.charOffsets[e.n], e.charIndex.length);
  assert.equal(e.charIndex.length, e.charValue.length);
  assert.equal(e.word.length, e.n * e.wordDim);
  assert.ok(!e.word.some((v) => !Number.isFinite(v)), 'word block finite');
  for (let i = 0; i < e.n; i++) {
    const from = e.charOffsets[i];
    const to = e.charOffsets[i + 1];
    assert.ok(to >= from, `offsets ascend at row ${i}`);
    let norm = 0;
    for (let t = from; t < to; t++) {
      assert.ok(e.charIndex[t] >= 0 && e.charIndex[t] < e.charDim, 'index in range');
      if (t > from) assert.ok(e.charIndex[t] > e.charIndex[t - 1], `row ${i}: indices strictly ascending (sorted, merged)`);
      assert.ok(e.charValue[t] > 0 && Number.isFinite(e.charValue[t]));
      norm += e.charValue[t] ** 2;
    }
    if (to > from) assert.ok(Math.abs(norm - 1) < 1e-5, `row ${i} L2 norm ${norm}`);
  }
}

describe('Encoder', () => {
  const vectors = tinyVectors();

  it('produces the documented shapes and CSR invariants', () => {
    const e = new Encoder(vectors).encode(LINES);
    assert.equal(e.n, LINES.length);
    assert.equal(e.wordDim, TINY_DIM);
    assert.equal(e.charDim, 2048);
    assertCsrInvariants(e);
  });

  it('gives zero rows, not NaN, for empty and punctuation-only lines', () => {
    const e = new Encoder(vectors).encode(['', '   ...   ', '!!!']);
    assert.ok(e.word.every((v) => v === 0));
    assert.equal(e.charIndex.length, 0);
    assert.deepEqual([...e.charOffsets], [0, 0, 0, 0]);
  });

  it('word block is the SIF-weighted mean of the known words; unknown words add nothing', () => {
    const enc = new Encoder(vectors);
    const weights = zipfSifWeights(vectors.size, 1e-3);
    const e = enc.encode(['card balance', 'card balance zzzunknown qqq', 'zzzunknown']);
    const card = vectors.indexOf('card');
    const balance = vectors.indexOf('balance');
    for (let j = 0; j < TINY_DIM; j++) {
      const expected =
        (weights[card] * vectors.vectors[card * TINY_DIM + j] + weights[balance] * vectors.vectors[balance * TINY_DIM + j]) / 2;
      assert.ok(Math.abs(e.word[j] - expected) < 1e-6);
    }
    assert.deepEqual(row(e, 0).word, row(e, 1).word);
    assert.ok(row(e, 2).word.every((v) => v === 0));
    assert.ok(row(e, 2).index.length > 0, 'unknown words still give character n-grams');
  });

  it('SIF weights grow with the frequency rank and stay in (0, 1)', () => {
    const w = zipfSifWeights(1000, 1e-3);
    for (let r = 1; r < w.length; r++) assert.ok(w[r] > w[r - 1]);
    assert.ok(w[0] > 0 && w[w.length - 1] < 1);
  });

  it('counts repeated n-grams with log(1 + tf) before normalising', () => {
    const e = new Encoder(vectors, { ngramMin: 3, ngramMax: 3, charBuckets: 1 << 20 }).encode(['aaaa']);
    // ' aaaa ' has 3-grams ' aa', 'aaa' (twice), 'aa ': values proportional to log 2, log 3, log 2.
    const values = [...e.charValue].sort();
    assert.equal(values.length, 3);
    const norm = Math.sqrt(2 * Math.log(2) ** 2 + Math.log(3) ** 2);
    assert.ok(Math.abs(values[0] - Math.log(2) / norm) < 1e-6);
    assert.ok(Math.abs(values[2] - Math.log(3) / norm) < 1e-6);
  });

  it('merges hash collisions into one sorted entry (1 bucket)', () => {
    const e = new Encoder(vectors, { charBuckets: 1 }).encode(['transfer money', 'x']);
    assert.deepEqual([...e.charIndex], [0, 0]);
    assert.deepEqual([...e.charValue], [1, 1]);
  });

  it('sorts through either path: small and very large bucket tables agree on invariants', () => {
    for (const charBuckets of [7, 64, 2048, 1 << 22]) {
      assertCsrInvariants(new Encoder(vectors, { charBuckets }).encode(LINES));
    }
  });

  it('is deterministic: cached vs uncached, two encoders, any batch order', () => {
    const a = new Encoder(vectors).encode(LINES);
    const cached = new Encoder(vectors);
    cached.encode(LINES.slice(3));
    const b = cached.encode(LINES);
    const c = new Encoder(vectors, { cacheSize: 0 }).encode(LINES);
    const order = LINES.map((_, i) => i).reverse();
    const d = new Encoder(vectors).encode(order.map((i) => LINES[i]));
    for (let i = 0; i < LINES.length; i++) {
      assert.deepEqual(row(b, i), row(a, i));
      assert.deepEqual(row(c, i), row(a, i));
      assert.deepEqual(row(d, order.indexOf(i)), row(a, i));
      // bit-identical, not just equal as numbers
      assert.deepEqual(Buffer.from(new Float32Array(row(b, i).value).buffer), Buffer.from(new Float32Array(row(a, i).value).buffer));
    }
    assert.deepEqual(row(a, 0), row(a, LINES.length - 1), 'repeated line');
  });

  it('caches lines, evicts the least recently used beyond cacheSize, and clears', () => {
    const enc = new Encoder(vectors, { cacheSize: 3 });
    const first = enc.encode(['a card', 'b card', 'c card']);
    assert.equal(enc.cachedLines, 3);
    enc.encode(['a card']); // touch 'a card': 'b card' is now the oldest
    enc.encode(['d card']);
    assert.equal(enc.cachedLines, 3);
    // still correct after eviction
    const again = enc.encode(['b card', 'a card', 'c card']);
    assert.deepEqual(row(again, 0), row(first, 1));
    assert.deepEqual(row(again, 1), row(first, 0));
    assert.deepEqual(row(again, 2), row(first, 2));
    enc.clearCache();
    assert.equal(enc.cachedLines, 0);
  });

  it('stays correct through many batches that force slab compaction', () => {
    const enc = new Encoder(vectors, { cacheSize: 500 });
    const reference = new Encoder(vectors, { cacheSize: 0 });
    for (let round = 0; round < 40; round++) {
      const batch = Array.from({ length: 300 }, (_, i) => `line ${(i * 7 + round * 131) % 2000} card balance`);
      const got = enc.encode(batch);
      const want = reference.encode(batch);
      assert.deepEqual(got, want);
    }
    assert.ok(enc.cachedLines <= 500);
  });

  it('is safe on huge and binary lines: only the first characters count, nothing is NaN', () => {
    const enc = new Encoder(vectors);
    const head = 'transfer money '.repeat(Math.ceil(MAX_TOKENIZE_CHARS / 15));
    const huge = head.slice(0, MAX_TOKENIZE_CHARS) + ' card'.repeat(2_000_000);
    const binary = Buffer.from(Uint8Array.from({ length: 100_000 }, (_, i) => (i * 2654435761) >>> 24)).toString('latin1');
    const e = enc.encode([huge, binary, head.slice(0, MAX_TOKENIZE_CHARS)]);
    assertCsrInvariants(e);
    assert.deepEqual(row(e, 0), row(e, 2));
    assert.equal(enc.cachedLines, 1, 'lines longer than the cap are not cached');
  });

  it('rejects unusable options with a clear message', () => {
    assert.throws(() => new Encoder(vectors, { ngramMin: 0 }), /ngramMin must be an integer >= 1/);
    assert.throws(() => new Encoder(vectors, { ngramMin: 4, ngramMax: 3 }), /ngramMax/);
    assert.throws(() => new Encoder(vectors, { charBuckets: 0 }), /charBuckets/);
    assert.throws(() => new Encoder(vectors, { cacheSize: -1 }), /cacheSize/);
    assert.throws(() => new Encoder(vectors, { sifA: Number.NaN }), /sifA/);
  });

  describe('with the shipped vectors (models/vectors.bin, made by `npm run build`)', () => {
    const shipped = path.resolve(__dirname, '../../../../models/vectors.bin');
    const cosine = (e: EncodedLines, i: number, j: number): number => {
      let dot = 0,
        a = 0,
        b = 0;
      for (let k = 0; k < e.wordDim; k++) {
        const x = e.word[i * e.wordDim + k],
          y = e.word[j * e.wordDim + k];
        dot += x * y;
        a += x * x;
        b += y * y;
      }
      return dot / Math.sqrt(a * b);
    };

    it('places paraphrases closer than unrelated lines', () => {
      assert.ok(fs.existsSync(shipped), `${shipped} is missing: run npm run build`);
      const real = WordVectors.load(shipped);
      const e = new Encoder(real).encode([
        'what is the balance on my credit card',
        'how much money is left on my card',
        'book me a flight to paris next week',
      ]);
      assertCsrInvariants(e);
      assert.ok(cosine(e, 0, 1) > cosine(e, 0, 2), `${cosine(e, 0, 1)} vs ${cosine(e, 0, 2)}`);
    });
  });
});
