import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BATCH_SIZE, SentenceEncoder } from '../../../src/engine/sentence/encoder';
import { selectBackend } from '../../../src/engine/tf/backend';

interface Reference {
  model: string;
  rows: Array<{ text: string; vector: number[] }>;
}
const reference = JSON.parse(
  fs.readFileSync(path.join(__dirname, '../../../../test/engine/sentence/fixtures/reference.json'), 'utf8'),
) as Reference;

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let j = 0; j < a.length; j++) {
    dot += (a[j] as number) * (b[j] as number);
    na += (a[j] as number) ** 2;
    nb += (b[j] as number) ** 2;
  }
  return dot / Math.sqrt(na * nb);
}

const row = (v: Float32Array, i: number, dim = 512) => v.subarray(i * dim, (i + 1) * dim);

describe('SentenceEncoder', function () {
  this.timeout(60_000);
  let encoder: SentenceEncoder;

  before(async () => {
    assert.equal((await selectBackend('wasm')).name, 'wasm');
    encoder = await SentenceEncoder.load();
  });
  after(() => encoder.dispose());

  it('reproduces the stored reference vectors of the shipped model', async () => {
    assert.equal(encoder.hash, reference.model, 'the model changed: regenerate fixtures/reference.json (docs/sentence.md)');
    const v = await encoder.embed(reference.rows.map((r) => r.text));
    reference.rows.forEach((r, i) => {
      const c = cosine(row(v, i), r.vector);
      assert.ok(c > 1 - 1e-3, `${r.text}: cosine ${c} to the reference`);
    });
  });

  it('gives unit vectors that place paraphrases close and unrelated lines apart', async () => {
    const v = await encoder.embed(['I lost my card', 'my card is missing', 'what is the exchange rate']);
    for (let i = 0; i < 3; i++) assert.ok(Math.abs(cosine(row(v, i), row(v, i)) - 1) < 1e-5);
    let norm = 0;
    for (const x of row(v, 0)) norm += x * x;
    assert.ok(Math.abs(norm - 1) < 1e-3, `norm^2 ${norm}`);
    assert.ok(Math.abs(cosine(row(v, 0), row(v, 1)) - 0.699) < 0.01);
    assert.ok(Math.abs(cosine(row(v, 0), row(v, 2)) - 0.211) < 0.01);
  });

  it('gives each line the same vector whatever batch and order it comes in', async () => {
    const fresh = await SentenceEncoder.load();
    try {
      // More than one batch, lines of very different lengths, so padding and sorting both matter.
      const texts = Array.from({ length: BATCH_SIZE + 7 }, (_, i) =>
        i % 5 === 0 ? `line ${i} ${'with many more words to read '.repeat(1 + (i % 3))}` : `short ${i}`,
      );
      const together = await fresh.embed(texts);
      const embedFresh = async (lines: string[]) => {
        const other = await SentenceEncoder.load();
        try {
          return await other.embed(lines);
        } finally {
          other.dispose();
        }
      };
      const alone = await embedFresh([texts[5] as string]);
      assert.ok(cosine(row(together, 5), row(alone, 0)) > 1 - 1e-4);
      const reversed = await embedFresh([...texts].reverse());
      for (let i = 0; i < texts.length; i++) {
        assert.ok(cosine(row(together, i), row(reversed, texts.length - 1 - i)) > 1 - 1e-4, `line ${i}`);
      }
    } finally {
      fresh.dispose();
    }
  });

  it('embeds each distinct line once (in-memory cache) and gives blank lines zeros', async () => {
    const fresh = await SentenceEncoder.load();
    try {
      const v = await fresh.embed(['a line', 'a line', '  ', 'another line']);
      assert.equal(fresh.modelLines, 2);
      assert.ok(row(v, 2).every((x) => x === 0));
      assert.deepEqual(row(v, 0), row(v, 1));
      await fresh.embed(['another line', 'a line']);
      assert.equal(fresh.modelLines, 2);
    } finally {
      fresh.dispose();
    }
  });

  it('returns every line of a call larger than its memory cache, keeping only the newest', async () => {
    const small = await SentenceEncoder.load({ memoryEntries: 1 });
    try {
      const v = await small.embed(['first line', 'second line', 'first line']);
      assert.deepEqual(row(v, 0), row(v, 2));
      assert.ok(cosine(row(v, 0), row(v, 1)) < 0.99);
      await small.embed(['second line']);
      assert.equal(small.modelLines, 2);
      await small.embed(['first line']);
      assert.equal(small.modelLines, 3);
    } finally {
      small.dispose();
    }
  });

  it('reads vectors from its disk cache instead of the model, and writes new ones to it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fewshot-sentence-'));
    try {
      const withDisk = await SentenceEncoder.load({ cacheDir: dir });
      const v = await withDisk.embed(['cached line', 'other line']);
      withDisk.flush();
      withDisk.dispose();
      const again = await SentenceEncoder.load({ cacheDir: dir });
      // What the caches hold, without the model: the cached lines, not the others.
      const held = again.cached(['cached line', 'never seen']);
      assert.deepEqual([...held.keys()], ['cached line']);
      assert.deepEqual(held.get('cached line'), row(v, 0).slice());
      const w = await again.embed(['other line', 'cached line']);
      again.dispose();
      assert.equal(again.modelLines, 0);
      // Served from the caches, a reopened file never builds the tokenizer (nor the graph).
      assert.equal(again.tokenizerBuilt, false);
      assert.equal(withDisk.tokenizerBuilt, true);
      assert.deepEqual(row(w, 1), row(v, 0));
      assert.deepEqual(fs.readdirSync(dir), [`sentence-${again.hash.slice(0, 16)}.bin`]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
