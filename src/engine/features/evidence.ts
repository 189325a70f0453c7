// How much a line's features can say, given what the model knows: 1 when a word of it has a word
// vector (the model was trained on such lines), else the share of its tokens that the labeled
// lines also have (a line in a script the word vectors do not cover is only as good as its overlap
// with the examples). The engine tempers a line's probabilities by it (p^e, i.e. the scores times
// e): its predicted label stays, its confidence falls to 1 / labels when nothing is known.
import { tokenize } from '../text/tokenizer';
import type { WordVectors } from '../text/wordVectors';
import { normalisedEntropy } from '../learners/probs';

const HAS_LETTER = /\p{L}/u;
/** A letter of any script but Latin. */
const NON_LATIN_LETTER = /(?!\p{Script=Latin})\p{L}/u;
/** A word of Latin letters (with their marks and any digits). */
const LATIN_WORD = /^[\p{Script=Latin}\p{M}\p{N}]+$/u;

/** Share of a line's distinct words seen in the labeled lines at which its evidence is full. */
const FULL_EVIDENCE_OVERLAP = 0.5;

export class Evidence {
  private readonly known = new Set<string>();

  /** @param labeled the labeled lines and label names the adaptation learned from */
  constructor(
    private readonly vectors: Pick<WordVectors, 'indexOf'>,
    labeled: readonly string[],
  ) {
    for (const text of labeled) for (const token of tokenize(text)) this.known.add(token);
  }

  /**
   * Evidence of one line, 0..1. Only words in a script the model has no features for count against
   * it: a word with a vector, or any word in Latin script (its character n-grams are what the model
   * was trained on: `LGTM`, `kubectl`), makes it 1; numbers and punctuation say nothing either way,
   * so a line of only those (`}`, `2024-01-05 12:00`) keeps the model's own confidence (it is not
   * made the least certain line of a log file).
   */
  of(text: string): number {
    // Most lines have no letter outside Latin script: then every word is readable or there is none,
    // and the answer is 1 without tokenizing (this runs on every classified line).
    if (!NON_LATIN_LETTER.test(text)) return 1;
    let words = 0;
    let seen = 0;
    for (const token of new Set(tokenize(text))) {
      if (!HAS_LETTER.test(token)) continue;
      if (this.vectors.indexOf(token) >= 0 || LATIN_WORD.test(token)) return 1;
      words++;
      if (this.known.has(token)) seen++;
    }
    return words === 0 ? 1 : Math.min(1, seen / words / FULL_EVIDENCE_OVERLAP);
  }
}

/**
 * Row `i` of probabilities (n x c) tempered by evidence e: p^e renormalised, the softmax of the
 * scores times e (e = 0: every label as likely). The label stays (`best`, the row's argmax);
 * returns its tempered probability and the tempered row's normalised entropy.
 */
export function temperRow(p: Float32Array, i: number, c: number, best: number, e: number): { confidence: number; uncertainty: number } {
  const q = new Float32Array(c);
  let sum = 0;
  for (let j = 0; j < c; j++) {
    q[j] = Math.max(p[i * c + j], 1e-30) ** e;
    sum += q[j];
  }
  for (let j = 0; j < c; j++) q[j] /= sum;
  return { confidence: q[best], uncertainty: normalisedEntropy(q, 0, c) };
}
