// The worker's per-document warm-start states: kept by the host between a document's adaptations
// and lent to a workspace run for the files that are open documents. Its own module so that the
// host and the workspace run, which both use it, do not import each other.
import type { WarmState } from '../engine/engine';

/**
 * Per-document state the worker keeps between adaptations (warm start). Bounded: the least recently
 * used documents are dropped past MAX_DOCUMENTS, and `forget` drops a closed one.
 */
export class DocumentStates {
  private readonly states = new Map<string, WarmState>();
  constructor(private readonly max = MAX_DOCUMENTS) {}
  get(document: string): WarmState | undefined {
    const s = this.states.get(document);
    if (s) {
      this.states.delete(document);
      this.states.set(document, s);
    }
    return s;
  }
  set(document: string, state: WarmState | undefined): void {
    this.states.delete(document);
    if (!state) return;
    this.states.set(document, state);
    while (this.states.size > this.max) this.states.delete(this.states.keys().next().value as string);
  }
  forget(document: string): boolean {
    return this.states.delete(document);
  }
  get size(): number {
    return this.states.size;
  }
}

/** Documents whose warm-start state the worker keeps at once (one head each: classes x dim floats). */
const MAX_DOCUMENTS = 32;
