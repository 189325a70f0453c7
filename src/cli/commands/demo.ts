// `fewshot demo`: the whole idea in one screen. Two labeled lines per label in a document of
// support tickets; every other line gets a label and a confidence. Then the loop that makes the
// product worth using: a few rounds in which the lines Next Uncertain Line would pick get their
// reference labels (as a person reviewing them would give), with the agreement after each round.
import fs from 'node:fs';
import path from 'node:path';
import { type AdaptedModel, type EngineApi, type LinePrediction, namedPredictions } from '../../engine/engine';
import { leastCertainLines } from '../../engine/review';
import type { Example } from '../../engine/types';
import { readExamples, readLabelFile, readLines } from '../../engine/data';
import { UsageError } from '../args';
import { openEngine, ENGINE_OPTIONS } from '../engine-loader';
import { EXIT_OK } from '../errors';
import { line, type CliIo } from '../io';
import { MAX_LINE_CHARS } from '../lines';
import { demoDir } from '../paths';
import { makeStyle, truncate, type Style } from '../style';
import type { Command } from './command';

export const demoCommand: Command = {
  name: 'demo',
  summary: 'label a sample document of support tickets from two examples per label',
  usage: 'fewshot demo [options]',
  description: [
    'Reads samples/demo/tickets.txt (90 support tickets) and samples/demo/labels.jsonl (12 of them',
    'labeled by hand, 2 per label), adapts the model, and prints every line with its predicted label',
    'and confidence. Then, while the reference labels (samples/demo/tickets.gold.jsonl) are there, it',
    'plays the labeling loop: each round the lines Next Uncertain Line would pick get their reference',
    'label and the model adapts again; the agreement after each round is charted. With --file and',
    '--labels it labels your own document (one round: there are no reference labels to review with).',
  ].join('\n'),
  options: [
    { name: 'file', type: 'string', placeholder: 'text file', help: 'document to label (default: the bundled tickets)' },
    { name: 'labels', type: 'string', placeholder: 'file.jsonl', help: 'its labeled lines (default: the bundled labels)' },
    { name: 'method', type: 'string', default: 'default', placeholder: 'name', help: 'method (see `fewshot info`)' },
    { name: 'rounds', type: 'int', min: 0, default: 4, placeholder: 'n', help: 'review rounds after the first (0: none)' },
    { name: 'per-round', type: 'int', min: 1, default: 3, placeholder: 'n', help: 'least certain lines reviewed per round' },
    ...ENGINE_OPTIONS,
  ],
  async run(args, io) {
    if (args.positional.length) throw new UsageError(`unexpected argument "${args.positional[0]}"`);
    if (args.has('file') !== args.has('labels')) throw new UsageError('--file and --labels go together');
    const file = args.string('file') ?? path.join(demoDir(), 'tickets.txt');
    const labelsFile = args.string('labels') ?? path.join(demoDir(), 'labels.jsonl');
    const goldFile = args.has('file') ? undefined : path.join(demoDir(), 'tickets.gold.jsonl');

    const labelSet = await readLabelFile(labelsFile);
    const document: string[] = [];
    for await (const { text } of readLines(file)) document.push(text.trim().slice(0, MAX_LINE_CHARS));
    const labeledAs = new Map(labelSet.examples.map((ex) => [ex.text.trim(), ex.label]));
    const unlabeled = [...new Set(document.filter((t) => t !== '' && !labeledAs.has(t)))];
    if (unlabeled.length === 0) throw new UsageError(`${file} has no unlabeled lines to classify`);

    const loadStarted = performance.now();
    const engine = await openEngine(args, io);
    try {
      const loadMs = performance.now() - loadStarted;
      const model = engine.adapt(labelSet.examples, { method: args.need<string>('method'), pool: unlabeled });
      const classifyStarted = performance.now();
      const predictions = new Map(namedPredictions(model, unlabeled).map((p, i) => [unlabeled[i] as string, p]));
      const classifyMs = performance.now() - classifyStarted;

      const style = makeStyle(io.stdoutIsTTY);
      const gold =
        goldFile && fs.existsSync(goldFile) ? new Map((await readExamples(goldFile)).map((ex) => [ex.text, ex.label])) : undefined;
      const labelIndex = new Map(model.labels.map((l, i) => [l, i]));
      const title =
        `${path.basename(file)}: ${document.filter((t) => t).length} lines, ` +
        `${labelSet.examples.length} labeled by hand (${model.labels.length} labels), ${unlabeled.length} to classify`;
      line(io.stdout, style.bold(title));
      line(io.stdout);
      printLines(io, style, document, labeledAs, predictions, labelIndex);
      line(io.stdout);
      line(io.stdout, countsLine(style, [...predictions.values()], model.labels, labelIndex));
      if (gold) line(io.stdout, agreementLine(style, predictions, gold));
      const info = engine.info();
      line(
        io.stdout,
        style.dim(
          `method ${model.method} · backend ${info.backend}${info.backendNote ? ` (${info.backendNote})` : ''} · model ${info.model}` +
            ` · load ${ms(loadMs)} · adapt ${ms(model.adaptMs)} · classify ${ms(classifyMs)} for ${unlabeled.length} lines`,
        ),
      );
      if (gold) {
        const rounds = reviewRounds(engine, model, labelSet.examples, unlabeled, gold, {
          rounds: args.need<number>('rounds'),
          perRound: args.need<number>('per-round'),
        });
        if (rounds.length > 1) printRounds(io, style, rounds, unlabeled.length);
      }
      return EXIT_OK;
    } finally {
      engine.dispose();
    }
  },
};

const ms = (x: number) => `${Math.round(x)} ms`;

interface Round {
  /** Lines labeled so far: the sample's own plus those reviewed in earlier rounds. */
  labeled: number;
  /** The document's lines that are right: reviewed lines (their label is the reference) and right predictions. */
  documentRight: number;
  /** The model's own predictions that agree with the reference, out of those it still makes. */
  predictedRight: number;
  predicted: number;
  /** The lines reviewed after this round (the least certain), in the order Next Uncertain Line visits them. */
  reviewedNext: string[];
}

/**
 * Round 1 is the model adapted to the sample's labels (`first`); each later round first gives the `perRound` least certain
 * lines of the previous round their reference label (what a person pressing Next Uncertain Line and
 * labeling would do), then adapts again. Only lines with a reference label are reviewed.
 */
function reviewRounds(
  engine: EngineApi,
  first: AdaptedModel,
  given: readonly Example[],
  unlabeled: readonly string[],
  gold: ReadonlyMap<string, string>,
  options: { rounds: number; perRound: number },
): Round[] {
  const reviewed: Example[] = [];
  const rounds: Round[] = [];
  for (let r = 0; r <= options.rounds; r++) {
    const reviewedTexts = new Set(reviewed.map((ex) => ex.text));
    const remaining = unlabeled.filter((t) => !reviewedTexts.has(t));
    if (remaining.length === 0) break;
    const model = r === 0 ? first : engine.adapt([...given, ...reviewed], { method: first.method, pool: remaining });
    const p = model.classify(remaining);
    let predictedRight = 0;
    remaining.forEach((text, i) => {
      if (gold.get(text) === model.labels[p.labelIndex[i] as number]) predictedRight++;
    });
    const next = leastCertainLines(p.uncertainty, (i) => gold.has(remaining[i] as string), options.perRound).map(
      (i) => remaining[i] as string,
    );
    rounds.push({
      labeled: given.length + reviewed.length,
      documentRight: reviewed.length + predictedRight,
      predictedRight,
      predicted: remaining.length,
      reviewedNext: next,
    });
    for (const text of next) reviewed.push({ text, label: gold.get(text) as string });
  }
  return rounds;
}

function printRounds(io: CliIo, style: Style, rounds: Round[], total: number): void {
  const perRound = rounds[0]?.reviewedNext.length ?? 0;
  line(io.stdout);
  line(io.stdout, style.bold(`The labeling loop: each round, the ${perRound} lines Next Uncertain Line picks get their reference label`));
  const barWidth = 30;
  line(io.stdout, style.dim(`round  labeled  document right        model's predictions right`));
  rounds.forEach((round, i) => {
    const share = round.documentRight / Math.max(1, total);
    const filled = Math.round(share * barWidth);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}`;
    const doc = `${round.documentRight}/${total} ${`${Math.round(100 * share)}%`.padStart(4)}`;
    const model = `${round.predictedRight}/${round.predicted} (${Math.round((100 * round.predictedRight) / Math.max(1, round.predicted))}%)`;
    line(io.stdout, `${String(i + 1).padStart(5)}  ${String(round.labeled).padStart(7)}  ${doc.padEnd(12)}  ${style.green(bar)}  ${model}`);
  });
  const first = rounds[0] as Round;
  const last = rounds[rounds.length - 1] as Round;
  line(
    io.stdout,
    `after ${rounds.length - 1} review rounds (${last.labeled - first.labeled} more lines labeled): ` +
      style.bold(`${last.documentRight} of ${total}`) +
      ` lines right, from ${first.documentRight}`,
  );
}

function printLines(
  io: CliIo,
  style: Style,
  document: string[],
  labeledAs: Map<string, string>,
  predictions: Map<string, LinePrediction>,
  labelIndex: Map<string, number>,
): void {
  const labelWidth = Math.max(5, ...[...labelIndex.keys()].map((l) => l.length));
  const numberWidth = String(document.length).length;
  const textWidth = io.stdoutIsTTY && io.columns ? Math.max(20, io.columns - numberWidth - labelWidth - 12) : Infinity;
  line(io.stdout, style.dim(`${'#'.padStart(numberWidth)}  ${'label'.padEnd(labelWidth)}  conf  text`));
  document.forEach((text, i) => {
    if (text === '') return;
    const n = String(i + 1).padStart(numberWidth);
    const given = labeledAs.get(text);
    const p = predictions.get(text);
    const label = given ?? p?.label ?? '?';
    const colouredLabel = style.label(label.padEnd(labelWidth), labelIndex.get(label) ?? 0);
    const conf = given !== undefined ? style.bold(' ✎  ') : confidenceCell(style, p?.confidence ?? 0);
    const shown = truncate(text, textWidth);
    line(io.stdout, `${n}  ${colouredLabel}  ${conf}  ${given !== undefined ? style.bold(shown) : shown}`);
  });
  line(io.stdout, style.dim(`${' '.repeat(numberWidth)}  ✎ = labeled by hand; conf = the model's probability for its label`));
}

function confidenceCell(style: Style, confidence: number): string {
  const text = `${Math.round(100 * (Number.isFinite(confidence) ? confidence : 0))}%`.padStart(4);
  return confidence >= 0.7 ? style.green(text) : confidence >= 0.4 ? style.yellow(text) : style.red(text);
}

function countsLine(style: Style, predictions: LinePrediction[], labels: string[], labelIndex: Map<string, number>): string {
  const counts = new Map(labels.map((l) => [l, 0]));
  for (const p of predictions) counts.set(p.label, (counts.get(p.label) ?? 0) + 1);
  return `predicted: ${[...counts].map(([l, c]) => `${style.label(l, labelIndex.get(l) ?? 0)} ${c}`).join(' · ')}`;
}

function agreementLine(style: Style, predictions: Map<string, LinePrediction>, gold: Map<string, string>): string {
  let checked = 0;
  let agree = 0;
  for (const [text, p] of predictions) {
    const g = gold.get(text);
    if (g === undefined) continue;
    checked++;
    if (g === p.label) agree++;
  }
  return (
    `agrees with the reference labels on ${style.bold(`${agree} of ${checked}`)} lines ` +
    `(${Math.round((100 * agree) / Math.max(1, checked))}%)`
  );
}
