// The control block through which the calling thread hands a part of a split product to the helper
// thread (helperThread.ts runs the other side, helper.ts this one). It lies at the start of the
// kernel's shared memory, below the first allocation, as 32 ints:
// a job is posted by bumping POSTED after writing FN, NARGS and ARGS; it is claimed by
// compare-and-swap on CLAIMED (by the helper, or by the poster once it has run its own part); the
// helper bumps DONE when it has run one, and records in FAILED a job whose run threw. A thread that
// is about to sleep says so (HELPER_ASLEEP, CALLER_ASLEEP), and only then is it woken.
// This file imports nothing: the helper thread's bundle is this and helperThread.ts.

/** Byte offset of the control block in the kernel's memory. */
export const CONTROL = 16;
export const POSTED = 0;
export const CLAIMED = 1;
export const DONE = 2;
export const FN = 3;
export const NARGS = 4;
export const HELPER_ASLEEP = 5;
export const CALLER_ASLEEP = 6;
/** The last job whose run threw on the helper (the caller then runs that part itself). */
export const FAILED = 7;
export const ARGS = 8;
export const CONTROL_INTS = 32;

/**
 * How long both threads look for what they wait on before they sleep: the jobs of a fit come a
 * fraction of a millisecond apart, and a sleeping thread takes tens of microseconds to wake, each time.
 */
export const SPIN_MS = 2;

/** The functions a helper runs, by index (the job's FN). */
export const HELPER_FUNCTIONS = ['spmm', 'spmmT', 'scoreRows', 'summarize', 'softmaxResidual'] as const;
export type HelperFunction = (typeof HELPER_FUNCTIONS)[number];

/** What the helper thread is started with (its workerData). */
export interface HelperData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: number;
}
