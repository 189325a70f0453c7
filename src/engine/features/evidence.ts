// How much a line's features can say, given what the model knows: 1 when a word of it has a word
// vector (the model was trained on such lines), else the share of its tokens that the labeled
// lines also have (a line in a script the word vectors do not cover is only as good as its overlap
// with the examples). The engine tempers a line's probabilities by it (p^e, i.e. the scores times
// e): its predicted label stays, its confidence falls to 1 / labels when nothing is known.
import { tokenize } from '../text/tokenizer';
import type { WordVectors } from '../text/wordVectors';
import { normalisedEntropy } from '../learners/probs';

/** Share of a line's distinct tokens seen in the labeled lines at which its evidence is full. */
const FULL_EVIDENCE_OVERLAP = 0.5;

export class Evidence {
  private readonly known = new Set<string>();

  /** @param labeled the labeled lines and label names the adaptation learned from */
  constructor(
    private readonly vectors: WordVectors,
    labeled: readonly string[],
  ) {
    for (const text of labeled) for (const token of tokenize(text)) this.known.add(token);
  }

  /** Evidence of one line, 0..1. */
  of(text: string): number {
    const tokens = new Set(tokenize(text));
    if (tokens.size === 0) return 0;
    let seen = 0;
    for (const token of tokens) {
      if (this.vectors.indexOf(token) >= 0) return 1;
      if (this.known.has(token)) seen++;
    }
    return Math.min(1, seen / tokens.size / FULL_EVIDENCE_OVERLAP);
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
