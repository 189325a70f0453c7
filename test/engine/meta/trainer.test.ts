import * as assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { selectBackend } from '../../../src/engine/tf/backend';
import { loadCheckpoint } from '../../../src/engine/checkpoint';
import { MamlLearner, type MamlConfig } from '../../../src/engine/meta/learner';
import { Rng } from '../../../src/engine/random';
import { formatProgress, metaTrain, type Progress } from '../../../src/engine/meta/trainer';
import { D, sampleTask } from './tasks';

const config: MamlConfig = { kind: 'fomaml', inputDim: D, hidden: [10], steps: 2, innerLr: 0.3, seed: 4 };
const valTasks = Array.from({ length: 8 }, (_, i) => sampleTask(new Rng(500 + i)));

function accuracy(learner: MamlLearner): number {
  let right = 0,
    total = 0;
  for (const t of valTasks) {
    const probs = learner.adaptAndPredict(t.xs, t.ys, t.nClasses, t.xq);
    t.yq.forEach((y, r) => {
      const row = Array.from(probs.subarray(r * t.nClasses, (r + 1) * t.nClasses));
      right += row.indexOf(Math.max(...row)) === y ? 1 : 0;
      total++;
    });
  }
  return right / total;
}

describe('metaTrain', () => {
  let dir: string;
  before(async () => {
    await selectBackend('wasm');
  });
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'metatrain-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const run = async (outDir: string, steps: number, resume: boolean, learner = new MamlLearner(config), shouldStop?: () => boolean) => {
    const progress: Progress[] = [];
    const result = await metaTrain({
      learner,
      sampleBatch: (rng) => [sampleTask(rng), sampleTask(rng)],
      validate: () => accuracy(learner),
      steps,
      evalEvery: 5,
      seed: 9,
      outDir,
      resume,
      outerLr: 0.01,
      onProgress: (p) => progress.push(p),
      shouldStop,
    });
    return { result, progress, learner };
  };

  it('stops before the next step once shouldStop says so, and says it stopped', async () => {
    let polls = 0;
    const { result, progress } = await run(dir, 20, false, new MamlLearner(config), () => ++polls > 7);
    assert.equal(result.stopped, true);
    assert.equal(result.step, 7);
    assert.deepEqual(
      progress.map((p) => p.step),
      [1, 2, 3, 4, 5, 6, 7],
    );
    const full = await run(path.join(dir, 'full'), 3, false);
    assert.equal(full.result.stopped, false);
  });

  it('reports progress every step and keeps the best checkpoint by validation accuracy', async () => {
    const { result, progress, learner } = await run(dir, 20, false);
    assert.deepEqual(
      progress.map((p) => p.step),
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    const evaluated = progress.filter((p) => p.step % 5 === 0).map((p) => p.valAcc as number);
    assert.equal(result.bestValAcc, Math.max(...evaluated));
    assert.equal(result.bestStep, 5 * (evaluated.indexOf(result.bestValAcc) + 1));
    const best = loadCheckpoint(result.bestDir, { kind: 'maml', configMatch: { kind: 'fomaml', hidden: [10] } });
    assert.deepEqual(best.manifest.metrics, { valAcc: result.bestValAcc, step: result.bestStep });
    // The best parameters reproduce the best validation accuracy.
    learner.setParams(learner.paramShapes().map((_, i) => best.tensors[`param.${i}`]));
    assert.equal(accuracy(learner), result.bestValAcc);
  });

  it('resumes exactly: 10 steps + 10 resumed steps equal 20 straight steps', async () => {
    const straight = await run(path.join(dir, 'a'), 20, false);
    await run(path.join(dir, 'b'), 10, false);
    const resumed = await run(path.join(dir, 'b'), 20, true);
    assert.equal(resumed.result.resumedFrom, 10);
    assert.deepEqual(
      resumed.progress.map((p) => p.step),
      [11, 12, 13, 14, 15, 16, 17, 18, 19, 20],
    );
    assert.deepEqual(
      resumed.learner.getParams().map((a) => Array.from(a)),
      straight.learner.getParams().map((a) => Array.from(a)),
    );
    assert.equal(resumed.result.bestValAcc, straight.result.bestValAcc);
  });

  it('refuses to resume a run of another configuration, naming the field', async () => {
    await run(dir, 5, false);
    const other = new MamlLearner({ ...config, hidden: [7] });
    await assert.rejects(run(dir, 10, true, other), /config\.learner\.hidden: checkpoint has \[10\], expected \[7\]/);
  });
});

describe('formatProgress', () => {
  it('shows the bar, step, loss, accuracy, validation and ETA', () => {
    assert.equal(
      formatProgress({ step: 30, steps: 120, loss: 0.53219, acc: 0.8133, valAcc: 0.78, bestValAcc: 0.791, etaSeconds: 133 }, 12),
      '[###---------] 30/120  loss 0.532  acc 81.3%  val 78.0% (best 79.1%)  ETA 2m13s',
    );
  });
  it('says done at the end and copes with no validation yet', () => {
    assert.equal(formatProgress({ step: 4, steps: 4, loss: 1, acc: 0.5, etaSeconds: 0 }, 4), '[####] 4/4  loss 1.000  acc 50.0%  done');
    assert.equal(formatProgress({ step: 1, steps: 4, loss: NaN, acc: 0, etaSeconds: 7300 }, 4), '[#---] 1/4  loss ?  acc 0.0%  ETA 2h01m');
  });
});
