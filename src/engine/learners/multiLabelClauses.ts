// Multi-intent lines read clause by clause. A line that says several things usually says them in
// clauses joined by "and" or sentence punctuation ("check my balance and freeze my card"); its word
// features are a mean over all its words, so each intent's share shrinks as intents are added, and
// a head fitted on whole lines reads a line of three intents as a blur of them. Here the labeled
// lines are split into clauses, each clause of a line whose clause count matches its label count is
// given one of the line's labels (the assignment whole-line heads find likeliest), heads are fitted
// on the clauses, and a line's set is the union of its clauses' sets. Where the labeled lines do
// not split that way (most clause counts differ from label counts), the whole-line model is used.
// The split is a generic rule for multi-intent text, not fitted to any data set; docs/multilabel.md
// says what it gains on the SNIPS construction (lines joined with " and ") and where it cannot help.
import type { EncodedLines } from '../types';
import { DEFAULT_THRESHOLD, type LabelSets, type MultiLabelClassifier, type MultiLabelInput, type ThresholdRule } from './multiLabel';

/**
 * Where a line is split into clauses: " and " between words (any case), and sentence punctuation
 * (. ; ! ?) followed by a space. Commas are not: they separate list items far more often than intents.
 */
const CLAUSE_BREAK = /\s+and\s+|[.;!?]+\s+/i;

/** The line's clauses, trimmed, empty ones left out; a line with no break is its own single clause. */
export function splitClauses(text: string): string[] {
  const clauses = text
    .split(CLAUSE_BREAK)
    .map((c) => c.trim())
    .filter((c) => c !== '');
  return clauses.length > 0 ? clauses : [text];
}

/**
 * The share of labeled lines (those carrying at least one label) whose clause count must equal
 * their label count for the clauses to be used. Below it the labeled lines show that clauses are
 * not where the labels part (e.g. long single-label lines with "and" inside): whole lines are read.
 */
export const CLAUSE_AGREEMENT = 0.75;

/** Lines with more labels than this are not assigned clause by clause (the assignment tries every order). */
const MAX_ASSIGNED_LABELS = 6;

/** How a clause model's thresholds are set: the cross-validated ones, and each clause's set kept within the training clauses' range of set sizes. */
export type FitSets = (input: MultiLabelInput, rule: ThresholdRule) => MultiLabelClassifier;

export interface ClauseInput {
  support: readonly string[];
  sets: LabelSets;
  /** Unlabeled lines of the document (their clauses re-centre the clause features). */
  pool?: readonly string[];
  /** The label names, one per label. */
  names?: readonly string[];
}

export interface ClauseModel {
  /** True when the lines are read clause by clause; false: whole lines (the labeled lines did not split by label). */
  byClauses: boolean;
  /** Per label, the probability from which a clause (or a whole line) carries it. */
  thresholds: Float32Array;
  /** Per line, each label's probability (the highest over the line's clauses) and its set (the union of the clauses' sets). */
  predictSets(texts: readonly string[]): { probs: Float32Array; sets: Uint8Array };
}

/** A clause row for the fit, in the shape a thinning rule reads (labels as their indices). */
interface ClauseRow {
  text: string;
  labels: string[];
}

/**
 * Fits the multi-label model clause by clause when the labeled lines split by label, else on whole
 * lines. `fitSets` is the heads' fitter; `thin` bounds the clause rows (the fit's cost grows with their
 * square), keeping each label's share.
 */
export function adaptByClauses(
  input: ClauseInput,
  encode: (texts: string[]) => EncodedLines,
  fitSets: FitSets,
  rule: ThresholdRule,
  thin: (rows: ClauseRow[]) => ClauseRow[] = (rows) => rows,
): ClauseModel {
  const { sets } = input;
  const L = sets.nLabels;
  const pool = input.pool && input.pool.length > 0 ? encode([...input.pool]) : undefined;
  const names = input.names ? encode([...input.names]) : undefined;
  const lineInput = { support: encode([...input.support]), sets, ...(pool ? { pool } : {}), ...(names ? { names } : {}) };
  const whole = (): ClauseModel => {
    const lines = fitSets(lineInput, rule);
    return { byClauses: false, thresholds: lines.thresholds, predictSets: (texts) => lines.predictSets(encode([...texts])) };
  };
  // The clause order needs the heads' probabilities only, not thresholds: one fit on every line,
  // without the cross-validation's folds (a tenth of the cost of the whole-line model).
  let orderHeads: MultiLabelClassifier | undefined;
  const orderProbs = (clauses: string[]) => {
    orderHeads ??= fitSets(lineInput, { kind: 'fixed', value: DEFAULT_THRESHOLD });
    return orderHeads.predictProbs(encode(clauses));
  };
  const rows = clauseRows(input, L, orderProbs);
  if (!rows) return whole();
  const kept = thin(rows);
  const member = new Uint8Array(kept.length * L);
  kept.forEach((row, i) => {
    for (const l of row.labels) member[i * L + Number(l)] = 1;
  });
  // Every label needs a clause carrying it and one not carrying it, or its head has nothing to learn.
  for (let l = 0; l < L; l++) {
    let carried = 0;
    for (let i = 0; i < kept.length; i++) carried += member[i * L + l];
    if (carried === 0 || carried === kept.length) return whole();
  }
  const poolClauses = input.pool ? input.pool.flatMap(splitClauses) : [];
  const clauses = fitSets(
    {
      support: encode(kept.map((r) => r.text)),
      sets: { n: kept.length, nLabels: L, member },
      ...(poolClauses.length > 0 ? { pool: encode(poolClauses) } : {}),
      ...(names ? { names } : {}),
    },
    { ...rule, sizes: true },
  );
  return {
    byClauses: true,
    thresholds: clauses.thresholds,
    predictSets(texts) {
      const split = texts.map(splitClauses);
      const out = clauses.predictSets(encode(split.flat()));
      const probs = new Float32Array(texts.length * L);
      const lineSets = new Uint8Array(texts.length * L);
      let c = 0;
      split.forEach((parts, i) => {
        for (const _ of parts) {
          for (let l = 0; l < L; l++) {
            probs[i * L + l] = Math.max(probs[i * L + l], out.probs[c * L + l]);
            lineSets[i * L + l] |= out.sets[c * L + l];
          }
          c++;
        }
      });
      return { probs, sets: lineSets };
    },
  };
}

/**
 * Whether the labeled lines split by label: at least CLAUSE_AGREEMENT of the lines carrying a
 * label have as many clauses as labels (and few enough labels to assign). The one test of whether
 * the clauses are read; the facade asks it too, so that refining keeps a clause model.
 */
export function splitsByLabel(support: readonly string[], sets: LabelSets): boolean {
  const L = sets.nLabels;
  let labeled = 0;
  let agreeing = 0;
  support.forEach((text, i) => {
    let count = 0;
    for (let l = 0; l < L; l++) count += sets.member[i * L + l];
    if (count === 0) return;
    labeled++;
    if (count <= MAX_ASSIGNED_LABELS && splitClauses(text).length === count) agreeing++;
  });
  return labeled > 0 && agreeing >= CLAUSE_AGREEMENT * labeled;
}

/**
 * The clause rows of the labeled lines, or undefined when too few lines split by label
 * (CLAUSE_AGREEMENT). A line with no label gives each of its clauses no label; a line whose
 * clause count equals its label count gives each clause one of its labels, in the order whose
 * probabilities (`probs`, whole-line heads read on the clauses) multiply to the most; the other
 * lines are left out.
 */
function clauseRows(input: ClauseInput, L: number, probs: (clauses: string[]) => Float32Array): ClauseRow[] | undefined {
  if (!splitsByLabel(input.support, input.sets)) return undefined;
  const rows: ClauseRow[] = [];
  input.support.forEach((text, i) => {
    const parts = splitClauses(text);
    const labels = Array.from({ length: L }, (_, l) => l).filter((l) => input.sets.member[i * L + l] === 1);
    if (labels.length === 0) {
      for (const part of parts) rows.push({ text: part, labels: [] });
      return;
    }
    if (parts.length !== labels.length || labels.length > MAX_ASSIGNED_LABELS) return;
    const order = labels.length === 1 ? labels : likeliestOrder(labels, probs(parts), L);
    parts.forEach((part, k) => {
      rows.push({ text: part, labels: [String(order[k])] });
    });
  });
  return rows;
}

/** The order of `labels` (label k to clause k) whose clause probabilities (clauses x L) have the largest product. */
function likeliestOrder(labels: number[], p: Float32Array, L: number): number[] {
  let best = labels;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (const order of permutations(labels)) {
    let score = 0;
    order.forEach((l, k) => {
      score += Math.log(Math.max(p[k * L + l], 1e-12));
    });
    if (score > bestScore) {
      bestScore = score;
      best = order;
    }
  }
  return best;
}

function permutations(xs: number[]): number[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest]));
}
