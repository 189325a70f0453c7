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

/** Second parts the helper ran (kernelThreadStats). */
let partsOnHelper = 0;

/** How many second parts of split products the helper thread has run in this process (for tests and the bench). */
export function kernelThreadStats(): { partsOnHelper: number } {
  return { partsOnHelper };
}

/** Whether split products use a helper thread where nothing says otherwise: on a machine of more than one core. */
export function helperThreadsOn(cores = os.availableParallelism()): boolean {
  return cores > 1;
}
