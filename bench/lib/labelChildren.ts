// The stress run's other processes (bench/stress.ts runs itself again with `--child <kind> <job>`):
// label writers through the real store (FolderLabels), an outside program rewriting the label file,
// and a writer whose lock-taking fails (full disk, read-only folder). Each writer logs every
// operation it made, in order, for the ground truth (groundTruth.ts).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Rng } from '../../src/engine/random';
import { FolderLabels } from '../../src/extension/folderLabels';
import { readLabelFile, type WriteFs } from '../../src/extension/labelFile';
import type { LoggedOp } from './groundTruth';

export const LABELS = ['billing', 'login', 'crash', 'feature', 'other'];
/** The text of a line of the writers' document: unique per line (a label's identity is its text). */
export const lineText = (document: string, line: number) => `${document} ticket ${line}: charged twice, password reset`;
export const labelFile = (root: string) => path.join(root, '.fewshot', 'labels.jsonl');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface WriterJob {
  root: string;
  name: string;
  document: string;
  /** The lines this writer labels (writers of one document own different lines: "last" is then defined). */
  lines: number[];
  rate: number;
  seconds: number;
  seed: number;
  /** The lock's stale bound (default: the store's). */
  staleMs?: number;
  /** SIGSTOP itself at this data write (holding the lock, merged); `<root>/stopped-<name>` tells so. */
  stopAtWrite?: number;
  /** At this data write, hang holding the lock (`<root>/holding-<name>` tells so) until killed. */
  hangAtWrite?: number;
}

/** What a writer child prints when done: its operations, in order. */
export interface WriterResult {
  ops: LoggedOp[];
  /** Saves that found their lock taken over before the rename (paused past the bound) and merged again. */
  mergedAgain: number;
}

const durable: WriteFs['writeFile'] = (file, content) => fs.promises.writeFile(file, content, { flag: 'wx' });

/**
 * Labels, removes and relabels its lines at `rate` ops/s. Saves are not awaited (commands keep
 * coming while earlier saves are in flight), except for a writer that will be killed: it logs an
 * operation only once a save that holds it finished, since what it had not saved dies with it.
 */
async function writer(job: WriterJob): Promise<void> {
  let writes = 0;
  let mergedAgain = 0;
  const confirmedLog = path.join(job.root, `confirmed-${job.name}.json`);
  const store = new FolderLabels(job.root, labelFile(job.root), {
    // The store says so when a save's lock was taken over (FolderLabels.lockedSync).
    log: (m) => {
      if (m.includes('merging again')) mergedAgain++;
    },
    lock: job.staleMs ? { staleMs: job.staleMs } : undefined,
    io: {
      async writeFile(file, content) {
        writes++;
        if (writes === job.stopAtWrite) {
          fs.writeFileSync(path.join(job.root, `stopped-${job.name}`), String(process.pid));
          process.kill(process.pid, 'SIGSTOP');
        }
        if (writes === job.hangAtWrite) {
          fs.writeFileSync(path.join(job.root, `holding-${job.name}`), String(process.pid));
          setInterval(() => {}, 1000); // stays alive, holding (and renewing) the lock, until killed
          await new Promise(() => {});
        }
        await durable(file, content);
      },
    },
  });
  await store.load();
  const random = new Rng(job.seed);
  const r = () => random.next();
  const held = new Map<number, string>();
  const ops: LoggedOp[] = [];
  const confirm = job.hangAtWrite !== undefined;
  const interval = 1000 / job.rate;
  const end = Date.now() + job.seconds * 1000;
  let next = Date.now();
  while (Date.now() < end) {
    const line = job.lines[Math.floor(r() * job.lines.length)]!;
    const has = held.get(line);
    const order = ops.length;
    if (has !== undefined && r() < 0.35) {
      store.removeLabel(job.document, [line]);
      held.delete(line);
      ops.push({ order, document: job.document, line, op: 'remove' });
    } else {
      const choices = LABELS.filter((l) => l !== has);
      const label = choices[Math.floor(r() * choices.length)]!;
      store.setLabel(job.document, [{ line, text: lineText(job.document, line) }], label);
      held.set(line, label);
      ops.push({ order, document: job.document, line, op: has === undefined ? 'label' : 'relabel', label });
    }
    if (confirm) {
      await store.save();
      fs.writeFileSync(confirmedLog, JSON.stringify({ ops, mergedAgain } satisfies WriterResult));
    } else void store.save();
    next += interval;
    const wait = next - Date.now();
    if (wait > 0) await sleep(wait);
  }
  // Then it hears of the file's changes (as its watcher would tell it) and saves until clean.
  for (let i = 0; i < 50 && (store.dirty || i === 0); i++) {
    await store.load();
    await store.save();
  }
  store.dispose();
  if (store.dirty) throw new Error(`writer ${job.name}: still unsaved after 50 saves`);
  process.stdout.write(`${JSON.stringify({ ops, mergedAgain } satisfies WriterResult)}\n`);
}

export interface RewriterJob {
  file: string;
  seconds: number;
  everyMs: number;
}

export interface RewriterResult {
  inPlace: number;
  gitStyle: number;
  /** In place, stalling 300-800 ms with the first half of the records written (a valid, shorter file). */
  stalled: number;
  /** Rewrites given up because a writer's save came first (the file reappeared meanwhile). */
  yielded: number;
}

/** Where the first half of the records ends: a rewrite stalled there leaves a valid, shorter file. */
const halfOfRecords = (content: Buffer) => {
  let at = 0;
  for (let records = content.toString('utf8').split('\n').length >> 1; records > 0; records--) at = content.indexOf(10, at) + 1;
  return at;
};

/**
 * An outside program rewriting the file with the content it holds, every `everyMs`: in place
 * (truncate, write half, pause 20 ms, write the rest), git-style (the file gone, then created
 * anew) and in place stalling 300-800 ms after the first half of the records, in turn. It works on what it read from the file itself (the same open handle, or the file it
 * moved aside), so it never writes back content a writer replaced meanwhile: any label lost is
 * the store's doing, not a revert by this program.
 */
async function rewriter(job: RewriterJob): Promise<void> {
  const result: RewriterResult = { inPlace: 0, gitStyle: 0, stalled: 0, yielded: 0 };
  const end = Date.now() + job.seconds * 1000;
  const random = new Rng(41);
  for (let tick = 0; Date.now() < end; tick++) {
    await sleep(job.everyMs);
    try {
      if (tick % 3 !== 1) {
        const stall = tick % 3 === 2;
        const handle = await fs.promises.open(job.file, 'r+');
        try {
          const content = await handle.readFile();
          if (content.length === 0) continue;
          const half = stall ? halfOfRecords(content) : Math.floor(content.length / 2);
          await handle.truncate(0);
          await handle.write(content, 0, half, 0);
          await sleep(stall ? 300 + Math.floor(random.next() * 500) : 20);
          await handle.write(content, half, content.length - half, half);
          if (stall) result.stalled++;
          else result.inPlace++;
        } finally {
          await handle.close();
        }
      } else {
        const aside = `${job.file}.rewriter`;
        await fs.promises.rename(job.file, aside);
        const content = await fs.promises.readFile(aside);
        await sleep(20);
        try {
          await fs.promises.writeFile(job.file, content, { flag: 'wx' });
          result.gitStyle++;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
          result.yielded++;
        }
        await fs.promises.rm(aside, { force: true });
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

export interface FaultsJob {
  root: string;
  linesPerPhase: number;
}

export interface FaultPhase {
  name: string;
  /** Saves of this phase that failed (0: the fault was not hit). */
  failedSaves: number;
  /** The file changed while writes failed (it must keep its last good content, whole). */
  damaged: boolean;
  /** Times the user was told saving failed / works again. */
  told: number;
  toldRecovered: number;
  /** From the fault's end to every label saved (by the store's retry). */
  recoveryMs: number;
}

export interface FaultsResult {
  ops: LoggedOp[];
  phases: FaultPhase[];
  /** Files beside the label file (a lock, a temp file) once done. */
  leftovers: string[];
}

/**
 * Faults on the lock's path: the lock file's write fails (a full disk, through the store's I/O
 * seam at the lock step), the data write fails (full disk), then the folder is read-only (its mode
 * 555: the lock cannot be created at all). Labels keep coming meanwhile; then writing works again.
 * Runs as an unprivileged user (the folder's mode does not bind root).
 */
async function faults(job: FaultsJob): Promise<void> {
  const file = labelFile(job.root);
  const folder = path.dirname(file);
  let fault: 'lock' | 'data' | undefined;
  let failed = 0;
  let told = 0;
  let toldRecovered = 0;
  const fail = (what: string) => {
    failed++;
    throw Object.assign(new Error(`ENOSPC: no space left on device, ${what} (simulated)`), { code: 'ENOSPC' });
  };
  const store = new FolderLabels(job.root, file, {
    log: () => {},
    retryMs: 50,
    onSaveProblem: (e) => (e ? told++ : toldRecovered++),
    io: {
      async writeFile(f, content) {
        if (fault === 'data') fail('writing the labels');
        await durable(f, content);
      },
      async writeLock(handle, content) {
        if (fault === 'lock') fail('writing the lock');
        await handle.writeFile(content, 'utf8');
      },
    },
  });
  await store.load();
  const ops: LoggedOp[] = [];
  let line = 0;
  const label = async () => {
    const at = line++;
    const value = LABELS[at % LABELS.length]!;
    store.setLabel('faults.txt', [{ line: at, text: lineText('faults.txt', at) }], value);
    ops.push({ order: ops.length, document: 'faults.txt', line: at, op: 'label', label: value });
    // And a relabel of an earlier line, so that changes, not only additions, wait in memory.
    if (at > 0 && at % 3 === 0) {
      const earlier = at - 2;
      store.setLabel('faults.txt', [{ line: earlier, text: lineText('faults.txt', earlier) }], 'other');
      ops.push({ order: ops.length, document: 'faults.txt', line: earlier, op: 'relabel', label: 'other' });
    }
    await store.save();
  };
  for (let i = 0; i < job.linesPerPhase; i++) await label();
  const phases: FaultPhase[] = [];
  // Each phase starts with every label saved and ends once they are again, so that no save is
  // half done when a fault starts (a folder turned read-only between a save's write and its rename
  // is another case).
  const phase = async (name: string, start: () => void, stop: () => void) => {
    const good = fs.readFileSync(file, 'utf8');
    const [failedBefore, toldBefore, recoveredBefore] = [failed, told, toldRecovered];
    start();
    let unsaved = 0;
    for (let i = 0; i < job.linesPerPhase; i++) {
      await label();
      if (store.dirty) unsaved++;
    }
    const damaged = fs.readFileSync(file, 'utf8') !== good;
    stop();
    // The store's retry (not a new label) must save what waited.
    const t = Date.now();
    while (store.dirty && Date.now() - t < 20_000) await sleep(5);
    const recoveryMs = store.dirty ? Number.POSITIVE_INFINITY : Date.now() - t;
    // Clean is not idle: the save that cleaned it may still be releasing its lock, which the next
    // phase's read-only folder would then keep (a stale lock every save waits out). Wait for it.
    await store.save();
    phases.push({
      name,
      failedSaves: Math.max(failed - failedBefore, unsaved),
      damaged,
      told: told - toldBefore,
      toldRecovered: toldRecovered - recoveredBefore,
      recoveryMs,
    });
  };
  const none = () => {
    fault = undefined;
  };
  await phase('disk full at the lock step', () => (fault = 'lock'), none);
  await phase('disk full at the data write', () => (fault = 'data'), none);
  await phase(
    'read-only folder (mode 555)',
    () => fs.chmodSync(folder, 0o555),
    () => fs.chmodSync(folder, 0o755),
  );
  store.dispose();
  const leftovers = fs.readdirSync(folder).filter((f) => f !== 'labels.jsonl');
  process.stdout.write(`${JSON.stringify({ ops, phases, leftovers } satisfies FaultsResult)}\n`);
}

/** Runs the child this process is (argv: --child <kind> <job>); false when it is not one. */
export function runAsChild(argv: readonly string[]): boolean {
  if (argv[0] !== '--child') return false;
  const job: unknown = JSON.parse(argv[2]!);
  const run =
    argv[1] === 'writer' ? writer(job as WriterJob) : argv[1] === 'rewriter' ? rewriter(job as RewriterJob) : faults(job as FaultsJob);
  run.catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
  return true;
}

export interface Child<T> {
  pid: number;
  /** Resolves with the last line the child printed (parsed) once it exits 0. */
  done: Promise<T>;
}

/** A child still running after this long is killed and fails the run (a hang is a failure too). */
const CHILD_LIMIT_MS = 180_000;

/** Starts this bundle again as a child of `kind`; `uid` runs it as that (unprivileged) user. */
export function startChild<T>(kind: 'writer' | 'rewriter' | 'faults', job: object, uid?: number): Child<T> {
  const ids = uid === undefined ? {} : { uid, gid: uid };
  const child = spawn(process.execPath, [process.argv[1]!, '--child', kind, JSON.stringify(job)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    ...ids,
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  let hung = false;
  const watchdog = setTimeout(() => {
    hung = true;
    child.kill('SIGKILL');
  }, CHILD_LIMIT_MS);
  watchdog.unref();
  const done = new Promise<T>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(watchdog);
      if (code === 0) resolve(JSON.parse(out.trim().split('\n').at(-1)!) as T);
      else reject(new Error(`${kind} child ${hung ? `ran past ${CHILD_LIMIT_MS} ms and was killed` : `exited ${code ?? signal}`}`));
    });
  });
  return { pid: child.pid ?? -1, done };
}

/** The final file's records as the ground truth reads them; fails on a file with bad lines. */
export async function finalRecords(root: string) {
  const read = await readLabelFile(labelFile(root));
  return { records: read.records, problems: read.problems.length };
}
