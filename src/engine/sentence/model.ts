// Loads the sentence encoder's files (models/sentence/, built by scripts/build-sentence.mjs) into a
// TF.js graph model on the active backend, with the project's own tfjs-core and converter.
import * as tf from '@tensorflow/tfjs-core';
import { type GraphModel, loadGraphModel } from '@tensorflow/tfjs-converter';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { packageRootFrom } from '../packageRoot';
import type { VocabEntry } from './tokenizer';

export const SENTENCE_DIR = 'sentence';
const FILES = { model: 'model.json', weights: 'weights.bin', vocab: 'vocab.json' } as const;
/** The graph's inputs (a sparse batch of piece ids: [row, position] pairs and the ids) and its output. */
export const INPUT_INDICES = 'indices';
export const INPUT_VALUES = 'values';
const OUTPUT = 'module_apply_default/Encoder_en/hidden_layers/l2_normalize';

export interface SentenceModelFiles {
  /**
   * The graph model, built on first call (0.2-2 s): vectors served from a cache need only the
   * vocabulary and the hash, so reopening a file whose lines are all cached never builds it.
   */
  graph(): Promise<GraphModel>;
  /** Frees the graph if it was built. */
  dispose(): void;
  /** The pieces, parsed on first call: like the graph, only a line no cache holds needs them. */
  vocab(): VocabEntry[];
  /** sha256 of the three files: caches of its vectors are keyed by it. */
  hash: string;
  /** Length of one output vector. */
  dim: number;
  output: string;
}

/** The shipped model's folder: models/sentence/ under the package root. */
export function defaultSentenceDir(): string {
  return path.join(packageRootFrom(__dirname), 'models', SENTENCE_DIR);
}

interface ModelJson {
  modelTopology: object;
  weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>;
}

export async function loadSentenceModel(dir: string = defaultSentenceDir()): Promise<SentenceModelFiles> {
  const read = (name: string) => {
    const file = path.join(dir, name);
    if (!fs.existsSync(file)) throw new Error(`the sentence model is missing ${file} (run \`npm run build\`)`);
    return fs.readFileSync(file);
  };
  const modelBytes = read(FILES.model);
  const weightBytes = read(FILES.weights);
  const vocabBytes = read(FILES.vocab);
  const json = JSON.parse(modelBytes.toString('utf8')) as ModelJson;
  const group = json.weightsManifest[0];
  if (json.weightsManifest.length !== 1 || group?.paths.length !== 1 || group.paths[0] !== FILES.weights) {
    throw new Error(`${path.join(dir, FILES.model)}: expected one weights group in ${FILES.weights}`);
  }
  const weightData = weightBytes.buffer.slice(weightBytes.byteOffset, weightBytes.byteOffset + weightBytes.byteLength);
  let graph: Promise<GraphModel> | undefined;
  const build = () =>
    loadGraphModel(
      tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: group.weights, weightData: weightData as ArrayBuffer }),
    );
  const hash = createHash('sha256').update(modelBytes).update(weightBytes).update(vocabBytes).digest('hex');
  let vocab: VocabEntry[] | undefined;
  return {
    graph: () => {
      graph ??= build();
      return graph;
    },
    dispose: () => void graph?.then((g) => g.dispose()),
    vocab: () => {
      vocab ??= JSON.parse(vocabBytes.toString('utf8')) as VocabEntry[];
      return vocab;
    },
    hash,
    dim: 512,
    output: OUTPUT,
  };
}
