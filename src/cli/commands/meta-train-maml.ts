// `fewshot meta-train-maml`: meta-trains one MAML-family model into <model>/maml/<kind>/.
//   --recipe holdout: CLINC150 domains banking, credit_cards and work never seen (measures it);
//   --recipe shipped: all licence-compatible data; writes models/maml/<kind>/.
import path from 'node:path';
import { UsageError } from '../args';
import { EXIT_OK } from '../errors';
import { line } from '../io';
import { defaultModelDir, packageRoot } from '../paths';
import type { Command } from './command';
import { trainingDataDir, trainingOptions } from './training-options';
import { loadModel } from '../../engine/model';
import { MAML_KINDS, type MamlKind } from '../../engine/meta/learner';
import { formatProgress } from '../../engine/meta/trainer';
import { runMamlRecipe } from '../../engine/training/mamlRecipe';
import { selectBackend, type BackendChoice } from '../../engine/tf/backend';

const RECIPES: Record<string, { holdout: string[]; extra: string[]; model: () => string }> = {
  holdout: { holdout: ['banking', 'credit_cards', 'work'], extra: [], model: () => path.join(packageRoot(), 'out', 'models-holdout') },
  // Only data whose licence allows shipping a derived model (data/README.md): CLINC150
  // (CC BY 3.0) and FewRel's Wikipedia and PubMed sets (MIT). Not SNIPS, TREC, Reuters, FewRel NYT.
  shipped: { holdout: [], extra: ['fewrel_wiki.val.jsonl', 'fewrel_pubmed.val.jsonl'], model: defaultModelDir },
};

export const metaTrainMamlCommand: Command = {
  name: 'meta-train-maml',
  summary: 'meta-train a MAML-family model (maml, fomaml, metasgd, protomaml) into <model>/maml/<kind>/',
  usage: 'fewshot meta-train-maml --kind protomaml|maml|fomaml|metasgd --recipe holdout|shipped [--steps N] [--out DIR] [--resume]',
  description:
    'Meta-trains an MLP initialisation (exact second-order gradients except for fomaml) on 5-way 1- and 5-shot episodes ' +
    'drawn within one CLINC150 domain or one extra data set, validates on the classes of auto_and_commute (never trained on), ' +
    'and writes the best step to <out>/maml/<kind>/. The model folder must already hold the main checkpoint ' +
    '(`fewshot meta-train`): its corpus centre defines the inputs.',
  options: [
    { name: 'kind', type: 'string', placeholder: 'kind', help: 'which MAML variant', choices: [...MAML_KINDS], default: 'protomaml' },
    ...trainingOptions({
      recipes: Object.keys(RECIPES),
      outHelp: 'model folder (default: models/ for shipped, out/models-holdout for holdout)',
      workHelp: 'training state folder (default <out>/.training/maml-<kind>)',
      steps: 300,
      stepsHelp: 'outer steps (4 tasks each)',
      evalEvery: 50,
      validationEpisodes: 100,
      validationHelp: 'validation episodes per shot count',
      backend: 'wasm',
      backendHelp: 'TensorFlow.js backend',
    }),
  ],
  async run(args, io) {
    if (args.positional.length) throw new UsageError(`unexpected argument "${args.positional[0]}"`);
    const kind = (args.string('kind') ?? 'protomaml') as MamlKind;
    const name = args.string('recipe') ?? 'shipped';
    const recipe = RECIPES[name];
    const dataDir = trainingDataDir(args);
    const modelDir = path.resolve(args.string('out') ?? recipe.model());
    const model = loadModel(modelDir);
    const backend = await selectBackend((args.string('backend') ?? 'wasm') as BackendChoice, (m) => line(io.stderr, m));
    line(io.stderr, `meta-train-maml ${kind}, recipe ${name}: backend ${backend.name}, data ${dataDir}, model ${modelDir}`);
    const evalEvery = args.number('eval-every') ?? 50;
    const tty = Boolean((io.stderr as { isTTY?: boolean }).isTTY);
    await runMamlRecipe({
      kind,
      dataDir,
      holdoutDomains: recipe.holdout,
      validationDomains: ['auto_and_commute'],
      extraTrainFiles: recipe.extra,
      model: { encoder: model.encoder, vectorsSha256: model.vectors.sha256, sifSha256: model.sifSha256, corpusCentre: model.corpusCentre },
      modelDir,
      workDir: path.resolve(args.string('work') ?? path.join(modelDir, '.training', `maml-${kind}`)),
      steps: args.number('steps') ?? 300,
      evalEvery,
      seed: args.number('seed') ?? 1,
      resume: args.flag('resume'),
      validationEpisodes: args.number('validation-episodes') ?? 100,
      onProgress: (p) => {
        const text = formatProgress(p);
        if (tty) io.stderr.write(`\r${text}`);
        else if (p.step % evalEvery === 0 || p.step === p.steps) line(io.stderr, text);
      },
      log: (m) => line(io.stderr, `${tty ? '\n' : ''}${m}`),
    });
    return EXIT_OK;
  },
};
