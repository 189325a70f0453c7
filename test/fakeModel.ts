// Fake engines in tests predict with label names; this turns them into the engine's typed form.
import type { LinePrediction, Predictions } from '../src/engine/engine';

export function typedPredictions(labels: readonly string[], named: LinePrediction[]): Predictions {
  return {
    labelIndex: Int32Array.from(named, (p) => labels.indexOf(p.label)),
    confidence: Float32Array.from(named, (p) => p.confidence),
    uncertainty: Float32Array.from(named, (p) => p.uncertainty),
  };
}
