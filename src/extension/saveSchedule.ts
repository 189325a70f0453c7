// When a folder's labels are written. A label the user gave is written at once (commit: the
// caller awaits the write and hears its error); lines moved by edits are written once the edits
// pause (schedule), so typing does not write the file on every key. A commit cancels a pending
// scheduled write (the commit writes everything). vscode-free; the timer is injectable for tests.

export interface Timers {
  set(run: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const REAL_TIMERS: Timers = {
  set: (run, ms) => setTimeout(run, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class SaveSchedule {
  private handle: unknown;

  constructor(
    private readonly delayMs: number,
    private readonly timers: Timers = REAL_TIMERS,
  ) {}

  /** Runs `save` once no other schedule() has come for delayMs (a later call restarts the wait). */
  schedule(save: () => void): void {
    this.cancel();
    this.handle = this.timers.set(() => {
      this.handle = undefined;
      save();
    }, this.delayMs);
  }

  /** Drops the pending write, if any (the caller writes now, or nothing is left to write). */
  cancel(): void {
    if (this.handle !== undefined) this.timers.clear(this.handle);
    this.handle = undefined;
  }

  get pending(): boolean {
    return this.handle !== undefined;
  }
}
