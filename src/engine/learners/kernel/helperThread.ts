// The helper thread's entry (bundled to out/kernelHelper.js by scripts/build.mjs; helper.ts starts
// it). It instantiates the kernel on the calling thread's shared memory and runs the parts of split
// products posted to the control block (control.ts), until it is told to stop or terminated.
import { workerData } from 'node:worker_threads';
import {
  ARGS,
  CALLER_ASLEEP,
  CLAIMED,
  CONTROL_INTS,
  DONE,
  FAILED,
  FN,
  HELPER_ASLEEP,
  HELPER_FUNCTIONS,
  type HelperData,
  NARGS,
  POSTED,
  SPIN_MS,
} from './control';

const { module, memory, control } = workerData as HelperData;
const kernel = new WebAssembly.Instance(module, { env: { memory } }).exports;
const fns = HELPER_FUNCTIONS.map((name) => {
  const f = kernel[name];
  if (typeof f !== 'function') throw new Error(`sparseProduct.wat: no export ${name}`);
  return f as (...args: number[]) => void;
});
const c = new Int32Array(memory.buffer, control, CONTROL_INTS);
let seen = Atomics.load(c, POSTED);
for (;;) {
  let job = Atomics.load(c, POSTED);
  for (let until = performance.now() + SPIN_MS, k = 0; job === seen; k++) {
    if ((k & 1023) === 0 && performance.now() > until) break;
    job = Atomics.load(c, POSTED);
  }
  if (job === seen) {
    Atomics.store(c, HELPER_ASLEEP, 1);
    Atomics.wait(c, POSTED, seen);
    Atomics.store(c, HELPER_ASLEEP, 0);
    continue;
  }
  seen = job;
  if (c[FN] < 0) break;
  if (Atomics.compareExchange(c, CLAIMED, (job - 1) | 0, job) !== ((job - 1) | 0)) continue;
  const args = Array.from(c.subarray(ARGS, ARGS + c[NARGS]));
  try {
    fns[c[FN]](...args);
  } catch {
    Atomics.store(c, FAILED, job);
  }
  Atomics.store(c, DONE, job);
  if (Atomics.load(c, CALLER_ASLEEP)) Atomics.notify(c, DONE);
}
