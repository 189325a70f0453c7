// `fewshot meta-train --from-checkpoint DIR --data a.jsonl b.jsonl`: improves a model from the
// user's finished tasks (each JSONL file one task), compares it with the model it started from on
// labels it never trained on, and writes it to --out only if the adoption rule says it is better.
import fs from 'node:fs';
import path from 'node:path';
import { type ParsedArgs, UsageError } from '../args';
import { EXIT_OK } from '../errors';
import { type CliIo, line } from '../io';
import { packageRoot } from '../paths';
import { readExamples } from '../../engine/data/jsonl';
import { improveModel, type ImproveResult, type Score } from '../../engine/improve/improve';
import { chooseWarmStart, type WarmStartChoice } from '../../engine/improve/similar';
import type { UserTask } from '../../engine/improve/tasks';
import { formatProgress } from '../../engine/meta/trainer';
import { CHECKPOINT_DIR, loadModel } from '../../engine/model';
import { alignColumns } from '../../engine/eval/table';
import { selectBackend } from '../../engine/tf/backend';

/** The model folder of `--from-checkpoint`: the folder itself, or the parent of a `checkpoint/` folder. */
function modelFolder(dir: string): string {
  const resolved = path.resolve(dir);
  return path.basename(resolved) === CHECKPOINT_DIR && !fs.existsSync(path.join(resolved, CHECKPOINT_DIR))
    ? path.dirname(resolved)
    : resolved;
}

async function readTask(file: string): Promise<UserTask> {
  return { name: path.basename(file, path.extname(file)), examples: await readExamples(path.resolve(file)) };
}

const pct = (s: Score) => `${(100 * s.mean).toFixed(1)} ± ${(100 * s.ci95).toFixed(1)}`;
const signedPct = (s: Score) => `${s.mean >= 0 ? '+' : '-'}${(100 * Math.abs(s.mean)).toFixed(1)} ± ${(100 * s.ci95).toFixed(1)}`;

/** Both models' accuracy and the paired gain, one row per shot count, then the decision. */
export function formatImprove(r: ImproveResult): string {
  const rows = [['accuracy %', 'base', 'candidate', 'paired gain']];
  r.base.forEach((b, i) => {
    rows.push([`${b.way}-way ${b.shot}-shot`, pct(b), pct(r.candidate[i]!), signedPct(r.gain[i]!)]);
  });
  const verdict =
    r.status === 'adopted'
      ? `adopted: ${r.reason}; written to ${r.modelDir}`
      : r.status === 'rejected'
        ? `rejected: ${r.reason}; the base model stays`
        : 'cancelled: the base model stays';
  return `${alignColumns(rows)}\n${verdict}`;
}

export async function runImprove(args: ParsedArgs, io: CliIo): Promise<number> {
  const first = args.string('data');
  if (!first) throw new UsageError('--from-checkpoint needs --data a.jsonl [b.jsonl ...] (one finished task per file)');
  const files = [first, ...args.positional];
  const tasks = await Promise.all(files.map(readTask));
  const testFile = args.string('test');
  const test = testFile ? await readTask(testFile) : undefined;
  const backend = await selectBackend((args.string('backend') ?? 'cpu') as 'cpu', (m) => line(io.stderr, m));
  const base = loadModel(modelFolder(args.need<string>('from-checkpoint')));
  // Warm start: only the finished task most like the new one, judged from its label names and its first lines per label.
  let warmStart: WarmStartChoice | undefined;
  if (args.flag('warm-start')) {
    if (!test) throw new UsageError('--warm-start needs --test c.jsonl (the new task)');
    const perLabel = args.need<number>('warm-start-lines');
    warmStart = chooseWarmStart((t) => base.encoder.encode(t), base.corpusCentre, tasks, test.examples, perLabel);
    if (!warmStart) throw new UsageError('--warm-start needs finished tasks (--data) to start from');
    const { similarities } = warmStart;
    line(io.stderr, `warm start from ${warmStart.from}: ${similarities.map((x) => `${x.task} ${x.similarity.toFixed(3)}`).join(', ')}`);
  }
  const outDir = path.resolve(args.string('out') ?? path.join(packageRoot(), 'out', 'models-improved'));
  const json = args.flag('json');
  const tty = Boolean((io.stderr as { isTTY?: boolean }).isTTY);
  const evalEvery = args.need<number>('eval-every');
  line(
    io.stderr,
    `improve ${base.dir} (backend ${backend.name}) from ${warmStart ? `the task ${warmStart.from}` : `${files.length} task(s)`}${test ? `, tested on ${testFile}` : ''}; adopted model -> ${outDir}`,
  );
  const result = await improveModel({
    base,
    tasks: warmStart ? tasks.filter((t) => t.name === warmStart?.from) : tasks,
    test,
    outDir,
    workDir: args.string('work') ? path.resolve(args.need<string>('work')) : undefined,
    steps: args.need<number>('steps'),
    evalEvery,
    seed: args.need<number>('seed'),
    query: args.need<number>('query'),
    validationEpisodes: args.need<number>('validation-episodes'),
    testEpisodes: args.need<number>('test-episodes'),
    onProgress: (p) => {
      if (p.phase !== 'training') return;
      const text = formatProgress(p.progress);
      if (tty) io.stderr.write(`\r${text}`);
      else if (p.progress.step % evalEvery === 0 || p.progress.step === p.progress.steps) line(io.stderr, text);
    },
  });
  if (tty) line(io.stderr);
  const { labels, skipped } = result;
  line(
    io.stderr,
    `labels: ${labels.train} train, ${labels.validation} validation, ${labels.test} test` +
      `${skipped.length ? `; ${skipped.length} skipped (fewer than 2 lines)` : ''}; ${result.episodes} paired episodes per shot count`,
  );
  if (result.validation) {
    const v = result.validation;
    line(io.stderr, `validation: base ${(100 * v.base).toFixed(1)}%, step ${result.bestStep} ${(100 * v.candidate).toFixed(1)}%`);
  }
  if (json) line(io.stdout, JSON.stringify({ ...result, ...(warmStart ? { warmStart } : {}) }));
  else line(io.stdout, formatImprove(result));
  return EXIT_OK;
}
