// The ideograph block beside today's features (text/ideographs.ts): Han and kana unigrams and
// bigrams in a table of their own, weighted by their inverse document frequency over the lines the
// adaptation sees (support, pool and label names; never a label), each row L2-normalised, then
// appended to the char block at `weight` times its length. The learner sees one char block
// [hashed n-grams | weight * ideographs] re-centred and scaled as today's, so neither the view, the
// kernels nor the checkpoint change (as the sentence block joins through the word block).
//
// A document without ideographs or kana has no entries in the block: the method is then exactly
// the regression it extends (same lines, same view), so English is untouched. This is how `default`
// adapts (methods.ts): the document's script decides, here and nowhere else.
import { type AdaptHyper, adaptLogreg, LinearClassifier, LogregMethod } from './adaptation';
import { blockMeans, type Centre, FeatureView } from './featureView';
import { idfWeights } from './charWeighting';
import { type SentenceLayout, withoutSentence } from './sentenceBlock';
import type { AdaptControl, EncodedLines, FewShotMethod } from '../types';

export interface IdeographBlockOptions {
  /** Power of the IDF weight of each bucket (0: counts alone, 1: plain IDF). */
  power: number;
  /** Length of a line's ideograph entries relative to its hashed n-grams (each unit length). */
  weight: number;
}

/**
 * The block's settings in `default`: the best of a grid (power 0, 0.5, 1; weight 0.5 to 4) on
 * the tuning half of zh-classics, never on the lines its table reports (docs/accuracy.md, "Chinese").
 */
export const IDEOGRAPH_BLOCK: Readonly<IdeographBlockOptions> = Object.freeze({ power: 1, weight: 2 });

/** Whether any of the lines has an entry in the ideograph block. */
export function hasIdeographs(lines: EncodedLines): boolean {
  return lines.ideo !== undefined && lines.ideo.offsets[lines.n]! > lines.ideo.offsets[0]!;
}

/** Lines of the batches each ideograph bucket occurs in, and the number of lines. */
export function ideographFrequency(batches: readonly EncodedLines[], dim: number): { df: Float64Array; lines: number } {
  const df = new Float64Array(dim);
  let lines = 0;
  for (const b of batches) {
    lines += b.n;
    const ideo = b.ideo;
    if (!ideo) continue;
    for (let p = ideo.offsets[0]!; p < ideo.offsets[b.n]!; p++) if (ideo.value[p] !== 0) df[ideo.index[p]!]++;
  }
  return { df, lines };
}

/**
 * The lines with their ideograph entries (count times `weights`, unit length, times `scale`)
 * appended to the char block at charDim + bucket; the char block grows by the ideograph table.
 */
export function appendIdeographs(lines: EncodedLines, weights: Float32Array, scale: number): EncodedLines {
  const cd = lines.charDim;
  const ideo = lines.ideo;
  const extra = ideo ? ideo.offsets[lines.n]! - ideo.offsets[0]! : 0;
  const charOffsets = new Int32Array(lines.n + 1);
  const charIndex = new Int32Array(lines.charOffsets[lines.n]! - lines.charOffsets[0]! + extra);
  const charValue = new Float32Array(charIndex.length);
  let at = 0;
  for (let i = 0; i < lines.n; i++) {
    const from = lines.charOffsets[i]!;
    const to = lines.charOffsets[i + 1]!;
    charIndex.set(lines.charIndex.subarray(from, to), at);
    charValue.set(lines.charValue.subarray(from, to), at);
    at += to - from;
    if (ideo) {
      const start = at;
      let sq = 0;
      for (let p = ideo.offsets[i]!; p < ideo.offsets[i + 1]!; p++) {
        const v = ideo.value[p]! * weights[ideo.index[p]!]!;
        charIndex[at] = cd + ideo.index[p]!;
        charValue[at++] = v;
        sq += v * v;
      }
      const s = sq > 0 ? scale / Math.sqrt(sq) : 0;
      for (let p = start; p < at; p++) charValue[p] = charValue[p]! * s;
    }
    charOffsets[i + 1] = at;
  }
  return { ...lines, charDim: cd + weights.length, charOffsets, charIndex, charValue };
}

/**
 * The engine's logistic regression (`hyper`, with or without the pool) on today's blocks and the
 * ideograph block. Reference of the re-centring: the support and pool lines when transductive, else
 * the corpus centre (the ideograph part of it zero).
 */
export class IdeographMethod extends LogregMethod {
  constructor(
    name: string,
    hyper: AdaptHyper,
    transductive: boolean,
    corpusCentre: Centre,
    readonly block: IdeographBlockOptions,
  ) {
    super(name, hyper, transductive, corpusCentre);
  }

  /** The same method with other block settings, under another name. */
  with(name: string, block: IdeographBlockOptions): IdeographMethod {
    return new IdeographMethod(name, this.hyper, this.transductive, this.corpusCentre, block);
  }

  override adapt(
    support: EncodedLines,
    labels: Int32Array,
    nClasses: number,
    pool?: EncodedLines,
    labelNames?: EncodedLines,
    control: AdaptControl = {},
  ): LinearClassifier {
    const usePool = this.transductive && pool !== undefined && pool.n > 0;
    const seen = [support, ...(usePool ? [pool] : []), ...(labelNames ? [labelNames] : [])];
    const dim = support.ideo?.dim ?? 0;
    if (dim === 0 || !seen.some(hasIdeographs)) return super.adapt(support, labels, nClasses, pool, labelNames, control);
    const { df, lines } = ideographFrequency(seen, dim);
    const weights = idfWeights(df, lines, this.block.power);
    const extend = (l: EncodedLines) => appendIdeographs(l, weights, this.block.weight);
    const s = extend(support);
    const p = usePool ? extend(pool) : undefined;
    const common = this.corpusCentre.common;
    const centre: Centre = p
      ? { ...blockMeans([s, p]), ...(common ? { common } : {}) }
      : { ...this.corpusCentre, char: padded(this.corpusCentre.char, s.charDim) };
    const view = new FeatureView(centre, this.hyper.scales);
    // A previous head of another width (the document had no ideographs then) cannot be continued.
    const warm = control.warm && control.warm.head.W.length === control.warm.head.nClasses * view.dim ? control.warm : undefined;
    const { warm: _w, ...rest } = control;
    const fitted = adaptLogreg(view, s, labels, nClasses, this.hyper, p, labelNames && extend(labelNames), {
      ...rest,
      ...(warm ? { warm } : {}),
    });
    return new LinearClassifier(view, fitted.head, fitted.temperature, fitted.heldOut, fitted.plan, undefined, extend);
  }
}

function padded(v: Float32Array, length: number): Float32Array {
  const out = new Float32Array(length);
  out.set(v);
  return out;
}

/**
 * The refined method (`default+sentence@W`, `refined`) for a regression that reads the ideograph
 * block: on a document with ideographs the regression itself on today's lines, elsewhere `refined`.
 * The sentence encoder is English-trained: on zh-classics the default with the sentence block and
 * without the ideograph block got 46.3 / 56.5 against the default's 51.6 / 67.7 (docs/accuracy.md,
 * "Chinese"), so refining a Chinese document would have made it worse.
 */
export function ideographsFirst(method: IdeographMethod, refined: FewShotMethod, layout: SentenceLayout): FewShotMethod {
  const today = withoutSentence(method, layout);
  return {
    name: refined.name,
    transductive: refined.transductive,
    adapt(support, labels, nClasses, pool, names, control = {}) {
      const seen = [support, ...(method.transductive && pool ? [pool] : []), ...(names ? [names] : [])];
      if (seen.some(hasIdeographs)) return today.adapt(support, labels, nClasses, pool, names, control);
      // A head from when the document had ideographs is of another width: start afresh.
      const width = nClasses * (support.wordDim + support.charDim);
      const { warm, ...rest } = control;
      return refined.adapt(support, labels, nClasses, pool, names, warm && warm.head.W.length === width ? control : rest);
    },
  };
}
