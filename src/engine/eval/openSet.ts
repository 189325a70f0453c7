// Open-set metrics: how well a method tells the lines of its labels from lines that fit none.
// One episode's figures; the evaluator averages them over episodes with 95% intervals.

/** Class id meaning "fits no label": the truth of an out-of-scope line, or a method's abstention. */
export const NO_LABEL = -1;

export interface OpenSetMetrics {
  /** Area under the ROC curve of the out-of-scope score (out-of-scope lines are the positives), 0..1. */
  auroc: number;
  /** Out-of-scope lines reported as "no label" / all out-of-scope lines. */
  oos_recall: number;
  /** Out-of-scope lines among the lines reported as "no label"; NaN when none was. */
  oos_precision: number;
  /** In-scope lines given a label (not reported as "no label") / all in-scope lines. */
  inscope_kept: number;
  /** Correct labels among the in-scope lines that were kept; NaN when none was. */
  inscope_accuracy: number;
}

/**
 * AUROC as the Mann-Whitney statistic: the probability that a random positive scores above a random
 * negative, ties counting one half. Sorting makes it O(n log n). NaN without positives or negatives.
 */
export function auroc(scores: ArrayLike<number>, positive: ArrayLike<boolean>): number {
  const n = scores.length;
  if (positive.length !== n) throw new RangeError(`auroc: ${n} scores but ${positive.length} labels`);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (scores[a] as number) - (scores[b] as number));
  let nPos = 0;
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    // A run of tied scores shares the mean of its ranks (1-based).
    let j = i + 1;
    while (j < n && scores[order[j] as number] === scores[order[i] as number]) j++;
    const rank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) {
      if (positive[order[k] as number]) {
        nPos++;
        rankSum += rank;
      }
    }
    i = j;
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return Number.NaN;
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/**
 * @param truth class id per line, NO_LABEL for out-of-scope lines
 * @param predicted class id per line, NO_LABEL where the method reported "no label"
 * @param oosScore higher = more likely out of scope (for the AUROC; independent of any threshold)
 */
export function openSetMetrics(truth: Int32Array, predicted: Int32Array, oosScore: ArrayLike<number>): OpenSetMetrics {
  const n = truth.length;
  if (predicted.length !== n || oosScore.length !== n) {
    throw new RangeError(`open-set metrics: ${n} truths, ${predicted.length} predictions, ${oosScore.length} scores`);
  }
  let oos = 0;
  let oosCaught = 0;
  let abstained = 0;
  let inScope = 0;
  let kept = 0;
  let keptCorrect = 0;
  const positive = new Array<boolean>(n);
  for (let i = 0; i < n; i++) {
    const isOos = truth[i] === NO_LABEL;
    const says = predicted[i] === NO_LABEL;
    positive[i] = isOos;
    if (says) abstained++;
    if (isOos) {
      oos++;
      if (says) oosCaught++;
    } else {
      inScope++;
      if (!says) {
        kept++;
        if (predicted[i] === truth[i]) keptCorrect++;
      }
    }
  }
  return {
    auroc: auroc(oosScore, positive),
    oos_recall: oos > 0 ? oosCaught / oos : Number.NaN,
    oos_precision: abstained > 0 ? oosCaught / abstained : Number.NaN,
    inscope_kept: inScope > 0 ? kept / inScope : Number.NaN,
    inscope_accuracy: kept > 0 ? keptCorrect / kept : Number.NaN,
  };
}
