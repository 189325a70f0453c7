// A generic, seeded, resumable meta-training loop: keeps the best checkpoint by validation
// accuracy and the last full state (parameters, Adam moments, step, RNG state) for resuming.
import fs from 'node:fs';
import path from 'node:path';
import { loadCheckpoint, saveCheckpoint } from '../checkpoint';
import type { OptimizerState } from './learner';
import { Rng } from '../random';

/** A learner the loop can train on batches of its own kind of task (`Task`). */
export interface MetaTrainable<Task> {
  readonly config: object;
  metaTrainStep(batch: Task[], outerLr: number): { loss: number; acc: number };
  getParams(): Float32Array[];
  setParams(params: Float32Array[]): void;
  paramShapes(): number[][];
  getOptimizerState(): OptimizerState;
  setOptimizerState(state: OptimizerState): void;
}

export interface Progress {
  step: number;
  steps: number;
  /** Running mean of the meta-training loss (recent steps weigh most). */
  loss: number;
  acc: number;
  valAcc?: number;
  bestValAcc?: number;
  etaSeconds: number;
}

export interface MetaTrainOptions<Task> {
  learner: MetaTrainable<Task>;
  sampleBatch: (rng: Rng) => Task[];
  /** Accuracy (0..1) on validation tasks with the current parameters. */
  validate: () => number | Promise<number>;
  steps: number;
  evalEvery: number;
  seed: number;
  outDir: string;
  resume: boolean;
  outerLr?: number;
  /** Saved as the checkpoint kind and config of the best model. */
  kind?: string;
  onProgress?: (p: Progress) => void;
  /** Polled before each step: true ends the run early (a cancel), with `stopped` set. */
  shouldStop?: () => boolean;
}

export interface MetaTrainResult {
  step: number;
  bestValAcc: number;
  bestStep: number;
  bestDir: string;
  lastDir: string;
  resumedFrom?: number;
  /** True when `shouldStop` ended the run before `steps`. */
  stopped: boolean;
}

const STATE_KIND = 'meta-train-state';

function paramTensors(prefix: string, arrays: Float32Array[], shapes: number[][]) {
  return Object.fromEntries(arrays.map((a, i) => [`${prefix}.${i}`, { data: a, shape: shapes[i] }]));
}

function takeList(tensors: Record<string, Float32Array>, prefix: string, count: number, dir: string): Float32Array[] {
  return Array.from({ length: count }, (_, i) => {
    const t = tensors[`${prefix}.${i}`];
    if (!t) throw new Error(`training state in ${dir} lacks tensor ${prefix}.${i}`);
    return t;
  });
}

export async function metaTrain<Task>(o: MetaTrainOptions<Task>): Promise<MetaTrainResult> {
  if (!Number.isInteger(o.steps) || o.steps <= 0) throw new Error(`steps must be a positive integer, got ${o.steps}`);
  if (!Number.isInteger(o.evalEvery) || o.evalEvery <= 0) throw new Error(`evalEvery must be a positive integer, got ${o.evalEvery}`);
  const outerLr = o.outerLr ?? 1e-3;
  const bestDir = path.join(o.outDir, 'best');
  const lastDir = path.join(o.outDir, 'last');
  const config = { ...(o.learner.config as Record<string, unknown>) };
  const shapes = o.learner.paramShapes();
  const rng = new Rng(o.seed);
  let step = 0;
  let bestValAcc = -1;
  let bestStep = 0;
  let resumedFrom: number | undefined;

  if (o.resume && fs.existsSync(path.join(lastDir, 'manifest.json'))) {
    const state = loadCheckpoint(lastDir, { kind: STATE_KIND, configMatch: { learner: config } });
    const extra = state.manifest.extra as { step: number; rngState: number; adamStep: number; bestValAcc: number; bestStep: number };
    o.learner.setParams(takeList(state.tensors, 'param', shapes.length, lastDir));
    o.learner.setOptimizerState({
      step: extra.adamStep,
      m: takeList(state.tensors, 'adam.m', shapes.length, lastDir),
      v: takeList(state.tensors, 'adam.v', shapes.length, lastDir),
    });
    rng.setState(extra.rngState);
    ({ step, bestValAcc, bestStep } = extra);
    resumedFrom = step;
  }

  const saveState = () => {
    const adam = o.learner.getOptimizerState();
    saveCheckpoint(lastDir, {
      kind: STATE_KIND,
      config: { learner: config },
      tensors: {
        ...paramTensors('param', o.learner.getParams(), shapes),
        ...paramTensors('adam.m', adam.m, shapes),
        ...paramTensors('adam.v', adam.v, shapes),
      },
      extra: { step, rngState: rng.getState(), adamStep: adam.step, bestValAcc, bestStep, seed: o.seed },
    });
  };

  const startStep = step;
  const started = Date.now();
  let runningLoss = NaN;
  let valAcc: number | undefined;
  let stopped = false;
  while (step < o.steps) {
    if (o.shouldStop?.()) {
      stopped = true;
      break;
    }
    const { loss, acc } = o.learner.metaTrainStep(o.sampleBatch(rng), outerLr);
    step++;
    runningLoss = Number.isNaN(runningLoss) ? loss : 0.9 * runningLoss + 0.1 * loss;
    if (step % o.evalEvery === 0 || step === o.steps) {
      valAcc = await o.validate();
      if (valAcc > bestValAcc) {
        bestValAcc = valAcc;
        bestStep = step;
        saveCheckpoint(bestDir, {
          kind: o.kind ?? 'maml',
          config,
          tensors: paramTensors('param', o.learner.getParams(), shapes),
          metrics: { valAcc, step },
          extra: { seed: o.seed },
        });
      }
      saveState();
    }
    const perStep = (Date.now() - started) / 1000 / (step - startStep);
    o.onProgress?.({
      step,
      steps: o.steps,
      loss: runningLoss,
      acc,
      valAcc,
      bestValAcc: bestValAcc >= 0 ? bestValAcc : undefined,
      etaSeconds: perStep * (o.steps - step),
    });
  }
  return { step, bestValAcc, bestStep, bestDir, lastDir, resumedFrom, stopped };
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

const percent = (x: number) => `${(100 * x).toFixed(1)}%`;

/** One plain-text progress line: bar, step, loss, accuracy, validation accuracy, ETA. */
export function formatProgress(p: Progress, width = 24): string {
  const done = Math.max(0, Math.min(width, Math.round((p.step / p.steps) * width)));
  const parts = [
    `[${'#'.repeat(done)}${'-'.repeat(width - done)}] ${p.step}/${p.steps}`,
    `loss ${Number.isFinite(p.loss) ? p.loss.toFixed(3) : '?'}`,
    `acc ${percent(p.acc)}`,
  ];
  if (p.valAcc !== undefined) parts.push(`val ${percent(p.valAcc)}${p.bestValAcc !== undefined ? ` (best ${percent(p.bestValAcc)})` : ''}`);
  parts.push(p.step >= p.steps ? 'done' : `ETA ${formatDuration(p.etaSeconds)}`);
  return parts.join('  ');
}
