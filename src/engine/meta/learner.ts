// A MAML-family learner over dense feature rows, with an Adam outer loop: what the rest of the
// engine calls. N-way heads are made per task (zero head, or Proto-MAML's prototype head), so
// one set of meta-parameters serves any number of classes.
import * as tf from '@tensorflow/tfjs-core';
import { arraysToParams, glorotInit, mlpShapes, oneHot, paramsToArrays, type Activation } from '../tf/functional';
import { installSecondOrderGradients } from '../tf/gradients';
import { adamStep, type AdamConfig } from './adam';
import { adaptForInference, metaGradient, mlpModel, type InnerLoopOptions, type HeadInit, type Task } from './maml';

export type MamlKind = 'maml' | 'fomaml' | 'metasgd' | 'protomaml';
export const MAML_KINDS: readonly MamlKind[] = ['maml', 'fomaml', 'metasgd', 'protomaml'];

export interface MamlConfig {
  kind: MamlKind;
  inputDim: number;
  /** Widths of the hidden layers (the embedding is the last); at least one. */
  hidden: number[];
  steps: number;
  /** Inner SGD rate (Meta-SGD: the initial value of every learned rate). */
  innerLr: number;
  activation?: Activation;
  /** Seed of the Glorot initialisation. */
  seed?: number;
  /** First-order outer gradient; default true for `fomaml`, false otherwise. */
  firstOrder?: boolean;
  adam?: AdamConfig;
}

export interface DenseTask {
  /** Support rows, n x inputDim, row-major. */
  xs: Float32Array;
  ys: Int32Array;
  /** Query rows, m x inputDim. */
  xq: Float32Array;
  yq: Int32Array;
  nClasses: number;
}

export interface OptimizerState {
  step: number;
  m: Float32Array[];
  v: Float32Array[];
}

export class MamlLearner {
  readonly config: Readonly<MamlConfig>;
  private readonly model;
  private readonly headInit: HeadInit;
  private readonly bodyCount: number;
  private params: tf.Tensor[];
  /** Adam's moments, one flat array per parameter tensor. */
  private m: Float32Array[];
  private v: Float32Array[];
  private step = 0;

  constructor(config: MamlConfig, params?: Float32Array[]) {
    validateConfig(config);
    this.config = { ...config };
    this.model = mlpModel(config.activation ?? 'relu');
    this.headInit = config.kind === 'protomaml' ? 'proto' : 'zero';
    installSecondOrderGradients();
    const shapes = this.paramShapes();
    this.bodyCount = mlpShapes(this.bodySpec()).length;
    this.params = arraysToParams(params ?? this.initialParams(shapes), shapes);
    this.m = this.params.map((p) => new Float32Array(p.size));
    this.v = this.params.map((p) => new Float32Array(p.size));
  }

  /** Shapes of `getParams()`: body [W, b, ...], then for Meta-SGD one rate per body tensor and two head rates. */
  paramShapes(): number[][] {
    const body = mlpShapes(this.bodySpec());
    if (this.config.kind !== 'metasgd') return body;
    const width = this.config.hidden[this.config.hidden.length - 1];
    return [...body, ...body, [width, 1], [1]];
  }

  getParams(): Float32Array[] {
    return paramsToArrays(this.params);
  }

  setParams(arrays: Float32Array[]): void {
    const next = arraysToParams(arrays, this.paramShapes());
    tf.dispose(this.params);
    this.params = next;
  }

  getOptimizerState(): OptimizerState {
    return { step: this.step, m: this.m.map((a) => a.slice()), v: this.v.map((a) => a.slice()) };
  }

  setOptimizerState(state: OptimizerState): void {
    const sizes = this.paramShapes().map((s) => s.reduce((a, b) => a * b, 1));
    if (state.m.length !== sizes.length || state.m.some((a, i) => a.length !== sizes[i] || state.v[i]?.length !== sizes[i]))
      throw new Error('optimizer state does not match the parameter shapes');
    this.m = state.m.map((a) => a.slice());
    this.v = state.v.map((a) => a.slice());
    this.step = state.step;
  }

  /** Adapts to the support rows and returns query probabilities (rows of nClasses). */
  adaptAndPredict(xs: Float32Array, ys: Int32Array, nClasses: number, xq: Float32Array): Float32Array {
    checkTask(this.config.inputDim, { xs, ys, xq, yq: new Int32Array(0), nClasses }, 'adaptAndPredict');
    return tf.tidy(() => {
      const d = this.config.inputDim;
      const support = tf.tensor2d(xs, [ys.length, d]);
      const fast = adaptForInference(this.model, this.body(), support, oneHot(ys, nClasses), this.adaptOptions());
      const logits = this.model.forward(fast, tf.tensor2d(xq, [xq.length / d, d]));
      return new Float32Array(tf.softmax(logits).dataSync());
    });
  }

  /** One outer Adam step on the mean query loss of `batch`; returns that loss and query accuracy. */
  metaTrainStep(batch: DenseTask[], outerLr: number): { loss: number; acc: number } {
    if (batch.length === 0) throw new Error('metaTrainStep needs at least one task');
    if (!(outerLr > 0)) throw new Error(`outer learning rate must be positive, got ${outerLr}`);
    batch.forEach((t, i) => {
      checkTask(this.config.inputDim, t, `task ${i}`);
    });
    const d = this.config.inputDim;
    const tasks: Task[] = batch.map((t) => ({
      xs: tf.tensor2d(t.xs, [t.ys.length, d]),
      ys: oneHot(t.ys, t.nClasses),
      xq: tf.tensor2d(t.xq, [t.yq.length, d]),
      yq: oneHot(t.yq, t.nClasses),
    }));
    try {
      const learnLrs = this.config.kind === 'metasgd';
      const g = metaGradient(this.model, this.body(), tasks, { ...this.adaptOptions(), learnLrs });
      const grads = [...g.grads, ...(g.lrGrads ?? [])];
      if (!Number.isFinite(g.loss)) {
        tf.dispose(grads);
        throw new Error('meta-training diverged (non-finite loss): lower the outer or inner learning rate');
      }
      this.adamUpdate(grads, outerLr);
      tf.dispose(grads);
      return { loss: g.loss, acc: g.acc };
    } finally {
      tf.dispose(tasks.flatMap((t) => [t.xs, t.ys, t.xq, t.yq]));
    }
  }

  dispose(): void {
    tf.dispose(this.params);
  }

  private bodySpec() {
    return {
      inputDim: this.config.inputDim,
      hidden: this.config.hidden,
      outputDim: 0,
      activation: this.config.activation ?? 'relu',
    } as const;
  }

  private initialParams(shapes: number[][]): Float32Array[] {
    const body = glorotInit(mlpShapes(this.bodySpec()), this.config.seed ?? 0);
    const rates = shapes.slice(body.length).map((s) => new Float32Array(s.reduce((a, b) => a * b, 1)).fill(this.config.innerLr));
    return [...body, ...rates];
  }

  private body(): tf.Tensor[] {
    return this.params.slice(0, this.bodyCount);
  }

  private adaptOptions(): InnerLoopOptions {
    const c = this.config;
    return {
      steps: c.steps,
      innerLr: c.innerLr,
      perParamLrs: c.kind === 'metasgd' ? this.params.slice(this.bodyCount) : undefined,
      firstOrder: c.firstOrder ?? c.kind === 'fomaml',
      headInit: this.headInit,
    };
  }

  private adamUpdate(grads: tf.Tensor[], lr: number): void {
    this.step++;
    const params = paramsToArrays(this.params);
    const g = paramsToArrays(grads);
    params.forEach((p, i) => {
      adamStep(p, this.m[i], this.v[i], g[i], this.step, lr, this.config.adam);
    });
    this.setParams(params);
  }
}

function validateConfig(c: MamlConfig): void {
  if (!MAML_KINDS.includes(c.kind)) throw new Error(`unknown MAML kind '${String(c.kind)}' (expected ${MAML_KINDS.join(', ')})`);
  if (!Number.isInteger(c.inputDim) || c.inputDim <= 0) throw new Error(`inputDim must be a positive integer, got ${c.inputDim}`);
  if (!Array.isArray(c.hidden) || c.hidden.length === 0) throw new Error('hidden needs at least one layer width');
  if (!Number.isInteger(c.steps) || c.steps < 0) throw new Error(`steps must be a non-negative integer, got ${c.steps}`);
  if (!(c.innerLr > 0)) throw new Error(`innerLr must be positive, got ${c.innerLr}`);
}

function checkTask(d: number, t: DenseTask, where: string): void {
  if (!Number.isInteger(t.nClasses) || t.nClasses < 2) throw new Error(`${where}: need at least 2 classes, got ${t.nClasses}`);
  if (t.ys.length === 0) throw new Error(`${where}: empty support set`);
  if (t.xs.length !== t.ys.length * d) throw new Error(`${where}: support has ${t.xs.length} values for ${t.ys.length} rows of ${d}`);
  if (t.xq.length % d !== 0) throw new Error(`${where}: query length ${t.xq.length} is not a multiple of ${d}`);
  if (t.yq.length > 0 && t.xq.length !== t.yq.length * d)
    throw new Error(`${where}: query has ${t.xq.length} values for ${t.yq.length} labels`);
  for (const y of [...t.ys, ...t.yq]) {
    if (!(y >= 0 && y < t.nClasses)) throw new Error(`${where}: label ${y} outside 0..${t.nClasses - 1}`);
  }
  for (const arr of [t.xs, t.xq]) {
    for (let i = 0; i < arr.length; i++) if (!Number.isFinite(arr[i])) throw new Error(`${where}: non-finite feature value at ${i}`);
  }
}
