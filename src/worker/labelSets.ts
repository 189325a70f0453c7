// A multi-label task's classify (ClassifyParams.multiLabel): one-vs-rest heads with per-label
// thresholds (Engine.adaptMultiLabel, src/engine/multiLabel.ts), a predicted set per line.
import { type EngineApi, MULTI_LABEL_SENTENCE_WEIGHT, type SentenceVectors, sentenceMethodName } from '../engine/engine';
import { NONE_LABEL } from '../engine/labels/none';
import type { MultiLabelExample, MultiLabelModel } from '../engine/multiLabel';
import { RpcError, yieldToEventLoop } from '../protocol/rpc';
import type { ClassifyResult } from '../protocol/worker';
import { PREDICT_CHUNK } from './units';
import { WORKER_MESSAGES } from '../protocol/workerMessages';

/**
 * Adapts to the labeled sets and predicts the `wanted` lines' units (the others get -1 and an empty
 * set). `stop` throws to end the work; it is called after the adaptation and between chunks. With
 * `sentence` (a refinement: every unit's vector), the adaptation adds the sentence block.
 */
export async function classifyLabelSets(
  engine: EngineApi,
  support: MultiLabelExample[],
  units: readonly string[],
  wanted: readonly number[],
  usePool: boolean,
  stop: () => void,
  sentence?: SentenceVectors,
): Promise<ClassifyResult> {
  const started = performance.now();
  const model = adaptSets(engine, support, usePool ? wanted.map((i) => units[i]!) : undefined, sentence);
  stop();
  const adapted = performance.now();
  const predictions = await predictSets(model, units, wanted, stop);
  return {
    ...predictions,
    method: sentence ? sentenceMethodName('multi-label', MULTI_LABEL_SENTENCE_WEIGHT) : 'multi-label',
    adaptMs: adapted - started,
    predictMs: performance.now() - adapted,
    warm: false,
    ...(model.note ? { note: model.note } : {}),
    ...(model.noteTemplate ? { noteTemplate: model.noteTemplate } : {}),
  };
}

/** A multi-label task's model (one document's or a workspace folder's), `pool` its unlabeled units. */
export function adaptSets(
  engine: EngineApi,
  support: MultiLabelExample[],
  pool: string[] | undefined,
  sentence?: SentenceVectors,
): MultiLabelModel {
  if (!engine.adaptMultiLabel) throw RpcError.said('input', WORKER_MESSAGES.noLabelSets);
  return engine.adaptMultiLabel(support, { ...(pool ? { pool } : {}), ...(sentence ? { sentence } : {}) });
}

type SetPredictions = Pick<ClassifyResult, 'labels' | 'labelIndex' | 'confidence' | 'uncertainty'> & Required<Pick<ClassifyResult, 'sets'>>;

/** The model's sets for the wanted lines, in the wire form (PredictedSets), with each line's summary. */
export async function predictSets(
  model: Pick<MultiLabelModel, 'labels' | 'thresholds' | 'classify'>,
  units: readonly string[],
  wanted: readonly number[],
  stop: () => void,
): Promise<SetPredictions> {
  const n = units.length;
  const L = model.labels.length;
  // `none` stands for the empty set in the single-label fields (the model's labels never include it).
  const none = L;
  const labelIndex = new Int32Array(n).fill(-1);
  const confidence = new Float32Array(n);
  const uncertainty = new Float32Array(n);
  const perLine: Array<Array<{ label: number; p: number }>> = Array.from({ length: n }, () => []);
  for (let from = 0; from < wanted.length; from += PREDICT_CHUNK) {
    if (from > 0) {
      await yieldToEventLoop();
      stop();
    }
    const chunk = wanted.slice(from, from + PREDICT_CHUNK);
    const { probs, member } = model.classify(chunk.map((i) => units[i]!));
    for (let k = 0; k < chunk.length; k++) {
      const line = chunk[k]!;
      const set = perLine[line]!;
      let maxP = 0;
      // How close the nearest call is: 1 where a label sits on its threshold, 0 where every label is far from it.
      let nearest = 1;
      for (let l = 0; l < L; l++) {
        const p = probs[k * L + l]!;
        const t = model.thresholds[l]!;
        maxP = Math.max(maxP, p);
        nearest = Math.min(nearest, Math.abs(p - t) / (p >= t ? Math.max(1 - t, 1e-6) : Math.max(t, 1e-6)));
        if (member[k * L + l] === 1) set.push({ label: l, p });
      }
      set.sort((a, b) => b.p - a.p);
      labelIndex[line] = set.length > 0 ? set[0]!.label : none;
      confidence[line] = set.length > 0 ? set[0]!.p : 1 - maxP;
      uncertainty[line] = 1 - Math.min(1, nearest);
    }
  }
  const start = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) start[i + 1] = start[i]! + perLine[i]!.length;
  const label = new Int32Array(start[n]!);
  const conf = new Float32Array(start[n]!);
  for (let i = 0; i < n; i++) {
    perLine[i]!.forEach((x, j) => {
      label[start[i]! + j] = x.label;
      conf[start[i]! + j] = x.p;
    });
  }
  return { labels: [...model.labels, NONE_LABEL], labelIndex, confidence, uncertainty, sets: { start, label, confidence: conf } };
}
