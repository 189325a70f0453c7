import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SentenceDiskCache } from '../../../src/engine/sentence/diskCache';

const DIM = 4;
const HASH_A = 'a'.repeat(64);
const HASH_B = 'b'.repeat(64);
const vec = (x: number) => Float32Array.from({ length: DIM }, (_, j) => x + j / 10);

describe('SentenceDiskCache', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fewshot-sentence-cache-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('serves what was put, across instances once flushed', () => {
    const cache = new SentenceDiskCache({ dir, modelHash: HASH_A, dim: DIM });
    cache.put(['one', 'two'], [vec(1), vec(2)]);
    assert.deepEqual(cache.get(['two', 'three']), new Map([['two', vec(2)]]));
    cache.flush();
    const reopened = new SentenceDiskCache({ dir, modelHash: HASH_A, dim: DIM });
    assert.deepEqual(
      reopened.get(['one', 'two', 'three']),
      new Map([
        ['one', vec(1)],
        ['two', vec(2)],
      ]),
    );
  });

  it('serves a reopened file from the one buffer it read: no copy per line', () => {
    const dim = 512;
    const texts = Array.from({ length: 300 }, (_, i) => `line ${i}`);
    const vectors = texts.map((_, i) => Float32Array.from({ length: dim }, (_, j) => i + j / 1000));
    const cache = new SentenceDiskCache({ dir, modelHash: HASH_A, dim });
    cache.put(texts, vectors);
    cache.flush();
    const got = new SentenceDiskCache({ dir, modelHash: HASH_A, dim }).get(texts);
    assert.equal(got.size, texts.length);
    const buffers = new Set([...got.values()].map((v) => v.buffer));
    assert.equal(buffers.size, 1);
    texts.forEach((t, i) => {
      assert.deepEqual(got.get(t), vectors[i]);
    });
  });

  it('keys each line by the sha256 of its UTF-8 text: files written before are read, and near-identical lines never share a vector', () => {
    // A file as the format describes it ("FSSC", version 1, dim, then sha256 + floats), written
    // here by hand: what any earlier version of the cache wrote.
    const texts = ['café au lait', 'cafe au lait', 'café au lait ', '数据'];
    const record = 32 + 4 * DIM;
    const file = Buffer.alloc(12 + texts.length * record);
    file.write('FSSC', 0, 'latin1');
    file.writeUInt32LE(1, 4);
    file.writeUInt32LE(DIM, 8);
    texts.forEach((t, i) => {
      createHash('sha256')
        .update(Buffer.from(t, 'utf8'))
        .digest()
        .copy(file, 12 + i * record);
      Buffer.from(vec(i).buffer).copy(file, 12 + i * record + 32);
    });
    fs.writeFileSync(path.join(dir, `sentence-${HASH_A.slice(0, 16)}.bin`), file);
    const cache = new SentenceDiskCache({ dir, modelHash: HASH_A, dim: DIM });
    const got = cache.get([...texts, 'cafe au lai', 'café']);
    assert.deepEqual([...got.keys()], texts);
    texts.forEach((t, i) => {
      assert.deepEqual(got.get(t), vec(i));
    });
  });

  it('forgets everything when the model hash changes, and deletes the old file', () => {
    const a = new SentenceDiskCache({ dir, modelHash: HASH_A, dim: DIM });
    a.put(['one'], [vec(1)]);
    a.flush();
    const b = new SentenceDiskCache({ dir, modelHash: HASH_B, dim: DIM });
    assert.equal(b.get(['one']).size, 0);
    assert.ok(!fs.existsSync(a.file));
    b.put(['one'], [vec(9)]);
    b.flush();
    assert.deepEqual(fs.readdirSync(dir), [path.basename(b.file)]);
  });

  it('stays within its byte bound, dropping the least recently used lines', () => {
    const record = 32 + 4 * DIM;
    const cache = new SentenceDiskCache({ dir, modelHash: HASH_A, dim: DIM, maxBytes: 12 + 3 * record });
    cache.put(['a', 'b', 'c'], [vec(1), vec(2), vec(3)]);
    cache.get(['a']); // a is now the most recently used: b goes first
    cache.put(['d'], [vec(4)]);
    assert.deepEqual([...cache.get(['a', 'b', 'c', 'd']).keys()], ['a', 'c', 'd']);
    cache.flush();
    assert.ok(fs.statSync(cache.file).size <= 12 + 3 * record);
    assert.equal(new SentenceDiskCache({ dir, modelHash: HASH_A, dim: DIM, maxBytes: 12 + 2 * record }).size, 2);
  });

  it('treats an unreadable file as empty and replaces it on the next flush', () => {
    const cache = new SentenceDiskCache({ dir, modelHash: HASH_A, dim: DIM });
    fs.writeFileSync(cache.file, 'not a cache');
    const reopened = new SentenceDiskCache({ dir, modelHash: HASH_A, dim: DIM });
    assert.equal(reopened.size, 0);
    reopened.put(['one'], [vec(1)]);
    reopened.flush();
    assert.equal(new SentenceDiskCache({ dir, modelHash: HASH_A, dim: DIM }).size, 1);
  });

  it('refuses vectors of the wrong length and hashes that are not hexadecimal', () => {
    const cache = new SentenceDiskCache({ dir, modelHash: HASH_A, dim: DIM });
    assert.throws(() => cache.put(['x'], [new Float32Array(DIM + 1)]), /length 5/);
    assert.throws(() => new SentenceDiskCache({ dir, modelHash: '../../x', dim: DIM }), /hexadecimal/);
  });
});
