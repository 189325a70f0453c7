// The engine's facade: what the worker, the CLI and the benchmarks call.
import path from 'node:path';
import type { Example, EncodedLines, FewShotMethod } from './types';
import { type LoadedModel, loadModel } from './model';
import { buildMethods } from './methods';
import { selectBackend, type BackendChoice } from './tf/backend';
import { argmaxRow, normalisedEntropy } from './learners/probs';
import { evenRows, selectRows } from './learners/featureView';
import { packageRootFrom } from './packageRoot';

export type { BackendChoice };

export interface EngineOptions {
  /** Folder with the checkpoint (manifest.json + weights) and vectors.bin; defaults to the shipped `models/`. */
  modelDir?: string;
  backend?: BackendChoice;
  /** Lines the encoder caches (about 1.7 KB each); default DEFAULT_CACHE_LINES. */
  cacheSize?: number;
  /** Receives human-readable progress and fallback messages. */
  log?: (message: string) => void;
}

export interface LinePrediction {
  label: string;
  confidence: number;
  uncertainty: number;
}

export interface EngineInfo {
  backend: string;
  backendNote?: string;
  model: string;
  modelHash: string;
  vocabulary: number;
  defaultMethod: string;
  methods: string[];
  loadMs: number;
}

/** A classifier adapted to one support set; reusable over many batches of lines (streaming). */
export interface AdaptedModel {
  labels: string[];
  method: string;
  /** Time adapt took, encoding included. */
  adaptMs: number;
  /** Part of adaptMs spent encoding the support, the label names and the pool. */
  encodeMs: number;
  predict(lines: string[]): LinePrediction[];
}

export interface AdaptOptions {
  /** Method name from `Engine.methods()`; `default` when omitted. */
  method?: string;
  /** Unlabeled lines of the document, used by transductive methods. */
  pool?: string[];
  /** Let methods use the label names as examples (default true). */
  useLabelNames?: boolean;
}

export interface EngineApi {
  info(): EngineInfo;
  methods(): string[];
  encode(texts: string[]): EncodedLines;
  /** The encoded-level method behind a name (for the evaluator), or undefined. */
  method(name: string): FewShotMethod | undefined;
  /** Throws `EngineInputError` for unusable support sets (empty, a single label). */
  adapt(support: Example[], options?: AdaptOptions): AdaptedModel;
  dispose(): void;
}

/** Bad input the user can fix; the CLI prints the message without a stack trace. */
export class EngineInputError extends Error {
  override name = 'EngineInputError';
}

/** Most unlabeled lines a transductive adaptation looks at; larger pools are sampled evenly. */
export const MAX_POOL = 20_000;

export class Engine implements EngineApi {
  private constructor(
    private readonly model: LoadedModel,
    private readonly registry: Map<string, FewShotMethod>,
    private readonly backend: { name: string; note?: string },
    private readonly loadMs: number,
  ) {}

  static async load(options: EngineOptions = {}): Promise<Engine> {
    const started = performance.now();
    const log = options.log ?? (() => {});
    const modelDir = options.modelDir ?? path.join(packageRootFrom(__dirname), 'models');
    const model = loadModel(modelDir, { cacheSize: options.cacheSize });
    const backend = await selectBackend(options.backend ?? 'auto', log);
    const registry = buildMethods(model);
    const engine = new Engine(model, registry, backend, performance.now() - started);
    log(
      `engine ready: backend ${backend.name}, ${model.vectors.size} words, default ${model.config.defaultSource} (${engine.loadMs.toFixed(0)} ms)`,
    );
    return engine;
  }

  info(): EngineInfo {
    return {
      backend: this.backend.name,
      backendNote: this.backend.note,
      model: this.model.dir,
      modelHash: this.model.hash,
      vocabulary: this.model.vectors.size,
      defaultMethod: 'default',
      methods: this.methods(),
      loadMs: this.loadMs,
    };
  }

  methods(): string[] {
    return [...this.registry.keys()];
  }

  method(name: string): FewShotMethod | undefined {
    return this.registry.get(name);
  }

  encode(texts: string[]): EncodedLines {
    return this.model.encoder.encode(texts);
  }

  adapt(support: Example[], options: AdaptOptions = {}): AdaptedModel {
    const started = performance.now();
    const name = options.method ?? 'default';
    const method = this.registry.get(name);
    if (!method) throw new EngineInputError(`unknown method '${name}' (available: ${this.methods().join(', ')})`);
    const { labels, ids, texts } = checkSupport(support);
    const encodeStarted = performance.now();
    const pool = method.transductive ? this.encodePool(options.pool) : undefined;
    const supportLines = this.encode(texts);
    const names = options.useLabelNames === false ? undefined : this.encode(labels);
    const encodeMs = performance.now() - encodeStarted;
    const classifier = method.adapt(supportLines, ids, labels.length, pool?.nonEmpty, names);
    // Lines the adaptation trained on as pseudo-labels: their confidence comes from before that.
    const heldOut = new Map<string, Float32Array>();
    for (const [row, p] of classifier.heldOut ?? []) heldOut.set(pool!.textOf(row), p);
    const poolTexts = pool?.texts;
    const poolLines = pool?.lines;
    const adaptMs = performance.now() - started;
    const encode = (t: string[]) => this.encode(t);
    return {
      labels,
      method: name,
      adaptMs,
      encodeMs,
      predict(lines: string[]): LinePrediction[] {
        if (lines.length === 0) return [];
        const probs = classifier.predictProbs(lines === poolTexts && poolLines ? poolLines : encode(lines));
        const C = labels.length;
        return lines.map((_, i) => {
          let ok = true;
          for (let c = 0; c < C; c++) if (!Number.isFinite(probs[i * C + c])) ok = false;
          // Never hand out NaN: a degenerate row becomes "no idea".
          if (!ok) for (let c = 0; c < C; c++) probs[i * C + c] = 1 / C;
          const best = argmaxRow(probs, i, C);
          const before = heldOut.get(lines[i]);
          if (before && argmaxRow(before, 0, C) === best) {
            return { label: labels[best], confidence: before[best], uncertainty: normalisedEntropy(before, 0, C) };
          }
          return { label: labels[best], confidence: probs[i * C + best], uncertainty: normalisedEntropy(probs, i, C) };
        });
      },
    };
  }

  /**
   * The document's unlabeled lines, encoded once (they are usually also what gets classified),
   * with the empty ones left out of what the adaptation sees.
   */
  private encodePool(texts: string[] | undefined) {
    if (!texts || texts.length === 0) return undefined;
    const sampled = texts.length > MAX_POOL ? Array.from(evenRows(texts.length, MAX_POOL), (i) => texts[i]) : texts;
    const lines = this.encode(sampled);
    const rows: number[] = [];
    for (let i = 0; i < sampled.length; i++) if (sampled[i].trim() !== '') rows.push(i);
    const nonEmpty = rows.length === 0 ? undefined : rows.length === lines.n ? lines : selectRows(lines, rows);
    return { texts: sampled, lines, nonEmpty, textOf: (row: number) => sampled[rows[row]] };
  }

  dispose(): void {
    this.model.encoder.clearCache();
    for (const m of this.registry.values()) (m as { dispose?: () => void }).dispose?.();
  }
}

/** Labels in a stable order, class ids per line; throws EngineInputError for unusable sets. */
export function checkSupport(support: Example[]): { labels: string[]; ids: Int32Array; texts: string[] } {
  const usable = support.filter(
    (ex) => typeof ex?.text === 'string' && typeof ex?.label === 'string' && ex.text.trim() !== '' && ex.label.trim() !== '',
  );
  if (usable.length === 0) throw new EngineInputError('no labeled lines: label at least one line for each of two labels');
  const labels = [...new Set(usable.map((ex) => ex.label))].sort();
  if (labels.length < 2) {
    throw new EngineInputError(`only one label ('${labels[0]}') has examples: label at least one line with a second label`);
  }
  const index = new Map(labels.map((l, i) => [l, i]));
  return { labels, ids: Int32Array.from(usable, (ex) => index.get(ex.label)!), texts: usable.map((ex) => ex.text) };
}
