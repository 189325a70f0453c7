// Multi-label tasks on the wire (both protocols: a document's classify and a workspace run's
// files): the labeled sets a request carries and the predicted sets an answer carries, each
// checked where it arrives. Its own file so that worker.ts and workspace.ts both use it without
// importing each other.
import type { MultiLabelExample } from '../engine/multiLabel';
import { RpcError } from './rpc';
import { WORKER_MESSAGES } from './workerMessages';

/** Per line, its predicted label set, most probable first. Checked by the host (checkPredictedSets). */
export interface PredictedSets {
  /** Length lines + 1: line i's set is entries start[i] to start[i + 1] (exclusive). */
  start: Int32Array;
  /** Per entry: index into ClassifyResult.labels. */
  label: Int32Array;
  /** Per entry: the label's probability. */
  confidence: Float32Array;
}

/**
 * The `multiLabel` field of a classify request, checked where the worker receives it: a list of
 * {text, labels} with string texts and label names; anything else is an input error naming the field.
 */
export function checkMultiLabelSupport(value: unknown): MultiLabelExample[] | undefined {
  if (value === undefined) return undefined;
  const ok =
    Array.isArray(value) &&
    value.every(
      (ex: unknown) =>
        typeof ex === 'object' &&
        ex !== null &&
        'text' in ex &&
        typeof ex.text === 'string' &&
        'labels' in ex &&
        Array.isArray(ex.labels) &&
        ex.labels.every((l: unknown) => typeof l === 'string'),
    );
  if (!ok) throw RpcError.said('input', WORKER_MESSAGES.badMultiLabel);
  return value;
}

/**
 * A classify answer's `sets` (or a workspace file's), checked where the extension receives it: one set per line, entries
 * in range and in order, each label once per line, confidences from 0 to 1. Undefined: no sets.
 */
export function checkPredictedSets(result: {
  labels: readonly string[];
  labelIndex: Int32Array;
  sets?: PredictedSets;
}): PredictedSets | undefined {
  const sets = result.sets;
  if (sets === undefined) return undefined;
  const fail = (why: string): never => {
    throw RpcError.said('internal', WORKER_MESSAGES.badLabelSets, why);
  };
  const { start, label, confidence } = sets;
  if (!(start instanceof Int32Array) || !(label instanceof Int32Array) || !(confidence instanceof Float32Array)) fail('wrong array types');
  if (start.length !== result.labelIndex.length + 1) fail(`${start.length - 1} sets for ${result.labelIndex.length} lines`);
  if (start[0] !== 0 || start[start.length - 1] !== label.length || label.length !== confidence.length) fail('entries out of range');
  for (let i = 0; i + 1 < start.length; i++) {
    if (start[i + 1]! < start[i]!) fail(`line ${i + 1} ends before it starts`);
    const seen = new Set<number>();
    for (let k = start[i]!; k < start[i + 1]!; k++) {
      const l = label[k]!;
      if (l < 0 || l >= result.labels.length || seen.has(l)) fail(`line ${i + 1} has label index ${l}`);
      seen.add(l);
      if (!(confidence[k]! >= 0 && confidence[k]! <= 1)) fail(`line ${i + 1} has confidence ${confidence[k]}`);
    }
  }
  return sets;
}
