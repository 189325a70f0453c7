// Text in scripts the model was not trained on: Chinese lines, and lines it has no features for.
import assert from 'node:assert/strict';
import path from 'node:path';
import { Engine, namedPredictions } from '../../src/engine/engine';
import { leastCertainLines } from '../../src/engine/review';
import type { Example } from '../../src/engine/types';

const MODEL_DIR = path.resolve(__dirname, '../../../models');

// Three topics, ten plain sentences each; the first two of each are the labeled examples.
const TOPICS: Record<string, string[]> = {
  体育: [
    '昨天的足球比赛非常精彩',
    '他是篮球队的主力球员',
    '这场比赛主队以三比一获胜',
    '运动员们在赛场上奋力拼搏',
    '足球队正在为下一场比赛训练',
    '她在游泳比赛中获得了金牌',
    '球迷们在球场为球队加油',
    '篮球比赛在体育馆举行',
    '教练让球员们加强体能训练',
    '他打破了跑步比赛的纪录',
  ],
  美食: [
    '这家餐厅的饺子很好吃',
    '妈妈做的红烧肉特别香',
    '我喜欢吃辣的四川菜',
    '早餐吃了包子和豆浆',
    '这道菜的味道有点咸',
    '他在厨房里做面条',
    '火锅是冬天最好吃的美食',
    '餐厅的服务员推荐了一道鱼',
    '我们晚上去吃烤鸭吧',
    '米饭和炒青菜是简单的晚餐',
  ],
  科技: [
    '新款手机的电池更耐用',
    '这台电脑的处理器速度很快',
    '软件更新修复了安全漏洞',
    '人工智能正在改变很多行业',
    '他在公司负责开发手机应用',
    '电脑的内存不够用了',
    '这个网站的服务器经常宕机',
    '工程师在测试新的软件功能',
    '智能手机可以连接无线网络',
    '数据中心的服务器需要散热',
  ],
};

describe('Engine on scripts without spaces', function () {
  this.timeout(120_000);
  let engine: Engine;
  before(async () => {
    engine = await Engine.load({ modelDir: MODEL_DIR, backend: 'wasm' });
  });
  after(() => engine.dispose());

  const support: Example[] = Object.entries(TOPICS).flatMap(([label, lines]) => lines.slice(0, 2).map((text) => ({ text, label })));
  const queries = Object.entries(TOPICS).flatMap(([label, lines]) => lines.slice(2).map((text) => ({ text, label })));
  const english: Example[] = [
    { text: 'my card was charged twice', label: 'billing' },
    { text: 'refund the duplicate charge', label: 'billing' },
    { text: 'the app crashes on start', label: 'bug' },
    { text: 'error 500 when I click save', label: 'bug' },
  ];

  it('classifies 3 Chinese topics from 2 examples each, and is not sure of its mistakes', () => {
    const model = engine.adapt(support, { pool: queries.map((q) => q.text) });
    const predictions = namedPredictions(
      model,
      queries.map((q) => q.text),
    );
    const right = predictions.filter((p, i) => p.label === queries[i].label).length;
    // Chance is 8 of 24; before Han got character features it was chance, wrong lines at 0.99.
    assert.ok(right >= 18, `${right} of ${queries.length} right`);
    for (const [i, p] of predictions.entries()) {
      if (p.label !== queries[i].label) assert.ok(p.confidence < 0.9, `wrong at ${p.confidence}: ${queries[i].text}`);
    }
  });

  it('gives a line it has no features for (no known word, nothing shared with the examples) the confidence 1 / labels', () => {
    const lines = ['ამინდი დღეს კარგია', '今天天气很好', 'the app crashes when I save'];
    const model = engine.adapt(english, { pool: lines });
    const p = model.classify(lines);
    for (const i of [0, 1]) {
      assert.ok(Math.abs(p.confidence[i] - 0.5) < 1e-6, `${lines[i]}: ${p.confidence[i]}`);
      assert.ok(p.uncertainty[i] > 0.999);
    }
    // A line with known words keeps the model's own confidence.
    assert.equal(model.labels[p.labelIndex[2]], 'bug');
    assert.ok(p.confidence[2] > 0.6, `${p.confidence[2]}`);
  });

  it('default reads Chinese documents with the ideograph block (not as default-plain), and is default-plain itself on English lines', () => {
    const pool = queries.map((q) => q.text);
    const model = engine.adapt(support, { pool });
    const right = namedPredictions(model, pool).filter((p, i) => p.label === queries[i].label).length;
    assert.ok(right >= 18, `${right} of ${queries.length} right`);
    const plain = engine.adapt(support, { method: 'default-plain', pool });
    assert.notDeepEqual(model.classify(pool).confidence, plain.classify(pool).confidence, 'the block is used');

    const lines = ['please refund me', 'it crashed again', 'Größe der Rechnung'];
    const withoutBlock = engine.adapt(english, { method: 'default-plain', pool: lines }).classify(lines);
    assert.deepEqual(engine.adapt(english, { pool: lines }).classify(lines), withoutBlock);
  });

  it('refines a Chinese document to the default itself (not the sentence block without the ideographs), an English one with the block', () => {
    // Sentence vectors of their own for every line (a stand-in for the encoder: 8 numbers from the text).
    const sentence = {
      dim: 8,
      get(text: string) {
        const v = Float32Array.from({ length: 8 }, (_, k) => Math.sin((k + 1) * [...text].reduce((h, c) => h + c.codePointAt(0)!, 0)));
        const norm = Math.hypot(...v);
        return v.map((x) => x / norm);
      },
    };
    const pool = queries.map((q) => q.text);
    const fast = engine.adapt(support, { pool }).classify(pool);
    assert.deepEqual(engine.adapt(support, { pool, sentence }).classify(pool), fast);

    const lines = ['please refund me', 'it crashed again', 'the charge is wrong'];
    const plain = engine.adapt(english, { pool: lines }).classify(lines);
    assert.notDeepEqual(engine.adapt(english, { pool: lines, sentence }).classify(lines).confidence, plain.confidence);
  });

  it('tells Chinese lines apart by their form (clause lengths) when they share no character with the examples', () => {
    // Every line has characters of its own: only the rhythm (four-character clauses against
    // seven-character ones) says which example a line is like.
    let next = 0x4e00;
    const clause = (length: number) => String.fromCharCode(...Array.from({ length }, () => next++));
    const line = (length: number) => `${clause(length)}，${clause(length)}。`;
    const examples: Example[] = [0, 1].flatMap(() => [
      { text: line(4), label: '四言' },
      { text: line(7), label: '七言' },
    ]);
    const lines = Array.from({ length: 10 }, () => [line(4), line(7)]).flat();
    const truth = lines.map((_, i) => (i % 2 === 0 ? '四言' : '七言'));
    const rightOf = (method: string) =>
      namedPredictions(engine.adapt(examples, { method, pool: lines }), lines).filter((p, i) => p.label === truth[i]).length;
    const right = rightOf('default');
    assert.ok(right >= 18, `default: ${right} of ${lines.length} right`);
    assert.ok(right > rightOf('default-plain') + 4, 'the characters alone cannot tell them apart');
  });

  it('gives lines in scripts it has no features for the lowest confidence, so they come first for review', () => {
    // Examples in English and in Chinese; lines in Thai, Hebrew, Devanagari and Arabic share no
    // word with them and have no word vector: whatever label they get, it is a guess.
    const foreign = ['สวัสดีครับ วันนี้อากาศดี', 'שלום, מה שלומך היום?', 'आज मौसम बहुत अच्छा है', 'الطقس جميل اليوم 2024'];
    const known = ['my card was charged twice again', 'the app crashes when I save', '这场比赛主队以三比一获胜', '我喜欢吃辣的四川菜'];
    const examples: Example[] = [
      { text: 'refund the duplicate charge', label: 'billing' },
      { text: 'the app crashes on start', label: 'bug' },
      ...support,
    ];
    const labels = new Set(examples.map((e) => e.label)).size;
    for (const method of ['default', 'default-plain']) {
      const lines = [...known, ...foreign];
      const p = engine.adapt(examples, { method, pool: lines }).classify(lines);
      for (let i = known.length; i < lines.length; i++) {
        assert.ok(p.confidence[i] < 1 / labels + 1e-6, `${method}: ${lines[i]} at ${p.confidence[i]}`);
        assert.ok(p.uncertainty[i] > 0.999, `${method}: ${lines[i]} uncertainty ${p.uncertainty[i]}`);
      }
      for (let i = 0; i < known.length; i++) {
        assert.ok(p.confidence[i] > 1 / labels + 0.05, `${method}: ${lines[i]} at ${p.confidence[i]}`);
        assert.ok(p.uncertainty[i] < 0.99, `${method}: ${lines[i]} uncertainty ${p.uncertainty[i]}`);
      }
      // Next Uncertain Line asks for them before any line the model can read.
      const review = leastCertainLines(p.uncertainty, () => true, foreign.length);
      assert.deepEqual(
        review.sort((a, b) => a - b),
        foreign.map((_, k) => known.length + k),
      );
    }
  });
});
