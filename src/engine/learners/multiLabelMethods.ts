// The multi-label methods at the encoded level: what the engine ships (`default`) and the
// baselines the evaluator compares it with. They live with the learners, not in eval/, so the
// facade (engine.ts) can hand them out without depending on the evaluator.
import type { EncodedLines } from '../types';
import { meaningfulNames } from './adaptation';
import type { Centre } from './featureView';
import { adaptByClauses, type ClauseInput, type ClauseModel, type FitSets } from './multiLabelClauses';
import { type SentenceLayout, sentenceFeatures, todayLines } from './sentenceBlock';
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
  ): {
    /** Per label, the probability from which it is predicted (the editor's uncertainty reads it). */
    thresholds: Float32Array;
    predictSets(lines: EncodedLines): { probs: Float32Array; sets: Uint8Array };
  };
}

/**
 * A multi-label method that reads the texts (to split them into clauses) and encodes what it needs
 * with `encode`: the engine's `default`.
 */
export interface MultiLabelTextMethod {
  readonly name: string;
  readonly transductive: boolean;
  adaptTexts(input: ClauseInput, encode: (texts: string[]) => EncodedLines): Pick<ClauseModel, 'predictSets'>;
}

export type AnyMultiLabelMethod = MultiLabelMethod | MultiLabelTextMethod;

/** The shipped heads' fitter (one-vs-rest logistic heads on the shipped features), for adaptByClauses. */
export function shippedFit(centre: Centre, hp: MultiLabelHyper): FitSets {
  const heads = logregHeads(hp);
  return (input, rule) => adaptMultiLabel(input, centre, hp, heads, rule);
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
 * The multi-label methods by name. `default` is what the engine ships: lines read clause by clause
 * where the labeled lines split by label (multiLabelClauses.ts), else `whole-lines`. `whole-lines`:
 * one-vs-rest logistic heads on whole lines, cross-validated per-label thresholds, transductive
 * centre, label names. The baselines on the same episodes: `ovr-fixed` (the whole-line heads,
 * every threshold DEFAULT_THRESHOLD) and `proto-threshold` (cosine to each label's prototype,
 * per-label thresholds cross-validated the same way).
 */
export function multiLabelMethods(centre: Centre, hp: MultiLabelHyper): Map<string, AnyMultiLabelMethod> {
  const logreg = logregHeads(hp);
  const fitSets = shippedFit(centre, hp);
  const methods: AnyMultiLabelMethod[] = [
    { name: 'default', transductive: true, adaptTexts: (input, encode) => adaptByClauses(input, encode, fitSets, CV_THRESHOLDS) },
    headsMethod('whole-lines', true, centre, hp, logreg, CV_THRESHOLDS),
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

/**
 * `whole-lines` on augmented lines (sentenceBlock.ts) with the sentence block beside today's blocks at
 * `weight` times the word block's scale: the same heads and cross-validated thresholds, on
 * features whose sentence vector is the whole line's, not a mean over its words (docs/multilabel.md).
 * Transductive: both blocks are re-centred on the support and the pool. Weight 0 is `whole-lines`.
 */
export function sentenceMultiLabelMethod(
  name: string,
  centre: Centre,
  hp: MultiLabelHyper,
  layout: SentenceLayout,
  weight: number,
): MultiLabelMethod {
  const heads = logregHeads(hp);
  return {
    name,
    transductive: true,
    adapt(support, sets, pool, names) {
      const features = sentenceFeatures({ corpusCentre: centre, layout, sentence: weight, hyper: hp }, support, pool);
      const { transform } = features;
      // The lines come re-centred already: the heads read them against the features' own centre, no pool.
      const classifier = adaptMultiLabel(
        { support: transform(support), sets, ...(names ? { names: namesWithWords(names, transform, layout) } : {}) },
        features.centre,
        { ...hp, scales: features.scales },
        heads,
        CV_THRESHOLDS,
      );
      return { thresholds: classifier.thresholds, predictSets: (lines) => classifier.predictSets(transform(lines)) };
    },
  };
}

/** A multi-label method as it is today, given augmented lines: it sees today's features only. */
export function multiLabelWithoutSentence(method: MultiLabelMethod, layout: SentenceLayout): MultiLabelMethod {
  const today = (lines: EncodedLines) => todayLines(lines, layout);
  return {
    name: method.name,
    transductive: method.transductive,
    adapt(support, sets, pool, names) {
      const model = method.adapt(today(support), sets, pool && today(pool), names && today(names));
      return { thresholds: model.thresholds, predictSets: (lines) => model.predictSets(today(lines)) };
    },
  };
}

/**
 * The names' features, a name whose words the model does not know kept empty: `default` leaves such
 * a name out (meaningfulNames), and re-centring would otherwise give it features.
 */
function namesWithWords(names: EncodedLines, transform: (lines: EncodedLines) => EncodedLines, layout: SentenceLayout): EncodedLines {
  const kept = new Set(meaningfulNames(todayLines(names, layout)));
  const out = transform(names);
  for (let i = 0; i < out.n; i++) if (!kept.has(i)) out.word.fill(0, i * out.wordDim, (i + 1) * out.wordDim);
  return out;
}
