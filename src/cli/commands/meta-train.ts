// `fewshot meta-train`: the training recipe of the shipped model (see README, "The shipped model").
//   --recipe holdout: CLINC150 domains banking, credit_cards and work never seen: measures the recipe.
//   --recipe shipped: the same recipe on all licence-compatible data; writes models/checkpoint.
//   --from-checkpoint DIR --data a.jsonl b.jsonl: improves DIR's model from the user's tasks (improve.ts).
//   --sentence: meta-trains the adaptation with the sentence block on the model already in --out
//     (training/sentenceRecipe.ts) and writes its sentence-procedure.json.
import { WARM_START_LINES } from '../../engine/improve/similar';
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../args';
import { EXIT_OK } from '../errors';
import { line } from '../io';
import { defaultModelDir, packageRoot } from '../paths';
import type { Command } from './command';
import { runImprove } from './improve';
import { trainingDataDir, trainingOptions } from './training-options';
import { loadModel, loadVectors, VECTORS_FILE } from '../../engine/model';
import { runRecipe } from '../../engine/training/recipe';
import { runSentenceRecipe } from '../../engine/training/sentenceRecipe';
import { SentenceEncoder } from '../../engine/sentence/encoder';
import { formatProgress, type Progress } from '../../engine/meta/trainer';
import { selectBackend } from '../../engine/tf/backend';

const RECIPES: Record<string, { holdout: string[]; extra: string[] }> = {
  holdout: { holdout: ['banking', 'credit_cards', 'work'], extra: [] },
  // Only data whose licence allows shipping a derived model (data/README.md): CLINC150
  // (CC BY 3.0) and FewRel's Wikipedia and PubMed sets (MIT). Not SNIPS, TREC, Reuters, FewRel NYT.
  shipped: { holdout: [], extra: ['fewrel_wiki.val.jsonl', 'fewrel_pubmed.val.jsonl'] },
};

export const metaTrainCommand: Command = {
  name: 'meta-train',
  summary: 'meta-train the adaptation shipped in models/ (seeded, resumable)',
  usage:
    'fewshot meta-train --recipe holdout|shipped [--out DIR] [options]\n' +
    '       fewshot meta-train --sentence --recipe holdout|shipped [--out DIR] [--sentence-cache DIR] [options]\n' +
    '       fewshot meta-train --from-checkpoint DIR --data a.jsonl [b.jsonl ...] [--test c.jsonl] [--out DIR] [--json]',
  description:
    'Meta-learns the transductive adaptation (block scales, step size, weight decay, temperature, pseudo-label and label-name weights) ' +
    'with exact second-order gradients through the unrolled inner loop, validates on CLINC150 classes never trained on, ' +
    'keeps the best step, and ships the meta-learned procedure only if it validates at least as well as the hand-set one. ' +
    'With --from-checkpoint it continues from that model on your finished tasks (one JSONL file each), compares the result with it ' +
    'on the same episodes of labels it never trained on, and writes it to --out only if the paired gain is above 0 at the fewest shots ' +
    '(its 95% interval) and below 0 nowhere.',
  options: [
    ...trainingOptions({
      recipes: Object.keys(RECIPES),
      outHelp: 'model folder to write (default: models/ for shipped, out/models-holdout for holdout)',
      workHelp: 'training state folder (default <out>/.training)',
      // The shipped checkpoint was made with these defaults: `npm run train-model` reproduces it.
      steps: 100,
      stepsHelp: 'meta-training steps (2 episodes each)',
      evalEvery: 20,
      validationEpisodes: 150,
      validationHelp: 'episodes per validation',
      backend: 'cpu',
      backendHelp: 'TensorFlow.js backend for the meta-gradients',
    }),
    {
      name: 'from-checkpoint',
      type: 'string',
      placeholder: 'dir',
      help: 'improve this model folder (e.g. models) from the tasks in --data',
    },
    {
      name: 'test',
      type: 'string',
      placeholder: 'file.jsonl',
      help: 'with --from-checkpoint: compare on this task only (else on held-out labels of --data)',
    },
    {
      name: 'test-episodes',
      type: 'int',
      min: 10,
      default: 300,
      help: 'with --from-checkpoint: paired episodes per shot count in the comparison',
    },
    { name: 'query', type: 'int', min: 1, default: 15, help: 'with --from-checkpoint: most query lines per label in an episode' },
    { name: 'json', type: 'boolean', help: 'with --from-checkpoint: print the result as one JSON object on stdout' },
    {
      name: 'sentence',
      type: 'boolean',
      help:
        'meta-train the adaptation with the sentence block (its scale learned with the rest) on the model in --out, ' +
        'and write <out>/sentence-procedure.json: the meta-learned procedure if it validates better than default+sentence@2, else that',
    },
    {
      name: 'sentence-cache',
      type: 'string',
      placeholder: 'dir',
      help: 'with --sentence: keep the sentence vectors in this folder between runs',
    },
    {
      name: 'warm-start',
      type: 'boolean',
      help: 'with --from-checkpoint and --test: train only on the --data task most similar to the test task (label names and first lines)',
    },
    {
      name: 'warm-start-lines',
      type: 'int',
      min: 1,
      default: WARM_START_LINES,
      help: "with --warm-start: the test task's lines per label that judge similarity",
    },
  ],
  async run(args, io) {
    if (args.has('from-checkpoint')) return runImprove(args, io);
    if (args.positional.length) throw new UsageError(`unexpected argument "${args.positional[0]}"`);
    const name = args.string('recipe') ?? 'shipped';
    const recipe = RECIPES[name];
    const dataDir = trainingDataDir(args);
    const modelDir = path.resolve(
      args.string('out') ?? (name === 'shipped' ? defaultModelDir() : path.join(packageRoot(), 'out', 'models-holdout')),
    );
    const backend = await selectBackend((args.string('backend') ?? 'cpu') as 'cpu', (m) => line(io.stderr, m));
    const sentence = args.flag('sentence');
    line(io.stderr, `meta-train${sentence ? ' --sentence' : ''} recipe ${name}: backend ${backend.name}, data ${dataDir}, out ${modelDir}`);
    const tty = Boolean((io.stderr as { isTTY?: boolean }).isTTY);
    // What both recipes share: data, domains, schedule, progress.
    const common = {
      dataDir,
      holdoutDomains: recipe.holdout,
      validationDomains: ['auto_and_commute'],
      extraTrainFiles: recipe.extra,
      steps: args.need<number>('steps'),
      evalEvery: args.need<number>('eval-every'),
      seed: args.need<number>('seed'),
      resume: args.flag('resume'),
      validationEpisodes: args.need<number>('validation-episodes'),
      onProgress: (p: Progress) => {
        const text = formatProgress(p);
        if (tty) io.stderr.write(`\r${text}`);
        else if (p.valAcc !== undefined && (p.step % args.need<number>('eval-every') === 0 || p.step === p.steps)) line(io.stderr, text);
      },
      log: (m: string) => line(io.stderr, `${tty ? '\n' : ''}${m}`),
    };
    const work = args.string('work');
    if (sentence) {
      // On the model already in --out: its encoder, centre and default procedure.
      const model = loadModel(modelDir);
      const cacheDir = args.string('sentence-cache');
      const encoder = await SentenceEncoder.load({ memoryEntries: 0, ...(cacheDir ? { cacheDir, cacheBytes: 512e6 } : {}) });
      try {
        await runSentenceRecipe(model, {
          ...common,
          outDir: path.resolve(work ?? path.join(modelDir, '.training', 'sentence')),
          sentence: {
            dim: encoder.dim,
            embed: async (texts) => {
              const v = await encoder.embed(texts);
              encoder.flush();
              return v;
            },
          },
        });
      } finally {
        encoder.dispose();
      }
      return EXIT_OK;
    }
    fs.mkdirSync(modelDir, { recursive: true });
    const vectors = loadVectors(defaultModelDir());
    if (path.resolve(modelDir) !== path.resolve(defaultModelDir()))
      fs.copyFileSync(path.join(defaultModelDir(), VECTORS_FILE), path.join(modelDir, VECTORS_FILE));
    await runRecipe(vectors, { ...common, outDir: path.resolve(work ?? path.join(modelDir, '.training')), modelDir });
    return EXIT_OK;
  },
};
