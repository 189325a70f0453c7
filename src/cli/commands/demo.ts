// `fewshot demo`: the whole idea in one screen. Two labeled lines per label in a document of
// support tickets; every other line gets a label and a confidence.
import fs from 'node:fs';
import path from 'node:path';
import { type LinePrediction, namedPredictions } from '../../engine/engine';
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
    'and confidence. With --file and --labels it does the same for your own document.',
  ].join('\n'),
  options: [
    { name: 'file', type: 'string', placeholder: 'text file', help: 'document to label (default: the bundled tickets)' },
    { name: 'labels', type: 'string', placeholder: 'file.jsonl', help: 'its labeled lines (default: the bundled labels)' },
    { name: 'method', type: 'string', default: 'default', placeholder: 'name', help: 'method (see `fewshot info`)' },
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
      return EXIT_OK;
    } finally {
      engine.dispose();
    }
  },
};

const ms = (x: number) => `${Math.round(x)} ms`;

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
