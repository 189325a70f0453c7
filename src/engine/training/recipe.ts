// The recipe that produces the shipped model: corpus centre from the training texts, then
// meta-learning of the adaptation's hyper-parameters on episodes from licence-compatible data,
// validated on classes never trained on, and an honest choice of the default.
import path from 'node:path';
import { loadCheckpoint } from '../checkpoint';
import { readExamples } from '../data/jsonl';
import { type Episode, EpisodeSampler } from '../episodes/sampler';
import { readDomainMap, splitByDomains, labelsOfDomains } from '../episodes/splits';
import { evaluate } from '../eval/evaluate';
import { corpusSifWeights, DEFAULT_ENCODER_OPTIONS, Encoder } from '../features/encoder';
import { type AdaptHyper, HAND_SET, LogregMethod } from '../learners/adaptation';
import { blockMeans, type Centre, commonComponent } from '../learners/featureView';
import { type HyperEpisode, hyperEpisodeFrom } from './metaHyper';
import { type MetaTrainResult, metaTrain, type Progress } from '../meta/trainer';
import type { Rng } from '../random';
import { encoderConfig, saveModel, type ModelConfig } from '../model';
import type { WordVectors } from '../text/wordVectors';
import type { EncodedLines, Example, FewShotMethod } from '../types';
import { HyperLearner } from './hyperLearner';

export interface RecipeOptions {
  dataDir: string;
  /** CLINC150 domains kept out of training and validation entirely (for measuring the recipe). */
  holdoutDomains: string[];
  /** CLINC150 domains whose classes validate (never trained on). */
  validationDomains: string[];
  /** Licence-compatible extra training files (each a whole data set of its own classes). */
  extraTrainFiles: string[];
  steps: number;
  evalEvery: number;
  seed: number;
  outDir: string;
  modelDir: string;
  resume: boolean;
  validationEpisodes: number;
  onProgress?: (p: Progress) => void;
  log?: (m: string) => void;
}

/** Where a default procedure comes from (recorded as the model's defaultSource). */
type DefaultSource = 'meta-learned' | 'hand-set';

/** Where the meta-learning starts: the hand-set procedure with a shorter inner loop. */
export const META_INIT: AdaptHyper = { ...HAND_SET, steps: 25, lr: 10, rounds: [5, 10] };

export const ROUND_SCHEDULES = [
  [5, 10],
  [5, 10, 15],
  [3, 6, 9, 12, 15],
];

export interface TaskSource {
  name: string;
  /** Label groups episodes are drawn within (a CLINC domain, or a whole data set). */
  groups: Example[][];
}

function sourceFromDomains(examples: Example[], domains: Map<string, string>, keep: string[]): TaskSource {
  return {
    name: 'clinc150',
    groups: keep.map((d) => {
      const labels = new Set(labelsOfDomains(domains, [d]));
      return examples.filter((ex) => labels.has(ex.label));
    }),
  };
}

/**
 * The recipe's tasks: the training sources (CLINC150 domains neither held out nor validating, and
 * the extra files) and the validation lines (every line of the validation domains' classes).
 */
export async function recipeTasks(
  o: Pick<RecipeOptions, 'dataDir' | 'holdoutDomains' | 'validationDomains' | 'extraTrainFiles'>,
): Promise<{ trainDomains: string[]; sources: TaskSource[]; valExamples: Example[] }> {
  const domains = readDomainMap(path.join(o.dataDir, 'clinc150.domains.json'));
  const allDomains = [...new Set(domains.values())].sort();
  const excluded = new Set([...o.holdoutDomains, ...o.validationDomains]);
  const trainDomains = allDomains.filter((d) => !excluded.has(d));
  const clincTrain = await readExamples(path.join(o.dataDir, 'clinc150.train.jsonl'));
  const sources: TaskSource[] = [sourceFromDomains(clincTrain, domains, trainDomains)];
  for (const f of o.extraTrainFiles) sources.push({ name: path.basename(f), groups: [await readExamples(path.join(o.dataDir, f))] });
  // The validation domain's classes are never trained on, so all its lines may validate (less noise).
  const valExamples = splitByDomains(clincTrain, domains, o.validationDomains).heldOut;
  return { trainDomains, sources, valExamples };
}

/**
 * The recipe's meta-batches: 2 episodes, each 5-way, 1 or 5 shots, 15 queries, as many
 * distractors, drawn inside one group. Episodes are drawn inside one domain: neighbouring intents
 * are what makes few-shot hard.
 */
export function episodeBatches<T>(sources: TaskSource[], task: (e: Episode) => T): (rng: Rng) => T[] {
  const samplers = sources.flatMap((s) =>
    s.groups.flatMap((g) => [1, 5].map((shot) => new EpisodeSampler(g, { way: 5, shot, query: 15, distractorRatio: 1 }))),
  );
  return (rng: Rng) =>
    [0, 1].map(() => {
      const sampler = samplers[Math.floor(rng.next() * samplers.length)];
      return task(sampler.episode(Math.floor(rng.next() * 2 ** 31), 0));
    });
}

/** Mean accuracy of `method` over the recipe's validation episodes (5-way, 1 and 5 shots, 15 queries, seed 11). */
export function validationAccuracy(
  examples: Example[],
  method: FewShotMethod,
  encode: (texts: string[]) => EncodedLines,
  episodes: number,
): number {
  const report = evaluate({
    data: 'validation',
    examples,
    way: 5,
    shots: [1, 5],
    query: 15,
    episodes,
    seed: 11,
    methods: [method],
    encode,
  });
  return report.results.reduce((s, r) => s + r.mean, 0) / report.results.length;
}

/** The recipe's meta-training of `learner` (Adam at 0.03, resumable); leaves it at the step that validated best. */
export async function trainHyper(
  learner: HyperLearner,
  sampleBatch: (rng: Rng) => HyperEpisode[],
  validate: () => number,
  o: Pick<RecipeOptions, 'steps' | 'evalEvery' | 'seed' | 'outDir' | 'resume' | 'onProgress'>,
  kind: string,
): Promise<MetaTrainResult> {
  const result = await metaTrain({
    learner,
    sampleBatch,
    validate,
    steps: o.steps,
    evalEvery: o.evalEvery,
    seed: o.seed,
    outDir: o.outDir,
    resume: o.resume,
    outerLr: 0.03,
    kind,
    onProgress: o.onProgress,
  });
  // Back to the best parameters seen on validation.
  learner.setParams([loadCheckpoint(result.bestDir).tensors['param.0']]);
  return result;
}

/** What a trained file records of its run: the data it saw and its schedule. */
export function runRecord(
  o: Pick<RecipeOptions, 'holdoutDomains' | 'validationDomains' | 'extraTrainFiles' | 'seed' | 'steps'>,
  trainDomains: string[],
): Record<string, unknown> {
  const { holdoutDomains, validationDomains, extraTrainFiles, seed, steps } = o;
  return { trainDomains, holdoutDomains, validationDomains, extraTrainFiles, seed, steps };
}

export async function runRecipe(
  vectors: WordVectors,
  o: RecipeOptions,
): Promise<{ config: ModelConfig; metrics: Record<string, unknown> }> {
  const log = o.log ?? (() => {});
  const { trainDomains, sources, valExamples } = await recipeTasks(o);
  log(`training domains: ${trainDomains.join(', ')}; extra: ${o.extraTrainFiles.join(', ') || 'none'}`);

  const trainTexts = sources.flatMap((s) => s.groups.flat().map((ex) => ex.text));
  // Word frequencies for SIF come from the training texts only (never from held-out data).
  const sifWeights = corpusSifWeights(vectors, trainTexts, DEFAULT_ENCODER_OPTIONS.sifA);
  const encoder = new Encoder(vectors, {}, sifWeights);
  const corpus = encoder.encode(trainTexts);
  const centre: Centre = { ...blockMeans([corpus]), common: commonComponent(corpus) };

  const sampleBatch = episodeBatches(sources, (e) => hyperEpisodeFrom(e, (t) => encoder.encode(t), centre.common));
  const validateHyper = (h: AdaptHyper, episodes = o.validationEpisodes) =>
    validationAccuracy(valExamples, new LogregMethod('candidate', h, true, centre), (t) => encoder.encode(t), episodes);

  const learner = new HyperLearner(META_INIT);
  const result = await trainHyper(learner, sampleBatch, () => validateHyper(learner.hyper()), o, 'adaptation-hyper');
  const meta = learner.hyper();

  // The pseudo-label schedule is discrete: chosen on validation, for both candidates alike.
  const candidates: Array<{ name: string; source: DefaultSource; hyper: AdaptHyper }> = [];
  for (const rounds of ROUND_SCHEDULES) {
    candidates.push({ name: `meta-learned rounds ${rounds.join('/')}`, source: 'meta-learned', hyper: { ...meta, rounds } });
    candidates.push({ name: `hand-set rounds ${rounds.join('/')}`, source: 'hand-set', hyper: { ...HAND_SET, rounds } });
  }
  const scored = candidates.map((c) => ({ ...c, val: validateHyper(c.hyper, o.validationEpisodes * 2) }));
  for (const c of scored) log(`validation ${c.name}: ${(100 * c.val).toFixed(2)}%`);
  const bestOf = (source: DefaultSource) => scored.filter((c) => c.source === source).sort((a, b) => b.val - a.val)[0];
  const bestMeta = bestOf('meta-learned');
  const bestHand = bestOf('hand-set');
  // Ship the meta-learned procedure only where it measured at least as well.
  const chosen = bestMeta.val >= bestHand.val ? bestMeta : bestHand;
  const config: ModelConfig = {
    encoder: encoderConfig(vectors, encoder.options),
    defaultHyper: chosen.hyper,
    defaultSource: chosen.source,
  };
  const metrics = {
    validation: Object.fromEntries(scored.map((c) => [c.name, c.val])),
    metaBestStep: result.bestStep,
    ...runRecord(o, trainDomains),
  };
  saveModel(o.modelDir, config, centre, { 'sif.weights': sifWeights }, metrics);
  log(`saved ${o.modelDir}: default = ${chosen.name} (${(100 * chosen.val).toFixed(2)}% on validation)`);
  return { config, metrics };
}
