// The MAML family (maml, fomaml, metasgd, protomaml) as inductive engine methods: a meta-trained
// MLP initialisation, adapted by a few SGD steps on the support set of each document.
// Inputs are small on purpose (adaptation cost grows with the input width, see docs/maml.md):
// the re-centred, L2-normalised word block, plus optionally a fixed seeded random projection
// of the re-centred, L2-normalised char block, computed from its sparse rows.
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError, loadCheckpoint, saveCheckpoint } from '../checkpoint';
import { MAML_KINDS, MamlLearner, type MamlConfig, type MamlKind } from '../meta/learner';
import { adaptForInference, mlpModel, type InnerLoopOptions } from '../meta/maml';
import { Rng } from '../random';
import { arraysToParams, mlpShapes, oneHot } from '../tf/functional';
import type { Classifier, EncodedLines, FewShotMethod } from '../types';
import { type Centre, FeatureView } from './featureView';

export const MAML_CHECKPOINT_KIND = 'fewshot-maml';
/** Sub-folder of a model folder holding one checkpoint per kind: models/maml/<kind>/. */
export const MAML_DIR = 'maml';

export interface MamlInputSpec {
  wordDim: number;
  charDim: number;
  /** Width of the random projection of the char block; 0 = word block only. */
  charProjection: number;
  projectionSeed: number;
}

export interface MamlCheckpointConfig {
  learner: MamlConfig;
  input: MamlInputSpec;
  /** The word vectors the features were computed with (the centre is stored as tensors). */
  vectorsSha256: string;
  /** The main model's SIF word weights the features were computed with (absent in older checkpoints). */
  sifSha256?: string;
}

const EPS = 1e-8;

/** The SIF common component, when the model's centre has one (removed from the word block). */
function commonOf(centre: Centre): Float32Array | undefined {
  return (centre as { common?: Float32Array }).common;
}

/** Dense MAML input rows from encoded lines; no document-dependent state (inductive). */
export class MamlFeatures {
  readonly dim: number;
  /** charDim x k, row-major, N(0, 1/k): keeps norms on average. */
  private readonly projection: Float32Array;
  private readonly projectedCentre: Float64Array;
  private readonly centreCharSq: number;

  constructor(
    readonly centre: Centre,
    readonly spec: MamlInputSpec,
  ) {
    if (centre.word.length !== spec.wordDim || centre.char.length !== spec.charDim) {
      throw new CheckpointError(
        `MAML inputs expect word ${spec.wordDim} and char ${spec.charDim} dimensions, the model's centre has ` +
          `${centre.word.length} and ${centre.char.length}`,
      );
    }
    const k = spec.charProjection;
    this.dim = spec.wordDim + k;
    this.projection = randomProjection(spec.charDim, k, spec.projectionSeed);
    this.projectedCentre = new Float64Array(k);
    let sq = 0;
    for (let j = 0; j < spec.charDim; j++) {
      const c = centre.char[j];
      sq += c * c;
      if (c !== 0) for (let t = 0; t < k; t++) this.projectedCentre[t] += c * this.projection[j * k + t];
    }
    this.centreCharSq = sq;
  }

  rows(lines: EncodedLines): Float32Array {
    const { wordDim: wd, charDim } = this.spec;
    if (lines.wordDim !== wd || lines.charDim !== charDim) {
      throw new Error(
        `encoded lines have word ${lines.wordDim} / char ${lines.charDim} dimensions, this MAML model expects ${wd} / ${charDim}`,
      );
    }
    const k = this.spec.charProjection;
    const dim = this.dim;
    const cc = this.centre.char;
    const words = new FeatureView(this.centre, { word: 1, char: 1 });
    const out = new Float32Array(lines.n * dim);
    const acc = new Float64Array(k);
    for (let i = 0; i < lines.n; i++) {
      const o = i * dim;
      // The same word block as the other learners see.
      words.writeWord(lines, i, out, o);
      if (k === 0) continue;
      // P'(x - mu) / |x - mu| from the sparse row: |x - mu|^2 = |x|^2 - 2 x.mu + |mu|^2.
      acc.fill(0);
      let xsq = 0;
      let xmu = 0;
      for (let p = lines.charOffsets[i]; p < lines.charOffsets[i + 1]; p++) {
        const idx = lines.charIndex[p];
        const v = lines.charValue[p];
        xsq += v * v;
        xmu += v * cc[idx];
        const base = idx * k;
        for (let t = 0; t < k; t++) acc[t] += v * this.projection[base + t];
      }
      const sc = 1 / Math.sqrt(Math.max(xsq - 2 * xmu + this.centreCharSq, 0) + EPS);
      for (let t = 0; t < k; t++) out[o + wd + t] = (acc[t] - this.projectedCentre[t]) * sc;
    }
    return out;
  }
}

function randomProjection(rows: number, k: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(rows * k);
  const scale = 1 / Math.sqrt(Math.max(k, 1));
  for (let i = 0; i < out.length; i += 2) {
    // Box-Muller: two standard normals per pair of uniforms.
    const r = Math.sqrt(-2 * Math.log(1 - rng.next()));
    const a = 2 * Math.PI * rng.next();
    out[i] = r * Math.cos(a) * scale;
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(a) * scale;
  }
  return out;
}

/** Rows per forward pass when classifying: bounds memory on long documents. */
const PREDICT_CHUNK = 4096;

/** Fast weights adapted to one support set. */
class MamlClassifier implements Classifier {
  constructor(
    private readonly features: MamlFeatures,
    private readonly forward: (params: tf.Tensor[], x: tf.Tensor) => tf.Tensor2D,
    private readonly fast: Float32Array[],
    private readonly shapes: number[][],
    private readonly nClasses: number,
  ) {}

  predictProbs(lines: EncodedLines): Float32Array {
    const x = this.features.rows(lines);
    const d = this.features.dim;
    const out = new Float32Array(lines.n * this.nClasses);
    const params = arraysToParams(this.fast, this.shapes);
    try {
      for (let start = 0; start < lines.n; start += PREDICT_CHUNK) {
        const end = Math.min(lines.n, start + PREDICT_CHUNK);
        const probs = tf.tidy(() =>
          tf.softmax(this.forward(params, tf.tensor2d(x.subarray(start * d, end * d), [end - start, d]))).dataSync(),
        );
        out.set(probs, start * this.nClasses);
      }
    } finally {
      tf.dispose(params);
    }
    return out;
  }
}

/** One meta-trained MAML-family model as an inductive engine method. */
export class MamlMethod implements FewShotMethod {
  readonly transductive = false;
  readonly kind: MamlKind;
  private readonly model;
  private readonly body: tf.Tensor[];
  private readonly rates: tf.Tensor[] | undefined;

  constructor(
    readonly name: string,
    readonly config: MamlConfig,
    params: Float32Array[],
    readonly features: MamlFeatures,
  ) {
    if (config.inputDim !== features.dim) {
      throw new CheckpointError(`MAML model '${name}' takes ${config.inputDim} inputs but its features have ${features.dim}`);
    }
    // Validates the config and the parameter shapes with the learner's own rules.
    const learner = new MamlLearner(config, params);
    const shapes = learner.paramShapes();
    learner.dispose();
    this.kind = config.kind;
    this.model = mlpModel(config.activation ?? 'relu');
    const bodyCount = mlpShapes({
      inputDim: config.inputDim,
      hidden: config.hidden,
      outputDim: 0,
      activation: config.activation ?? 'relu',
    }).length;
    const all = arraysToParams(params, shapes);
    this.body = all.slice(0, bodyCount);
    this.rates = config.kind === 'metasgd' ? all.slice(bodyCount) : undefined;
  }

  adapt(support: EncodedLines, labels: Int32Array, nClasses: number): Classifier {
    if (labels.length !== support.n) throw new Error(`${support.n} support lines but ${labels.length} labels`);
    if (!Number.isInteger(nClasses) || nClasses < 2) throw new Error(`need at least 2 classes, got ${nClasses}`);
    for (const y of labels) if (!(y >= 0 && y < nClasses)) throw new Error(`label ${y} outside 0..${nClasses - 1}`);
    const xs = this.features.rows(support);
    const d = this.features.dim;
    const opts: InnerLoopOptions = {
      steps: this.config.steps,
      innerLr: this.config.innerLr,
      perParamLrs: this.rates,
      headInit: this.kind === 'protomaml' ? 'proto' : 'zero',
    };
    const fastTensors = tf.tidy(() =>
      adaptForInference(this.model, this.body, tf.tensor2d(xs, [support.n, d]), oneHot(labels, nClasses), opts),
    );
    const shapes = fastTensors.map((t) => t.shape);
    const fast = fastTensors.map((t) => new Float32Array(t.dataSync()));
    tf.dispose(fastTensors);
    return new MamlClassifier(this.features, this.model.forward, fast, shapes, nClasses);
  }

  dispose(): void {
    tf.dispose([...this.body, ...(this.rates ?? [])]);
  }
}

/**
 * Writes the parameters and a copy of the centre the inputs were computed with: the checkpoint
 * stays valid when the main model is retrained (its centre may move; these inputs must not).
 */
export function saveMamlCheckpoint(
  dir: string,
  config: MamlCheckpointConfig,
  centre: Centre,
  params: Float32Array[],
  shapes: number[][],
  metrics?: Record<string, unknown>,
): void {
  const common = commonOf(centre);
  saveCheckpoint(dir, {
    kind: MAML_CHECKPOINT_KIND,
    config: config as unknown as Record<string, unknown>,
    tensors: {
      'centre.word': centre.word,
      'centre.char': centre.char,
      ...(common ? { 'centre.common': common } : {}),
      ...Object.fromEntries(params.map((p, i) => [`param.${i}`, { data: p, shape: shapes[i] }])),
    },
    metrics,
  });
}

/** What a MAML checkpoint must agree with in the model it is loaded into. */
export interface MamlModelContext {
  vectorsSha256: string;
  sifSha256?: string;
  wordDim: number;
  charDim: number;
}

/** Loads models/maml/<kind>/ and checks it was trained on this model's word vectors. */
export function loadMamlMethod(dir: string, model: MamlModelContext, name?: string): MamlMethod {
  const ck = loadCheckpoint(dir, { kind: MAML_CHECKPOINT_KIND });
  const config = ck.manifest.config as unknown as Partial<MamlCheckpointConfig>;
  if (!config.learner || !config.input || !MAML_KINDS.includes(config.learner.kind)) {
    throw new CheckpointError(`MAML checkpoint in ${dir} lacks its learner or input settings`);
  }
  const retrain = `retrain it with \`fewshot meta-train-maml --kind ${config.learner.kind}\``;
  if (config.vectorsSha256 !== model.vectorsSha256) {
    throw new CheckpointError(
      `MAML checkpoint in ${dir} was trained with other word vectors (${String(config.vectorsSha256).slice(0, 12)}, model has ` +
        `${model.vectorsSha256.slice(0, 12)}): ${retrain}`,
    );
  }
  if (config.sifSha256 !== undefined && model.sifSha256 !== undefined && config.sifSha256 !== model.sifSha256) {
    throw new CheckpointError(
      `MAML checkpoint in ${dir} was trained on other SIF word weights than the model's (the main model was retrained): ${retrain}`,
    );
  }
  if (config.input.wordDim !== model.wordDim || config.input.charDim !== model.charDim) {
    throw new CheckpointError(
      `MAML checkpoint in ${dir} expects word ${config.input.wordDim} / char ${config.input.charDim} dimensions, the model's ` +
        `encoder gives ${model.wordDim} / ${model.charDim}: ${retrain}`,
    );
  }
  const word = ck.tensors['centre.word'];
  const char = ck.tensors['centre.char'];
  if (!word || !char) throw new CheckpointError(`MAML checkpoint in ${dir} lacks its input centre: ${retrain}`);
  const common = ck.tensors['centre.common'];
  const centre: Centre = { word, char, ...(common ? { common } : {}) };
  const count = ck.manifest.tensors.filter((t) => t.name.startsWith('param.')).length;
  const params = Array.from({ length: count }, (_, i) => {
    const t = ck.tensors[`param.${i}`];
    if (!t) throw new CheckpointError(`MAML checkpoint in ${dir} lacks tensor param.${i}`);
    return t;
  });
  try {
    const features = new MamlFeatures(centre, config.input);
    return new MamlMethod(name ?? config.learner.kind, config.learner, params, features);
  } catch (e) {
    if (e instanceof CheckpointError) throw e;
    throw new CheckpointError(`MAML checkpoint in ${dir} does not fit its own settings: ${(e as Error).message}`);
  }
}

/** Every MAML kind with a checkpoint under <modelDir>/maml/<kind>/, as engine methods. */
export function loadMamlMethods(modelDir: string, model: MamlModelContext): MamlMethod[] {
  return MAML_KINDS.filter((kind) => fs.existsSync(path.join(modelDir, MAML_DIR, kind, 'manifest.json'))).map((kind) =>
    loadMamlMethod(path.join(modelDir, MAML_DIR, kind), model, kind),
  );
}
