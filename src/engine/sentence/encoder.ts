// The sentence block: one unit-length 512-d vector per line from the sentence encoder. Lines are
// embedded in batches of similar length (padding costs as much as text in a transformer), each
// distinct line once: a bounded in-memory cache, and optionally an on-disk one shared across runs.
import * as tf from '@tensorflow/tfjs-core';
import { SentenceDiskCache } from './diskCache';
import { INPUT_INDICES, INPUT_VALUES, loadSentenceModel, type SentenceModelFiles } from './model';
import { SentencePieceTokenizer } from './tokenizer';

/** Lines per model call: measured best on 2 cores (docs/sentence.md); larger batches pad more and use more memory. */
export const BATCH_SIZE = 32;
/** Pieces read per line: attention is quadratic in it; lines longer than this are cut. */
export const MAX_PIECES = 256;
const MEMORY_ENTRIES = 20_000;

export interface SentenceEncoderOptions {
  /** Folder of the model files; default the shipped models/sentence/. */
  dir?: string;
  /** Vectors kept in memory (least recently used go first); default 20,000 (about 40 MB). */
  memoryEntries?: number;
  /** Keep vectors on disk in this folder (one the caller owns), versioned by the model's hash. */
  cacheDir?: string;
  /** Bound of the disk cache in bytes (default 64 MB). */
  cacheBytes?: number;
}

export class SentenceEncoder {
  private readonly memory = new Map<string, Float32Array>();
  private readonly memoryEntries: number;
  /** Built by the first line no cache holds (see tokens()). */
  private tokenizer?: SentencePieceTokenizer;
  /** Model calls made so far (lines embedded by the model, not served from a cache). */
  modelLines = 0;

  private constructor(
    private readonly model: SentenceModelFiles,
    private readonly disk: SentenceDiskCache | undefined,
    memoryEntries: number,
  ) {
    this.memoryEntries = memoryEntries;
  }

  /**
   * The tokenizer, built on first use (its vocabulary parsed, its trie built: tens of
   * milliseconds): a reopened file whose lines are all cached never needs it.
   */
  private tokens(): SentencePieceTokenizer {
    this.tokenizer ??= new SentencePieceTokenizer(this.model.vocab());
    return this.tokenizer;
  }

  /** Whether the tokenizer was built (tests: a fully cached call must not build it). */
  get tokenizerBuilt(): boolean {
    return this.tokenizer !== undefined;
  }

  static async load(options: SentenceEncoderOptions = {}): Promise<SentenceEncoder> {
    const model = await loadSentenceModel(options.dir);
    const disk = options.cacheDir
      ? new SentenceDiskCache({
          dir: options.cacheDir,
          modelHash: model.hash,
          dim: model.dim,
          ...(options.cacheBytes !== undefined ? { maxBytes: options.cacheBytes } : {}),
        })
      : undefined;
    return new SentenceEncoder(model, disk, options.memoryEntries ?? MEMORY_ENTRIES);
  }

  /** Builds the graph model now (it is otherwise built by the first line no cache holds). */
  async prepare(): Promise<void> {
    await this.model.graph();
  }

  get dim(): number {
    return this.model.dim;
  }

  /** sha256 of the model files (what caches are versioned by). */
  get hash(): string {
    return this.model.hash;
  }

  /** The vectors of those texts already in the memory or disk cache (no model call). */
  cached(texts: readonly string[]): Map<string, Float32Array> {
    const got = new Map<string, Float32Array>();
    for (const text of texts) {
      const v = this.memory.get(text);
      if (v) got.set(text, v);
    }
    if (this.disk) for (const [text, v] of this.disk.get(texts.filter((t) => !got.has(t)))) got.set(text, v);
    for (const [text, v] of got) this.remember(text, v);
    return got;
  }

  /** Row-major n x dim vectors, unit length; a line with no text gets zeros. */
  async embed(texts: readonly string[]): Promise<Float32Array> {
    const dim = this.dim;
    // This call's vectors live here, so a memory cache smaller than the call cannot lose any.
    const got = this.cached([...new Set(texts)]);
    const missing = [...new Set(texts.filter((t) => !got.has(t)))];
    if (missing.length) {
      const vectors = await this.run(missing);
      const fresh = missing.map((_, i) => vectors.slice(i * dim, (i + 1) * dim));
      missing.forEach((text, i) => {
        got.set(text, fresh[i] as Float32Array);
      });
      this.disk?.put(missing, fresh);
    }
    const out = new Float32Array(texts.length * dim);
    texts.forEach((text, i) => {
      out.set(got.get(text) as Float32Array, i * dim);
    });
    for (const [text, v] of got) this.remember(text, v);
    return out;
  }

  /** Keeps vectors computed elsewhere (a helper thread, threads.ts) in the memory and disk caches. */
  store(texts: readonly string[], vectors: Float32Array): void {
    const dim = this.dim;
    const fresh = texts.map((_, i) => vectors.slice(i * dim, (i + 1) * dim));
    texts.forEach((text, i) => {
      this.remember(text, fresh[i] as Float32Array);
    });
    this.disk?.put(texts, fresh);
  }

  /** Keeps a vector, most recently used last, so the oldest go first when the cache is full. */
  private remember(text: string, v: Float32Array): void {
    this.memory.delete(text);
    this.memory.set(text, v);
    while (this.memory.size > this.memoryEntries) this.memory.delete(this.memory.keys().next().value as string);
  }

  /** Embeds distinct texts with the model, in batches of lines with similar piece counts. */
  private async run(texts: string[]): Promise<Float32Array> {
    const dim = this.dim;
    const out = new Float32Array(texts.length * dim);
    const ids = texts.map((t) => this.tokens().encode(t).slice(0, MAX_PIECES));
    const order = ids.map((_, i) => i).filter((i) => (ids[i] as number[]).length > 0);
    order.sort((a, b) => (ids[a] as number[]).length - (ids[b] as number[]).length || a - b);
    for (let from = 0; from < order.length; from += BATCH_SIZE) {
      const rows = order.slice(from, from + BATCH_SIZE);
      const vectors = await this.batch(rows.map((r) => ids[r] as number[]));
      rows.forEach((r, k) => {
        out.set(vectors.subarray(k * dim, (k + 1) * dim), r * dim);
      });
      this.modelLines += rows.length;
    }
    return out;
  }

  private async batch(rows: number[][]): Promise<Float32Array> {
    const nnz = rows.reduce((s, r) => s + r.length, 0);
    const indices = new Int32Array(nnz * 2);
    const values = new Int32Array(nnz);
    let at = 0;
    rows.forEach((r, i) => {
      r.forEach((id, p) => {
        indices[2 * at] = i;
        indices[2 * at + 1] = p;
        values[at] = id;
        at++;
      });
    });
    const inputs = { [INPUT_INDICES]: tf.tensor2d(indices, [nnz, 2], 'int32'), [INPUT_VALUES]: tf.tensor1d(values, 'int32') };
    try {
      const graph = await this.model.graph();
      const result = (await graph.executeAsync(inputs, this.model.output)) as tf.Tensor;
      try {
        if (result.shape[0] !== rows.length || result.shape[1] !== this.dim) {
          throw new Error(`the sentence model returned shape [${result.shape}] for ${rows.length} lines`);
        }
        return (await result.data()) as Float32Array;
      } finally {
        result.dispose();
      }
    } finally {
      for (const t of Object.values(inputs)) t.dispose();
    }
  }

  /** Segmentation of a line into the model's pieces (diagnostics). */
  pieces(text: string): string[] {
    return this.tokens().pieces(text);
  }

  /** Writes the disk cache's new vectors (if it has one). */
  flush(): void {
    this.disk?.flush();
  }

  dispose(): void {
    this.model.dispose();
    this.memory.clear();
  }
}
