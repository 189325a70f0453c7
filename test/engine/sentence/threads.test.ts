// Sentence encoding on more than one thread (src/engine/sentence/threads.ts): batches go to
// whichever thread is free in the order asked, vectors made by a helper land in the calling
// thread's caches, and a helper that cannot start or fails leaves its work to the calling thread.
import { strict as assert } from 'node:assert';
import { SentenceEncoder } from '../../../src/engine/sentence/encoder';
import {
  type EncoderLane,
  EncoderPool,
  encoderThreads,
  type LocalEncoder,
  loadEncoderPool,
  MAX_ENCODER_THREADS,
} from '../../../src/engine/sentence/threads';
import { selectBackend } from '../../../src/engine/tf/backend';

const DIM = 2;
/** A vector that says which thread made it: [thread, batch position]. */
const vectorsOf = (thread: number, texts: readonly string[]) => Float32Array.from(texts.flatMap((_, i) => [thread, i]));

/** A thread whose batches wait until `release(k)`; records the batches it started. */
function gatedLane(thread: number, started: Array<[number, string[]]>) {
  const gates: Array<() => void> = [];
  const lane: EncoderLane & { closed: boolean } = {
    closed: false,
    async embed(texts) {
      started.push([thread, [...texts]]);
      await new Promise<void>((r) => gates.push(r));
      return vectorsOf(thread, texts);
    },
    close() {
      lane.closed = true;
    },
  };
  return { lane, release: () => gates.shift()?.() };
}

function fakeLocal(started: Array<[number, string[]]>) {
  const stored = new Map<string, number[]>();
  const local: LocalEncoder = {
    dim: DIM,
    cached: (texts) => new Map(texts.filter((t) => stored.has(t)).map((t) => [t, Float32Array.from(stored.get(t) ?? [])])),
    async embed(texts) {
      started.push([0, [...texts]]);
      return vectorsOf(0, texts);
    },
    store(texts, vectors) {
      texts.forEach((t, i) => {
        stored.set(t, Array.from(vectors.subarray(i * DIM, (i + 1) * DIM)));
      });
    },
    flush: () => {},
  };
  return { local, stored };
}

const turn = () => new Promise((r) => setImmediate(r));

describe('sentence encoder threads', () => {
  it('one thread per core, at most MAX_ENCODER_THREADS; the setting overrides the cores', () => {
    assert.equal(encoderThreads(1, undefined), 1);
    assert.equal(encoderThreads(2, undefined), 2);
    assert.equal(encoderThreads(64, undefined), MAX_ENCODER_THREADS);
    assert.equal(encoderThreads(2, '1'), 1);
    assert.equal(encoderThreads(1, '2'), 2);
    assert.equal(encoderThreads(2, 'many'), 2);
    assert.equal(encoderThreads(2, '0'), 2);
  });

  it('hands batches out in the order asked, to whichever thread is free; a helper’s vectors go into the caches here', async () => {
    const started: Array<[number, string[]]> = [];
    const helper = gatedLane(1, started);
    const { local, stored } = fakeLocal(started);
    const pool = new EncoderPool(local, 2, () => helper.lane, assert.fail);
    assert.equal(pool.helperCount, 0, 'no helper before the first batch that needs the model');
    const a = pool.embed(['a1', 'a2']);
    const b = pool.embed(['b1']);
    const c = pool.embed(['c1']);
    await turn();
    assert.equal(pool.helperCount, 1);
    // a on this thread (free at once), b on the helper; c waits for a free thread: this one.
    assert.deepEqual(started, [
      [0, ['a1', 'a2']],
      [1, ['b1']],
      [0, ['c1']],
    ]);
    assert.deepEqual(Array.from(await a), [0, 0, 0, 1]);
    assert.deepEqual(Array.from(await c), [0, 0]);
    helper.release();
    assert.deepEqual(Array.from(await b), [1, 0]);
    assert.deepEqual(stored.get('b1'), [1, 0]);
    pool.dispose();
    assert.ok(helper.lane.closed);
  });

  it('a helper that cannot start leaves every batch to this thread, with one log line', async () => {
    const started: Array<[number, string[]]> = [];
    const logs: string[] = [];
    const { local } = fakeLocal(started);
    const pool = new EncoderPool(
      local,
      3,
      () => {
        throw new Error('out/sentenceHelper.js is missing');
      },
      (m) => logs.push(m),
    );
    assert.deepEqual(Array.from(await pool.embed(['x'])), [0, 0]);
    assert.deepEqual(Array.from(await pool.embed(['y'])), [0, 0]);
    assert.equal(pool.helperCount, 0);
    assert.deepEqual(
      started.map(([t]) => t),
      [0, 0],
    );
    assert.equal(logs.length, 1);
    assert.match(logs[0] as string, /sentenceHelper\.js is missing/);
  });

  it('a helper that fails mid-run: its batch is embedded here, and it gets no more work', async () => {
    const started: Array<[number, string[]]> = [];
    const logs: string[] = [];
    const { local } = fakeLocal(started);
    let closed = false;
    const broken: EncoderLane = {
      embed: (texts) => {
        started.push([1, [...texts]]);
        return Promise.reject(new Error('the helper thread exited (code 1)'));
      },
      close: () => {
        closed = true;
      },
    };
    const pool = new EncoderPool(
      local,
      2,
      () => broken,
      (m) => logs.push(m),
    );
    const [a, b] = await Promise.all([pool.embed(['a']), pool.embed(['b'])]);
    assert.deepEqual(Array.from(a), [0, 0]);
    assert.deepEqual(Array.from(b), [0, 0], 'the failed batch is embedded by this thread');
    await pool.embed(['c']);
    await pool.embed(['d']);
    assert.deepEqual(started, [
      [0, ['a']],
      [1, ['b']],
      [0, ['b']],
      [0, ['c']],
      [0, ['d']],
    ]);
    assert.ok(closed);
    assert.equal(pool.helperCount, 0);
    assert.equal(logs.length, 1);
  });

  describe('with the shipped model and a real helper thread', function () {
    this.timeout(120_000);
    before(async () => {
      assert.equal((await selectBackend('wasm')).name, 'wasm');
    });

    it('gives the vectors one thread gives', async () => {
      const lines = ['I lost my card', 'my card is missing', 'what is the exchange rate', 'book a table for two', 'is it going to rain'];
      const one = await SentenceEncoder.load();
      const expected = await one.embed(lines);
      one.dispose();
      const logs: string[] = [];
      const pool = await loadEncoderPool({ threads: 2, log: (m) => logs.push(m) });
      try {
        const [a, b] = await Promise.all([pool.embed(lines.slice(0, 2)), pool.embed(lines.slice(2))]);
        assert.equal(pool.helperCount, 1, logs.join('\n'));
        const got = new Float32Array([...a, ...b]);
        for (let k = 0; k < got.length; k++) assert.ok(Math.abs((got[k] as number) - (expected[k] as number)) < 1e-5, `value ${k}`);
        // The helper's lines are in this thread's cache now.
        assert.equal(pool.cached(lines).size, lines.length);
        assert.deepEqual(logs, []);
      } finally {
        pool.dispose();
      }
    });
  });
});
