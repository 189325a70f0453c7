// `fewshot eval`: episodic evaluation of methods on a JSONL data set.
import fs from 'node:fs';
import path from 'node:path';
import type { EngineApi } from '../../engine/engine';
import type { EncodedLines, Example } from '../../engine/types';
import type { Centre } from '../../engine/learners/featureView';
import { readExamples } from '../../engine/data';
import { readDomainMap, selectLabels, splitByDomains } from '../../engine/episodes';
import {
  type EncodeFn,
  type EvalMethod,
  evaluate,
  isTextMethod,
  formatOpenSetReport,
  formatReport,
  type OpenSetOptions,
} from '../../engine/eval';
import { evaluateMultiLabel, formatMultiLabelReport, multiLabelTexts } from '../../engine/eval/multiLabel';
import { sentenceMethod, sentenceMultiLabelMethodNamed } from '../../engine/eval/sentenceBlock';
import { LogregMethod } from '../../engine/learners/adaptation';
import { multiLabelWithoutSentence } from '../../engine/learners/multiLabelMethods';
import type { ClauseInput } from '../../engine/learners/multiLabelClauses';
import { multiLabelHyper } from '../../engine/multiLabel';
import { augmentLines, type SentenceLayout, withoutSentence } from '../../engine/learners/sentenceBlock';
import { SentenceEncoder } from '../../engine/sentence/encoder';
import { type ParsedArgs, UsageError } from '../args';
import { openEngine, ENGINE_OPTIONS } from '../engine-loader';
import { CliError, EXIT_OK } from '../errors';
import { line, type CliIo } from '../io';
import { isPeer, resolveMethods } from '../methods';
import type { Command } from './command';

export const evalCommand: Command = {
  name: 'eval',
  summary: 'accuracy of few-shot methods on N-way K-shot episodes of a JSONL data set',
  usage: 'fewshot eval --data FILE.jsonl [options]',
  description: [
    'Samples seeded episodes from a {"text","label"} JSONL file and reports the mean query accuracy',
    'with a 95% confidence interval. Every method sees the same episodes (paired comparison).',
    'Transductive methods also get an unlabeled pool: the queries mixed with as many lines of labels',
    'outside the episode; their inductive variant is added beside them automatically.',
    'Peers that need no engine: natural-bayes, natural-logreg, char-tfidf (character uni+bigram TF-IDF prototypes).',
    '',
    'Example:',
    '  fewshot eval --data data/clinc150.test.jsonl --holdout-domains banking,credit_cards,work \\',
    '    --way 5 --shot 1,5 --methods default,natural-logreg --baseline natural-logreg',
  ].join('\n'),
  options: [
    { name: 'data', type: 'string', placeholder: 'file.jsonl', help: 'data set, one {"text","label"} per line (required)' },
    { name: 'way', type: 'string', default: '5', placeholder: 'n|all', help: 'classes per episode, or all (every label in every episode)' },
    {
      name: 'shots-from',
      type: 'string',
      placeholder: 'file.jsonl',
      help: 'draw the shots from this file (e.g. a train split) and the queries from --data',
    },
    { name: 'shot', type: 'int-list', min: 1, default: [1, 5], placeholder: 'k,k', help: 'labeled examples per class, one or more' },
    { name: 'query', type: 'int', min: 1, default: 15, help: 'query examples per class' },
    { name: 'episodes', type: 'int', min: 1, max: 1_000_000, default: 600, help: 'episodes per shot count' },
    { name: 'seed', type: 'int', default: 1, help: 'seed of the episode sampler' },
    { name: 'methods', type: 'list', default: ['default'], placeholder: 'a,b', help: 'methods to compare' },
    { name: 'baseline', type: 'string', placeholder: 'method', help: "also report each method's paired gain over this one" },
    { name: 'labels', type: 'list', placeholder: 'a,b', help: 'evaluate on these labels only' },
    { name: 'holdout-domains', type: 'list', placeholder: 'd,d', help: 'evaluate on the labels of these CLINC150 domains only' },
    {
      name: 'domains',
      type: 'string',
      placeholder: 'file.json',
      help: 'label -> domain map (default: clinc150.domains.json beside the data)',
    },
    { name: 'distractors', type: 'number', min: 0, default: 1, help: 'distractor lines per query line in the transductive pool' },
    { name: 'no-label-names', type: 'boolean', help: 'do not give methods the label names (by default they may use them as examples)' },
    {
      name: 'open-set',
      type: 'number',
      min: 0.01,
      placeholder: 'R',
      help:
        'open-set episodes: R (e.g. 0.25) of the query lines fit no label; ' +
        "reports the model's abstention rule beside the confidence threshold",
    },
    {
      name: 'oos-file',
      type: 'string',
      placeholder: 'file.jsonl',
      help: 'with --open-set: draw those lines from this file (e.g. clinc150.oos.jsonl) instead of labels outside the episode',
    },
    {
      name: 'calibrate-abstention',
      type: 'boolean',
      help: 'with --open-set: also measure the learned rule with its threshold raised per episode from held-out labeled lines (learned+document)',
    },
    {
      name: 'sentence',
      type: 'boolean',
      help:
        'add the sentence block (docs/sentence.md): methods sentence-logreg, both-logreg[@W], default+sentence@W, ' +
        "default+sentence (the model's procedure meta-learned with the block); " +
        "the other methods see today's features as usual; with --multi-label: default+sentence@W",
    },
    {
      name: 'sentence-cache',
      type: 'string',
      placeholder: 'dir',
      help: 'with --sentence: keep the sentence vectors in this folder between runs',
    },
    {
      name: 'multi-label',
      type: 'boolean',
      help:
        'multi-label episodes built by joining utterances of different labels with "and" (docs/multilabel.md); ' +
        'methods: default, default-inductive, ovr-fixed, proto-threshold; reports micro-F1, macro-F1, exact match',
    },
    {
      name: 'intents',
      type: 'int-list',
      min: 1,
      default: [2, 3],
      placeholder: 'lo,hi',
      help: 'with --multi-label: intents per query line',
    },
    {
      name: 'support-intents',
      type: 'int-list',
      min: 1,
      placeholder: 'lo,hi',
      help: 'with --multi-label: intents per support line (default: as --intents; 1,1 for single-intent support lines)',
    },
    ...ENGINE_OPTIONS,
    { name: 'json', type: 'boolean', help: 'print one JSON object on stdout (progress still goes to stderr)' },
  ],
  async run(args, io) {
    const dataFile = args.string('data');
    if (!dataFile) throw new UsageError('missing --data FILE.jsonl');
    if (args.positional.length) throw new UsageError(`unexpected argument "${args.positional[0]}"`);
    const examples = restrictClasses(await readExamples(dataFile), args, dataFile);
    const shotsFile = args.string('shots-from');
    const shotsFrom = shotsFile ? restrictClasses(await readExamples(shotsFile), args, dataFile) : undefined;
    const wayText = args.need<string>('way');
    const way = wayText === 'all' ? 'all' : Number(wayText);
    if (way !== 'all' && (!Number.isInteger(way) || way < 2))
      throw new UsageError(`--way must be an integer >= 2 or all (got "${wayText}")`);
    if (args.flag('multi-label')) return runMultiLabel(args, io, dataFile, examples, shotsFrom, way);
    const names = args.need<string[]>('methods');
    const needsEngine = names.some((n) => !isPeer(n));
    const useSentence = args.flag('sentence');
    if (useSentence && !needsEngine) throw new UsageError('--sentence needs an engine method');
    const engine = needsEngine ? await openEngine(args, io, args.flag('json')) : undefined;
    try {
      const sentence =
        useSentence && engine
          ? await sentenceSetup(
              engine,
              [...new Set([examples, shotsFrom ?? []].flatMap((set) => set.flatMap((ex) => [ex.text, ex.label])))],
              args,
              io,
              (centre, layout) => sentenceMethods(engine, names, centre, layout),
            )
          : undefined;
      const methods = sentence?.methods ?? resolveMethods(engine, names);
      const baseline = args.string('baseline');
      if (baseline && !methods.some((m) => m.name === baseline)) {
        throw new UsageError(`--baseline "${baseline}" is not one of the methods (${methods.map((m) => m.name).join(', ')})`);
      }
      const openSet = await openSetOptions(args, engine);
      const progress = progressPrinter(io);
      const report = evaluate({
        data: path.basename(dataFile),
        examples,
        way,
        ...(shotsFrom ? { shotsFrom } : {}),
        shots: args.need<number[]>('shot'),
        query: args.need<number>('query'),
        episodes: args.need<number>('episodes'),
        seed: args.need<number>('seed'),
        distractorRatio: args.need<number>('distractors'),
        useLabelNames: !args.flag('no-label-names'),
        methods,
        encode: sentence?.encode ?? (engine ? (texts) => engine.encode(texts) : noEncoder),
        ...(baseline ? { baseline } : {}),
        ...(openSet ? { openSet } : {}),
        onProgress: progress.update,
      });
      progress.done();
      if (args.flag('json')) line(io.stdout, JSON.stringify(withEngine(report, engine)));
      else {
        line(io.stdout, formatReport(report));
        if (report.openSet) line(io.stdout, `\n${formatOpenSetReport(report)}`);
        if (engine) line(io.stdout, `backend ${engine.info().backend}, model ${engine.info().model}`);
      }
      return EXIT_OK;
    } finally {
      engine?.dispose();
    }
  },
};

/** `--multi-label`: the multi-intent episodes of eval/multiLabel.ts, on the engine's multi-label methods. */
async function runMultiLabel(
  args: ParsedArgs,
  io: CliIo,
  dataFile: string,
  examples: Example[],
  shotsFrom: Example[] | undefined,
  way: number | 'all',
): Promise<number> {
  if (way === 'all') throw new UsageError('--multi-label needs a number of labels per episode (--way N)');
  for (const flag of ['open-set', 'oos-file', 'calibrate-abstention']) {
    if (args.has(flag)) throw new UsageError(`--${flag} does not apply to --multi-label`);
  }
  const range = (name: string, value: number[]): [number, number] => {
    if (value.length === 1) return [value[0]!, value[0]!];
    if (value.length !== 2) throw new UsageError(`--${name} takes lo,hi (got ${value.join(',')})`);
    return [value[0]!, value[1]!];
  };
  const intents = range('intents', args.need<number[]>('intents'));
  const supportIntents = range('support-intents', args.ints('support-intents') ?? intents);
  const engine = await openEngine(args, io, args.flag('json'));
  try {
    const available = engine.multiLabelMethods?.();
    if (!available) throw new CliError('this engine has no multi-label methods');
    const names = args.need<string[]>('methods');
    const known = (name: string) => {
      const method = available.get(name);
      if (!method) throw new UsageError(`unknown multi-label method "${name}"; available: ${[...available.keys()].join(', ')}`);
      return method;
    };
    const episodes = {
      examples,
      ...(shotsFrom ? { shotsFrom } : {}),
      spec: { way, query: args.need<number>('query'), intents, supportIntents, distractorRatio: args.need<number>('distractors') },
      shots: args.need<number[]>('shot'),
      episodes: args.need<number>('episodes'),
      seed: args.need<number>('seed'),
    };
    const sentence = args.flag('sentence')
      ? await sentenceSetup(engine, multiLabelTexts(episodes), args, io, (centre, layout) => {
          const base = engine.method('default');
          if (!(base instanceof LogregMethod)) throw new CliError('the engine has no default regression to build on');
          const hp = multiLabelHyper(base.hyper);
          return names.map((name) => {
            try {
              const sentenceMethod = sentenceMultiLabelMethodNamed(name, centre, hp, layout);
              if (sentenceMethod) return sentenceMethod;
              const method = known(name);
              // A method that reads texts encodes its own clauses (texts the episodes never embedded) with today's encoder.
              if ('adaptTexts' in method)
                return { ...method, adaptTexts: (input: ClauseInput) => method.adaptTexts(input, (t) => engine.encode(t)) };
              return multiLabelWithoutSentence(method, layout);
            } catch (e) {
              throw e instanceof UsageError ? e : new UsageError((e as Error).message);
            }
          });
        })
      : undefined;
    const methods = sentence?.methods ?? names.map(known);
    const baseline = args.string('baseline');
    const progress = progressPrinter(io);
    const report = evaluateMultiLabel({
      data: path.basename(dataFile),
      ...episodes,
      methods,
      encode: sentence?.encode ?? ((texts) => engine.encode(texts)),
      useLabelNames: !args.flag('no-label-names'),
      ...(baseline ? { baseline } : {}),
      onProgress: progress.update,
    });
    progress.done();
    if (args.flag('json')) line(io.stdout, JSON.stringify(withEngine(report, engine)));
    else line(io.stdout, formatMultiLabelReport(report));
    return EXIT_OK;
  } finally {
    engine.dispose();
  }
}

const SENTENCE_PREFIXES = ['sentence-logreg', 'both-logreg', 'default+sentence'];

/**
 * --sentence: embeds every text the episodes can draw (lines and label names) once, up front (the
 * encoder is asynchronous, the evaluator is not), and hands out lines with the sentence block.
 */
async function sentenceSetup<M>(
  engine: EngineApi,
  texts: string[],
  args: ParsedArgs,
  io: CliIo,
  build: (centre: Centre, layout: SentenceLayout) => M[],
) {
  const cacheDir = args.string('sentence-cache');
  // Only this run's texts are needed in memory: they are gathered below.
  const encoder = await SentenceEncoder.load({ memoryEntries: 0, ...(cacheDir ? { cacheDir, cacheBytes: 512e6 } : {}) });
  try {
    const dim = encoder.dim;
    const layout: SentenceLayout = { wordDim: engine.encode(['']).wordDim, sentenceDim: dim };
    const centre = engine.abstention?.()?.centre;
    if (!centre) throw new CliError(`the model ${engine.info().model} has no corpus centre`);
    // Names are checked before the (slow) embedding.
    const methods = build(centre, layout);
    const started = performance.now();
    const vectors = await encoder.embed(texts);
    encoder.flush();
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    io.stderr.write(`eval: sentence block: ${texts.length} texts, ${encoder.modelLines} embedded in ${seconds} s\n`);
    const row = new Map(texts.map((t, i) => [t, vectors.subarray(i * dim, (i + 1) * dim)]));
    const encode: EncodeFn = (batch) => {
      const out = new Float32Array(batch.length * dim);
      batch.forEach((t, i) => {
        const v = row.get(t);
        if (!v) throw new CliError(`internal: no sentence vector for ${JSON.stringify(t)}`);
        out.set(v, i * dim);
      });
      return augmentLines(engine.encode(batch), out, dim);
    };
    return { encode, methods };
  } finally {
    encoder.dispose();
  }
}

/** The sentence methods by name; every other method sees today's features of the augmented lines. */
function sentenceMethods(engine: EngineApi, names: string[], centre: Centre, layout: SentenceLayout): EvalMethod[] {
  const own = names.filter((n) => SENTENCE_PREFIXES.some((p) => n.startsWith(p)));
  const rest = resolveMethods(
    engine,
    names.filter((n) => !own.includes(n)),
  ).map((m) => (isTextMethod(m) ? m : withoutSentence(m, layout)));
  const built = own.map((n) => {
    try {
      return sentenceMethod(n, (m) => engine.method(m), centre, layout, engine.sentenceProcedure?.());
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  });
  const unknown = own.find((_, i) => !built[i]);
  if (unknown) throw new UsageError(`unknown sentence method "${unknown}" (sentence-logreg, both-logreg[@W], default+sentence[@W])`);
  return [...rest, ...built.filter((m) => m !== undefined)];
}

/** --open-set / --oos-file: the ratio, the out-of-scope lines, and the model's rules (learned first, then the baseline). */
async function openSetOptions(args: ParsedArgs, engine: EngineApi | undefined): Promise<OpenSetOptions | undefined> {
  const ratio = args.number('open-set');
  const oosFile = args.string('oos-file');
  if (ratio === undefined) {
    if (oosFile) throw new UsageError('--oos-file needs --open-set R');
    return undefined;
  }
  if (ratio >= 1) throw new UsageError(`--open-set must be below 1 (got ${ratio})`);
  if (!engine) throw new UsageError('--open-set needs an engine method (the natural-* peers give no probabilities)');
  const model = engine.abstention?.();
  if (!model?.rules) {
    throw new CliError(
      `the model ${engine.info().model} has no abstention rules (abstention.json): fit them with \`fewshot fit-abstention --data DIR\``,
    );
  }
  const outOfScope = oosFile ? await readExamples(oosFile) : undefined;
  if (outOfScope && outOfScope.length === 0) throw new CliError(`${oosFile} has no lines`);
  return {
    ratio,
    ...(outOfScope ? { outOfScope } : {}),
    rules: [
      { name: 'learned', params: model.rules.learned },
      ...(args.flag('calibrate-abstention') ? [{ name: 'learned+document', params: model.rules.learned, calibrate: true }] : []),
      { name: 'confidence', params: model.rules.confidence },
    ],
    centre: model.centre,
  };
}

function noEncoder(): EncodedLines {
  throw new CliError('internal: a method asked for encodings but no engine is loaded');
}

function withEngine<T extends object>(report: T, engine: EngineApi | undefined) {
  if (!engine) return report;
  const info = engine.info();
  return { ...report, engine: { backend: info.backend, model: info.model, modelHash: info.modelHash } };
}

/** --labels and --holdout-domains narrow the classes evaluated on. */
function restrictClasses(examples: Example[], args: ParsedArgs, dataFile: string): Example[] {
  let out = examples;
  const labels = args.list('labels');
  if (labels) out = selectLabels(out, labels);
  const domains = args.list('holdout-domains');
  if (domains) {
    const mapFile = args.string('domains') ?? path.join(path.dirname(dataFile), 'clinc150.domains.json');
    if (!fs.existsSync(mapFile))
      throw new CliError(`--holdout-domains needs a label -> domain map; ${mapFile} not found (pass --domains FILE)`);
    out = splitByDomains(out, readDomainMap(mapFile), domains).heldOut;
    if (out.length === 0) throw new CliError(`no examples of ${dataFile} belong to the domains ${domains.join(', ')}`);
  }
  return out;
}

/** A self-updating line on terminals; a line per shot count elsewhere. */
function progressPrinter(io: CliIo) {
  let lastShot = -1;
  let lastDraw = 0;
  return {
    update({ shot, episode, episodes }: { shot: number; episode: number; episodes: number }) {
      if (io.stderrIsTTY) {
        const now = Date.now();
        if (now - lastDraw < 100 && episode !== episodes) return;
        lastDraw = now;
        io.stderr.write(`\r\x1b[Keval: ${shot}-shot episode ${episode}/${episodes}`);
      } else if (shot !== lastShot) {
        io.stderr.write(`eval: ${shot}-shot, ${episodes} episodes\n`);
      }
      lastShot = shot;
    },
    done() {
      if (io.stderrIsTTY) io.stderr.write('\r\x1b[K');
    },
  };
}
