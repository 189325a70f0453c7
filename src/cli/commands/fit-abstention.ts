// `fewshot fit-abstention`: fits the rule that reports "no label" (models/abstention.json) on
// open-set episodes of CLINC150 training domains (short queries) and, with --extra, of the FewRel
// sets the model may ship from (longer sentences); the held-out CLINC150 domains are never read.
import fs from 'node:fs';
import path from 'node:path';
import { readExamples } from '../../engine/data';
import { labelsOfDomains, readDomainMap } from '../../engine/episodes';
import { ABSTAIN_FEATURES } from '../../engine/abstention/abstainer';
import { buildMethods } from '../../engine/methods';
import { ABSTENTION_FILE, loadModel, saveAbstention } from '../../engine/model';
import { collectAbstentionSamples, fitRule } from '../../engine/abstention/fit';
import { type ParsedArgs, UsageError } from '../args';
import { CliError, EXIT_OK } from '../errors';
import { line } from '../io';
import { defaultModelDir } from '../paths';
import { selectBackend } from '../../engine/tf/backend';
import type { Command } from './command';

export const fitAbstentionCommand: Command = {
  name: 'fit-abstention',
  summary: "fit the rule that reports 'none' for lines unlike every label (writes <model>/abstention.json)",
  usage: 'fewshot fit-abstention --data DIR [options]',
  description: [
    "Runs the model's default method on open-set episodes of CLINC150 training domains (every domain but the held-out ones)",
    'and of the --extra sets (each one group: longer lines than the queries),',
    "records each query line's signals (max probability, margin, energy, nearest labeled line, nearest prototype, each",
    're-centred on the labeled lines), fits a logistic model of "out of scope" on them and sets its threshold to keep',
    '--keep of the in-scope training lines (one threshold; with --threshold context one per labeled lines per label, labels, line length). The plain',
    'max-probability threshold is fitted the same way, as the baseline.',
    '',
    'Example (regenerates the shipped rules):',
    '  fewshot fit-abstention --data data',
    'The threshold per context as measured in docs/accuracy.md (not shipped):',
    '  fewshot fit-abstention --data data --threshold context --extra fewrel_wiki.val.jsonl,fewrel_pubmed.val.jsonl \\',
    '    --way 3,5,8,12,20 --episodes 600 --distractors 0,1',
  ].join('\n'),
  options: [
    { name: 'data', type: 'string', placeholder: 'dir', help: 'folder with clinc150.train.jsonl and clinc150.domains.json (required)' },
    { name: 'model', type: 'string', placeholder: 'dir', help: 'model folder; default: the shipped models/' },
    { name: 'out', type: 'string', placeholder: 'file', help: `where to write the rules (default <model>/${ABSTENTION_FILE})` },
    {
      name: 'holdout-domains',
      type: 'list',
      default: ['banking', 'credit_cards', 'work'],
      placeholder: 'd,d',
      help: 'CLINC150 domains never used',
    },
    {
      name: 'extra',
      type: 'list',
      default: ['none'],
      placeholder: 'f,f',
      help: "more sets in --data, one group each, e.g. fewrel_wiki.val.jsonl (only sets whose licence allows shipping the rule); 'none': CLINC150 alone",
    },
    { name: 'episodes', type: 'int', min: 1, default: 420, help: 'training episodes' },
    {
      name: 'shot',
      type: 'int-list',
      min: 1,
      default: [1, 2, 3, 5, 10],
      placeholder: 'k,k',
      help: 'shot counts the episodes cycle through',
    },
    {
      name: 'way',
      type: 'int-list',
      min: 2,
      default: [3, 5, 8],
      placeholder: 'n,n',
      help: 'labels per episode, cycled through likewise (each group only those it has labels to spare for)',
    },
    { name: 'open-set', type: 'number', min: 0.01, default: 0.25, help: 'fraction of query lines that fit no label' },
    {
      name: 'distractors',
      type: 'int-list',
      min: 0,
      default: [1],
      placeholder: 'r,r',
      help: "other labels' lines in the pool per query line, cycled through (0: the pool is the judged lines, as in a file)",
    },
    { name: 'keep', type: 'number', min: 0.5, default: 0.92, help: 'fraction of in-scope training lines the threshold keeps' },
    {
      name: 'threshold',
      type: 'string',
      choices: ['single', 'context'],
      default: 'single',
      help: 'one threshold (format 1, shipped) or one per context: lines per label, labels, line length (format 2)',
    },
    { name: 'seed', type: 'int', default: 1, help: 'seed of the episodes' },
  ],
  async run(args, io) {
    if (args.positional.length) throw new UsageError(`unexpected argument "${args.positional[0]}"`);
    const dataDir = args.string('data');
    if (!dataDir) throw new UsageError('missing --data DIR (the folder with clinc150.train.jsonl)');
    const trainFile = path.join(dataDir, 'clinc150.train.jsonl');
    const mapFile = path.join(dataDir, 'clinc150.domains.json');
    for (const f of [trainFile, mapFile]) if (!fs.existsSync(f)) throw new CliError(`${f} not found (pass --data)`);
    const modelDir = path.resolve(args.string('model') ?? defaultModelDir());
    const model = loadModel(modelDir);
    // The methods' registry also holds the tfjs-based MAML methods: they need a backend.
    await selectBackend('cpu', (m) => line(io.stderr, m));
    const method = buildMethods(model).get('default');
    if (!method) throw new CliError(`the model in ${modelDir} has no default method`);
    const groups = trainingGroups(await readExamples(trainFile), readDomainMap(mapFile), args);
    const extra = args.need<string[]>('extra').filter((f) => f !== 'none');
    for (const name of extra) {
      const file = path.join(dataDir, name);
      if (!fs.existsSync(file)) throw new CliError(`${file} not found (--extra names files in --data)`);
      groups.push({ name, examples: await readExamples(file) });
    }
    const keep = args.need<number>('keep');
    const ratio = args.need<number>('open-set');
    if (ratio >= 1) throw new UsageError(`--open-set must be below 1 (got ${ratio})`);
    // What the episodes are like; recorded in the file as it is.
    const spec = {
      episodes: args.need<number>('episodes'),
      shots: args.need<number[]>('shot'),
      ways: args.need<number[]>('way'),
      query: 15,
      openSetRatio: ratio,
      distractorRatios: args.need<number[]>('distractors'),
    };
    const tty = Boolean((io.stderr as { isTTY?: boolean }).isTTY);
    const samples = collectAbstentionSamples({
      groups: groups.map((g) => g.examples),
      method,
      centre: model.corpusCentre,
      encode: (t) => model.encoder.encode(t),
      ...spec,
      seed: args.need<number>('seed'),
      onProgress: (e, n) => {
        if (tty) io.stderr.write(`\rfit-abstention: episode ${e}/${n}`);
        else if (e === n || e % 100 === 0) line(io.stderr, `fit-abstention: episode ${e}/${n}`);
      },
    });
    if (tty) io.stderr.write('\n');
    const byContext = args.need<string>('threshold') === 'context';
    const learned = fitRule(samples, [...ABSTAIN_FEATURES], keep, byContext);
    const confidence = fitRule(samples, ['maxProb'], keep, byContext);
    const out = path.resolve(args.string('out') ?? path.join(modelDir, ABSTENTION_FILE));
    fs.mkdirSync(path.dirname(out), { recursive: true });
    saveAbstention(out, {
      format: 'fewshot-abstention',
      formatVersion: byContext ? 2 : 1,
      method: method.name,
      rules: { learned, confidence },
      fitted: {
        data: extra.length ? [path.basename(trainFile), ...extra] : path.basename(trainFile),
        groups: groups.map((g) => g.name),
        excludedDomains: args.need<string[]>('holdout-domains'),
        ...spec,
        keep,
        lines: samples.outOfScope.length,
      },
    });
    line(
      io.stdout,
      `wrote ${out}: learned weights ${learned.weights.map((w) => w.toFixed(2)).join(', ')} (${learned.features.join(', ')})`,
    );
    return EXIT_OK;
  },
};

/**
 * Episodes are drawn within groups of three neighbouring training domains, as the held-out set is
 * three domains: out-of-scope lines are then partly from the episode's own domain, partly not.
 */
function trainingGroups(examples: Awaited<ReturnType<typeof readExamples>>, domains: Map<string, string>, args: ParsedArgs) {
  const excluded = new Set(args.need<string[]>('holdout-domains'));
  const train = [...new Set(domains.values())].filter((d) => !excluded.has(d)).sort();
  if (train.length === 0) throw new CliError('no training domains left after --holdout-domains');
  const size = Math.min(3, train.length);
  return train.map((_, i) => {
    const names = Array.from({ length: size }, (_, k) => train[(i + k) % train.length] as string);
    const labels = new Set(labelsOfDomains(domains, names));
    return { name: names.join('+'), examples: examples.filter((ex) => labels.has(ex.label)) };
  });
}
