// Shared shapes of the engine. Pure data: no tfjs, no vscode.
import type { AdaptControl, AdaptPlan } from './learners/adaptation';
import type { LinearHead } from './learners/kernelLogreg';

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
