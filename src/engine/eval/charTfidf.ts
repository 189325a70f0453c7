// A naive reference for any script: TF-IDF over character unigrams and bigrams, nearest class mean
// by cosine. It needs no tokenizer, no word vectors and no training, so it is the floor a method
// must clear on languages the model was not trained on (e.g. Chinese, where a word is not spaced).
import type { TextMethod, TextPredictor } from './methods';

/** Character unigrams and bigrams of a line: lowercased NFKC, whitespace runs as one space. */
export function charGrams(text: string): string[] {
  const chars = [...text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim()];
  const grams: string[] = [];
  for (let i = 0; i < chars.length; i++) {
    if (chars[i] !== ' ') grams.push(chars[i]);
    if (i + 1 < chars.length) grams.push(chars[i] + chars[i + 1]);
  }
  return grams;
}

type SparseVector = Map<string, number>;

function normalise(v: SparseVector): SparseVector {
  let norm = 0;
  for (const x of v.values()) norm += x * x;
  if (norm > 0) for (const [k, x] of v) v.set(k, x / Math.sqrt(norm));
  return v;
}

/** TF-IDF prototype classifier; IDF from the support lines (smoothed: log((1 + n) / (1 + df)) + 1). */
export const charTfidf = (): TextMethod => ({
  name: 'char-tfidf',
  transductive: false,
  adaptText(texts, labels, nClasses): TextPredictor {
    const grams = texts.map(charGrams);
    const df = new Map<string, number>();
    for (const g of grams) for (const gram of new Set(g)) df.set(gram, (df.get(gram) ?? 0) + 1);
    const idf = (gram: string) => Math.log((1 + texts.length) / (1 + (df.get(gram) ?? 0))) + 1;
    const vectorOf = (g: string[]): SparseVector => {
      const v: SparseVector = new Map();
      for (const gram of g) v.set(gram, (v.get(gram) ?? 0) + 1);
      for (const [gram, tf] of v) v.set(gram, tf * idf(gram));
      return normalise(v);
    };
    const means: SparseVector[] = Array.from({ length: nClasses }, () => new Map());
    grams.forEach((g, i) => {
      const mean = means[labels[i]];
      for (const [gram, x] of vectorOf(g)) mean.set(gram, (mean.get(gram) ?? 0) + x);
    });
    for (const mean of means) normalise(mean);
    return (queries) =>
      Int32Array.from(queries, (text) => {
        const q = vectorOf(charGrams(text));
        let best = -1;
        let bestScore = -Infinity;
        means.forEach((mean, c) => {
          let score = 0;
          for (const [gram, x] of q) score += x * (mean.get(gram) ?? 0);
          // A class with no support line (empty mean) is never picked; ties go to the lower class.
          if (mean.size > 0 && score > bestScore) {
            best = c;
            bestScore = score;
          }
        });
        return best;
      });
  },
});
