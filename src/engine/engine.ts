// The engine's facade: what the worker, the CLI and the benchmarks call.
// (Implementation being written; the shapes below are the contract the CLI and worker code against.)
import type { Example, EncodedLines } from './types';

export type BackendChoice = 'auto' | 'wasm' | 'cpu' | 'tensorflow' | 'webgpu';

export interface EngineOptions {
  /** Folder with the checkpoint (manifest.json + weights) and vectors.bin; defaults to the shipped `models/`. */
  modelDir?: string;
  backend?: BackendChoice;
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
  adaptMs: number;
  predict(lines: string[]): LinePrediction[];
}

export interface AdaptOptions {
  /** Method name from `Engine.methods()`; `default` when omitted. */
  method?: string;
  /** Unlabeled lines of the document, used by transductive methods. */
  pool?: string[];
}

export interface EngineApi {
  info(): EngineInfo;
  methods(): string[];
  encode(texts: string[]): EncodedLines;
  /** Throws `EngineInputError` for unusable support sets (empty, a single label). */
  adapt(support: Example[], options?: AdaptOptions): AdaptedModel;
  dispose(): void;
}

/** Bad input the user can fix; the CLI prints the message without a stack trace. */
export class EngineInputError extends Error {
  override name = 'EngineInputError';
}
