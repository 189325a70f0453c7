import * as assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError } from '../../../src/engine/checkpoint';
import { blockMeans, FeatureView } from '../../../src/engine/learners/featureView';
import {
  loadMamlMethod,
  loadMamlMethods,
  MamlFeatures,
  MamlMethod,
  saveMamlCheckpoint,
  type MamlCheckpointConfig,
  type MamlInputSpec,
} from '../../../src/engine/learners/mamlMethod';
import { MamlLearner, type DenseTask, type MamlConfig } from '../../../src/engine/meta/learner';
import { Rng } from '../../../src/engine/random';
import { selectBackend } from '../../../src/engine/tf/backend';
import { clusteredLines, repeatLabels } from './synthetic';

const WORD = 6;
const CHAR = 32;
const CLASSES = 8;
const input: MamlInputSpec = { wordDim: WORD, charDim: CHAR, charProjection: 8, projectionSeed: 5 };
const corpus = clusteredLines(repeatLabels(CLASSES, 20), CLASSES, 1, 0.9, WORD, CHAR);
const centre = blockMeans([corpus]);
const features = new MamlFeatures(centre, input);
const context = { vectorsSha256: 'vectors-abc', wordDim: WORD, charDim: CHAR };

const config = (kind: MamlConfig['kind']): MamlConfig => ({ kind, inputDim: features.dim, hidden: [16], steps: 3, innerLr: 0.3, seed: 2 });

/** A 3-way task over 3 of the 8 synthetic classes (noisy enough that the initialisation matters). */
function toyTask(rng: Rng, shot: number, query: number) {
  const classes = rng.shuffle([...Array(CLASSES).keys()]).slice(0, 3);
  const seed = rng.int(1e9);
  const draw = (per: number, s: number) => {
    const local = repeatLabels(3, per);
    const lines = clusteredLines(
      Int32Array.from(local, (c) => classes[c]),
      CLASSES,
      s,
      1.2,
      WORD,
      CHAR,
    );
    return { lines, labels: local };
  };
  return { support: draw(shot, seed), query: draw(query, seed + 1) };
}

function dense(t: ReturnType<typeof toyTask>): DenseTask {
  return { xs: features.rows(t.support.lines), ys: t.support.labels, xq: features.rows(t.query.lines), yq: t.query.labels, nClasses: 3 };
}

function queryLoss(method: MamlMethod, tasks: ReturnType<typeof toyTask>[]): number {
  let loss = 0;
  let n = 0;
  for (const t of tasks) {
    const probs = method.adapt(t.support.lines, t.support.labels, 3).predictProbs(t.query.lines);
    t.query.labels.forEach((y, r) => {
      loss -= Math.log(Math.max(probs[r * 3 + y], 1e-12));
      n++;
    });
  }
  return loss / n;
}

function checkpointConfig(kind: MamlConfig['kind']): MamlCheckpointConfig {
  return { learner: config(kind), input, vectorsSha256: context.vectorsSha256 };
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'maml-method-'));
}

describe('MamlMethod', function () {
  this.timeout(60_000);
  before(async () => {
    await selectBackend('wasm');
  });

  it('word inputs are the re-centred, L2-normalised word block; the char projection keeps norms on average', () => {
    const view = new FeatureView(centre, { word: 1, char: 1 });
    const full = view.dense(corpus);
    const rows = features.rows(corpus);
    for (let i = 0; i < corpus.n; i++) {
      for (let j = 0; j < WORD; j++) assert.ok(Math.abs(rows[i * features.dim + j] - full[i * view.dim + j]) < 1e-5);
    }
    const wide = new MamlFeatures(centre, { ...input, charProjection: 512 });
    const x = wide.rows(corpus);
    let sq = 0;
    for (let i = 0; i < corpus.n; i++) for (let t = 0; t < 512; t++) sq += x[i * wide.dim + WORD + t] ** 2;
    const meanSq = sq / corpus.n;
    assert.ok(meanSq > 0.8 && meanSq < 1.2, `mean squared norm of the projected char block ${meanSq}`);
  });

  for (const kind of ['protomaml', 'maml', 'metasgd'] as const) {
    it(`${kind}: adapts to a toy task and returns probability rows`, () => {
      const learner = new MamlLearner(config(kind));
      const method = new MamlMethod(kind, config(kind), learner.getParams(), features);
      learner.dispose();
      const task = toyTask(new Rng(3), 5, 10);
      const tensors = tf.memory().numTensors;
      const probs = method.adapt(task.support.lines, task.support.labels, 3).predictProbs(task.query.lines);
      assert.equal(tf.memory().numTensors, tensors, 'tensors leaked');
      assert.equal(probs.length, 30 * 3);
      let correct = 0;
      for (let r = 0; r < 30; r++) {
        const row = [probs[3 * r], probs[3 * r + 1], probs[3 * r + 2]];
        for (const p of row) assert.ok(Number.isFinite(p) && p >= 0 && p <= 1);
        assert.ok(Math.abs(row[0] + row[1] + row[2] - 1) < 1e-5);
        if (row.indexOf(Math.max(...row)) === task.query.labels[r]) correct++;
      }
      assert.ok(correct > 10, `${kind}: ${correct}/30 correct, chance is 10`);
      method.dispose();
    });
  }

  it('a short meta-training lowers the adapted query loss on held-out toy tasks', () => {
    const learner = new MamlLearner(config('fomaml'));
    const heldOut = Array.from({ length: 12 }, (_, i) => toyTask(new Rng(500 + i), 2, 6));
    const before = new MamlMethod('fomaml', config('fomaml'), learner.getParams(), features);
    const lossBefore = queryLoss(before, heldOut);
    const rng = new Rng(9);
    for (let s = 0; s < 40; s++) learner.metaTrainStep([dense(toyTask(rng, 2, 6)), dense(toyTask(rng, 2, 6))], 0.01);
    const after = new MamlMethod('fomaml', config('fomaml'), learner.getParams(), features);
    const lossAfter = queryLoss(after, heldOut);
    assert.ok(lossAfter < 0.9 * lossBefore, `loss ${lossBefore.toFixed(4)} -> ${lossAfter.toFixed(4)}`);
    for (const x of [learner, before, after]) x.dispose();
  });

  it('a saved checkpoint loads as the same method (same probabilities), registered under its kind', () => {
    const dir = tempDir();
    const learner = new MamlLearner(config('metasgd'));
    const rng = new Rng(4);
    learner.metaTrainStep([dense(toyTask(rng, 2, 4))], 0.01);
    saveMamlCheckpoint(path.join(dir, 'maml', 'metasgd'), checkpointConfig('metasgd'), centre, learner.getParams(), learner.paramShapes());
    const original = new MamlMethod('metasgd', config('metasgd'), learner.getParams(), features);
    const loaded = loadMamlMethods(dir, context);
    assert.deepEqual(
      loaded.map((m) => m.name),
      ['metasgd'],
    );
    const task = toyTask(new Rng(8), 3, 5);
    const a = original.adapt(task.support.lines, task.support.labels, 3).predictProbs(task.query.lines);
    const b = loaded[0].adapt(task.support.lines, task.support.labels, 3).predictProbs(task.query.lines);
    assert.deepEqual(Array.from(b), Array.from(a));
    for (const x of [learner, original, ...loaded]) x.dispose();
  });

  describe('refuses bad checkpoints with a clear message', () => {
    let dir: string;
    beforeEach(() => {
      dir = tempDir();
      const learner = new MamlLearner(config('protomaml'));
      saveMamlCheckpoint(dir, checkpointConfig('protomaml'), centre, learner.getParams(), learner.paramShapes());
      learner.dispose();
    });
    const fails = (pattern: RegExp, ctx = context) =>
      assert.throws(
        () => loadMamlMethod(dir, ctx),
        (e: Error) => e instanceof CheckpointError && pattern.test(e.message),
      );

    it('corrupt weights', () => {
      const file = path.join(dir, 'weights.bin');
      const bytes = fs.readFileSync(file);
      bytes[bytes.length - 3] ^= 0xff;
      fs.writeFileSync(file, bytes);
      fails(/corrupt/);
    });
    it('truncated weights', () => {
      const file = path.join(dir, 'weights.bin');
      fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 100));
      fails(/truncated or corrupt/);
    });
    it('other word vectors', () =>
      fails(/other word vectors.*meta-train-maml --kind protomaml/, { ...context, vectorsSha256: 'vectors-xyz' }));
    it('other encoder dimensions', () => fails(/char 32 dimensions.*gives 6 \/ 64/, { ...context, charDim: 64 }));
    it('parameters that do not fit the settings', () => {
      const file = path.join(dir, 'manifest.json');
      const manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
      manifest.config.learner.hidden = [20];
      fs.writeFileSync(file, JSON.stringify(manifest));
      fails(/does not fit its own settings: parameter 0 has/);
    });
    it('a checkpoint of another kind', () => {
      const file = path.join(dir, 'manifest.json');
      const manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
      manifest.kind = 'fewshot-adaptation';
      fs.writeFileSync(file, JSON.stringify(manifest));
      fails(/'fewshot-adaptation' model, expected 'fewshot-maml'/);
    });
  });
});
