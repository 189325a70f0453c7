// Multi-label tasks at the facade: labeled lines carry a set of labels, predictions are sets with a
// probability per label. The learner is learners/multiLabel.ts; this file turns texts into its
// input and its output into label names.
import { englishOf, type MessageTemplate, said } from './messageTemplate';
import type { EncodedLines } from './types';
import type { Centre } from './learners/featureView';
import type { AdaptHyper } from './learners/adaptation';
import { CV_THRESHOLDS, type LabelSets, type MultiLabelHyper } from './learners/multiLabel';
import { adaptByClauses } from './learners/multiLabelClauses';
import { shippedFit } from './learners/multiLabelMethods';
import { isNoneLabel, NONE_LABEL } from './labels/none';
import { samplePool } from './pool';

/** One labeled line of a multi-label task; `labels` empty (or `none`) means the line carries none. */
export interface MultiLabelExample {
  text: string;
  labels: readonly string[];
}

export interface MultiLabelAdaptOptions {
  /** Unlabeled lines of the document: the features are re-centred on them and the labeled lines together. */
  pool?: string[];
  /** Let the heads use the label names as examples (default true). */
  useLabelNames?: boolean;
}

/** Per line, row-major lines x labels: each label's probability, and 1 where it is in the line's predicted set. */
export interface MultiLabelPredictions {
  probs: Float32Array;
  member: Uint8Array;
}

/**
 * The most labeled lines one adaptation fits on. The heads are fitted in the Gram form: a Gram
 * matrix of the labeled lines, then every gradient step of every fold costs the square of their
 * number (docs/multilabel.md). Past this bound the lines are thinned, label by label (capLabeledLines).
 * Measured (bench/multiLabel.ts, 8 labels, a 500-line pool, the shared 2-core machine at load 11-14):
 * 535 ms at 200 lines, 1.96 s at 350, 3.47 s at 500; a label toggle re-runs it, so 250 keeps a run
 * under about a second. The adaptation cannot be stopped midway (no shouldStop in its loops).
 */
export const MAX_MULTI_LABEL_LINES = 250;

export interface MultiLabelModel {
  /** The labels of the labeled lines, sorted (never `none`: the empty set is how a line carries no label). */
  labels: string[];
  /** Per label, the probability from which a clause (or, read whole, a line) carries it; fitted on the labeled lines only. */
  thresholds: Float32Array;
  adaptMs: number;
  /** Set when the labeled lines were more than MAX_MULTI_LABEL_LINES and some were left out (says so). */
  note?: string;
  /** `note` as its template (LABEL_SET_MESSAGES) and parameters, to translate. */
  noteTemplate?: MessageTemplate;
  classify(lines: string[]): MultiLabelPredictions;
}

/** One line's predicted set, most probable first, with each label's probability; empty: no label. */
export function namedLabelSets(model: MultiLabelModel, lines: string[]): Array<Array<{ label: string; confidence: number }>> {
  const { probs, member } = model.classify(lines);
  const L = model.labels.length;
  return lines.map((_, i) =>
    model.labels
      .map((label, l) => ({ label, confidence: probs[i * L + l], on: member[i * L + l] === 1 }))
      .filter((x) => x.on)
      .sort((a, b) => b.confidence - a.confidence)
      .map(({ label, confidence }) => ({ label, confidence })),
  );
}

/** A diagnostic's text for a predicted set: `a (0.91), b (0.62)`, or `none` for the empty set. */
export function describeLabelSet(set: ReadonlyArray<{ label: string; confidence: number }>): string {
  return set.length === 0 ? NONE_LABEL : set.map((x) => `${x.label} (${x.confidence.toFixed(2)})`).join(', ');
}

/**
 * At most `max` of the lines: taken in turn from each label's lines (the lines without a label
 * count as one more group), in their order, so a rare label keeps every line it has while common
 * ones are thinned. Deterministic: the same lines give the same subset.
 */
export function capLabeledLines<T extends MultiLabelExample>(support: readonly T[], max = MAX_MULTI_LABEL_LINES): T[] {
  if (support.length <= max) return [...support];
  const named = (ex: MultiLabelExample) => [...new Set(ex.labels)].filter((l) => !isNoneLabel(l));
  const lines = new Map<string, number>();
  for (const ex of support) for (const l of named(ex)) lines.set(l, (lines.get(l) ?? 0) + 1);
  const groups = new Map<string, number[]>();
  support.forEach((ex, i) => {
    // A line joins the group of its rarest label (fewest lines), where it is needed most; '' for none.
    let key = '';
    for (const l of named(ex)) if (key === '' || lines.get(l)! < lines.get(key)!) key = l;
    const list = groups.get(key) ?? [];
    list.push(i);
    groups.set(key, list);
  });
  const taken = new Set<number>();
  const lists = [...groups.values()];
  for (let round = 0; taken.size < max; round++) {
    for (const list of lists) if (round < list.length && taken.size < max) taken.add(list[round]!);
  }
  return [...taken].sort((a, b) => a - b).map((i) => support[i]!);
}

/** The lines an adaptation fits on: labels in a stable order, each line's set; `note` when lines were left out. */
export interface CheckedLabelSets {
  labels: string[];
  texts: string[];
  sets: LabelSets;
  note?: string;
  noteTemplate?: MessageTemplate;
}

/**
 * What a multi-label adaptation says of its lines, in English with `{0}` placeholders: the key of
 * its translation in the extension's l10n bundle (see docs/l10n.md).
 */
export const LABEL_SET_MESSAGES = {
  noLabels: 'no labeled lines: give at least one line a label',
  everyLine: "every labeled line carries '{0}': label a line without it (or with no label) too",
  thinned: '{0} labeled lines: the label sets are learned from {1} of them (the most one adaptation fits on), each label keeping its share',
} as const;

/** Labels in a stable order and each usable line's set; a message instead when the lines cannot train a model. */
export function checkLabelSets(support: readonly MultiLabelExample[]): CheckedLabelSets | { problem: MessageTemplate } {
  const all = support.filter((ex) => typeof ex?.text === 'string' && ex.text.trim() !== '' && Array.isArray(ex.labels));
  const usable = capLabeledLines(all);
  const named = (ex: MultiLabelExample) => ex.labels.filter((l) => typeof l === 'string' && l.trim() !== '' && !isNoneLabel(l));
  const labels = [...new Set(usable.flatMap(named))].sort();
  if (labels.length === 0) return { problem: said(LABEL_SET_MESSAGES.noLabels) };
  const index = new Map(labels.map((l, i) => [l, i]));
  const L = labels.length;
  const member = new Uint8Array(usable.length * L);
  usable.forEach((ex, i) => {
    for (const label of named(ex)) member[i * L + index.get(label)!] = 1;
  });
  const lacking = labels.filter((_, l) => usable.every((_, i) => member[i * L + l] === 1));
  if (lacking.length > 0) {
    return { problem: said(LABEL_SET_MESSAGES.everyLine, lacking[0]!) };
  }
  const note = usable.length < all.length ? said(LABEL_SET_MESSAGES.thinned, String(all.length), String(usable.length)) : undefined;
  return {
    labels,
    texts: usable.map((ex) => ex.text),
    sets: { n: usable.length, nLabels: L, member },
    ...(note ? { note: englishOf(note), noteTemplate: note } : {}),
  };
}

/** The shipped single-label procedure's features, step size and weights, for the one-vs-rest heads. */
export function multiLabelHyper(shipped: AdaptHyper): MultiLabelHyper {
  const { scales, steps, lr, weightDecay, temperature, nameWeight } = shipped;
  return { scales, steps, lr, weightDecay, temperature, nameWeight };
}

/** What the facade lends the multi-label adaptation. */
export interface MultiLabelContext {
  encode(texts: string[]): EncodedLines;
  hyper: AdaptHyper;
  centre: Centre;
}

/** Adapts one-vs-rest heads to checked lines (the facade checks them first), clause by clause where the lines split by label (multiLabelClauses.ts). */
export function adaptLabelSets(context: MultiLabelContext, checked: CheckedLabelSets, options: MultiLabelAdaptOptions): MultiLabelModel {
  const started = performance.now();
  const { labels, texts, sets } = checked;
  const poolTexts = labelSetsPool(options.pool);
  const classifier = adaptByClauses(
    {
      support: texts,
      sets,
      ...(poolTexts.length > 0 ? { pool: poolTexts } : {}),
      ...(options.useLabelNames === false ? {} : { names: labels }),
    },
    context.encode,
    shippedFit(context.centre, multiLabelHyper(context.hyper)),
    CV_THRESHOLDS,
    // Clauses outnumber lines: the same bound on the rows the heads are fitted on, each label keeping its share.
    (rows) => capLabeledLines(rows),
  );
  return labelSetsModel(checked, started, classifier);
}

/** The document's unlabeled lines a multi-label adaptation learns from: the non-empty ones, sampled by the pool policy. */
export function labelSetsPool(pool: readonly string[] | undefined): string[] {
  return pool ? samplePool(pool.filter((t) => t.trim() !== '')) : [];
}

/**
 * A fitted multi-label model as the facade hands it out: the checked lines' labels and note, the
 * fit's thresholds and its sets for any lines (`started`: when the adaptation began).
 */
export function labelSetsModel(
  checked: CheckedLabelSets,
  started: number,
  fitted: { thresholds: Float32Array; predictSets(lines: string[]): { probs: Float32Array; sets: Uint8Array } },
): MultiLabelModel {
  return {
    labels: checked.labels,
    thresholds: fitted.thresholds,
    adaptMs: performance.now() - started,
    ...(checked.note ? { note: checked.note } : {}),
    ...(checked.noteTemplate ? { noteTemplate: checked.noteTemplate } : {}),
    classify: (lines) => {
      if (lines.length === 0) return { probs: new Float32Array(0), member: new Uint8Array(0) };
      const { probs, sets: member } = fitted.predictSets(lines);
      return { probs, member };
    },
  };
}
