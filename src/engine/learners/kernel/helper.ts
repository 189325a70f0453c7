// The calling thread's side of the helper thread (helperThread.ts is the thread itself; control.ts
// the block they share). A job is claimed by compare-and-swap, by the helper or by the thread that
// posted it once that thread has run its own part, so a helper that is still starting, busy or gone
// costs nothing but its part's time on the calling thread.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { packageRootFrom } from '../../packageRoot';
import {
  ARGS,
  CALLER_ASLEEP,
  CLAIMED,
  CONTROL,
  CONTROL_INTS,
  DONE,
  FAILED,
  FN,
  HELPER_ASLEEP,
  HELPER_FUNCTIONS,
  type HelperData,
  type HelperFunction,
  NARGS,
  POSTED,
  SPIN_MS,
} from './control';

export interface Helper {
  /** Posts fn(...args) for the helper; `finish` must follow before the next post. */
  post(fn: HelperFunction, args: number[]): void;
  /**
   * Returns once the posted job has run: on the helper, or here (`run`) if the helper has not taken
   * it or its run threw there (so that the error, if it is one, is thrown here).
   */
  finish(run: () => void): void;
  close(): void;
}

/**
 * The helper's bundle: out/kernelHelper.js (scripts/build.mjs), found from the package root as the
 * extension finds out/worker.js, so the extension, its worker, the CLI, the benches and the tests
 * (bundled under out/) all start the same file.
 */
function helperFile(): string {
  return path.join(packageRootFrom(__dirname), 'out', 'kernelHelper.js');
}

/** A helper thread on `memory`, or undefined where none can be started (every part then runs on the calling thread). */
export function startHelper(module: WebAssembly.Module, memory: WebAssembly.Memory): Helper | undefined {
  const file = helperFile();
  if (!fs.existsSync(file)) return undefined;
  let worker: Worker;
  try {
    const workerData: HelperData = { module, memory, control: CONTROL };
    worker = new Worker(file, { workerData });
  } catch {
    return undefined;
  }
  helpersStarted++;
  // The helper never keeps the process alive, and a helper that fails leaves every part to the
  // calling thread (its jobs are never claimed).
  worker.unref();
  worker.on('error', () => {});
  const c = new Int32Array(memory.buffer, CONTROL, CONTROL_INTS);
  let job = Atomics.load(c, POSTED);
  return {
    post(fn, args) {
      c[FN] = HELPER_FUNCTIONS.indexOf(fn);
      c[NARGS] = args.length;
      for (let k = 0; k < args.length; k++) c[ARGS + k] = args[k];
      job = (job + 1) | 0;
      Atomics.store(c, POSTED, job);
      if (Atomics.load(c, HELPER_ASLEEP)) Atomics.notify(c, POSTED);
    },
    finish(run) {
      const previous = (job - 1) | 0;
      if (Atomics.compareExchange(c, CLAIMED, previous, job) === previous) {
        run();
        return;
      }
      partsOnHelper++;
      for (let until = performance.now() + SPIN_MS, k = 0; Atomics.load(c, DONE) !== job; k++) {
        if ((k & 1023) === 0 && performance.now() > until) break;
      }
      Atomics.store(c, CALLER_ASLEEP, 1);
      for (;;) {
        const done = Atomics.load(c, DONE);
        if (done === job) break;
        Atomics.wait(c, DONE, done);
      }
      Atomics.store(c, CALLER_ASLEEP, 0);
      if (Atomics.load(c, FAILED) === job) run();
    },
    close() {
      c[FN] = -1;
      Atomics.store(c, POSTED, (job + 1) | 0);
      Atomics.notify(c, POSTED);
      void worker.terminate();
    },
  };
}

/** Second parts the helper ran, and helper threads started (kernelThreadStats). */
let partsOnHelper = 0;
let helpersStarted = 0;

/** How many second parts of split products a helper thread has run in this process, and how many helpers were started (for tests). */
export function kernelThreadStats(): { partsOnHelper: number; helpersStarted: number } {
  return { partsOnHelper, helpersStarted };
}

/** Overrides helperThreadsOn's answer in this process and its workers: `on` or `off` (the benchmarks compare the two). */
export const HELPER_ENV = 'FEWSHOT_KERNEL_HELPER';

/**
 * Cores from which a split product's second part goes to the helper thread. Measured with
 * `npm run bench:extension` (both settings in one run) on a loaded 2-core machine (load average
 * 17): the helper made label->diagnostics faster there, not slower (on/off 0.97 on a 10,000-line
 * document, 0.44 on 100,000 lines, 0.47 for 77 labels x 10 lines; docs/scaling.md). On one core
 * the two parts cannot run side by side, so it stays off.
 */
export const HELPER_MIN_CORES = 2;

/**
 * Whether split products use a helper thread (the one place this is decided): HELPER_ENV when it
 * says `on` or `off`, else whether the machine has HELPER_MIN_CORES cores or more.
 */
export function helperThreadsOn(cores = os.availableParallelism(), setting = process.env[HELPER_ENV]): boolean {
  if (setting === 'on') return true;
  if (setting === 'off') return false;
  return cores >= HELPER_MIN_CORES;
}
