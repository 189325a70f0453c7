import assert from 'node:assert/strict';
import type { EncodedLines, Example, FewShotMethod } from '../../../src/engine/types';
import { evaluate, formatOpenSetReport, formatReport, type OpenSetRule, type TextMethod } from '../../../src/engine/eval';
import { Rng } from '../../../src/engine/random';

describe('eval: evaluator', () => {
  it('scores an oracle at 100%, a constant guess at exactly 1/way, with paired gains', () => {
    const report = evaluate({
      data: 'toy',
      examples: toy(8, 30),
      way: 4,
      shots: [1, 3],
      query: 5,
      episodes: 40,
      seed: 1,
      methods: [oracle(), constant(), textOracle()],
      encode: toyEncode(),
      baseline: 'constant',
    });
    assert.deepEqual(
      report.results.map((r) => [r.method, r.shot]),
      [
        ['oracle', 1],
        ['constant', 1],
        ['text-oracle', 1],
        ['oracle', 3],
        ['constant', 3],
        ['text-oracle', 3],
      ],
    );
    for (const r of report.results) {
      assert.equal(r.episodes, 40);
      assert.equal(r.way, 4);
      if (r.method === 'constant') assert.equal(r.mean, 0.25);
      else assert.equal(r.mean, 1);
      assert.equal(r.ci95, 0);
    }
    const gain = report.gains!.find((g) => g.method === 'oracle' && g.shot === 1)!;
    assert.equal(gain.baseline, 'constant');
    assert.equal(gain.mean, 0.75);
    const json = JSON.parse(JSON.stringify(report));
    for (const key of ['data', 'way', 'query', 'episodes', 'seed', 'skippedLabels', 'results']) assert.ok(key in json, key);
  });

  it('gives a random method about 1/way with a sensible interval', () => {
    const report = evaluate({
      examples: toy(10, 25),
      way: 5,
      shots: [1],
      query: 10,
      episodes: 300,
      seed: 2,
      methods: [random()],
      encode: toyEncode(),
    });
    const r = report.results[0]!;
    assert.ok(Math.abs(r.mean - 0.2) < 0.02, `random accuracy ${r.mean}`);
    assert.ok(r.ci95 > 0.002 && r.ci95 < 0.02, `ci ${r.ci95}`);
  });

  it('shows every method the same episodes, and the same seed the same report', () => {
    const a = recorder('a'),
      b = recorder('b');
    const opts = { examples: toy(6, 20), way: 3, shots: [2], query: 4, episodes: 10, seed: 9, encode: toyEncode() };
    evaluate({ ...opts, methods: [a, b] });
    assert.equal(a.seen.length, 10);
    assert.deepEqual(a.seen, b.seen);
    const c = recorder('c');
    evaluate({ ...opts, methods: [c] });
    assert.deepEqual(c.seen, a.seen);
  });

  it('gives transductive methods a support-free pool of queries plus as many outside lines', () => {
    const pools: { pool: string[]; support: string[]; query: number }[] = [];
    const spy: TextMethod = {
      name: 'spy',
      transductive: true,
      adaptText(texts, _labels, _n, pool) {
        pools.push({ pool: pool!, support: texts, query: 0 });
        return (queries) => {
          pools[pools.length - 1]!.query = queries.length;
          for (const q of queries) assert.ok(pool!.includes(q), 'queries are in the pool');
          return new Int32Array(queries.length);
        };
      },
    };
    evaluate({ examples: toy(8, 20), way: 3, shots: [2], query: 4, episodes: 5, seed: 3, methods: [spy], encode: toyEncode() });
    for (const { pool, support, query } of pools) {
      assert.equal(pool.length, 2 * query);
      for (const s of support) assert.ok(!pool.includes(s), 'no support line in the pool');
    }
  });

  it('encodes each distinct text once per run', () => {
    const encoded: string[] = [];
    const encode = toyEncode((texts) => encoded.push(...texts));
    evaluate({ examples: toy(6, 12), way: 3, shots: [1, 2], query: 3, episodes: 30, seed: 4, methods: [oracle(), constant()], encode });
    assert.equal(new Set(encoded).size, encoded.length, 'a text was encoded twice');
  });

  it('reports skipped labels per shot and refuses bad options clearly', () => {
    const data = [...toy(4, 20), ...Array.from({ length: 7 }, (_, j) => ({ text: `small ${j}`, label: 'small' }))];
    const report = evaluate({
      examples: data,
      way: 3,
      shots: [1, 5],
      query: 5,
      episodes: 2,
      seed: 1,
      methods: [constant()],
      encode: toyEncode(),
    });
    assert.deepEqual(report.skippedLabels, [{ label: 'small', count: 7, needed: 10, shots: [5] }]);
    const base = { examples: data, way: 3, shots: [1], query: 5, episodes: 2, seed: 1, encode: toyEncode() };
    assert.throws(() => evaluate({ ...base, methods: [] }), /no methods/);
    assert.throws(() => evaluate({ ...base, methods: [constant(), constant()] }), /listed twice/);
    assert.throws(() => evaluate({ ...base, methods: [constant()], baseline: 'x' }), /baseline "x" is not one of/);
    assert.throws(() => evaluate({ ...base, methods: [constant()], episodes: 0 }), /episodes must be/);
    const broken: FewShotMethod = { name: 'broken', transductive: false, adapt: () => ({ predictProbs: () => new Float32Array(1) }) };
    assert.throws(
      () => evaluate({ ...base, methods: [broken] }),
      /broken, 1-shot episode 1: returned 1 probabilities for 15 lines x 3 classes/,
    );
  });

  it('prints an aligned table with % and ± CI', () => {
    const report = evaluate({
      data: 'toy',
      examples: toy(8, 30),
      way: 4,
      shots: [1],
      query: 5,
      episodes: 10,
      seed: 1,
      methods: [oracle(), constant()],
      encode: toyEncode(),
      baseline: 'constant',
    });
    const table = formatReport(report);
    assert.match(table, /oracle\s+100\.0 ± 0\.0 \(\+75\.0 ± 0\.0\)/);
    assert.match(table, /constant\s+25\.0 ± 0\.0/);
    assert.match(table, /4-way 1-shot/);
    assert.match(table, /paired gain over constant/);
  });
});

describe('eval: open-set episodes', () => {
  // P(out of scope) = sigmoid(10 - 20 max prob): about 0 for a sure line, about 1 for a uniform one.
  const confidence: OpenSetRule = {
    name: 'confidence',
    params: { features: ['maxProb'], mean: [0], scale: [1], weights: [-20], bias: 10, threshold: 0.5 },
  };
  const openSet = { ratio: 0.25, rules: [confidence], centre: { word: new Float32Array(1), char: new Float32Array(4) } };
  const base = { examples: toy(8, 30), way: 4, shots: [2], query: 6, episodes: 20, seed: 5, encode: toyEncode(), openSet };

  it('gives an oracle that is uniform on unknown lines perfect figures, and a constant guess chance ones', () => {
    const report = evaluate({ ...base, methods: [oracle(), constant()] });
    assert.deepEqual(report.openSet, { ratio: 0.25, source: 'other-labels' });
    const [o, c] = report.results;
    assert.equal(o!.open_set_rule, 'confidence');
    assert.deepEqual(o!.open_set, { auroc: 1, oos_recall: 1, oos_precision: 1, inscope_kept: 1, inscope_accuracy: 1 });
    assert.equal(o!.mean, 1, 'closed-set accuracy is on the in-scope lines');
    assert.equal(c!.open_set!.auroc, 0.5);
    assert.equal(c!.open_set!.oos_recall, 0);
    assert.ok(Number.isNaN(c!.open_set!.oos_precision), 'never abstains: precision undefined');
    assert.equal(c!.open_set!.inscope_accuracy, 0.25);
    assert.match(formatOpenSetReport(report), /oracle \(confidence\)\s+2\s+100\.0 ± 0\.0\s+100\.0 ± 0\.0\s+100\.0 ± 0\.0/);
  });

  it('reports every further rule beside the first, on the same episodes; draws from a file when given', () => {
    const never: OpenSetRule = { name: 'never', params: { ...confidence.params, threshold: 2 } };
    const file = Array.from({ length: 50 }, (_, j) => ({ text: `99:${j}`, label: 'oos' }));
    const report = evaluate({ ...base, methods: [oracle()], openSet: { ...openSet, outOfScope: file, rules: [confidence, never] } });
    assert.equal(report.openSet!.source, 'file');
    const r = report.results[0]!;
    assert.equal(r.open_set!.oos_recall, 1);
    assert.equal(r.open_set_baselines!.length, 1);
    assert.equal(r.open_set_baselines![0]!.rule, 'never');
    assert.equal(r.open_set_baselines![0]!.open_set.oos_recall, 0);
    assert.equal(r.open_set_baselines![0]!.open_set.auroc, 1, 'the score ranks as well whatever the threshold');
  });

  it('refuses a ratio outside (0, 1) and a run without rules', () => {
    assert.throws(() => evaluate({ ...base, methods: [constant()], openSet: { ...openSet, ratio: 1 } }), /open-set ratio/);
    assert.throws(() => evaluate({ ...base, methods: [constant()], openSet: { ...openSet, rules: [] } }), /at least one abstention rule/);
  });
});

// ---- toy data and methods with known behaviour ----

/** One-hot on the support's labels, uniform on lines of any other label. */
function oracle(): FewShotMethod {
  return {
    name: 'oracle',
    transductive: false,
    adapt(support, labels, n) {
      const classOf = new Map<number, number>();
      for (let i = 0; i < support.n; i++) classOf.set(support.word[i]!, labels[i]!);
      return {
        predictProbs: (lines) => {
          const out = new Float32Array(lines.n * n).fill(1 / n);
          for (let i = 0; i < lines.n; i++) {
            const c = classOf.get(lines.word[i]!);
            if (c === undefined) continue;
            out.fill(0, i * n, (i + 1) * n);
            out[i * n + c] = 1;
          }
          return out;
        },
      };
    },
  };
}

/** `labels` labels with `per` examples each; the text carries the label number. */
function toy(labels: number, per: number): Example[] {
  return Array.from({ length: labels * per }, (_, i) => ({ text: `${i % labels}:${i}`, label: `c${i % labels}` }));
}

/** wordDim 1: the global label number read from the text; no char features. */
function toyEncode(onEncode?: (texts: string[]) => void) {
  return (texts: string[]): EncodedLines => {
    onEncode?.(texts);
    return {
      n: texts.length,
      wordDim: 1,
      word: Float32Array.from(texts, (t) => Number(t.split(':')[0])),
      charDim: 4,
      charOffsets: new Int32Array(texts.length + 1),
      charIndex: new Int32Array(0),
      charValue: new Float32Array(0),
    };
  };
}

function textOracle(): TextMethod {
  return {
    name: 'text-oracle',
    transductive: false,
    adaptText(texts, labels) {
      const classOf = new Map(texts.map((t, i) => [t.split(':')[0], labels[i]!]));
      return (queries) => Int32Array.from(queries, (q) => classOf.get(q.split(':')[0])!);
    },
  };
}

function constant(): FewShotMethod {
  return {
    name: 'constant',
    transductive: false,
    adapt: (_s, _l, n) => ({ predictProbs: (lines) => oneHot(new Array(lines.n).fill(0), n) }),
  };
}

function random(): FewShotMethod {
  let calls = 0;
  return {
    name: 'random',
    transductive: false,
    adapt(_s, _l, n) {
      const rng = new Rng(++calls);
      return {
        predictProbs: (lines) =>
          oneHot(
            Array.from({ length: lines.n }, () => rng.int(n)),
            n,
          ),
      };
    },
  };
}

function recorder(name: string): FewShotMethod & { seen: string[] } {
  const seen: string[] = [];
  return {
    name,
    transductive: false,
    seen,
    adapt(support, _labels, n) {
      seen.push(Array.from(support.word).join(','));
      return {
        predictProbs: (lines) =>
          oneHot(
            Array.from(lines.word, (w) => (seen.length + w) % n),
            n,
          ),
      };
    },
  };
}

function oneHot(classes: number[], n: number): Float32Array {
  const out = new Float32Array(classes.length * n);
  classes.forEach((c, i) => {
    out[i * n + c] = 1;
  });
  return out;
}
