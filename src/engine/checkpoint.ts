// Versioned checkpoints: manifest.json (format version, kind, config, tensor table, SHA-256 of
// the weights) + weights.bin (little-endian float32, tensors back to back). Written atomically
// (temp file + rename, weights first, manifest last) and fully verified on load.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const CHECKPOINT_FORMAT = 'fewshot-checkpoint';
export const CHECKPOINT_VERSION = 1;
const MANIFEST = 'manifest.json';
const WEIGHTS = 'weights.bin';

export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

export type TensorInput = Float32Array | { data: Float32Array; shape: number[] };

export interface CheckpointContent {
  kind: string;
  /** Everything needed to rebuild the model (encoder + model settings). */
  config: Record<string, unknown>;
  tensors: Record<string, TensorInput>;
  metrics?: Record<string, unknown>;
  extra?: Record<string, unknown>;
}

export interface TensorEntry {
  name: string;
  shape: number[];
  /** Byte offset in weights.bin. */
  offset: number;
  /** Number of float32 values. */
  length: number;
}

export interface Manifest {
  format: typeof CHECKPOINT_FORMAT;
  formatVersion: number;
  kind: string;
  config: Record<string, unknown>;
  tensors: TensorEntry[];
  weights: { file: string; dtype: 'float32'; byteLength: number; sha256: string };
  metrics?: Record<string, unknown>;
  extra?: Record<string, unknown>;
  created: { at: string; host: string; node: string };
}

export interface LoadedCheckpoint {
  manifest: Manifest;
  tensors: Record<string, Float32Array>;
  shapes: Record<string, number[]>;
}

export interface LoadExpectations {
  kind?: string;
  /** Fields (nested objects compared field by field) that must equal the checkpoint's config. */
  configMatch?: Record<string, unknown>;
}

function writeAtomic(file: string, data: Buffer | string): void {
  const tmp = `${file}.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

export function saveCheckpoint(dir: string, content: CheckpointContent): Manifest {
  const entries: TensorEntry[] = [];
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const [name, input] of Object.entries(content.tensors)) {
    const data = input instanceof Float32Array ? input : input.data;
    const shape = input instanceof Float32Array ? [data.length] : input.shape;
    if (shape.reduce((a, b) => a * b, 1) !== data.length) {
      throw new CheckpointError(`tensor '${name}' has ${data.length} values but shape [${shape.join(', ')}]`);
    }
    const bytes = Buffer.alloc(data.length * 4);
    for (let i = 0; i < data.length; i++) bytes.writeFloatLE(data[i], i * 4);
    chunks.push(bytes);
    entries.push({ name, shape, offset, length: data.length });
    offset += bytes.length;
  }
  const weights = Buffer.concat(chunks);
  const manifest: Manifest = {
    format: CHECKPOINT_FORMAT,
    formatVersion: CHECKPOINT_VERSION,
    kind: content.kind,
    config: content.config,
    tensors: entries,
    weights: { file: WEIGHTS, dtype: 'float32', byteLength: weights.length, sha256: sha256(weights) },
    ...(content.metrics ? { metrics: content.metrics } : {}),
    ...(content.extra ? { extra: content.extra } : {}),
    created: { at: new Date().toISOString(), host: os.hostname(), node: process.version },
  };
  fs.mkdirSync(dir, { recursive: true });
  writeAtomic(path.join(dir, WEIGHTS), weights);
  writeAtomic(path.join(dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

function sha256(data: Buffer): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

export function readManifest(dir: string): Manifest {
  const file = path.join(dir, MANIFEST);
  if (!fs.existsSync(file)) throw new CheckpointError(`no checkpoint in ${dir}: ${MANIFEST} is missing`);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
  } catch (e) {
    throw new CheckpointError(`${file} is not valid JSON (${(e as Error).message})`);
  }
  if (manifest?.format !== CHECKPOINT_FORMAT) throw new CheckpointError(`${file} is not a ${CHECKPOINT_FORMAT} manifest`);
  if (manifest.formatVersion !== CHECKPOINT_VERSION) {
    throw new CheckpointError(
      `${file} has format version ${String(manifest.formatVersion)}; this build reads version ${CHECKPOINT_VERSION}`,
    );
  }
  return manifest;
}

/** Names the first field of `expected` that differs from `actual` (path like config.encoder.charDim). */
function configMismatch(expected: unknown, actual: unknown, where: string): string | undefined {
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) {
      return `${where}: checkpoint has ${JSON.stringify(actual)}, expected an object`;
    }
    for (const [key, value] of Object.entries(expected)) {
      const found = configMismatch(value, (actual as Record<string, unknown>)[key], `${where}.${key}`);
      if (found) return found;
    }
    return undefined;
  }
  return JSON.stringify(expected) === JSON.stringify(actual)
    ? undefined
    : `${where}: checkpoint has ${JSON.stringify(actual) ?? 'nothing'}, expected ${JSON.stringify(expected)}`;
}

export function loadCheckpoint(dir: string, expect: LoadExpectations = {}): LoadedCheckpoint {
  const manifest = readManifest(dir);
  if (expect.kind !== undefined && manifest.kind !== expect.kind) {
    throw new CheckpointError(`checkpoint in ${dir} is a '${manifest.kind}' model, expected '${expect.kind}'`);
  }
  if (expect.configMatch) {
    const mismatch = configMismatch(expect.configMatch, manifest.config, 'config');
    if (mismatch) throw new CheckpointError(`checkpoint in ${dir} does not match this model: ${mismatch}`);
  }
  const file = path.join(dir, manifest.weights.file);
  if (!fs.existsSync(file)) throw new CheckpointError(`checkpoint in ${dir} is incomplete: ${manifest.weights.file} is missing`);
  const bytes = fs.readFileSync(file);
  if (bytes.length !== manifest.weights.byteLength) {
    throw new CheckpointError(`${file} is truncated or corrupt: ${bytes.length} bytes, the manifest says ${manifest.weights.byteLength}`);
  }
  if (sha256(bytes) !== manifest.weights.sha256) {
    throw new CheckpointError(`${file} is corrupt: its SHA-256 does not match the manifest`);
  }
  const tensors: Record<string, Float32Array> = {};
  const shapes: Record<string, number[]> = {};
  for (const t of manifest.tensors) {
    if (t.offset < 0 || t.offset % 4 !== 0 || t.offset + t.length * 4 > bytes.length || t.shape.reduce((a, b) => a * b, 1) !== t.length) {
      throw new CheckpointError(
        `tensor '${t.name}' in ${dir} has an invalid entry (offset ${t.offset}, length ${t.length}, shape [${t.shape.join(', ')}])`,
      );
    }
    const data = new Float32Array(t.length);
    for (let i = 0; i < t.length; i++) data[i] = bytes.readFloatLE(t.offset + i * 4);
    tensors[t.name] = data;
    shapes[t.name] = t.shape;
  }
  return { manifest, tensors, shapes };
}
