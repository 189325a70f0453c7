// `fewshot meta-train --sentence` (training/sentenceRecipe.ts) on a miniature CLINC150-shaped data
// set: it trains with the block's scale, keeps the meta-learned procedure only where it validated
// better than default+sentence@2, and writes a file the model loads back.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CHECKPOINT_DIR, loadModel, SENTENCE_PROCEDURE_FILE, VECTORS_FILE } from '../../../src/engine/model';
import { selectBackend } from '../../../src/engine/tf/backend';
import { runSentenceRecipe } from '../../../src/engine/training/sentenceRecipe';
import { packageRootFrom } from '../../../src/engine/packageRoot';

const WORDS = ['card', 'flight', 'pizza', 'alarm', 'song', 'bank', 'hotel', 'timer', 'recipe', 'weather'];
const DIM = 8;
const MODEL_DIR = path.join(packageRootFrom(__dirname), 'models');

/** A deterministic unit vector per text (its label's direction for labelled lines, plus noise). */
function embedOf(label: Map<string, string>) {
  return async (texts: string[]) => {
    const out = new Float32Array(texts.length * DIM);
    texts.forEach((t, i) => {
      const h = createHash('sha256').update(t).digest();
      const l = createHash('sha256')
        .update(label.get(t) ?? t)
        .digest();
      const v = Array.from({ length: DIM }, (_, j) => (l[j] as number) / 255 - 0.5 + 0.6 * ((h[j] as number) / 255 - 0.5));
      const n = Math.hypot(...v);
      v.forEach((x, j) => {
        out[i * DIM + j] = x / n;
      });
    });
    return out;
  };
}

describe('meta-training with the sentence block (sentenceRecipe.ts)', function () {
  this.timeout(300_000);
  let dir: string;
  let data: string;
  const label = new Map<string, string>();
  before(async () => {
    await selectBackend('cpu');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fewshot-sentence-recipe-'));
    data = path.join(dir, 'data');
    fs.mkdirSync(data);
    fs.cpSync(path.join(MODEL_DIR, CHECKPOINT_DIR), path.join(dir, CHECKPOINT_DIR), { recursive: true });
    fs.symlinkSync(path.join(MODEL_DIR, VECTORS_FILE), path.join(dir, VECTORS_FILE));
    // Two domains of five intents, 20 lines each: one trains, one validates.
    const domains: Record<string, string> = {};
    const lines: string[] = [];
    ['train_domain', 'auto_and_commute'].forEach((domain, d) => {
      for (let c = 0; c < 5; c++) {
        const intent = `${WORDS[d * 5 + c]}_intent`;
        domains[intent] = domain;
        for (let k = 0; k < 20; k++) {
          // Words shared across intents: only a noisy sentence vector tells most lines apart.
          const text = `please help with my ${WORDS[(c + k) % WORDS.length]} number ${k} ${k % 3 === 0 ? WORDS[d * 5 + c] : ''}`;
          label.set(text, intent);
          lines.push(JSON.stringify({ text, label: intent }));
        }
      }
    });
    fs.writeFileSync(path.join(data, 'clinc150.domains.json'), JSON.stringify(domains));
    fs.writeFileSync(path.join(data, 'clinc150.train.jsonl'), `${lines.join('\n')}\n`);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes the procedure it validated better, and the model loads it', async () => {
    const file = await runSentenceRecipe(loadModel(dir), {
      dataDir: data,
      holdoutDomains: [],
      validationDomains: ['auto_and_commute'],
      extraTrainFiles: [],
      steps: 8,
      evalEvery: 2,
      seed: 3,
      outDir: path.join(dir, '.training'),
      resume: false,
      validationEpisodes: 10,
      sentence: { dim: DIM, embed: embedOf(label) },
    });
    const { validation, metaLearned } = file.trained;
    // The miniature task is hard enough that the two candidates differ (so the choice is tested).
    assert.notEqual(validation.metaLearned, validation.fixed);
    const better = validation.metaLearned > validation.fixed;
    assert.equal(file.source, better ? 'meta-learned' : 'fixed');
    assert.equal(file.weight, better ? metaLearned.weight : 2);
    assert.ok(metaLearned.weight > 0 && metaLearned.weight !== 2, `the block's weight was trained: ${metaLearned.weight}`);
    assert.ok(fs.existsSync(path.join(dir, SENTENCE_PROCEDURE_FILE)));
    const loaded = loadModel(dir).sentenceProcedure;
    assert.equal(loaded?.source, file.source);
    assert.equal(loaded?.weight, file.weight);
  });
});
