// Improving a model from the user's finished tasks: the adaptation's meta-parameters are
// meta-trained further, starting from the given (shipped) model, on episodes of the tasks' training
// labels, with the shipped recipe's trainer and learner; the candidate is then compared with the
// base on the same episodes of labels neither saw in training, and written out only when the
// adoption rule says it is better. Nothing is written on a cancel or a rejection.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadCheckpoint } from '../checkpoint';
import { EpisodeSampler } from '../episodes/sampler';
import { evaluate } from '../eval/evaluate';
import { type AdaptHyper, LogregMethod } from '../learners/adaptation';
import { metaTrain, type Progress } from '../meta/trainer';
import { ABSTENTION_FILE, type LoadedModel, saveModel, VECTORS_FILE } from '../model';
import type { Rng } from '../random';
import type { Example } from '../types';
import { HyperLearner } from '../training/hyperLearner';
import { hyperEpisodeFrom } from '../training/metaHyper';
import { episodeShape, ImproveError, type SkippedUserLabel, splitUserTasks, type UserTask } from './tasks';

export interface ImproveOptions {
  base: LoadedModel;
  tasks: UserTask[];
  /** A task kept for the comparison alone (else some of the tasks' labels are). */
  test?: UserTask;
  /** Where the adopted model goes (a model folder: vectors, checkpoint, abstention rules); replaced atomically. */
  outDir: string;
  /** Training state (default: a temporary folder, removed at the end). */
  workDir?: string;
  steps: number;
  evalEvery: number;
  seed: number;
  /** Shot counts of the training and comparison episodes (default 1 and 5). */
  shots?: number[];
  /** Most query lines per class (default 15; fewer where the labels have fewer lines). */
  query?: number;
  validationEpisodes?: number;
  testEpisodes?: number;
  outerLr?: number;
  heldOutFraction?: number;
  shouldStop?: () => boolean;
  onProgress?: (p: ImproveProgress) => void;
}

export type ImproveProgress =
  | { phase: 'training'; progress: Progress }
  | { phase: 'comparing'; shot: number; episode: number; episodes: number };

/** A mean accuracy (or paired gain) in 0..1 and the half-width of its 95% interval. */
export interface Score {
  shot: number;
  way: number;
  mean: number;
  ci95: number;
}

export interface ImproveResult {
  status: 'adopted' | 'rejected' | 'cancelled';
  reason: string;
  labels: { train: number; validation: number; test: number };
  skipped: SkippedUserLabel[];
  episodes: number;
  base: Score[];
  candidate: Score[];
  gain: Score[];
  /** The candidate's adaptation (absent on a cancel). */
  hyper?: AdaptHyper;
  /** The meta-training step kept (best on validation). */
  bestStep?: number;
  /** Mean validation accuracy (over the shot counts) of the base and of the step kept. */
  validation?: { base: number; candidate: number };
  modelDir?: string;
}

/**
 * The adoption rule: adopt only if, at the fewest shots compared, the paired gain's 95% interval is
 * above 0, and at no shot count is it below 0 (better where labels are fewest, worse nowhere).
 */
export function adoptionDecision(gain: readonly Score[]): { adopt: boolean; reason: string } {
  if (gain.length === 0) return { adopt: false, reason: 'no comparison could be made' };
  const first = [...gain].sort((a, b) => a.shot - b.shot)[0]!;
  const worse = gain.find((g) => g.mean + g.ci95 < 0);
  if (worse) return { adopt: false, reason: `worse at ${worse.shot} shot(s) (${signedPoints(worse)})` };
  if (first.mean - first.ci95 > 0) return { adopt: true, reason: `better at ${first.shot} shot(s) (${signedPoints(first)})` };
  return { adopt: false, reason: `not shown better at ${first.shot} shot(s) (${signedPoints(first)}: the interval reaches 0)` };
}

const signedPoints = (s: Score) => `${s.mean >= 0 ? '+' : ''}${(100 * s.mean).toFixed(1)} ± ${(100 * s.ci95).toFixed(1)} points`;

class Cancelled extends Error {}

export async function improveModel(o: ImproveOptions): Promise<ImproveResult> {
  const shots = o.shots ?? [1, 5];
  const maxQuery = o.query ?? 15;
  const testEpisodes = o.testEpisodes ?? 300;
  const split = splitUserTasks(o.tasks, { seed: o.seed, test: o.test, heldOutFraction: o.heldOutFraction });
  const centre = o.base.corpusCentre;
  const encode = (texts: string[]) => o.base.encoder.encode(texts);
  const baseHyper = o.base.config.defaultHyper;

  // Every (task, shot count) that can fill an episode is a sampler; a batch draws two of them.
  const samplers = split.train.flatMap((group) =>
    shots.flatMap((shot) => {
      const shape = episodeShape(group, shot, maxQuery);
      return shape ? [new EpisodeSampler(shape.examples, { way: shape.way, shot, query: shape.query, distractorRatio: 1 })] : [];
    }),
  );
  const sampleBatch = (rng: Rng) =>
    [0, 1].map(() => {
      const sampler = samplers[Math.floor(rng.next() * samplers.length)]!;
      return hyperEpisodeFrom(sampler.episode(Math.floor(rng.next() * 2 ** 31), 0), encode, centre.common);
    });

  const compare = (
    examples: Example[],
    methods: LogregMethod[],
    episodes: number,
    seed: number,
    onProgress?: ImproveOptions['onProgress'],
  ) =>
    shots.flatMap((shot) => {
      const shape = episodeShape(examples, shot, maxQuery);
      if (!shape) return [];
      return [
        evaluate({
          examples: shape.examples,
          way: shape.way,
          shots: [shot],
          query: shape.query,
          episodes,
          seed,
          methods,
          encode,
          baseline: methods.length > 1 ? methods[0]!.name : undefined,
          onProgress: (p) => {
            if (o.shouldStop?.()) throw new Cancelled();
            onProgress?.({ phase: 'comparing', shot, episode: p.episode, episodes: p.episodes });
          },
        }),
      ];
    });
  const method = (name: string, h: AdaptHyper) => new LogregMethod(name, h, true, centre);

  const learner = new HyperLearner(baseHyper);
  const workDir = o.workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'fewshot-improve-'));
  const summary = { labels: split.labels, skipped: split.skipped, episodes: testEpisodes };
  try {
    if (samplers.length === 0) throw new ImproveError('no task has two training labels with enough lines to fill an episode');
    // Mean accuracy over the shot counts on the validation labels; the base's, for the record.
    const validate = (h: AdaptHyper) => {
      const means = compare(split.validation, [method('candidate', h)], o.validationEpisodes ?? 60, o.seed + 1).flatMap((r) =>
        r.results.map((x) => x.mean),
      );
      return means.reduce((a, b) => a + b, 0) / Math.max(means.length, 1);
    };
    const baseValidation = validate(baseHyper);
    const trained = await metaTrain({
      learner,
      sampleBatch,
      validate: () => validate(learner.hyper()),
      steps: o.steps,
      evalEvery: o.evalEvery,
      seed: o.seed,
      outDir: workDir,
      resume: false,
      outerLr: o.outerLr ?? 0.03,
      kind: 'adaptation-hyper',
      onProgress: (progress) => o.onProgress?.({ phase: 'training', progress }),
      shouldStop: o.shouldStop,
    });
    if (trained.stopped) return { ...summary, status: 'cancelled', reason: 'cancelled', base: [], candidate: [], gain: [] };
    learner.setParams([loadCheckpoint(trained.bestDir).tensors['param.0']!]);
    const hyper = learner.hyper();

    // Both on the same episodes of the test labels: a paired comparison.
    const reports = compare(split.test, [method('base', baseHyper), method('candidate', hyper)], testEpisodes, o.seed + 2, o.onProgress);
    const base: Score[] = [];
    const candidate: Score[] = [];
    const gain: Score[] = [];
    for (const r of reports) {
      const [b, c] = r.results;
      base.push({ shot: b!.shot, way: b!.way, mean: b!.mean, ci95: b!.ci95 });
      candidate.push({ shot: c!.shot, way: c!.way, mean: c!.mean, ci95: c!.ci95 });
      const d = r.gains!.find((g) => g.method === 'candidate')!;
      gain.push({ shot: c!.shot, way: c!.way, mean: d.mean, ci95: d.ci95 });
    }
    const decision = adoptionDecision(gain);
    const result: ImproveResult = {
      ...summary,
      status: decision.adopt ? 'adopted' : 'rejected',
      reason: decision.reason,
      base,
      candidate,
      gain,
      hyper,
      bestStep: trained.bestStep,
      validation: { base: baseValidation, candidate: trained.bestValAcc },
    };
    if (!decision.adopt) return result;
    saveImprovedModel(
      o.outDir,
      o.base,
      { ...o.base.config, defaultHyper: hyper, defaultSource: 'improved' },
      {
        improvedFrom: o.base.hash,
        tasks: o.tasks.map((t) => t.name),
        test: o.test?.name,
        labels: split.labels,
        seed: o.seed,
        steps: o.steps,
        bestStep: trained.bestStep,
        comparison: { base, candidate, gain, episodes: testEpisodes },
      },
    );
    return { ...result, modelDir: o.outDir };
  } catch (err) {
    if (err instanceof Cancelled) return { ...summary, status: 'cancelled', reason: 'cancelled', base: [], candidate: [], gain: [] };
    throw err;
  } finally {
    if (!o.workDir) fs.rmSync(workDir, { recursive: true, force: true });
  }
}

/**
 * Writes a whole model folder beside `dir`, then swaps it in by renames: a reader sees the old
 * model or the new one, never half of one (or, for an instant, none: it then loads the shipped one).
 */
export function saveImprovedModel(dir: string, base: LoadedModel, config: LoadedModel['config'], metrics: Record<string, unknown>): void {
  const tag = `${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  const tmp = `${dir}.tmp-${tag}`;
  fs.mkdirSync(tmp, { recursive: true });
  try {
    fs.copyFileSync(path.join(base.dir, VECTORS_FILE), path.join(tmp, VECTORS_FILE));
    // The abstention rules read the adapted classifier's signals; they are kept as fitted for the base.
    if (fs.existsSync(path.join(base.dir, ABSTENTION_FILE)))
      fs.copyFileSync(path.join(base.dir, ABSTENTION_FILE), path.join(tmp, ABSTENTION_FILE));
    const sif = base.tensors['sif.weights'];
    saveModel(tmp, config, base.corpusCentre, sif ? { 'sif.weights': sif } : {}, metrics);
    const old = `${dir}.old-${tag}`;
    const hadOld = fs.existsSync(dir);
    if (hadOld) fs.renameSync(dir, old);
    fs.renameSync(tmp, dir);
    if (hadOld) fs.rmSync(old, { recursive: true, force: true });
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}
