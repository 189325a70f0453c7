// Improving the model from the user's finished tasks: the label split (small tasks, labels with too
// few lines), the adoption rule, a cancel that leaves the previous model, and the adopted model
// folder the engine loads.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readExamples } from '../../../src/engine/data/jsonl';
import { adoptionDecision, improveModel, saveImprovedModel, type Score } from '../../../src/engine/improve/improve';
import { rankBySimilarity } from '../../../src/engine/improve/similar';
import { episodeShape, ImproveError, splitUserTasks, type UserTask } from '../../../src/engine/improve/tasks';
import { readDomainMap } from '../../../src/engine/episodes/splits';
import { type LoadedModel, loadModel } from '../../../src/engine/model';
import { packageRootFrom } from '../../../src/engine/packageRoot';
import { selectBackend } from '../../../src/engine/tf/backend';
import type { Example } from '../../../src/engine/types';

/** A task of `labels` labels named `<prefix>_<i>`, with `counts[i]` lines each (default 4). */
function task(name: string, labels: number, counts: number[] = []): UserTask {
  const examples: Example[] = [];
  for (let i = 0; i < labels; i++) {
    for (let k = 0; k < (counts[i] ?? 4); k++) examples.push({ label: `${name}_${i}`, text: `${name} line ${i} ${k}` });
  }
  return { name, examples };
}

const labelsOf = (lines: Example[]) => new Set(lines.map((ex) => ex.label));

describe('splitUserTasks', () => {
  it('splits labels (not lines) into disjoint train, validation and test labels, skipping labels with too few lines', () => {
    const tasks = [task('a', 4, [4, 1, 4, 4]), task('b', 3), task('c', 3, [0, 2, 3]), task('d', 2)];
    const split = splitUserTasks(tasks, { seed: 3 });
    assert.deepEqual(split.skipped, [{ task: 'a', label: 'a_1', count: 1 }]);
    const train = labelsOf(split.train.flat());
    const validation = labelsOf(split.validation);
    const test = labelsOf(split.test);
    // 10 eligible labels (c_0 has no line at all): 2 validate, 2 test, the rest train.
    assert.equal(validation.size, 2);
    assert.equal(test.size, 2);
    assert.equal(train.size, 6);
    assert.deepEqual(split.labels, { train: 6, validation: 2, test: 2 });
    for (const l of validation) assert.ok(!train.has(l) && !test.has(l), `${l} in two roles`);
    for (const l of test) assert.ok(!train.has(l), `${l} in two roles`);
    // Every training group has at least two labels (an episode needs two classes).
    for (const g of split.train) assert.ok(labelsOf(g).size >= 2);
    // Whole labels move: every line of a held-out label is held out.
    for (const l of test) assert.equal(split.test.filter((ex) => ex.label === l).length, l === 'c_1' ? 2 : l === 'c_2' ? 3 : 4);
  });

  it('does not depend on the order of tasks, and a separate test task only tests', () => {
    const tasks = [task('a', 3), task('b', 3), task('c', 2)];
    const one = splitUserTasks(tasks, { seed: 5 });
    const other = splitUserTasks([...tasks].reverse(), { seed: 5 });
    assert.deepEqual(labelsOf(one.validation), labelsOf(other.validation));
    assert.deepEqual(labelsOf(one.test), labelsOf(other.test));
    const held = splitUserTasks(tasks, { seed: 5, test: task('t', 3) });
    assert.deepEqual(labelsOf(held.test), new Set(['t_0', 't_1', 't_2']));
    assert.equal(held.labels.validation, 2);
    assert.equal(held.labels.train, 6);
  });

  it('pools tasks left with a single training label, and refuses too few labels with a count of the skipped', () => {
    // Eight one-label tasks: none can make an episode alone.
    const tiny = Array.from({ length: 8 }, (_, i) => task(`t${i}`, 1));
    const split = splitUserTasks(tiny, { seed: 1 });
    assert.equal(split.train.length, 1);
    assert.equal(labelsOf(split.train[0]!).size, 4);
    assert.throws(
      () => splitUserTasks([task('a', 3, [4, 1, 1]), task('b', 3)], { seed: 1 }),
      (err: Error) =>
        err instanceof ImproveError && /at least 6 labels/.test(err.message) && /2 label\(s\) had too few lines/.test(err.message),
    );
  });

  it('episodeShape fits the episode to the labels that have the lines', () => {
    const lines = task('x', 4, [3, 7, 10, 2]).examples;
    assert.deepEqual({ ...episodeShape(lines, 1, 15), examples: undefined }, { way: 4, query: 1, examples: undefined });
    const five = episodeShape(lines, 5, 15);
    assert.equal(five?.way, 2);
    assert.equal(five?.query, 2);
    assert.equal(episodeShape(lines, 9, 15), undefined);
  });
});

describe('adoptionDecision', () => {
  const s = (shot: number, mean: number, ci95: number): Score => ({ shot, way: 5, mean, ci95 });
  it('adopts only when the gain at the fewest shots is above 0 with its interval and worse nowhere', () => {
    assert.equal(adoptionDecision([s(1, 0.03, 0.01), s(5, 0.0, 0.01)]).adopt, true);
    assert.equal(adoptionDecision([s(5, 0.0, 0.01), s(1, 0.03, 0.01)]).adopt, true);
    // The interval reaches 0.
    assert.equal(adoptionDecision([s(1, 0.01, 0.01), s(5, 0.02, 0.005)]).adopt, false);
    // Better at 1 shot but clearly worse at 5.
    const worse = adoptionDecision([s(1, 0.05, 0.01), s(5, -0.02, 0.01)]);
    assert.equal(worse.adopt, false);
    assert.match(worse.reason, /worse at 5/);
    assert.equal(adoptionDecision([]).adopt, false);
  });
});

describe('improveModel', function () {
  this.timeout(600_000);
  let base: LoadedModel;
  let tasks: UserTask[];
  let dir: string;
  before(async () => {
    await selectBackend('cpu');
    const root = packageRootFrom(__dirname);
    base = loadModel(path.join(root, 'models'));
    // Three small "finished tasks": 4 intents each, 8 lines per intent.
    const clinc = await readExamples(path.join(root, 'data', 'clinc150.train.jsonl'));
    const labels = [...new Set(clinc.map((ex) => ex.label))].slice(0, 12);
    tasks = [0, 1, 2].map((t) => ({
      name: `task${t}`,
      examples: labels.slice(4 * t, 4 * t + 4).flatMap((l) => clinc.filter((ex) => ex.label === l).slice(0, 8)),
    }));
  });
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'improve-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const options = (outDir: string) => ({
    base,
    tasks,
    outDir,
    steps: 2,
    evalEvery: 1,
    seed: 1,
    query: 3,
    validationEpisodes: 3,
    testEpisodes: 4,
  });

  it('a cancel during training leaves the previous model in place and writes nothing', async () => {
    const outDir = path.join(dir, 'model');
    fs.mkdirSync(outDir);
    fs.writeFileSync(path.join(outDir, 'previous'), 'the model in use');
    const phases: string[] = [];
    // Stops after the first training step.
    const result = await improveModel({ ...options(outDir), shouldStop: () => phases.length > 0, onProgress: (p) => phases.push(p.phase) });
    assert.equal(result.status, 'cancelled');
    assert.deepEqual(phases, ['training']);
    assert.deepEqual(fs.readdirSync(dir), ['model']);
    assert.deepEqual(fs.readdirSync(outDir), ['previous']);
  });

  it('a cancel during the comparison leaves the previous model too', async () => {
    const outDir = path.join(dir, 'model');
    let comparing = false;
    const result = await improveModel({
      ...options(outDir),
      shouldStop: () => comparing,
      onProgress: (p) => {
        comparing ||= p.phase === 'comparing';
      },
    });
    assert.equal(result.status, 'cancelled');
    assert.equal(fs.existsSync(outDir), false);
  });

  it('trains from the base, compares both on the same held-out episodes, and writes only an adopted model', async () => {
    const outDir = path.join(dir, 'model');
    const result = await improveModel(options(outDir));
    assert.notEqual(result.status, 'cancelled');
    assert.deepEqual(
      result.base.map((s) => s.shot),
      [1, 5],
    );
    result.gain.forEach((g, i) => {
      assert.ok(Math.abs(g.mean - (result.candidate[i]!.mean - result.base[i]!.mean)) < 1e-9);
    });
    assert.equal(result.status === 'adopted', adoptionDecision(result.gain).adopt);
    // The base's validation accuracy is on record beside the kept step's.
    for (const v of [result.validation!.base, result.validation!.candidate]) assert.ok(v > 0 && v <= 1, String(v));
    assert.equal(fs.existsSync(outDir), result.status === 'adopted');
  });

  it('an improved model folder replaces the previous one and loads with its new adaptation', () => {
    const outDir = path.join(dir, 'model');
    fs.mkdirSync(outDir);
    fs.writeFileSync(path.join(outDir, 'previous'), 'old');
    const hyper = { ...base.config.defaultHyper, lr: 3.5 };
    saveImprovedModel(outDir, base, { ...base.config, defaultHyper: hyper, defaultSource: 'improved' }, { note: 'test' });
    const loaded = loadModel(outDir);
    assert.equal(loaded.config.defaultHyper.lr, 3.5);
    assert.equal(loaded.config.defaultSource, 'improved');
    assert.deepEqual(loaded.metrics, { note: 'test' });
    assert.deepEqual(Array.from(loaded.corpusCentre.word), Array.from(base.corpusCentre.word));
    assert.equal(fs.existsSync(path.join(outDir, 'previous')), false);
    assert.deepEqual(fs.readdirSync(dir), ['model']);
  });
});

describe("rankBySimilarity (the warm start's choice)", () => {
  it("ranks the finished task of the new task's own domain first, from a few lines per label", async () => {
    const root = packageRootFrom(__dirname);
    const model = loadModel(path.join(root, 'models'));
    const domains = readDomainMap(path.join(root, 'data', 'clinc150.domains.json'));
    const clinc = await readExamples(path.join(root, 'data', 'clinc150.train.jsonl'));
    const ofDomain = (d: string) => clinc.filter((ex) => domains.get(ex.label) === d);
    const tasks = ['travel', 'banking', 'kitchen_and_dining', 'utility'].map((d) => ({ name: d, examples: ofDomain(d).slice(0, 300) }));
    // The new task: other labels of the banking domain than the finished banking task holds, 3 lines each.
    const finished = new Set(tasks[1]!.examples.map((ex) => ex.label));
    const fresh = ofDomain('banking').filter((ex) => !finished.has(ex.label));
    const perLabel = new Map<string, Example[]>();
    for (const ex of fresh) if ((perLabel.get(ex.label)?.length ?? 0) < 3) perLabel.set(ex.label, [...(perLabel.get(ex.label) ?? []), ex]);
    assert.ok(perLabel.size >= 3, 'the new task has labels of its own');
    const ranked = rankBySimilarity((t) => model.encoder.encode(t), model.corpusCentre, tasks, [...perLabel.values()].flat());
    assert.equal(ranked[0]!.task, 'banking');
    assert.deepEqual(ranked.map((r) => r.task).sort(), ['banking', 'kitchen_and_dining', 'travel', 'utility']);
    for (let i = 1; i < ranked.length; i++) assert.ok(ranked[i - 1]!.similarity >= ranked[i]!.similarity);
  });
});
