import assert from 'node:assert/strict';
import path from 'node:path';
import type { Example } from '../../../src/engine/types';
import {
  EpisodeError,
  EpisodeSampler,
  deriveSeed,
  filterLabelsByCount,
  groupByLabel,
  outOfScopeCount,
  readDomainMap,
  sampleWithoutReplacement,
  selectLabels,
  splitByDomains,
} from '../../../src/engine/episodes';
import { Rng } from '../../../src/engine/random';
import { readExamples } from '../../../src/engine/data';

/** `labels` labels named l0.., label i has `sizes[i]` examples "l<i> #<j>". */
function toyData(sizes: number[]): Example[] {
  return sizes.flatMap((n, i) => Array.from({ length: n }, (_, j) => ({ text: `l${i} #${j}`, label: `l${i}` })));
}

describe('episodes: PRNG', () => {
  it('is deterministic per seed and differs between seeds', () => {
    const a = new Rng(7),
      b = new Rng(7),
      c = new Rng(8);
    const xs = Array.from({ length: 5 }, () => a.next()),
      ys = Array.from({ length: 5 }, () => b.next()),
      zs = Array.from({ length: 5 }, () => c.next());
    assert.deepEqual(xs, ys);
    assert.notDeepEqual(xs, zs);
    for (const x of xs) assert.ok(x >= 0 && x < 1);
    assert.notEqual(deriveSeed(1, 0), deriveSeed(1, 1));
    assert.notEqual(deriveSeed(1, 5), deriveSeed(1, 5, 0));
  });

  it('samples distinct items, roughly uniformly', () => {
    const rng = new Rng(3);
    const counts = new Array(10).fill(0);
    for (let t = 0; t < 2000; t++) {
      const picked = sampleWithoutReplacement(rng, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 3);
      assert.equal(new Set(picked).size, 3);
      for (const p of picked) counts[p]++;
    }
    for (const c of counts) assert.ok(c > 500 && c < 700, `count ${c} far from 600`);
    assert.throws(() => sampleWithoutReplacement(rng, [1, 2], 3), RangeError);
  });
});

describe('episodes: grouping and filtering', () => {
  it('reports the labels that cannot fill shot + query', () => {
    const { kept, skipped } = filterLabelsByCount(groupByLabel(toyData([5, 2, 7])), 4);
    assert.deepEqual([...kept.keys()], ['l0', 'l2']);
    assert.deepEqual(skipped, [{ label: 'l1', count: 2, needed: 4 }]);
  });
});

describe('episodes: sampler', () => {
  const data = toyData([20, 20, 20, 20, 20, 20, 3]);
  const spec = { way: 3, shot: 2, query: 4 };

  it('has way x shot support and way x query queries, disjoint, labels remapped to 0..way-1', () => {
    const sampler = new EpisodeSampler(data, spec);
    for (let i = 0; i < 20; i++) {
      const ep = sampler.episode(1, i);
      assert.equal(ep.labels.length, 3);
      assert.equal(new Set(ep.labels).size, 3);
      assert.equal(ep.support.length, 6);
      assert.equal(ep.query.length, 12);
      const supportTexts = new Set(ep.support.map((e) => e.text));
      assert.ok(ep.query.every((q) => !supportTexts.has(q.text)));
      ep.support.forEach((ex, k) => {
        assert.equal(ep.labels[ep.supportLabels[k]!], ex.label);
      });
      ep.query.forEach((ex, k) => {
        assert.equal(ep.labels[ep.queryLabels[k]!], ex.label);
      });
      for (let c = 0; c < 3; c++) {
        assert.equal(ep.supportLabels.filter((l) => l === c).length, 2);
        assert.equal(ep.queryLabels.filter((l) => l === c).length, 4);
      }
    }
  });

  it('gives identical episodes for the same seed and different ones for another seed', () => {
    // Same file content with the label blocks in another order: label choice does not depend on file order.
    const blocks = [...data.slice(60), ...data.slice(0, 60)];
    const a = new EpisodeSampler(data, spec),
      b = new EpisodeSampler(blocks, spec);
    assert.deepEqual(a.episode(42, 3), b.episode(42, 3));
    assert.notDeepEqual(a.episode(42, 3), a.episode(43, 3));
    assert.notDeepEqual(a.episode(42, 3), a.episode(42, 4));
  });

  it('skips and reports labels with too few examples, and never uses them as ways', () => {
    const sampler = new EpisodeSampler(data, spec);
    assert.deepEqual(sampler.skipped, [{ label: 'l6', count: 3, needed: 6 }]);
    for (let i = 0; i < 50; i++) assert.ok(!sampler.episode(9, i).labels.includes('l6'));
  });

  it('draws one distractor per query, all from labels outside the episode', () => {
    const sampler = new EpisodeSampler(data, spec);
    const outsideSeen = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const ep = sampler.episode(5, i);
      assert.equal(ep.distractors.length, ep.query.length);
      for (const d of ep.distractors) {
        assert.ok(!ep.labels.includes(d.label), `${d.label} is inside the episode`);
        outsideSeen.add(d.label);
      }
    }
    assert.ok(outsideSeen.has('l6'), 'labels too small for an episode still serve as distractors');
    const none = new EpisodeSampler(data, { ...spec, distractorRatio: 0 }).episode(5, 0);
    assert.equal(none.distractors.length, 0);
  });

  it('refuses impossible specs with a clear message', () => {
    assert.throws(
      () => new EpisodeSampler(data, { way: 7, shot: 2, query: 4 }),
      /7-way episodes need 7 labels with at least 6 examples.*only 6 of 7/,
    );
    assert.throws(() => new EpisodeSampler(data, { way: 1, shot: 2, query: 4 }), /way must be an integer >= 2/);
    assert.throws(() => new EpisodeSampler(data, { way: 3, shot: 0, query: 4 }), /shot must be/);
    assert.throws(() => new EpisodeSampler(data, { way: 3, shot: 1.5, query: 4 }), EpisodeError);
  });
});

describe('episodes: class splits', () => {
  it('selects explicit labels and rejects unknown ones', () => {
    const data = toyData([2, 2, 2]);
    assert.deepEqual(new Set(selectLabels(data, ['l0', 'l2']).map((e) => e.label)), new Set(['l0', 'l2']));
    assert.throws(() => selectLabels(data, ['l0', 'nope']), /unknown label\(s\): nope/);
  });

  it('splits CLINC150 by domain into disjoint label sets', async () => {
    const dataDir = path.resolve(__dirname, '../../../../data'); // the repository's data/, from out/test/engine/episodes
    const domains = readDomainMap(path.join(dataDir, 'clinc150.domains.json'));
    const examples = await readExamples(path.join(dataDir, 'clinc150.test.jsonl'));
    const { heldOut, rest } = splitByDomains(examples, domains, ['banking', 'credit_cards', 'work']);
    const heldLabels = new Set(heldOut.map((e) => e.label));
    const restLabels = new Set(rest.map((e) => e.label));
    assert.equal(heldLabels.size, 45);
    assert.equal(restLabels.size, 105);
    for (const l of heldLabels) assert.ok(!restLabels.has(l));
    for (const l of heldLabels) assert.ok(['banking', 'credit_cards', 'work'].includes(domains.get(l)!));
    assert.equal(heldOut.length + rest.length, examples.length);
    assert.throws(() => splitByDomains(examples, domains, ['bankin']), /unknown domain\(s\): bankin \(known: auto_and_commute/);
  });
});

describe('episodes: open-set episodes', () => {
  const data = toyData([20, 20, 20, 20, 20, 20, 3]);
  const spec = { way: 3, shot: 2, query: 4 };

  it('adds round(n R / (1 - R)) out-of-scope query lines, never of the episode labels, disjoint from the distractors', () => {
    assert.equal(outOfScopeCount(75, 0.25), 25);
    assert.equal(outOfScopeCount(12, 0.5), 12);
    assert.equal(outOfScopeCount(12, 0), 0);
    assert.throws(() => outOfScopeCount(12, 1), /open-set ratio must be in \[0, 1\)/);
    const sampler = new EpisodeSampler(data, { ...spec, openSetRatio: 0.25 });
    for (let i = 0; i < 40; i++) {
      const ep = sampler.episode(3, i);
      assert.equal(ep.outOfScope.length, 4, '12 in-scope lines make 75%: 4 more make the other 25%');
      for (const o of ep.outOfScope) assert.ok(!ep.labels.includes(o.label), `${o.label} is one of the episode's labels`);
      const oos = new Set(ep.outOfScope.map((o) => o.text));
      assert.equal(oos.size, ep.outOfScope.length, 'no line twice');
      assert.ok(
        ep.distractors.every((d) => !oos.has(d.text)),
        'a distractor is also an out-of-scope query',
      );
    }
  });

  it('is seeded: same seed same lines; leaves the closed-set part of every episode as it was', () => {
    const open = new EpisodeSampler(data, { ...spec, openSetRatio: 0.25 });
    const closed = new EpisodeSampler(data, spec);
    assert.deepEqual(open.episode(8, 2), new EpisodeSampler(data, { ...spec, openSetRatio: 0.25 }).episode(8, 2));
    assert.notDeepEqual(open.episode(8, 2).outOfScope, open.episode(8, 3).outOfScope);
    for (let i = 0; i < 10; i++) {
      const a = open.episode(8, i);
      const b = closed.episode(8, i);
      assert.deepEqual([a.labels, a.support, a.query], [b.labels, b.support, b.query]);
      assert.deepEqual(b.outOfScope, []);
    }
  });

  it('draws from a file of out-of-scope lines when given one, and refuses an empty one', () => {
    const file = Array.from({ length: 30 }, (_, j) => ({ text: `elsewhere ${j}`, label: 'oos' }));
    const sampler = new EpisodeSampler(data, { ...spec, openSetRatio: 0.5, outOfScope: file });
    const ep = sampler.episode(1, 0);
    assert.equal(ep.outOfScope.length, 12);
    assert.ok(ep.outOfScope.every((o) => o.label === 'oos' && o.text.startsWith('elsewhere')));
    assert.throws(() => new EpisodeSampler(data, { ...spec, openSetRatio: 0.25, outOfScope: [] }), /out-of-scope lines are empty/);
    assert.throws(() => new EpisodeSampler(data, { ...spec, openSetRatio: 1 }), /open-set ratio must be in \[0, 1\)/);
  });
});
