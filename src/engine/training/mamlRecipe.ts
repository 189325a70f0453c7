// Meta-training recipe of the shipped MAML-family checkpoints (models/maml/<kind>/), in the
// manner of recipe.ts: 5-way 1- and 5-shot episodes drawn within one CLINC150 domain (or within
// one extra data set), validation on classes of a domain never trained on, best step kept.
import fs from 'node:fs';
import path from 'node:path';
import { loadCheckpoint } from '../checkpoint';
import { readExamples } from '../data/jsonl';
import { sampleWithoutReplacement } from '../episodes/prng';
import { labelsOfDomains, readDomainMap } from '../episodes/splits';
import type { Encoder } from '../features/encoder';
import type { Centre } from '../learners/featureView';
import { MAML_DIR, MamlFeatures, saveMamlCheckpoint, type MamlCheckpointConfig, type MamlInputSpec } from '../learners/mamlMethod';
import { MamlLearner, type DenseTask, type MamlConfig, type MamlKind } from '../meta/learner';
import { argmaxRow } from '../learners/probs';
import { Rng } from '../random';
import { metaTrain, type Progress } from '../meta/trainer';
import type { Example } from '../types';

export interface MamlHyper {
  hidden: number[];
  innerSteps: number;
  innerLr: number;
  outerLr: number;
  /** Tasks per outer step. */
  metaBatch: number;
  /** Random projection width of the char block (0 = word block only). */
  charProjection: number;
}

/** Chosen on validation and on adaptation time (docs/maml.md). */
export const MAML_HYPER: Readonly<MamlHyper> = Object.freeze({
  hidden: [256],
  innerSteps: 5,
  innerLr: 0.1,
  outerLr: 1e-3,
  metaBatch: 4,
  charProjection: 64,
});

export const EPISODE = { way: 5, shots: [1, 5], query: 15 } as const;
/** Query lines per class in validation episodes (clinc150.val has 20 per intent). */
const VAL_QUERY = 10;
export const PROJECTION_SEED = 20_251;

export interface MamlRecipeOptions {
  kind: MamlKind;
  dataDir: string;
  holdoutDomains: string[];
  validationDomains: string[];
  extraTrainFiles: string[];
  /** The model the checkpoint is for: its encoder, vectors and corpus centre define the inputs. */
  model: { encoder: Encoder; vectorsSha256: string; sifSha256?: string; corpusCentre: Centre };
  /** Model folder; the checkpoint goes to <modelDir>/maml/<kind>/. */
  modelDir: string;
  /** Training state (best + last, for --resume). */
  workDir: string;
  steps: number;
  evalEvery: number;
  seed: number;
  resume: boolean;
  validationEpisodes: number;
  hyper?: Partial<MamlHyper>;
  onProgress?: (p: Progress) => void;
  log?: (m: string) => void;
}

/** Feature rows of a set of examples, grouped by label: the tasks are index lists into `x`. */
export interface TaskPool {
  name: string;
  x: Float32Array;
  dim: number;
  /** Row indices of each label with enough examples for an episode. */
  byLabel: number[][];
}

export function buildPool(name: string, examples: Example[], features: MamlFeatures, encoder: Encoder, minPerLabel: number): TaskPool {
  const x = features.rows(encoder.encode(examples.map((ex) => ex.text)));
  const groups = new Map<string, number[]>();
  examples.forEach((ex, i) => {
    const g = groups.get(ex.label);
    if (g) g.push(i);
    else groups.set(ex.label, [i]);
  });
  const byLabel = [...groups.values()].filter((g) => g.length >= minPerLabel);
  return { name, x, dim: features.dim, byLabel };
}

/** A way-way shot-shot task from one pool, drawn with episodes/' sampler and the resumable training RNG. */
export function sampleTask(pool: TaskPool, rng: Rng, way: number, shot: number, query: number): DenseTask {
  if (pool.byLabel.length < way) throw new Error(`${pool.name}: ${pool.byLabel.length} usable labels, need ${way}`);
  const labels = sampleWithoutReplacement(rng, pool.byLabel, way);
  const d = pool.dim;
  const xs = new Float32Array(way * shot * d);
  const ys = new Int32Array(way * shot);
  const xq = new Float32Array(way * query * d);
  const yq = new Int32Array(way * query);
  labels.forEach((rowsOfLabel, c) => {
    const rows = sampleWithoutReplacement(rng, rowsOfLabel, shot + query);
    rows.forEach((r, j) => {
      const row = pool.x.subarray(r * d, (r + 1) * d);
      if (j < shot) {
        xs.set(row, (c * shot + j) * d);
        ys[c * shot + j] = c;
      } else {
        xq.set(row, (c * query + j - shot) * d);
        yq[c * query + j - shot] = c;
      }
    });
  });
  return { xs, ys, xq, yq, nClasses: way };
}

/** Mean query accuracy of an adapt-and-predict function over fixed tasks. */
export function taskAccuracy(tasks: DenseTask[], adaptAndPredict: (t: DenseTask) => Float32Array): number {
  let correct = 0;
  let total = 0;
  for (const t of tasks) {
    const probs = adaptAndPredict(t);
    t.yq.forEach((y, r) => {
      if (argmaxRow(probs, r, t.nClasses) === y) correct++;
      total++;
    });
  }
  return total > 0 ? correct / total : 0;
}

export interface MamlRecipeResult {
  checkpointDir: string;
  bestValAcc: number;
  bestStep: number;
  seconds: number;
}

export async function runMamlRecipe(o: MamlRecipeOptions): Promise<MamlRecipeResult> {
  const started = Date.now();
  const log = o.log ?? (() => {});
  const hyper: MamlHyper = { ...MAML_HYPER, ...o.hyper };
  const input: MamlInputSpec = {
    wordDim: o.model.corpusCentre.word.length,
    charDim: o.model.corpusCentre.char.length,
    charProjection: hyper.charProjection,
    projectionSeed: PROJECTION_SEED,
  };
  const features = new MamlFeatures(o.model.corpusCentre, input);
  const encoder = o.model.encoder;
  const need = Math.max(...EPISODE.shots) + EPISODE.query;

  const domains = readDomainMap(path.join(o.dataDir, 'clinc150.domains.json'));
  const excluded = new Set([...o.holdoutDomains, ...o.validationDomains]);
  const trainDomains = [...new Set(domains.values())].filter((d) => !excluded.has(d)).sort();
  const clincTrain = await readExamples(path.join(o.dataDir, 'clinc150.train.jsonl'));
  // Episodes are drawn inside one domain: neighbouring intents are what makes few-shot hard.
  const pools: TaskPool[] = trainDomains.map((d) => {
    const labels = new Set(labelsOfDomains(domains, [d]));
    return buildPool(
      `clinc150/${d}`,
      clincTrain.filter((ex) => labels.has(ex.label)),
      features,
      encoder,
      need,
    );
  });
  for (const f of o.extraTrainFiles) pools.push(buildPool(f, await readExamples(path.join(o.dataDir, f)), features, encoder, need));
  log(`training pools: ${pools.map((p) => `${p.name} (${p.byLabel.length} labels)`).join(', ')}`);

  const valLabels = new Set(labelsOfDomains(domains, o.validationDomains));
  const valExamples = (await readExamples(path.join(o.dataDir, 'clinc150.val.jsonl'))).filter((ex) => valLabels.has(ex.label));
  const valPool = buildPool('validation', valExamples, features, encoder, Math.max(...EPISODE.shots) + VAL_QUERY);
  const valRng = new Rng(11);
  const valTasks = EPISODE.shots.flatMap((shot) =>
    Array.from({ length: o.validationEpisodes }, () => sampleTask(valPool, valRng, EPISODE.way, shot, VAL_QUERY)),
  );

  const config: MamlConfig = {
    kind: o.kind,
    inputDim: features.dim,
    hidden: hyper.hidden,
    steps: hyper.innerSteps,
    innerLr: hyper.innerLr,
    seed: o.seed,
  };
  const learner = new MamlLearner(config);
  const sampleBatch = (rng: Rng) =>
    Array.from({ length: hyper.metaBatch }, () => {
      const pool = pools[rng.int(pools.length)];
      const shot = EPISODE.shots[rng.int(EPISODE.shots.length)];
      return sampleTask(pool, rng, EPISODE.way, shot, EPISODE.query);
    });
  const validate = () => taskAccuracy(valTasks, (t) => learner.adaptAndPredict(t.xs, t.ys, t.nClasses, t.xq));
  const untrained = validate();
  const initial = learner.getParams();
  log(
    `${o.kind}: ${features.dim} inputs, hidden ${hyper.hidden.join('-')}, ${hyper.innerSteps} inner steps at ${hyper.innerLr}; ` +
      `validation before meta-training ${(100 * untrained).toFixed(2)}%`,
  );

  try {
    const result = await metaTrain({
      learner,
      sampleBatch,
      validate,
      steps: o.steps,
      evalEvery: o.evalEvery,
      seed: o.seed,
      outDir: o.workDir,
      resume: o.resume,
      outerLr: hyper.outerLr,
      kind: `maml-training-${o.kind}`,
      onProgress: o.onProgress,
    });
    const best = loadCheckpoint(result.bestDir, {
      kind: `maml-training-${o.kind}`,
      configMatch: config as unknown as Record<string, unknown>,
    });
    const shapes = learner.paramShapes();
    // Ship meta-training only where it validated at least as well as the initialisation.
    const keepInitial = untrained > result.bestValAcc;
    const params = keepInitial
      ? initial
      : shapes.map((_, i) => {
          const t = best.tensors[`param.${i}`];
          if (!t) throw new Error(`best checkpoint in ${result.bestDir} lacks param.${i}`);
          return t;
        });
    const bestStep = keepInitial ? 0 : result.bestStep;
    const bestValAcc = keepInitial ? untrained : result.bestValAcc;
    if (keepInitial) log(`${o.kind}: meta-training never beat the initialisation on validation; shipping step 0`);
    const checkpointDir = path.join(o.modelDir, MAML_DIR, o.kind);
    const full: MamlCheckpointConfig = { learner: config, input, vectorsSha256: o.model.vectorsSha256, sifSha256: o.model.sifSha256 };
    const seconds = (Date.now() - started) / 1000;
    fs.mkdirSync(checkpointDir, { recursive: true });
    saveMamlCheckpoint(checkpointDir, full, o.model.corpusCentre, params, shapes, {
      valAcc: bestValAcc,
      valAccUntrained: untrained,
      bestStep,
      bestTrainedValAcc: result.bestValAcc,
      bestTrainedStep: result.bestStep,
      steps: o.steps,
      validationDomains: o.validationDomains,
      holdoutDomains: o.holdoutDomains,
      trainPools: pools.map((p) => p.name),
      hyper,
      seed: o.seed,
      trainSeconds: Math.round(seconds),
    });
    log(
      `saved ${checkpointDir}: best validation ${(100 * bestValAcc).toFixed(2)}% at step ${bestStep} (untrained ` +
        `${(100 * untrained).toFixed(2)}%)`,
    );
    return { checkpointDir, bestValAcc, bestStep, seconds };
  } finally {
    learner.dispose();
  }
}
