import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serializeVectorTable } from '../../../src/engine/text/vectorTable';
import fc from 'fast-check';
import { WordIndex, WordVectors } from '../../../src/engine/text/wordVectors';
import { TINY_DIM, TINY_WORDS, tinyMatrix, tinyTableBytes } from './tinyVectors';

describe('WordVectors', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fewshot-vectors-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, bytes: Uint8Array): string => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, bytes);
    return file;
  };

  it('round-trips words and vectors through the int8 table within quantisation error', () => {
    const original = tinyMatrix(TINY_WORDS.length, TINY_DIM);
    const wv = WordVectors.load(write('ok.bin', tinyTableBytes()));
    assert.equal(wv.size, TINY_WORDS.length);
    assert.equal(wv.dim, TINY_DIM);
    assert.deepEqual([...wv.words], TINY_WORDS);
    assert.equal(wv.vectors.length, TINY_WORDS.length * TINY_DIM);
    for (let r = 0; r < wv.size; r++) {
      const row = original.subarray(r * TINY_DIM, (r + 1) * TINY_DIM);
      const maxAbs = Math.max(...row.map(Math.abs));
      for (let j = 0; j < TINY_DIM; j++) {
        assert.ok(Math.abs(wv.vectors[r * TINY_DIM + j] - row[j]) <= maxAbs / 254 + 1e-7, `row ${r} dim ${j}`);
      }
    }
  });

  it('looks words up by exact lowercase spelling, -1 when unknown', () => {
    const wv = WordVectors.fromBuffer(tinyTableBytes());
    assert.equal(wv.indexOf('the'), 0);
    assert.equal(wv.indexOf('café'), TINY_WORDS.indexOf('café'));
    assert.equal(wv.indexOf('Card'), -1);
    assert.equal(wv.indexOf('nonexistent'), -1);
    assert.equal(wv.indexOf(''), -1);
  });

  it('its word index finds the first row of every word and nothing else (duplicates, any UTF-16)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string({ maxLength: 6 }), fc.string({ unit: 'binary', maxLength: 4 }), fc.constantFrom('a', 'ab', 'é', '')), {
          maxLength: 300,
        }),
        fc.array(fc.string({ unit: 'binary', maxLength: 6 }), { maxLength: 50 }),
        (words, others) => {
          const index = new WordIndex(words);
          for (const w of [...words, ...others]) if (index.get(w) !== words.indexOf(w)) return false;
          return true;
        },
      ),
      { numRuns: 300 },
    );
  });

  it('hashes the file bytes', () => {
    const bytes = tinyTableBytes();
    const wv = WordVectors.fromBuffer(bytes);
    assert.equal(wv.sha256, createHash('sha256').update(bytes).digest('hex'));
  });

  it('serialises deterministically and keeps an all-zero row at zero', () => {
    const words = ['a', 'b'];
    const values = new Float32Array([0, 0, 0, 1, -2, 0.5]);
    const one = serializeVectorTable(words, 3, values);
    assert.deepEqual(one, serializeVectorTable(words, 3, values));
    const wv = WordVectors.fromBuffer(one);
    assert.deepEqual([...wv.vectors.subarray(0, 3)], [0, 0, 0]);
    assert.equal(wv.vectors[4], -2);
    assert.ok(!wv.vectors.some(Number.isNaN));
  });

  it('refuses words it cannot store and mismatched sizes', () => {
    assert.throws(() => serializeVectorTable(['a\nb'], 1, [1]), /unusable word/);
    assert.throws(() => serializeVectorTable(['a'], 2, [1]), /1 values for 1 words x 2/);
  });

  describe('bad files throw a message naming the file', () => {
    const good = tinyTableBytes();
    const bad: Array<[string, () => Uint8Array, RegExp]> = [
      ['empty', () => new Uint8Array(0), /only 0 bytes/],
      ['truncated', () => good.slice(0, good.length - 5), /header promises/],
      ['too long', () => Uint8Array.from([...good, 0]), /header promises/],
      ['wrong magic', () => Uint8Array.from(good, (b, i) => (i === 0 ? 0x58 : b)), /wrong magic/],
      ['future version', () => Uint8Array.from(good, (b, i) => (i === 4 ? 9 : b)), /format version 9/],
      ['word count mismatch', () => Uint8Array.from(good, (b, i) => (i === 8 ? b + 1 : b)), /header promises/],
      ['text file', () => new TextEncoder().encode('{"words": ["not", "a", "table"]}'), /wrong magic/],
    ];
    for (const [what, make, why] of bad) {
      it(what, () => {
        const file = write(`${what.replace(/ /g, '-')}.bin`, make());
        assert.throws(
          () => WordVectors.load(file),
          (e: Error) => e.message.startsWith(file) && why.test(e.message),
        );
      });
    }
    it('missing file', () => {
      const file = path.join(dir, 'missing.bin');
      assert.throws(
        () => WordVectors.load(file),
        (e: Error) => e.message.startsWith(file) && /cannot read/.test(e.message),
      );
    });
  });
});
