// A writer process for the multi-process label tests: a test bundle runs itself again as a plain
// node script with WRITER_ENV set, and that process labels `count` lines through the real store.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FolderLabels } from '../../src/extension/folderLabels';

export const WRITER_ENV = 'FEWSHOT_TEST_WRITER';

export interface WriterJob {
  root: string;
  name: string;
  count: number;
  intervalMs: number;
  /** Lock bound of this writer (default: the store's). */
  staleMs?: number;
  /** Stop this process (SIGSTOP) at its first write, holding the lock, merged; `<root>/stopped` tells so. */
  stopAtFirstWrite?: boolean;
}

export const textOf = (document: string, line: number) => `${document} line ${line}`;
export const at = (document: string, line: number) => [{ line, text: textOf(document, line) }];

/** Runs the writer when this process is one (call at the top of the test bundle). */
export function runAsWriter(): boolean {
  const job = process.env[WRITER_ENV];
  if (job) void writer(JSON.parse(job) as WriterJob);
  return job !== undefined;
}

async function writer(job: WriterJob): Promise<void> {
  let stop = job.stopAtFirstWrite;
  const store = new FolderLabels(job.root, path.join(job.root, '.fewshot', 'labels.jsonl'), {
    log: () => {},
    lock: job.staleMs ? { staleMs: job.staleMs } : undefined,
    io: {
      async writeFile(file, content) {
        if (stop) {
          stop = false;
          fs.writeFileSync(path.join(job.root, 'stopped'), String(process.pid));
          process.kill(process.pid, 'SIGSTOP');
        }
        await fs.promises.writeFile(file, content, { flag: 'wx' });
      },
    },
  });
  await store.load();
  for (let i = 0; i < job.count; i++) {
    store.setLabel(job.name, at(job.name, i), i % 2 ? 'odd' : 'even');
    // Not awaited: labels keep coming while earlier saves are in flight (merged as one).
    void store.save();
    await new Promise((r) => setTimeout(r, job.intervalMs));
  }
  // Then it hears of the file's changes (as its watcher would tell it) and saves until clean.
  for (let i = 0; i < 50 && (store.dirty || i === 0); i++) {
    await store.load();
    await store.save();
  }
  store.dispose();
}

/** Starts a writer process running the current test bundle; `exited` resolves with its exit code. */
export function startWriter(job: WriterJob): { pid: number; exited: Promise<number> } {
  const child = spawn(process.execPath, [__filename], { env: { ...process.env, [WRITER_ENV]: JSON.stringify(job) }, stdio: 'inherit' });
  const exited = new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? -1));
  });
  return { pid: child.pid ?? -1, exited };
}

export const runWriter = (job: WriterJob): Promise<number> => startWriter(job).exited;
