// The multi-label methods at the encoded level: what the engine ships (`default`) and the
// baselines the evaluator compares it with. They live with the learners, not in eval/, so the
// facade (engine.ts) can hand them out without depending on the evaluator.
import type { EncodedLines } from '../types';
import type { Centre } from './featureView';
import {
  adaptMultiLabel,
  CV_THRESHOLDS,
  DEFAULT_THRESHOLD,
  type DualFit,
  type LabelSets,
  logregHeads,
  type MultiLabelHyper,
  prototypeHeads,
  type ThresholdRule,
} from './multiLabel';

/** A multi-label method at the encoded level: adapts to support sets, predicts a set per line. */
export interface MultiLabelMethod {
  readonly name: string;
  readonly transductive: boolean;
  adapt(
    support: EncodedLines,
    sets: LabelSets,
    pool?: EncodedLines,
    names?: EncodedLines,
  ): { predictSets(lines: EncodedLines): { sets: Uint8Array } };
}

/** One-vs-rest heads of `fit` with thresholds by `rule` (multiLabel.ts). */
function headsMethod(
  name: string,
  transductive: boolean,
  centre: Centre,
  hp: MultiLabelHyper,
  fitHeads: DualFit,
  rule: ThresholdRule,
): MultiLabelMethod {
  return {
    name,
    transductive,
    adapt: (support, sets, pool, names) =>
      adaptMultiLabel(
        { support, sets, ...(transductive && pool ? { pool } : {}), ...(names ? { names } : {}) },
        centre,
        hp,
        fitHeads,
        rule,
      ),
  };
}

/** Temperature of the prototype baseline's cosine before its sigmoid (PrototypeMethod's). */
const PROTOTYPE_TEMPERATURE = 10;

/**
 * The multi-label methods by name. `default` is what the engine ships (one-vs-rest logistic heads,
 * cross-validated per-label thresholds, transductive centre, label names); the baselines on the
 * same episodes: `ovr-fixed` (the same heads, every threshold DEFAULT_THRESHOLD) and
 * `proto-threshold` (cosine to each label's prototype, per-label thresholds cross-validated the
 * same way).
 */
export function multiLabelMethods(centre: Centre, hp: MultiLabelHyper): Map<string, MultiLabelMethod> {
  const logreg = logregHeads(hp);
  const methods = [
    headsMethod('default', true, centre, hp, logreg, CV_THRESHOLDS),
    headsMethod('default-inductive', false, centre, hp, logreg, CV_THRESHOLDS),
    headsMethod('ovr-fixed', true, centre, hp, logreg, { kind: 'fixed', value: DEFAULT_THRESHOLD }),
    headsMethod(
      'proto-threshold',
      false,
      centre,
      { ...hp, temperature: PROTOTYPE_TEMPERATURE, nameWeight: 0 },
      prototypeHeads(),
      CV_THRESHOLDS,
    ),
  ];
  return new Map(methods.map((m) => [m.name, m]));
}
