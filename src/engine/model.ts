// The shipped model: word vectors + a checkpoint holding the adaptation's (meta-learned)
// hyper-parameters and the corpus centre used by inductive methods.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { CheckpointError, loadCheckpoint, saveCheckpoint } from './checkpoint';
import { DEFAULT_ENCODER_OPTIONS, Encoder, type EncoderOptions } from './features/encoder';
import type { AdaptHyper } from './learners/adaptation';
import { type AbstentionRules, checkAbstainParams } from './abstention/abstainer';
import type { Centre } from './learners/featureView';
import { IDEOGRAPH_BUCKETS } from './text/ideographs';
import { WordVectors } from './text/wordVectors';

export const MODEL_KIND = 'fewshot-adaptation';
export const VECTORS_FILE = 'vectors.bin';
export const CHECKPOINT_DIR = 'checkpoint';

export interface ModelConfig {
  encoder: Omit<EncoderOptions, 'ideographBuckets'> & { vectorsSha256: string; vocabulary: number };
  /** The shipped default procedure (meta-learned where that measured at least as well). */
  defaultHyper: AdaptHyper;
  /** Which procedure `default` is, for reports: 'meta-learned' or 'hand-set'. */
  defaultSource: string;
}

export interface LoadedModel {
  dir: string;
  vectors: WordVectors;
  encoder: Encoder;
  config: ModelConfig;
  corpusCentre: Centre;
  /** Checkpoint weights other than the centre (e.g. MAML parameters), by tensor name. */
  tensors: Record<string, Float32Array>;
  hash: string;
  /** SHA-256 of the SIF word weights ('zipf' when the encoder estimates them from ranks). */
  sifSha256: string;
  metrics?: Record<string, unknown>;
  /** Rules for reporting "no label" (abstention.json beside the checkpoint), when fitted. */
  abstention?: AbstentionRules;
  /** The adaptation with the sentence block (sentence-procedure.json beside the checkpoint), when trained. */
  sentenceProcedure?: SentenceProcedure;
}

export function loadVectors(dir: string): WordVectors {
  const file = path.join(dir, VECTORS_FILE);
  if (!fs.existsSync(file)) {
    throw new CheckpointError(`${file} is missing: build the word-vector table with \`npm run build\` (or \`npm run vectors\`)`);
  }
  return WordVectors.load(file);
}

/** Lines the encoder keeps (about 1.7 KB each): two 10,000-line documents, well inside 300 MB. */
export const DEFAULT_CACHE_LINES = 20_000;

export function loadModel(dir: string, options: { cacheSize?: number } = {}): LoadedModel {
  const vectors = loadVectors(dir);
  const ckDir = path.join(dir, CHECKPOINT_DIR);
  if (!fs.existsSync(path.join(ckDir, 'manifest.json'))) {
    throw new CheckpointError(`no model checkpoint in ${ckDir}: train one with \`npm run train-model\``);
  }
  const ck = loadCheckpoint(ckDir, { kind: MODEL_KIND });
  const config = ck.manifest.config as unknown as ModelConfig;
  if (!config.encoder || !config.defaultHyper) {
    throw new CheckpointError(`checkpoint in ${ckDir} lacks its encoder or adaptation settings`);
  }
  if (config.encoder.vectorsSha256 !== vectors.sha256) {
    throw new CheckpointError(
      `checkpoint in ${ckDir} was trained with word vectors ${config.encoder.vectorsSha256.slice(0, 12)} but ` +
        `${path.join(dir, VECTORS_FILE)} ` +
        `is ${vectors.sha256.slice(0, 12)}: rebuild the table with \`npm run vectors\` or retrain with \`npm run train-model\``,
    );
  }
  // The cache size is a run-time choice, not part of what the model learned.
  const { vectorsSha256: _s, vocabulary: _v, cacheSize: _c, ...encoderOptions } = config.encoder;
  const sif = ck.tensors['sif.weights'];
  // The ideograph block is read by the methods that adapt on it (learners/ideographBlock.ts); the
  // checkpoint's blocks are unchanged by it.
  const encoder = new Encoder(
    vectors,
    { ...encoderOptions, cacheSize: options.cacheSize ?? DEFAULT_CACHE_LINES, ideographBuckets: IDEOGRAPH_BUCKETS },
    sif,
  );
  const word = ck.tensors['centre.word'];
  const char = ck.tensors['centre.char'];
  const common = ck.tensors['centre.common'];
  if (!word || !char || word.length !== vectors.dim || char.length !== encoder.options.charBuckets) {
    throw new CheckpointError(
      `checkpoint in ${ckDir} has no corpus centre matching its encoder (word ${vectors.dim}, char ${encoder.options.charBuckets})`,
    );
  }
  return {
    dir,
    vectors,
    encoder,
    config,
    corpusCentre: { word, char, common: common?.length === vectors.dim ? common : undefined },
    tensors: ck.tensors,
    hash: ck.manifest.weights.sha256,
    metrics: ck.manifest.metrics,
    abstention: loadAbstention(dir),
    sentenceProcedure: loadSentenceProcedure(dir),
    sifSha256: sif
      ? createHash('sha256')
          .update(new Uint8Array(sif.buffer, sif.byteOffset, sif.byteLength))
          .digest('hex')
      : 'zipf',
  };
}

export function encoderConfig(vectors: WordVectors, options: Partial<EncoderOptions> = {}): ModelConfig['encoder'] {
  // The ideograph block is no part of what a checkpoint learned: the loader decides it (loadModel).
  const { ideographBuckets: _i, ...learned } = { ...DEFAULT_ENCODER_OPTIONS, ...options };
  return { ...learned, vectorsSha256: vectors.sha256, vocabulary: vectors.size };
}

export function saveModel(
  dir: string,
  config: ModelConfig,
  centre: Centre,
  extraTensors: Record<string, Float32Array> = {},
  metrics?: Record<string, unknown>,
): void {
  saveCheckpoint(path.join(dir, CHECKPOINT_DIR), {
    kind: MODEL_KIND,
    config: config as unknown as Record<string, unknown>,
    tensors: {
      'centre.word': centre.word,
      'centre.char': centre.char,
      ...(centre.common ? { 'centre.common': centre.common } : {}),
      ...extraTensors,
    },
    metrics,
  });
}

/** The abstention rules fitted for a model (`fewshot fit-abstention`), beside its checkpoint. */
export const ABSTENTION_FILE = 'abstention.json';

/**
 * Versions of `abstention.json` this engine reads: 1 has one threshold per rule, 2 adds the
 * threshold per context (`byContext`); a version 1 file still applies its single threshold.
 */
export const ABSTENTION_FORMAT_VERSIONS = [1, 2] as const;

export interface AbstentionFile {
  format: 'fewshot-abstention';
  formatVersion: (typeof ABSTENTION_FORMAT_VERSIONS)[number];
  /** The method whose outputs the rules were fitted on. */
  method: string;
  rules: AbstentionRules;
  /** How they were fitted (data, domains, episodes, keep), for the record. */
  fitted?: Record<string, unknown>;
}

/** The model's abstention rules, or undefined when it has none (the engine then never abstains). */
export function loadAbstention(dir: string): AbstentionRules | undefined {
  const file = path.join(dir, ABSTENTION_FILE);
  if (!fs.existsSync(file)) return undefined;
  const parsed = readJson<AbstentionFile>(file);
  const versions: readonly unknown[] = ABSTENTION_FORMAT_VERSIONS;
  if (parsed.format !== 'fewshot-abstention' || !versions.includes(parsed.formatVersion) || !parsed.rules) {
    throw new CheckpointError(`${file} is not a fewshot-abstention file (format version ${ABSTENTION_FORMAT_VERSIONS.join(' or ')})`);
  }
  try {
    return {
      learned: checkAbstainParams(parsed.rules.learned, `${file}: rule 'learned'`),
      confidence: checkAbstainParams(parsed.rules.confidence, `${file}: rule 'confidence'`),
    };
  } catch (err) {
    throw new CheckpointError((err as Error).message);
  }
}

/** Writes the rules atomically (temporary file, then rename). */
export function saveAbstention(file: string, content: AbstentionFile): void {
  writeJsonAtomic(file, content);
}

/** A JSON file beside the checkpoint, parsed; nothing about its fields is checked yet. */
function readJson<T>(file: string): Partial<T> {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<T>;
  } catch (err) {
    throw new CheckpointError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
}

function writeJsonAtomic(file: string, content: unknown): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(content, null, 2)}\n`);
  fs.renameSync(tmp, file);
}

/**
 * The adaptation the engine refines with the sentence block (`fewshot meta-train --sentence`,
 * training/sentenceRecipe.ts): its procedure and the block's weight relative to the word block.
 * A model without the file refines with its default procedure and SENTENCE_WEIGHT.
 */
export interface SentenceProcedure {
  /** 'meta-learned': trained with the block and kept because it validated better; 'fixed': the default with SENTENCE_WEIGHT won. */
  source: 'meta-learned' | 'fixed';
  hyper: AdaptHyper;
  weight: number;
}

/**
 * The procedure a method refines with: the file's meta-learned numbers on the base method's
 * large-set schedule, which is no meta-parameter (methods.ts adds it to `default`; the file
 * holds what was meta-trained, on 5-way episodes that never reach it).
 */
export function procedureHyper(procedure: SentenceProcedure, base: AdaptHyper): AdaptHyper {
  return { ...procedure.hyper, ...(base.large ? { large: base.large } : {}) };
}

export const SENTENCE_PROCEDURE_FILE = 'sentence-procedure.json';
/** Versions of sentence-procedure.json this engine reads. */
export const SENTENCE_PROCEDURE_VERSION = 1;

export interface SentenceProcedureFile extends SentenceProcedure {
  format: 'fewshot-sentence-procedure';
  formatVersion: typeof SENTENCE_PROCEDURE_VERSION;
  /** How it was trained (validation figures, domains, steps), for the record. */
  trained?: Record<string, unknown>;
}

const HYPER_NUMBERS = ['steps', 'lr', 'weightDecay', 'temperature', 'pseudoWeight', 'nameWeight'] as const;

/** The model's procedure with the sentence block, or undefined when it has none (models trained before it). */
export function loadSentenceProcedure(dir: string): SentenceProcedure | undefined {
  const file = path.join(dir, SENTENCE_PROCEDURE_FILE);
  if (!fs.existsSync(file)) return undefined;
  const parsed = readJson<SentenceProcedureFile>(file);
  if (parsed.format !== 'fewshot-sentence-procedure' || parsed.formatVersion !== SENTENCE_PROCEDURE_VERSION) {
    throw new CheckpointError(`${file} is not a fewshot-sentence-procedure file (format version ${SENTENCE_PROCEDURE_VERSION})`);
  }
  const { hyper, weight, source } = parsed;
  const finite = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
  if (
    !hyper ||
    !HYPER_NUMBERS.every((k) => finite(hyper[k])) ||
    !finite(hyper.scales?.word) ||
    !finite(hyper.scales?.char) ||
    !Array.isArray(hyper.rounds) ||
    !finite(weight) ||
    (source !== 'meta-learned' && source !== 'fixed')
  ) {
    throw new CheckpointError(
      `${file} lacks a usable procedure (hyper-parameters, a weight of at least 0, a source): retrain it with \`fewshot meta-train --sentence\``,
    );
  }
  return { source, hyper, weight: weight as number };
}

/** Writes the procedure atomically (temporary file, then rename). */
export function saveSentenceProcedure(dir: string, content: SentenceProcedureFile): void {
  writeJsonAtomic(path.join(dir, SENTENCE_PROCEDURE_FILE), content);
}
