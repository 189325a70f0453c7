// One timed unit of work per benchmark, shared by the in-process runs and the memory child.
import { type Engine, type LinePrediction, namedPredictions } from '../../src/engine/engine';
import type { TextMethod } from '../../src/engine/eval/methods';
import type { Support } from './workload';

export interface EngineJobTimes {
  encodeMs: number;
  adaptMs: number;
  classifyMs: number;
  totalMs: number;
}

/**
 * Encodes the (fresh) lines, adapts the transductive `default` method with them as the pool and
 * classifies them all. adapt() and predict() encode the lines again; those are cache hits, so the
 * split reads: encoding, learning, scoring.
 */
export function engineJob(
  engine: Engine,
  support: Support,
  lines: string[],
  method = 'default',
): EngineJobTimes & { predictions: LinePrediction[] } {
  // As the CLI and a document do it: adapt with the fresh lines as the pool (encoding them),
  // then classify the same lines (already encoded). The split comes from the engine's timings.
  const t0 = performance.now();
  const model = engine.adapt(support.examples, { method, pool: lines });
  const t1 = performance.now();
  const predictions = namedPredictions(model, lines);
  const t2 = performance.now();
  return { encodeMs: model.encodeMs, adaptMs: t1 - t0 - model.encodeMs, classifyMs: t2 - t1, totalMs: t2 - t0, predictions };
}

/** Inductive adaptation to a support set alone (encoding the support lines included). */
export function engineAdaptMs(engine: Engine, support: Support, method = 'default-inductive'): number {
  const t0 = performance.now();
  engine.adapt(support.examples, { method });
  return performance.now() - t0;
}

export interface PeerJobTimes {
  trainMs: number;
  classifyMs: number;
  totalMs: number;
}

/** A peer trained on the same support texts, classifying the same lines. */
export function peerJob(peer: TextMethod, support: Support, lines: string[]): PeerJobTimes & { predictions: Int32Array } {
  const t0 = performance.now();
  const predict = peer.adaptText(support.texts, support.labels, support.way);
  const t1 = performance.now();
  const predictions = predict(lines);
  const t2 = performance.now();
  return { trainMs: t1 - t0, classifyMs: t2 - t1, totalMs: t2 - t0, predictions };
}
