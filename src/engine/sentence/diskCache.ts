// An on-disk cache of sentence vectors, in a folder the caller owns (the extension's storage
// folder, the evaluator's cache folder; never the user's workspace). One file per model version:
// opening the cache for another model hash deletes the files of the others, so a changed model
// never serves stale vectors. Bounded in bytes: the least recently used lines go first.
//
// File: "FSSC", u32 format version, u32 dim, then records of sha256(text) (32 bytes) + dim float32.
// Written whole to a temporary file and renamed over the old one, so a crash leaves the old file.
import { createHash, hash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const MAGIC = 'FSSC';
const FORMAT = 1;
const HEADER = 12;
const KEY = 32;
const PREFIX = 'sentence-';

export interface SentenceDiskCacheOptions {
  /** Folder for the cache file; created when missing. */
  dir: string;
  /** The model's hash: the cache's version. */
  modelHash: string;
  dim: number;
  /** Largest file size in bytes (default 64 MB: about 32,000 lines of 512 floats). */
  maxBytes?: number;
}

/**
 * A line's key: its sha256, so two lines never share a vector. A reopened file looks every line up
 * (10,000 keys for a 10,000-line file): the one-shot `crypto.hash` (Node 20.12+, every VS Code this
 * extension supports) gives the same digest 2-3 times cheaper than a Hash object per line; an
 * older Node falls back to the object. A weaker, faster key would need the text kept beside it to
 * rule out collisions, and the cache keeps no text of the user's lines.
 */
const keyOf: (text: string) => string =
  typeof hash === 'function' ? (text) => hash('sha256', text, 'hex') : (text) => createHash('sha256').update(text).digest('hex');

export class SentenceDiskCache {
  readonly file: string;
  private readonly dim: number;
  private readonly maxEntries: number;
  /** key -> vector, least recently used first. */
  private readonly entries = new Map<string, Float32Array>();
  private dirty = false;

  constructor(options: SentenceDiskCacheOptions) {
    this.dim = options.dim;
    const record = KEY + 4 * options.dim;
    this.maxEntries = Math.max(0, Math.floor(((options.maxBytes ?? 64e6) - HEADER) / record));
    const version = options.modelHash.slice(0, 16);
    if (!/^[0-9a-f]{16}$/.test(version)) throw new Error(`the model hash must be hexadecimal (got "${options.modelHash}")`);
    fs.mkdirSync(options.dir, { recursive: true });
    this.file = path.join(options.dir, `${PREFIX}${version}.bin`);
    for (const name of fs.readdirSync(options.dir)) {
      if (name.startsWith(PREFIX) && path.join(options.dir, name) !== this.file) fs.rmSync(path.join(options.dir, name), { force: true });
    }
    this.read();
  }

  get size(): number {
    return this.entries.size;
  }

  /** The cached vectors of those texts that have one (each counts as used). */
  get(texts: readonly string[]): Map<string, Float32Array> {
    const found = new Map<string, Float32Array>();
    for (const text of texts) {
      const key = keyOf(text);
      const v = this.entries.get(key);
      if (!v) continue;
      this.entries.delete(key);
      this.entries.set(key, v);
      found.set(text, v);
    }
    return found;
  }

  put(texts: readonly string[], vectors: readonly Float32Array[]): void {
    texts.forEach((text, i) => {
      const v = vectors[i] as Float32Array;
      if (v.length !== this.dim) throw new Error(`a sentence vector of length ${v.length}, expected ${this.dim}`);
      const key = keyOf(text);
      this.entries.delete(key);
      this.entries.set(key, v);
    });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    if (texts.length) this.dirty = true;
  }

  /** Writes the cache if it changed. */
  flush(): void {
    if (!this.dirty) return;
    const record = KEY + 4 * this.dim;
    const buf = Buffer.alloc(HEADER + this.entries.size * record);
    buf.write(MAGIC, 0, 'latin1');
    buf.writeUInt32LE(FORMAT, 4);
    buf.writeUInt32LE(this.dim, 8);
    let at = HEADER;
    for (const [key, v] of this.entries) {
      buf.write(key, at, 'hex');
      Buffer.from(v.buffer, v.byteOffset, v.byteLength).copy(buf, at + KEY);
      at += record;
    }
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, buf);
    fs.renameSync(tmp, this.file);
    this.dirty = false;
  }

  private read(): void {
    let buf: Buffer;
    try {
      buf = fs.readFileSync(this.file);
    } catch {
      return; // no cache yet
    }
    const record = KEY + 4 * this.dim;
    const valid =
      buf.length >= HEADER &&
      buf.toString('latin1', 0, 4) === MAGIC &&
      buf.readUInt32LE(4) === FORMAT &&
      buf.readUInt32LE(8) === this.dim &&
      (buf.length - HEADER) % record === 0;
    // A file this code cannot read is a cache miss, not an error: it is rewritten on the next flush.
    if (!valid) return;
    // The vectors are views of the one buffer read (no copy per line: a reopened 10,000-line file
    // is served at once); records are 4-byte aligned in the file, the buffer may need aligning.
    const bytes = buf.byteOffset % 4 === 0 ? buf : Buffer.from(buf);
    const floats = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
    for (let at = HEADER; at < buf.length; at += record) {
      const from = (at + KEY) / 4;
      this.entries.set(bytes.toString('hex', at, at + KEY), floats.subarray(from, from + this.dim));
    }
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }
}
