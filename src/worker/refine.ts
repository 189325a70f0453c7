// Background refinement (docs/sentence.md, "In the product"): after a document's instant answer,
// the worker computes the sentence block of its lines (labeled lines, label names and the pool
// first, then the lines in view, then the rest; length-sorted batches, yielding between them so
// classify requests are served) and classifies the document again with it. The refined predictions
// are posted tagged with the document version they were computed for. A newer classify of the same
// document, or its `forget`, supersedes the job: a superseded job posts nothing more.
import { type SentenceVectors, sentenceMethodName } from '../engine/engine';
import { samplePool } from '../engine/pool';
import { yieldToEventLoop } from '../protocol/rpc';
import type { ClassifyParams, ClassifyResult, RefineNotification } from '../protocol/worker';
import { wantedLines } from './units';

/** What the refiner needs of the sentence encoder (src/engine/sentence/encoder.ts; tests pass a fake). */
export interface SentenceEmbedder {
  readonly dim: number;
  /** The vectors already in the encoder's memory or disk cache, by text (no model call). */
  cached(texts: readonly string[]): Map<string, Float32Array>;
  /** Row-major n x dim vectors. */
  embed(texts: readonly string[]): Promise<Float32Array>;
  /** Writes the disk cache's new vectors. */
  flush(): void;
  /** Batches to keep in flight: one per encoding thread (src/engine/sentence/threads.ts); default 1. */
  readonly threads?: number;
}

/** Lines per embed call: one model batch (BATCH_SIZE), about 0.1-0.6 s on one core. */
const LINES_PER_STEP = 32;
/** An embedding of this many lines or more measures the rate a cost estimate uses (fewer: start-up dominates). */
const RATE_MIN_LINES = 256;
/**
 * Lines per second per encoding thread before this worker has measured its own: bench:refine on
 * the 2-core machine, short lines (docs/scaling.md). Only an estimate's starting point.
 */
const DEFAULT_LINES_PER_S_PER_THREAD = 200;
/** Progress notifications at most this often. */
const PROGRESS_MS = 250;

export interface RefineJob {
  /** The document's lines (units) as classify saw them. */
  lines: readonly string[];
  params: ClassifyParams & { document: string; refine: NonNullable<ClassifyParams['refine']> };
  /** Classifies the document again with the sentence block (the host's classify); stops once `isCurrent` is false. */
  classify(sentence: SentenceVectors, isCurrent: () => boolean): Promise<ClassifyResult>;
}

export class Refiner {
  /** The running job per document: its token (a superseded job's differs) and its task. */
  private readonly jobs = new Map<string, { token: object; task: string | undefined }>();
  private encoder?: Promise<SentenceEmbedder | undefined>;
  /** The last long enough embedding (linesPerSecond). */
  private rate: { lines: number; ms: number } | undefined;

  constructor(
    /** Loads the encoder; `log` is for what its threads have to say (a helper that failed). */
    private readonly loadEncoder: (log: (message: string) => void) => Promise<SentenceEmbedder>,
    private readonly post: (message: RefineNotification) => void,
    private readonly log: (message: string) => void,
  ) {}

  /**
   * Stops the document's running job (a new version, a new support set, the document closed);
   * with `only`, just a job of that task: another task's classify of the document (diagnostics
   * showing every task) must not cancel the active task's refinement.
   */
  supersede(document: string, only?: { task: string | undefined }): void {
    if (only && this.jobs.get(document)?.task !== only.task) return;
    this.jobs.delete(document);
  }

  /** Starts the document's job (superseding any running one); resolves when it ends, whatever the outcome. */
  async start(job: RefineJob): Promise<void> {
    const { document, refine } = job.params;
    const task = job.params.task === undefined ? {} : { task: job.params.task };
    const token = {};
    this.jobs.set(document, { token, task: job.params.task });
    const isCurrent = () => this.jobs.get(document)?.token === token;
    // The instant answer goes out first: the job starts on the next turn of the event loop.
    await yieldToEventLoop();
    const encoder = isCurrent() ? await this.load() : undefined;
    if (!encoder || !isCurrent()) return;
    const version = refine.version;
    try {
      const texts = priorityOrder(job);
      const vectors = encoder.cached(texts);
      const missing = texts.filter((t) => !vectors.has(t));
      const total = texts.length;
      let last = 0;
      const progress = (force: boolean) => {
        const now = performance.now();
        if (!force && now - last < PROGRESS_MS) return;
        last = now;
        this.post({ kind: 'refine', document, ...task, version, done: vectors.size, total });
      };
      progress(true);
      const finished = await this.embedInOrder(encoder, missing, vectors, isCurrent, () => progress(false));
      if (!finished) {
        encoder.flush();
        return;
      }
      if (missing.length) encoder.flush();
      const sentence: SentenceVectors = { dim: encoder.dim, get: (t) => vectors.get(t) };
      const result = await job.classify(sentence, isCurrent);
      if (!isCurrent()) return;
      this.post({ kind: 'refine', document, ...task, version, done: total, total, result });
    } catch (error) {
      if (!isCurrent()) return;
      const message = error instanceof Error ? error.message : String(error);
      this.log(`refinement of ${document} failed: ${message}`);
      this.post({ kind: 'refine', document, ...task, version, done: 0, total: 0, error: message });
    } finally {
      if (isCurrent()) this.jobs.delete(document);
    }
  }

  /**
   * Embeds `texts` (distinct, not cached) into `vectors`, in their order: the batches go out in
   * that order, one in flight per encoding thread; the next leaves when the oldest in flight is back
   * (each await lets classify requests in). Stops sending once `go()` is false: false then.
   */
  async embedInOrder(
    encoder: SentenceEmbedder,
    texts: readonly string[],
    vectors: Map<string, Float32Array>,
    go: () => boolean,
    onBatch: () => void = () => {},
  ): Promise<boolean> {
    const started = performance.now();
    const inFlight: Array<Promise<void>> = [];
    for (let from = 0; from < texts.length; from += LINES_PER_STEP) {
      const batch = texts.slice(from, from + LINES_PER_STEP);
      const embedded = encoder.embed(batch).then((rows) => {
        batch.forEach((t, i) => {
          vectors.set(t, rows.slice(i * encoder.dim, (i + 1) * encoder.dim));
        });
        onBatch();
      });
      // Seen when it is awaited; a job that stops first must not leave it unhandled.
      embedded.catch(() => {});
      inFlight.push(embedded);
      if (inFlight.length < (encoder.threads ?? 1)) continue;
      await inFlight.shift();
      await yieldToEventLoop();
      if (!go()) {
        await Promise.allSettled(inFlight);
        return false;
      }
    }
    await Promise.all(inFlight);
    if (texts.length >= RATE_MIN_LINES) this.rate = { lines: texts.length, ms: performance.now() - started };
    return go();
  }

  /** Lines per second the last long enough embedding ran at; before one, the bench's figure per thread. */
  linesPerSecond(threads: number): number {
    return this.rate ? (1000 * this.rate.lines) / Math.max(1, this.rate.ms) : DEFAULT_LINES_PER_S_PER_THREAD * threads;
  }

  /** The encoder, loaded by the first refinement; undefined (said once) when it cannot load. */
  load(): Promise<SentenceEmbedder | undefined> {
    this.encoder ??= this.loadEncoder(this.log).catch((error: unknown) => {
      this.log(
        `refinement is off: the sentence encoder did not load (${error instanceof Error ? error.message : String(error)}); ` +
          'predictions come from the fast features only',
      );
      return undefined;
    });
    return this.encoder;
  }
}

/** Where the refined adaptation's warm state lives: apart from the instant one's (another head width). */
export function refinedStateKey(document: string): string {
  return `${document}\n${sentenceMethodName('')}`;
}

/**
 * Distinct non-blank texts in the order they are embedded: labeled lines and label names (a
 * multi-label task's lines and labels too), the pool the engine samples, the lines in view, the
 * rest; each group sorted by length, so a model batch holds lines of similar length (padding costs
 * as much as text).
 */
export function priorityOrder(job: Pick<RefineJob, 'lines' | 'params'>): string[] {
  const { lines, params } = job;
  const wanted = wantedLines(lines);
  const seen = new Set<string>();
  const order: string[] = [];
  const group = (texts: Iterable<string>) => {
    const fresh = [...new Set(texts)].filter((t) => t.trim() !== '' && !seen.has(t));
    fresh.sort((a, b) => a.length - b.length);
    for (const t of fresh) {
      seen.add(t);
      order.push(t);
    }
  };
  group(params.support.flatMap((ex) => [ex.text, ex.label]));
  // A multi-label task's lines and label names (checked by the host's classify before the job starts).
  group((params.multiLabel ?? []).flatMap((ex) => [ex.text, ...ex.labels]));
  if (params.usePool) group(samplePool(wanted.map((i) => lines[i] as string)));
  const visible = params.refine.visible;
  if (visible) group(lines.slice(Math.max(0, visible[0]), Math.max(0, visible[1])));
  group(wanted.map((i) => lines[i] as string));
  return order;
}
