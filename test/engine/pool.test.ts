// The engine's pool sampler: one policy for how much of a document (or a stream of files) an
// adaptation looks at, which every caller (worker, workspace run, CLI) goes through.
import assert from 'node:assert/strict';
import { MAX_POOL, PoolSampler, samplePool } from '../../src/engine/pool';

/** Line i of a 30,000-line document: its number is its text. */
const DOC = Array.from({ length: 30_000 }, (_, i) => String(i));
/** How many of the sampled lines fall in each third of the document. */
const thirds = (pool: readonly string[]) => [0, 1, 2].map((t) => pool.filter((l) => Math.floor(Number(l) / 10_000) === t).length);

describe('engine: the pool', () => {
  it('the pool spans a 30,000-line document (the first-20,000 mutation fails): an even sample of a document', () => {
    const pool = samplePool(DOC);
    assert.equal(pool.length, MAX_POOL);
    assert.equal(new Set(pool).size, MAX_POOL);
    for (const n of thirds(pool)) assert.ok(Math.abs(n - MAX_POOL / 3) <= 1, `${thirds(pool)}`);
    assert.deepEqual(samplePool(DOC.slice(0, 5)), DOC.slice(0, 5), 'a short document is its own pool');
  });

  it('the pool spans a 30,000-line stream (the first-20,000 mutation fails): a seeded reservoir', () => {
    const sample = (seed?: number) => {
      const sampler = new PoolSampler(MAX_POOL, seed);
      for (const line of DOC) sampler.add(line);
      return sampler.items;
    };
    const pool = sample();
    assert.equal(pool.length, MAX_POOL);
    assert.equal(new Set(pool).size, MAX_POOL);
    // Each line is kept with probability 2/3: about 6,667 a third (the binomial's sd is about 47).
    for (const n of thirds(pool)) assert.ok(Math.abs(n - MAX_POOL / 3) < 300, `${thirds(pool)}`);
    assert.deepEqual(sample(), pool, 'the same stream, the same pool');
    assert.notDeepEqual(sample(7), pool, 'another seed, another sample');
  });

  it('a stream pool skips blank units, keeps everything below its size, and a size of 0 keeps nothing', () => {
    const small = new PoolSampler(10);
    for (const u of ['a', '', '  ', 'b', '\t']) small.add(u);
    assert.deepEqual(small.items, ['a', 'b']);
    const none = new PoolSampler(0);
    none.add('a');
    assert.deepEqual(none.items, []);
  });
});
