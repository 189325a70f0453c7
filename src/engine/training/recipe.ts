// The recipe that produces the shipped model: corpus centre from the training texts, then
// meta-learning of the adaptation's hyper-parameters on episodes from licence-compatible data,
// validated on classes never trained on, and an honest choice of the default.
import path from 'node:path';
import { loadCheckpoint } from '../checkpoint';
import { readExamples } from '../data/jsonl';
import { EpisodeSampler } from '../episodes/sampler';
import { readDomainMap, splitByDomains, labelsOfDomains } from '../episodes/splits';
import { evaluate } from '../eval/evaluate';
import { corpusSifWeights, DEFAULT_ENCODER_OPTIONS, Encoder } from '../features/encoder';
import { type AdaptHyper, HAND_SET, LogregMethod } from '../learners/adaptation';
import { blockMeans, type Centre, commonComponent } from '../learners/featureView';
import { hyperEpisodeFrom } from './metaHyper';
import { metaTrain, type Progress } from '../meta/trainer';
import type { Rng } from '../random';
import { encoderConfig, saveModel, type ModelConfig } from '../model';
import type { WordVectors } from '../text/wordVectors';
import type { Example } from '../types';
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

interface TaskSource {
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

export async function runRecipe(
  vectors: WordVectors,
  o: RecipeOptions,
): Promise<{ config: ModelConfig; metrics: Record<string, unknown> }> {
  const log = o.log ?? (() => {});
  const domains = readDomainMap(path.join(o.dataDir, 'clinc150.domains.json'));
  const allDomains = [...new Set(domains.values())].sort();
  const excluded = new Set([...o.holdoutDomains, ...o.validationDomains]);
  const trainDomains = allDomains.filter((d) => !excluded.has(d));
  const clincTrain = await readExamples(path.join(o.dataDir, 'clinc150.train.jsonl'));
  const sources: TaskSource[] = [sourceFromDomains(clincTrain, domains, trainDomains)];
  for (const f of o.extraTrainFiles) sources.push({ name: path.basename(f), groups: [await readExamples(path.join(o.dataDir, f))] });
  log(`training domains: ${trainDomains.join(', ')}; extra: ${o.extraTrainFiles.join(', ') || 'none'}`);

  const trainTexts = sources.flatMap((s) => s.groups.flat().map((ex) => ex.text));
  // Word frequencies for SIF come from the training texts only (never from held-out data).
  const sifWeights = corpusSifWeights(vectors, trainTexts, DEFAULT_ENCODER_OPTIONS.sifA);
  const encoder = new Encoder(vectors, {}, sifWeights);
  const corpus = encoder.encode(trainTexts);
  const centre: Centre = { ...blockMeans([corpus]), common: commonComponent(corpus) };

  // Episodes are drawn inside one domain: neighbouring intents are what makes few-shot hard.
  const samplers = sources.flatMap((s) =>
    s.groups.flatMap((g) => [1, 5].map((shot) => new EpisodeSampler(g, { way: 5, shot, query: 15, distractorRatio: 1 }))),
  );
  const sampleBatch = (rng: Rng) =>
    [0, 1].map(() => {
      const sampler = samplers[Math.floor(rng.next() * samplers.length)];
      return hyperEpisodeFrom(sampler.episode(Math.floor(rng.next() * 2 ** 31), 0), (t) => encoder.encode(t), centre.common);
    });

  // The validation domain's classes are never trained on, so all its lines may validate (less noise).
  const valExamples = splitByDomains(clincTrain, domains, o.validationDomains).heldOut;
  const validateHyper = (h: AdaptHyper, episodes = o.validationEpisodes) => {
    const report = evaluate({
      data: 'validation',
      examples: valExamples,
      way: 5,
      shots: [1, 5],
      query: 15,
      episodes,
      seed: 11,
      methods: [new LogregMethod('candidate', h, true, centre)],
      encode: (t) => encoder.encode(t),
    });
    return report.results.reduce((s, r) => s + r.mean, 0) / report.results.length;
  };

  const learner = new HyperLearner(META_INIT);
  const result = await metaTrain({
    learner,
    sampleBatch,
    validate: () => validateHyper(learner.hyper()),
    steps: o.steps,
    evalEvery: o.evalEvery,
    seed: o.seed,
    outDir: o.outDir,
    resume: o.resume,
    outerLr: 0.03,
    kind: 'adaptation-hyper',
    onProgress: o.onProgress,
  });
  // Back to the best parameters seen on validation.
  learner.setParams([loadCheckpoint(result.bestDir).tensors['param.0']]);
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
    trainDomains,
    holdoutDomains: o.holdoutDomains,
    validationDomains: o.validationDomains,
    extraTrainFiles: o.extraTrainFiles,
    seed: o.seed,
    steps: o.steps,
  };
  saveModel(o.modelDir, config, centre, { 'sif.weights': sifWeights }, metrics);
  log(`saved ${o.modelDir}: default = ${chosen.name} (${(100 * chosen.val).toFixed(2)}% on validation)`);
  return { config, metrics };
}
