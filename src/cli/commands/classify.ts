// `fewshot classify`: label every unlabeled line of files, streaming, in bounded memory.
import path from 'node:path';
import { ABSTENTION_MODES, type AbstentionMode, AUTO_MIN_SHOTS } from '../../engine/abstention/mode';
import { MAX_POOL, POOL_SEED, PoolSampler } from '../../engine/pool';
import { type AdaptedModel, type EngineApi, type LinePrediction, namedPredictions } from '../../engine/engine';
import { assertTextFile, readLabelFile } from '../../engine/data';
import { formatOfPath } from '../../engine/data/records';
import { writeLabeledDataset } from '../../engine/datasetFile';
import { UsageError } from '../args';
import { openEngine, ENGINE_OPTIONS } from '../engine-loader';
import { EXIT_OK } from '../errors';
import { writeChunk } from '../io';
import { emptyCounts, skipNotes, unlabeledLines, type LineCounts, type SourceLine } from '../lines';
import { canonicalMethod, isTransductive } from '../methods';
import type { Command } from './command';

export const classifyCommand: Command = {
  name: 'classify',
  summary: 'predict a label for every unlabeled line of one or more text files',
  usage: 'fewshot classify --labels labels.jsonl [options] FILE...',
  description: [
    'Adapts to the labeled lines of --labels ({"text","label"} per line; at least two labels) and writes',
    'one row per non-empty line of each FILE that is not itself a labeled line:',
    '  tsv:   file<TAB>line<TAB>label<TAB>confidence<TAB>text   (with a header row; tabs in text become spaces)',
    '  jsonl: {"file","line","label","confidence","uncertainty","text"}',
    '  dataset: one CSV, TSV or JSONL FILE written back in its own format, every field as written, with',
    '         label, label_source (label, prediction or none) and confidence added (as Export Dataset)',
    'A CSV, TSV or JSONL FILE is classified by record: its text column (detected from the values, as in',
    'the editor), each record numbered by its first line.',
    'Files of any size are streamed in batches; memory stays bounded.',
    'Transductive methods also learn from the text itself: their pool is a uniform, seeded reservoir',
    'sample of --pool-size non-empty lines (labeled ones included, as in the editor) taken in a first',
    'pass over all FILEs (so each file is read twice; a pipe, such as <(command), is read once: its',
    'lines are classified but not pooled).',
    'Inductive methods skip that pass. Lines already in --labels, empty lines and lines with NUL bytes',
    'are skipped (counts on stderr); lines over 20,000 characters are classified on their start.',
  ].join('\n'),
  options: [
    { name: 'labels', type: 'string', placeholder: 'file.jsonl', help: 'the labeled lines (required)' },
    {
      name: 'format',
      type: 'string',
      choices: ['tsv', 'jsonl', 'dataset'],
      default: 'tsv',
      placeholder: 'tsv|jsonl|dataset',
      help: 'output format',
    },
    { name: 'method', type: 'string', default: 'default', placeholder: 'name', help: 'method (see `fewshot info`)' },
    {
      name: 'pool-size',
      type: 'int',
      min: 0,
      default: MAX_POOL,
      placeholder: 'n',
      help: `unlabeled lines sampled for transductive methods (default: the engine's pool limit, ${MAX_POOL}); 0 = none`,
    },
    {
      name: 'abstain',
      type: 'string',
      choices: ABSTENTION_MODES,
      default: 'auto',
      placeholder: 'auto|on|off',
      help: `label lines unlike every label none: auto (once each label has ${AUTO_MIN_SHOTS}+ examples and a pool; threshold calibrated on them), on, off`,
    },
    {
      name: 'calibrate-abstention',
      type: 'boolean',
      help: 'with --abstain on: raise its threshold from the labeled lines, each scored held out, as auto does',
    },
    { name: 'seed', type: 'int', default: POOL_SEED, help: "seed of the pool sample (default: the engine's, as in the editor)" },
    { name: 'batch', type: 'int', min: 1, default: 8192, placeholder: 'n', help: 'lines classified and written per batch' },
    ...ENGINE_OPTIONS,
    { name: 'quiet', type: 'boolean', help: 'no notes or summary on stderr' },
  ],
  async run(args, io) {
    const labelsFile = args.string('labels');
    if (!labelsFile) throw new UsageError('missing --labels labels.jsonl');
    const files = [...args.positional];
    if (files.length === 0) throw new UsageError('no input FILE given');
    const quiet = args.flag('quiet');
    const format = args.need<'tsv' | 'jsonl' | 'dataset'>('format');
    const datasetFormat = files.length === 1 ? formatOfPath(files[0]!) : undefined;
    if (format === 'dataset' && !datasetFormat) throw new UsageError('--format dataset takes one CSV, TSV or JSONL FILE');
    const note = (m: string) => {
      if (!quiet) io.stderr.write(`${m}\n`);
    };

    // Check every input before the (slower) engine load.
    const labelSet = await readLabelFile(labelsFile);
    // A pipe can be read only once: it is classified, but left out of the pool pass.
    const regular: string[] = [];
    for (const file of files) if ((await assertTextFile(file)) === 'file') regular.push(file);
    if (labelSet.singletons.length)
      note(`note: only one example for ${labelSet.singletons.join(', ')}; more examples make predictions steadier`);

    const engine = await openEngine(args, io, quiet);
    try {
      const started = performance.now();
      const method = args.need<string>('method');
      const labeledTexts = new Set(labelSet.examples.map((ex) => ex.text.trim()));
      const poolSize = args.need<number>('pool-size');
      let pool: string[] | undefined;
      if (poolSize > 0 && knownMethod(engine, method) && isTransductive(engine, method)) {
        if (regular.length < files.length)
          note(
            `note: ${files.length - regular.length} input(s) are pipes, read once: their lines are classified but not in the pool of unlabeled lines (give files to include them)`,
          );
        // The engine's sampler and its rule: every non-empty line, labeled or not (src/engine/pool.ts).
        const sampler = new PoolSampler(poolSize, args.need<number>('seed'));
        for await (const l of unlabeledLines(regular, new Set(), emptyCounts())) sampler.add(l.text);
        pool = sampler.items;
        note(`pool: ${pool.length} lines (seeded reservoir sample)`);
      }
      const abstain = args.need<AbstentionMode>('abstain');
      const model = engine.adapt(labelSet.examples, {
        method,
        abstain,
        // Unset leaves it to the mode (auto calibrates); the flag adds it to `on`.
        ...(args.flag('calibrate-abstention') ? { calibrateAbstention: true } : {}),
        ...(pool ? { pool } : {}),
      });
      if (model.note) note(model.note);
      const counts = emptyCounts();
      if (format === 'dataset') {
        const labeled = new Map(labelSet.examples.map((ex) => [ex.text.trim(), ex.label]));
        const read = await writeLabeledDataset(files[0]!, { format: datasetFormat! }, model, labeled, (chunk) =>
          writeChunk(io.stdout, chunk),
        );
        Object.assign(counts, { classified: read.classified, empty: read.empty, labeled: read.labeled, unread: read.unread });
        note(summary(counts, files, model, engine, (performance.now() - started) / 1000));
        for (const n of skipNotes(counts)) note(n);
        return EXIT_OK;
      }
      if (format === 'tsv') await writeChunk(io.stdout, 'file\tline\tlabel\tconfidence\ttext\n');
      await classifyStream(unlabeledLines(files, labeledTexts, counts), model, args.need<number>('batch'), async (rows) => {
        counts.classified += rows.length;
        await writeChunk(io.stdout, format === 'tsv' ? toTsv(rows) : toJsonl(rows));
        if (io.stderrIsTTY && !quiet) io.stderr.write(`\r\x1b[K${counts.classified} lines`);
      });
      if (io.stderrIsTTY && !quiet) io.stderr.write('\r\x1b[K');
      const seconds = (performance.now() - started) / 1000;
      note(summary(counts, files, model, engine, seconds));
      for (const n of skipNotes(counts)) note(n);
      return EXIT_OK;
    } finally {
      engine.dispose();
    }
  },
};

/** Lets `adapt` report an unknown method name in its own words instead of guessing here. */
function knownMethod(engine: EngineApi, method: string): boolean {
  return engine.methods().includes(canonicalMethod(engine, method));
}

export interface ClassifiedLine extends SourceLine, LinePrediction {}

/** Classifies lines batch by batch; `emit` may wait (backpressure) before the next batch is read. */
export async function classifyStream(
  lines: AsyncIterable<SourceLine>,
  model: AdaptedModel,
  batchSize: number,
  emit: (rows: ClassifiedLine[]) => Promise<void>,
): Promise<void> {
  let batch: SourceLine[] = [];
  const flush = async () => {
    const predictions = namedPredictions(
      model,
      batch.map((l) => l.text),
    );
    await emit(batch.map((l, i) => ({ ...l, ...(predictions[i] as LinePrediction) })));
    batch = [];
  };
  for await (const l of lines) {
    batch.push(l);
    if (batch.length >= batchSize) await flush();
  }
  if (batch.length) await flush();
}

const confidence = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '0.000');

export function toTsv(rows: readonly ClassifiedLine[]): string {
  const clean = (s: string) => s.replace(/[\t\r\n]/g, ' ');
  return rows.map((r) => `${clean(r.file)}\t${r.line}\t${clean(r.label)}\t${confidence(r.confidence)}\t${clean(r.text)}\n`).join('');
}

export function toJsonl(rows: readonly ClassifiedLine[]): string {
  return rows
    .map(
      (r) =>
        `${JSON.stringify({
          file: r.file,
          line: r.line,
          label: r.label,
          confidence: Number(confidence(r.confidence)),
          uncertainty: Number(confidence(r.uncertainty)),
          text: r.text,
        })}\n`,
    )
    .join('');
}

function summary(counts: LineCounts, files: string[], model: AdaptedModel, engine: EngineApi, seconds: number): string {
  const rate = counts.classified / Math.max(seconds, 1e-3);
  const where = files.length === 1 ? path.basename(files[0] as string) : `${files.length} files`;
  return (
    `classified ${counts.classified} lines of ${where} with ${model.method} (${model.labels.length} labels) ` +
    `on ${engine.info().backend} in ${seconds.toFixed(2)} s (${Math.round(rate)} lines/s)`
  );
}
