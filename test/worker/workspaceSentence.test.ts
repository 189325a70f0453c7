// Classify Workspace with the sentence block (src/worker/workspace.ts with the host's Refiner): a
// fast run says what refining would cost (the lines no cache holds, at the measured rate); a run
// with `sentence` embeds what the caches lack, adapts with the block and predicts every line with
// its vector; a cancel stops it between batches.
import * as assert from 'node:assert/strict';
import type { AdaptOptions, EngineApi } from '../../src/engine/engine';
import type { Example } from '../../src/engine/types';
import { CancelSource, RpcError } from '../../src/protocol/rpc';
import type { ClassifyWorkspaceParams } from '../../src/protocol/workspace';
import { Refiner, type SentenceEmbedder } from '../../src/worker/refine';
import { classifyWorkspace } from '../../src/worker/workspace';
import { fakeEngine, sentenceFakeEngine } from './fakeEngine';
import { tempFolders } from './tempFolders';

const DIM = 3;
const support: Example[] = [
  { text: 'invoice', label: 'billing' },
  { text: 'password', label: 'account' },
];
const params = (root: string, over: Partial<ClassifyWorkspaceParams> = {}): ClassifyWorkspaceParams => ({
  run: 1,
  scope: { root, include: ['**/*.txt'], exclude: [], useIgnoreFiles: true, maxFileBytes: 10_000 },
  support,
  poolSize: 10,
  ...over,
});

/** An embedder whose cache holds `cached`; records what it embeds; `onEmbed` runs before each batch. */
function fakeEmbedder(cached: string[], onEmbed: () => void = () => {}) {
  const embedded: string[] = [];
  let flushes = 0;
  const vector = () => Float32Array.from({ length: DIM }, (_, k) => (k === 0 ? 1 : 0));
  const embedder: SentenceEmbedder = {
    dim: DIM,
    threads: 2,
    cached: (texts) => new Map(texts.filter((t) => cached.includes(t)).map((t) => [t, vector()])),
    async embed(texts) {
      onEmbed();
      embedded.push(...texts);
      return Float32Array.from({ length: texts.length * DIM }, (_, k) => (k % DIM === 0 ? 1 : 0));
    },
    flush: () => {
      flushes++;
    },
  };
  return { embedder, embedded, flushes: () => flushes };
}

/** A run with the host's refiner over `embedder` (no document state, no seams). */
const runWith = (engine: EngineApi, p: ClassifyWorkspaceParams, embedder?: SentenceEmbedder, cancel = new CancelSource()) =>
  classifyWorkspace(
    engine,
    p,
    cancel,
    () => {},
    undefined,
    {},
    embedder
      ? new Refiner(
          async () => embedder,
          () => {},
          () => {},
        )
      : undefined,
  );

describe('Classify Workspace with the sentence block (worker)', () => {
  const make = tempFolders('fewshot-ws-sentence-');

  it('a fast run counts the lines no cache holds and prices them at the default rate', async () => {
    const root = make({ 'a.txt': 'my invoice\nreset password\nmy invoice\n', 'b.txt': 'another line\n\nreset password\n' });
    const fake = fakeEmbedder(['reset password']);
    const calls = { adapt: [] as AdaptOptions[], predictedLines: 0 };
    const result = await runWith(sentenceFakeEngine(calls), params(root, { estimateRefine: true }), fake.embedder);
    assert.equal(result.method, 'keyword');
    assert.equal(calls.adapt[0]?.sentence, undefined, 'the fast run uses the fast features');
    assert.deepEqual(fake.embedded, [], 'nothing embedded by an estimate');
    // 'my invoice' (a.txt, once though twice there) and 'another line' (b.txt).
    assert.equal(result.refineCost?.lines, 2);
    // Two threads at the default rate: 2 lines take at most a second.
    assert.equal(result.refineCost?.seconds, 1);
    const without = await runWith(fakeEngine(calls), params(root), fake.embedder);
    assert.equal(without.refineCost, undefined, 'no estimate unless asked');
  });

  it('a sentence run embeds what the caches lack, adapts with the block and predicts every line with its vector', async () => {
    const root = make({ 'a.txt': 'my invoice\nreset password\n', 'b.txt': 'another line\n\nmy invoice\n' });
    const fake = fakeEmbedder(['reset password']);
    const calls = { adapt: [] as AdaptOptions[], predictedLines: 0 };
    const checked: string[] = [];
    const result = await runWith(sentenceFakeEngine(calls, checked), params(root, { sentence: true }), fake.embedder);
    assert.equal(result.method, 'keyword+sentence@2');
    assert.equal(calls.adapt[0]?.sentence?.dim, DIM);
    assert.deepEqual(
      new Set(fake.embedded),
      new Set(['invoice', 'billing', 'password', 'account', 'my invoice', 'another line']),
      'each line the caches lack, once',
    );
    assert.equal(new Set(fake.embedded).size, fake.embedded.length);
    assert.deepEqual(checked.sort(), ['another line', 'my invoice', 'my invoice', 'reset password']);
    assert.equal(result.refineCost, undefined);
    assert.equal(fake.flushes(), 1, 'the new vectors are written to the disk cache');
  });

  it('a cancel stops a sentence run between batches', async () => {
    const root = make({ 'a.txt': Array.from({ length: 200 }, (_, i) => `line ${i}`).join('\n') });
    const cancel = new CancelSource();
    let batches = 0;
    const fake = fakeEmbedder([], () => {
      if (++batches === 2) cancel.cancel();
    });
    await assert.rejects(
      runWith(sentenceFakeEngine({ adapt: [], predictedLines: 0 }), params(root, { sentence: true, poolSize: 0 }), fake.embedder, cancel),
      (e: unknown) => e instanceof RpcError && e.code === 'cancelled',
    );
    assert.ok(batches < 7, `${batches} batches of 32 lines, of 7`);
  });

  it('without an encoder a sentence run fails at once, saying so', async () => {
    const root = make({ 'a.txt': 'my invoice\n' });
    await assert.rejects(
      classifyWorkspace(fakeEngine({ adapt: [], predictedLines: 0 }), params(root, { sentence: true }), new CancelSource(), () => {}),
      /sentence encoder is not available/,
    );
  });
});
