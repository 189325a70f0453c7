// The sentence block (docs/sentence.md): methods that read a 512-d sentence vector per line beside
// today's features. The engine (Engine.adapt with sentence vectors) and the episodic evaluator both
// hand them *augmented* lines, whose word block is today's word block followed by the line's sentence vector
// ([word (wordDim) | sentence (sentenceDim)]); each method below takes the part it is about.
//
// A separate block is emulated through the feature view's word block, so neither the view nor the
// kernels change: the method transforms each block itself (today's word block exactly as the view
// would: re-centred, common component removed, unit length; the sentence block re-centred on the
// same reference and unit length), places [word', lambda * sentence'] in the word block and hands
// the view a zero word centre. The view then divides that block by sqrt(1 + lambda^2); scaling its
// word scale by the same factor gives the word block its own scale s_word and the sentence block
// lambda * s_word, as two separate blocks would have.
import { type AdaptHyper, adaptLogreg } from './adaptation';
import { blockMeans, type BlockScales, type Centre, FeatureView } from './featureView';
import type { AdaptControl, Classifier, EncodedLines, FewShotMethod } from '../types';

/**
 * The sentence block's scale relative to the word block's when a model has no procedure
 * meta-learned with the block (model.ts: sentence-procedure.json): chosen on training domains
 * (docs/sentence.md), and where that meta-learning starts.
 */
export const SENTENCE_WEIGHT = 2;

export interface SentenceLayout {
  /** Width of today's word block (the model's word vectors). */
  wordDim: number;
  /** Width of the sentence block. */
  sentenceDim: number;
}

/** Appends each line's sentence vector (row-major n x sentenceDim) to its word block. */
export function augmentLines(lines: EncodedLines, sentence: Float32Array, sentenceDim: number): EncodedLines {
  if (sentence.length !== lines.n * sentenceDim) throw new Error(`${sentence.length / sentenceDim} sentence rows for ${lines.n} lines`);
  return augmentLinesWith(lines, (i) => sentence.subarray(i * sentenceDim, (i + 1) * sentenceDim), sentenceDim);
}

/**
 * Appends line i's sentence vector `vectorOf(i)` (undefined: zeros) to its word block, written
 * straight into the augmented rows: the engine hands its cached vectors here, with no n x
 * sentenceDim table in between.
 */
export function augmentLinesWith(
  lines: EncodedLines,
  vectorOf: (i: number) => Float32Array | undefined,
  sentenceDim: number,
): EncodedLines {
  const wd = lines.wordDim;
  const dim = wd + sentenceDim;
  const word = new Float32Array(lines.n * dim);
  for (let i = 0; i < lines.n; i++) {
    word.set(lines.word.subarray(i * wd, (i + 1) * wd), i * dim);
    const v = vectorOf(i);
    if (!v) continue;
    if (v.length !== sentenceDim) throw new Error(`a sentence vector of length ${v.length}, expected ${sentenceDim}`);
    word.set(v, i * dim + wd);
  }
  return { ...lines, wordDim: dim, word };
}

/** Today's lines back from augmented ones (the word block's first wordDim values). */
export function todayLines(lines: EncodedLines, layout: SentenceLayout): EncodedLines {
  const { wordDim: wd } = layout;
  checkAugmented(lines, layout);
  const word = new Float32Array(lines.n * wd);
  for (let i = 0; i < lines.n; i++) word.set(lines.word.subarray(i * lines.wordDim, i * lines.wordDim + wd), i * wd);
  return { ...lines, wordDim: wd, word };
}

function checkAugmented(lines: EncodedLines, layout: SentenceLayout): void {
  if (lines.wordDim !== layout.wordDim + layout.sentenceDim) {
    throw new Error(`expected lines with the sentence block (word block of ${layout.wordDim + layout.sentenceDim}), got ${lines.wordDim}`);
  }
}

/** A classifier that maps each batch of lines before scoring it. */
export function mapped(inner: Classifier, map: (lines: EncodedLines) => EncodedLines): Classifier {
  const summary = inner.predictSummary?.bind(inner);
  return {
    ...(inner.head ? { head: inner.head } : {}),
    ...(inner.plan ? { plan: inner.plan } : {}),
    ...(inner.heldOut ? { heldOut: inner.heldOut } : {}),
    predictProbs: (lines) => inner.predictProbs(map(lines)),
    ...(summary ? { predictSummary: (lines: EncodedLines) => summary(map(lines)) } : {}),
  };
}

/** An engine method as it is today, given augmented lines: it sees today's features only. */
export function withoutSentence(method: FewShotMethod, layout: SentenceLayout): FewShotMethod {
  const today = (lines: EncodedLines) => todayLines(lines, layout);
  return {
    name: method.name,
    transductive: method.transductive,
    adapt(support, labels, nClasses, pool, names, control) {
      const inner = method.adapt(today(support), labels, nClasses, pool && today(pool), names && today(names), control);
      return mapped(inner, today);
    },
  };
}

export interface SentenceMethodOptions {
  name: string;
  hyper: AdaptHyper;
  transductive: boolean;
  /** The model's corpus centre of today's blocks (the inductive reference). */
  corpusCentre: Centre;
  layout: SentenceLayout;
  /**
   * Scale of the sentence block relative to the word block (lambda); `alone` drops today's
   * features and keeps the sentence block only.
   */
  sentence: number | 'alone';
  /** See SentenceFeatureOptions.inPlace. */
  inPlace?: boolean;
}

/**
 * Logistic regression (the engine's adaptation, `hyper`) on today's blocks plus the sentence block,
 * or on the sentence block alone. Reference of the re-centring: the support and pool lines when
 * transductive, else the corpus centre (today's blocks) and no centring (the sentence block).
 */
export class SentenceBlockMethod implements FewShotMethod {
  readonly name: string;
  readonly transductive: boolean;
  constructor(readonly options: SentenceMethodOptions) {
    this.name = options.name;
    this.transductive = options.transductive;
  }

  adapt(
    support: EncodedLines,
    labels: Int32Array,
    nClasses: number,
    pool?: EncodedLines,
    names?: EncodedLines,
    control?: AdaptControl,
  ): Classifier {
    const { hyper } = this.options;
    const usePool = this.transductive && pool !== undefined && pool.n > 0;
    const { transform, centre, scales } = sentenceFeatures(this.options, support, usePool ? pool : undefined);
    const view = new FeatureView(centre, scales);
    const inner = adaptLogreg(
      view,
      transform(support),
      labels,
      nClasses,
      hyper,
      usePool ? transform(pool) : undefined,
      names && transform(names),
      control,
    );
    return mapped(inner, transform);
  }
}

/** How the sentence block is read: the layout, the reference without a pool, the block's weight, today's scales. */
export interface SentenceFeatureOptions {
  corpusCentre: Centre;
  layout: SentenceLayout;
  sentence: number | 'alone';
  hyper: { scales: BlockScales };
  /**
   * The augmented lines handed over (support, pool, names, each batch classified) are built for
   * this one use, as the engine builds them: the transform overwrites their rows with the features
   * instead of allocating a second table as large as the document (each row is read before it is
   * written, so the result is the same). Not with `alone`, whose rows are narrower. Default off:
   * the evaluator hands the same lines to several methods.
   */
  inPlace?: boolean;
}

/**
 * The features of augmented lines with the sentence block (the file's opening comment): the map
 * from augmented lines to [today's word block', lambda * sentence'] in the word block, and the
 * centre and scales the feature view reads them with. Re-centred on the support and `pool` when a
 * pool is given (the transductive reference), else on the corpus centre (today's blocks) and not
 * at all (the sentence block). Shared by the single-label and the multi-label methods.
 */
export function sentenceFeatures(
  options: SentenceFeatureOptions,
  support: EncodedLines,
  pool?: EncodedLines,
): { transform: (lines: EncodedLines) => EncodedLines; centre: Centre; scales: BlockScales } {
  const { layout, corpusCentre, sentence } = options;
  const { scales } = options.hyper;
  checkAugmented(support, layout);
  const ref = pool && pool.n > 0 ? pool : undefined;
  // Today's blocks are read in place, as the prefix of each augmented row: no copy of the lines.
  const todayCentre = ref ? { ...blockMeans([support, ref], layout.wordDim), common: corpusCentre.common } : corpusCentre;
  const sentenceCentre = ref ? sentenceMean([support, ref], layout) : new Float32Array(layout.sentenceDim);
  const alone = sentence === 'alone';
  const lambda = alone ? 1 : sentence;
  const todayView = new FeatureView(todayCentre, { word: 1, char: 1 });
  const dim = (alone ? 0 : layout.wordDim) + layout.sentenceDim;
  const transform = (lines: EncodedLines): EncodedLines => {
    checkAugmented(lines, layout);
    const word = options.inPlace && !alone ? lines.word : new Float32Array(lines.n * dim);
    for (let i = 0; i < lines.n; i++) {
      const o = i * dim;
      if (!alone) todayView.writeWord(lines, i, word, o, layout.wordDim);
      const so = o + (alone ? 0 : layout.wordDim);
      const from = i * lines.wordDim + layout.wordDim;
      let sq = 0;
      for (let j = 0; j < layout.sentenceDim; j++) {
        const v = (lines.word[from + j] as number) - (sentenceCentre[j] as number);
        word[so + j] = v;
        sq += v * v;
      }
      const s = sq > 0 ? lambda / Math.sqrt(sq) : 0;
      for (let j = 0; j < layout.sentenceDim; j++) word[so + j] = (word[so + j] as number) * s;
    }
    // Alone: no char entries, and a zero char centre below, so the char block is zero.
    if (alone)
      return {
        ...lines,
        wordDim: dim,
        word,
        charOffsets: new Int32Array(lines.n + 1),
        charIndex: new Int32Array(0),
        charValue: new Float32Array(0),
      };
    return { ...lines, wordDim: dim, word };
  };
  const centre: Centre = { word: new Float32Array(dim), char: alone ? new Float32Array(todayCentre.char.length) : todayCentre.char };
  const wordScale = alone ? scales.word : scales.word * Math.sqrt(1 + lambda * lambda);
  return { transform, centre, scales: { word: wordScale, char: scales.char } };
}

function sentenceMean(batches: EncodedLines[], layout: SentenceLayout): Float32Array {
  const mean = new Float64Array(layout.sentenceDim);
  let n = 0;
  for (const b of batches) {
    for (let i = 0; i < b.n; i++) {
      const from = i * b.wordDim + layout.wordDim;
      for (let j = 0; j < layout.sentenceDim; j++) mean[j] = (mean[j] as number) + (b.word[from + j] as number);
    }
    n += b.n;
  }
  return Float32Array.from(mean, (v) => (n ? v / n : 0));
}
