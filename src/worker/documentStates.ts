// The worker's per-document warm-start states: kept by the host between a document's adaptations
// and lent to a workspace run for the files that are open documents. Its own module so that the
// host and the workspace run, which both use it, do not import each other. One state per document
// and task (label set): each task adapts its own head, and switching tasks keeps both warm.
import type { WarmState } from '../engine/engine';

/** A state's key: the default task's (no task) is the document alone, as before tasks. */
const keyOf = (document: string, task: string | undefined) => (task === undefined ? document : `${document}\0${task}`);

/**
 * Per-document state the worker keeps between adaptations (warm start). Bounded: the least recently
 * used documents are dropped past MAX_DOCUMENTS, and `forget` drops a closed one.
 */
export class DocumentStates {
  private readonly states = new Map<string, WarmState>();
  constructor(private readonly max = MAX_DOCUMENTS) {}
  get(document: string, task?: string): WarmState | undefined {
    const key = keyOf(document, task);
    const s = this.states.get(key);
    if (s) {
      this.states.delete(key);
      this.states.set(key, s);
    }
    return s;
  }
  set(document: string, state: WarmState | undefined, task?: string): void {
    const key = keyOf(document, task);
    this.states.delete(key);
    if (!state) return;
    this.states.set(key, state);
    while (this.states.size > this.max) this.states.delete(this.states.keys().next().value as string);
  }
  /** Drops the document's states, every task's. */
  forget(document: string): boolean {
    let had = false;
    for (const key of [...this.states.keys()])
      if (key === document || key.startsWith(`${document}\0`)) had = this.states.delete(key) || had;
    return had;
  }
  get size(): number {
    return this.states.size;
  }
}

/** Document-task states the worker keeps at once (one head each: classes x dim floats). */
const MAX_DOCUMENTS = 32;
