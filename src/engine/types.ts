// Shared shapes of the engine. Pure data: no tfjs, no vscode, and no imports: every part of the
// engine may depend on this file, so it depends on none (that keeps the engine free of import circles).

/** One labeled line, as found in label files and JSONL data sets. */
export interface Example {
  text: string;
  label: string;
}

/**
 * A batch of encoded lines. Two feature blocks per line:
 * - `word`: SIF-weighted mean of word vectors (row-major, n x wordDim), not normalised;
 * - `char`: hashed character n-grams, sparse CSR (log term frequency, L2-normalised per row).
 * Transforms that depend on the document (re-centring, removing the common component) are
 * applied later by the learners, so encodings can be cached per line.
 */
export interface EncodedLines {
  n: number;
  wordDim: number;
  word: Float32Array;
  charDim: number;
  charOffsets: Int32Array; // length n + 1
  charIndex: Int32Array;
  charValue: Float32Array;
  /**
   * The ideograph block (text/ideographs.ts): counts of Han and kana unigrams and bigrams, hashed
   * into a table of their own; no entries for lines without them. Absent where the encoder was made
   * without it (training): methods that read it treat absence as no entries.
   */
  ideo?: SparseRows;
}

/** Sparse rows (CSR): row i's entries are index/value[offsets[i]..offsets[i + 1]), indices ascending. */
export interface SparseRows {
  dim: number;
  offsets: Int32Array;
  index: Int32Array;
  value: Float32Array;
}

/** A few-shot method: adapts to a support set (and optionally unlabeled lines) and classifies. */
export interface FewShotMethod {
  readonly name: string;
  /** True when `adapt` uses the unlabeled pool. */
  readonly transductive: boolean;
  /**
   * @param support encoded support lines
   * @param labels class index (0..nClasses-1) of each support line
   * @param pool unlabeled lines of the same document (for transductive methods)
   * @param labelNames the label names encoded as lines, one row per class (names carry meaning:
   *   `billing`, `freeze_account`); methods may use them as extra, weighted examples
   */
  adapt(
    support: EncodedLines,
    labels: Int32Array,
    nClasses: number,
    pool?: EncodedLines,
    labelNames?: EncodedLines,
    control?: AdaptControl,
  ): Classifier;
}

/** Per line: the most probable class (-1: no finite score), its probability, the normalised entropy. */
export interface LineSummaries {
  best: Int32Array;
  confidence: Float32Array;
  uncertainty: Float32Array;
}

export interface Classifier {
  /** The linear head, for methods that have one (the engine keeps it to warm-start the next adaptation). */
  readonly head?: LinearHead;
  /** What the adaptation did; `note` says why it did less than asked (a labeled set beyond its budget). */
  readonly plan?: AdaptPlan;
  /** Row-major n x nClasses probabilities. */
  predictProbs(lines: EncodedLines): Float32Array;
  /**
   * What a prediction needs of each line, without the n x nClasses probabilities: the most probable
   * class, its probability and the normalised entropy (as normalisedEntropy would give). Optional:
   * the engine falls back to predictProbs.
   */
  predictSummary?(lines: EncodedLines): LineSummaries;
  /**
   * Pool rows the adaptation trained on as pseudo-labels, with the probabilities they had before
   * (from a model that had not seen them): an honest confidence for those lines, whose final
   * probabilities are inflated by having been trained on.
   */
  readonly heldOut?: ReadonlyMap<number, Float32Array>;
}

export interface LinearHead {
  /** nClasses x dim, row-major. */
  W: Float32Array;
  b: Float32Array;
  nClasses: number;
}

/** How an adaptation may start, stop and spend. */
export interface AdaptControl {
  /**
   * A previous solution for the same document (warm start): the fits continue from it instead of
   * starting from the prototypes; the self-training round takes `warmSteps` steps, and the first fit
   * before it (when there is a pool) WARM_FIRST_STEPS. Rows are classes in this adaptation's order;
   * `known[c]` false marks a class the previous solution did not have (it starts from its prototype).
   */
  warm?: { head: LinearHead; known: boolean[] };
  /** Gradient steps of each fit when warm-started (default a fifth of hp.steps, at least 3). */
  warmSteps?: number;
  /** Multiply-adds the whole adaptation may spend (default WORK_BUDGET); beyond it the plan shrinks. */
  budget?: number;
  /** Polled between gradient steps; true stops the current fit early (the caller is cancelling). */
  shouldStop?: () => boolean;
}

/** What an adaptation did, for the log and the guard-rail message. */
export interface AdaptPlan {
  /** Rows the gradient steps see per class at most (Infinity: all of them). */
  rowsPerClass: number;
  /** Self-training rounds kept. */
  rounds: number[];
  steps: number;
  /** `dual` (Gram matrix, small n) or `primal` (sparse rows, linear in n) for the first fit. */
  form: 'dual' | 'primal';
  /** Estimated multiply-adds. */
  work: number;
  /** Set when the labeled set was too large for the budget and the plan was cut. */
  note?: string;
  /** `note` as its template (ADAPTATION_NOTES) and parameters, to translate (a MessageTemplate: this file imports nothing). */
  noteTemplate?: { template: string; params: string[] };
  /** Whether the large-set schedule (AdaptHyper.large) was used. */
  large?: boolean;
}
