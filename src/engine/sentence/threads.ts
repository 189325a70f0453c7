// More than one thread encoding sentence vectors. The model runs on one core per thread (the wasm
// backend has no threads in Node), so a second thread about doubles the lines per second on 2
// cores. The encoder of the calling thread keeps the caches and encodes too; each helper thread
// (helperThread.ts, bundled to out/sentenceHelper.js) loads the same model files and only runs the
// model. Work is handed out a batch at a time to whichever thread is free, in the order asked.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { packageRootFrom } from '../packageRoot';
import { SentenceEncoder, type SentenceEncoderOptions } from './encoder';

/** Overrides encoderThreads' answer in this process and its workers (a count; the bench compares 1 and 2). */
export const ENCODER_THREADS_ENV = 'FEWSHOT_ENCODER_THREADS';
/**
 * At most this many threads encode: each one holds its own copy of the model and the backend's
 * memory (about 100 MB), and the editor, the extension host and the instant path need cores too.
 */
export const MAX_ENCODER_THREADS = 4;

/**
 * How many threads encode sentence vectors (the one place this is decided): ENCODER_THREADS_ENV
 * when it holds a count, else one per core up to MAX_ENCODER_THREADS. Measured with `npm run
 * bench:refine -- --threads 1,2` (docs/scaling.md): on a quiet 2-core machine two threads were
 * measured at about 440 lines/s against 232-271 for one (1.6-1.9x), so 2 cores get 2 threads; one
 * core gets one (two threads would take turns on it, each with its own model's memory). On a
 * saturated machine the job's share of CPU, not its threads, sets the rate (no gain measured there).
 */
export function encoderThreads(cores = os.availableParallelism(), setting = process.env[ENCODER_THREADS_ENV]): number {
  const asked = setting === undefined ? Number.NaN : Number.parseInt(setting, 10);
  const n = Number.isFinite(asked) && asked >= 1 ? asked : cores;
  return Math.max(1, Math.min(MAX_ENCODER_THREADS, n));
}

/** A thread that runs the model: embed one batch of distinct, non-blank texts at a time. */
export interface EncoderLane {
  /** Row-major n x dim vectors. */
  embed(texts: readonly string[]): Promise<Float32Array>;
  close(): void;
}

/** What the pool needs of the calling thread's encoder (SentenceEncoder; tests pass a fake). */
export interface LocalEncoder {
  readonly dim: number;
  cached(texts: readonly string[]): Map<string, Float32Array>;
  embed(texts: readonly string[]): Promise<Float32Array>;
  /** Keeps vectors computed elsewhere in the memory and disk caches. */
  store(texts: readonly string[], vectors: Float32Array): void;
  flush(): void;
}

/**
 * The calling thread's encoder plus `threads - 1` helper threads, started by the first batch that
 * needs the model (a fully cached file starts none). A helper that cannot start or fails is
 * dropped with one log line; its batch runs on the calling thread, which is always there.
 */
export class EncoderPool {
  private readonly idle: Array<EncoderLane> = [];
  private readonly waiting: Array<(lane: EncoderLane) => void> = [];
  /** Helpers that failed: never given work again. */
  private readonly dead = new Set<EncoderLane>();
  private started = false;
  private helpers = 0;
  /** Whether the one log line about a failed helper was written. */
  private said = false;
  private readonly localLane: EncoderLane;

  constructor(
    private readonly local: LocalEncoder,
    private readonly wanted: number,
    private readonly startHelper: () => EncoderLane,
    private readonly log: (message: string) => void,
  ) {
    this.localLane = { embed: (texts) => local.embed(texts), close: () => {} };
  }

  get dim(): number {
    return this.local.dim;
  }

  /** Batches worth keeping in flight: one per thread asked for (a helper that failed is made up by waiting). */
  get threads(): number {
    return this.wanted;
  }

  /** Helper threads running now (tests, the bench). */
  get helperCount(): number {
    return this.helpers;
  }

  cached(texts: readonly string[]): Map<string, Float32Array> {
    return this.local.cached(texts);
  }

  /** One batch on the next free thread; vectors from a helper go into the caches here. */
  async embed(texts: readonly string[]): Promise<Float32Array> {
    this.start();
    // Ends: the calling thread's lane is never dropped, so a batch whose helper failed runs there.
    for (;;) {
      const lane = await this.take();
      try {
        const vectors = await lane.embed(texts);
        if (lane !== this.localLane) this.local.store(texts, vectors);
        return vectors;
      } catch (error) {
        if (lane === this.localLane) throw error;
        this.drop(lane, error);
      } finally {
        this.give(lane);
      }
    }
  }

  flush(): void {
    this.local.flush();
  }

  dispose(): void {
    for (const lane of this.idle) if (lane !== this.localLane) lane.close();
    this.idle.length = 0;
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    this.idle.push(this.localLane);
    for (let k = 1; k < this.wanted; k++) {
      try {
        this.idle.push(this.startHelper());
        this.helpers++;
      } catch (error) {
        this.say(error);
        break;
      }
    }
  }

  private take(): Promise<EncoderLane> {
    const lane = this.idle.shift();
    if (lane) return Promise.resolve(lane);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private give(lane: EncoderLane): void {
    if (this.dead.has(lane)) return;
    const next = this.waiting.shift();
    if (next) next(lane);
    else this.idle.push(lane);
  }

  /** A helper that failed: closed and never given work again. */
  private drop(lane: EncoderLane, error: unknown): void {
    lane.close();
    this.helpers--;
    this.say(error);
    this.dead.add(lane);
  }

  private say(error: unknown): void {
    if (this.said) return;
    this.said = true;
    const message = error instanceof Error ? error.message : String(error);
    this.log(`a sentence encoder thread failed (${message}); encoding goes on with fewer threads`);
  }
}

/** What the pool's helper thread is started with (helperThread.ts reads it). */
export interface SentenceHelperData {
  /** The tfjs backend the calling thread uses (wasm or cpu). */
  backend: 'wasm' | 'cpu';
  /** The model's folder; default the shipped one. */
  dir?: string;
}

/** calling thread -> helper: embed these; helper -> calling thread: the vectors or why not. */
export interface SentenceHelperRequest {
  id: number;
  texts: string[];
}
export type SentenceHelperReply = { id: number; vectors: Float32Array } | { id: number; error: string };

/**
 * The helper's bundle: out/sentenceHelper.js (scripts/build.mjs), found from the package root as
 * the kernel's helper is, so the extension's worker, the CLI, the benches and the tests all start it.
 */
export function sentenceHelperFile(): string {
  return path.join(packageRootFrom(__dirname), 'out', 'sentenceHelper.js');
}

/**
 * A helper thread running the model. It keeps the process alive only while it has work. A helper
 * that exits or throws rejects its batches (the pool then runs them on the calling thread).
 */
export function startSentenceHelper(data: SentenceHelperData, file = sentenceHelperFile()): EncoderLane {
  if (!fs.existsSync(file)) throw new Error(`${file} is missing (run \`npm run build\`)`);
  const worker = new Worker(file, { workerData: data });
  worker.unref();
  const pending = new Map<number, { resolve: (v: Float32Array) => void; reject: (e: Error) => void }>();
  let failure: Error | undefined;
  let next = 0;
  const fail = (error: Error) => {
    failure ??= error;
    for (const p of pending.values()) p.reject(failure);
    pending.clear();
    worker.unref();
  };
  worker.on('message', (reply: SentenceHelperReply) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if (!pending.size) worker.unref();
    if ('error' in reply) p.reject(new Error(reply.error));
    else p.resolve(reply.vectors);
  });
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`the helper thread exited (code ${code})`)));
  return {
    embed(texts) {
      if (failure) return Promise.reject(failure);
      const id = next++;
      const request: SentenceHelperRequest = { id, texts: [...texts] };
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.ref();
        worker.postMessage(request);
      });
    },
    close() {
      failure ??= new Error('the helper thread was closed');
      void worker.terminate();
    },
  };
}

/**
 * The sentence encoder of this thread plus its helpers (encoderThreads of them in all). Helpers
 * only for the backends that run on this thread's core (wasm, cpu): a native or GPU backend
 * already uses more than one core or a device, where a second model copy would only compete.
 */
export async function loadEncoderPool(
  options: SentenceEncoderOptions & { threads?: number; log?: (message: string) => void } = {},
): Promise<EncoderPool> {
  const { threads, log, ...encoderOptions } = options;
  const local = await SentenceEncoder.load(encoderOptions);
  const active = tf.getBackend();
  const backend = active === 'wasm' || active === 'cpu' ? active : undefined;
  return new EncoderPool(
    local,
    backend ? (threads ?? encoderThreads()) : 1,
    () => startSentenceHelper({ backend: backend ?? 'wasm', ...(options.dir ? { dir: options.dir } : {}) }),
    log ?? (() => {}),
  );
}
