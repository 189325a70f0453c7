// Which field of a structured document holds the text to classify, read from the values rather
// than their length: a long boilerplate note repeated in every record, an id, a date or a status
// enum is never the text, however long. Pure; records.ts scores CSV columns and JSONL field paths
// with it.

/** Why a field is not taken as the text (it can still be chosen with Choose Text Column). */
export type NotText = 'empty' | 'numbers' | 'dates' | 'single tokens' | 'few letters' | 'repeated values' | 'boilerplate';

export interface FieldScore {
  /** Higher looks more like natural-language text; 0 for an empty field. */
  score: number;
  /** Set when the field is not taken as the text unless no field is text. */
  notText?: NotText;
}

/** Below this many filled values the repetition measures say nothing; the rest still apply. */
const MIN_FOR_REPETITION = 5;
/** A field whose distinct values are at most this share of its values is an enum or a constant. */
const MAX_REPEATED_SHARE = 0.5;
/** A word in at least this share of a field's values is part of a template, not of the record's text. */
const TEMPLATE_WORD_SHARE = 0.5;
/** A field whose values' words are mostly template words (below this novelty) is boilerplate. */
const MIN_NOVELTY = 0.3;
const MIN_LETTER_SHARE = 0.4;

const WORD = /[\p{L}\p{M}]+(?:['’][\p{L}\p{M}]+)*/gu;
/** Scripts written without spaces between words: each character counts as a word, and a value in them is not a single token. */
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/gu;
/** The same, without the global flag's state, for test(). */
const HAS_UNSPACED = new RegExp(UNSPACED.source, 'u');
const LETTER = /[\p{L}\p{M}]/gu;
const isNumber = (s: string) => s !== '' && Number.isFinite(Number(s));

/** Letter runs a date or time may hold besides digits (month and day names, AM/PM, T and Z of ISO 8601, UTC). */
const DATE_WORDS = new Set(
  (
    'jan january feb february mar march apr april may jun june jul july aug august sep sept september oct october ' +
    'nov november dec december mon monday tue tues tuesday wed wednesday thu thur thurs thursday fri friday sat ' +
    'saturday sun sunday am pm t z utc gmt st nd rd th'
  ).split(' '),
);

function isDate(v: string): boolean {
  const rest = v.replace(/\p{L}+/gu, (w) => (DATE_WORDS.has(w.toLowerCase()) ? '' : w));
  return /\d/.test(rest) && /^[\d\s,./:+-]*$/.test(rest);
}

/**
 * How much the values of one field (one per sampled record, '' where the record has none) look
 * like natural-language text: covered records × distinct-value share × letters share × length
 * spread × novelty² × log2(1 + words per value). Novelty is the mean share of a value's distinct
 * words that are not in half the field's values: boilerplate filled in per record has almost none.
 */
export function scoreField(values: readonly string[]): FieldScore {
  const filled = values.map((v) => v.trim()).filter((v) => v !== '');
  if (filled.length === 0) return { score: 0, notText: 'empty' };
  const n = filled.length;
  const coverage = n / values.length;
  const distinct = new Set(filled).size / n;
  let letters = 0;
  let visible = 0;
  let words = 0;
  let length = 0;
  let lengthSq = 0;
  const wordSets: Array<Set<string>> = [];
  const df = new Map<string, number>();
  for (const v of filled) {
    letters += v.match(LETTER)?.length ?? 0;
    visible += v.replace(/\s+/g, '').length;
    const unspaced = v.match(UNSPACED) ?? [];
    const w = unspaced.length
      ? [...(v.toLowerCase().replace(UNSPACED, ' ').match(WORD) ?? []), ...unspaced]
      : (v.toLowerCase().match(WORD) ?? []);
    words += w.length;
    length += v.length;
    lengthSq += v.length * v.length;
    const set = new Set(w);
    wordSets.push(set);
    for (const word of set) df.set(word, (df.get(word) ?? 0) + 1);
  }
  const letterShare = visible ? letters / visible : 0;
  const meanWords = words / n;
  const meanLength = length / n;
  const spread = meanLength ? Math.sqrt(Math.max(0, lengthSq / n - meanLength * meanLength)) / meanLength : 0;
  let novelty = 1;
  if (n >= MIN_FOR_REPETITION) {
    let sum = 0;
    for (const set of wordSets) {
      let novel = 0;
      for (const word of set) if (df.get(word)! / n < TEMPLATE_WORD_SHARE) novel++;
      sum += set.size ? novel / set.size : 0;
    }
    novelty = sum / n;
  }
  const score = coverage * distinct * letterShare * Math.min(1, 0.5 + spread) * novelty * novelty * Math.log2(1 + meanWords);
  const notText: NotText | undefined = filled.every(isNumber)
    ? 'numbers'
    : filled.every(isDate)
      ? 'dates'
      : filled.every((v) => !/\s/.test(v) && !HAS_UNSPACED.test(v))
        ? 'single tokens'
        : letterShare < MIN_LETTER_SHARE
          ? 'few letters'
          : n >= MIN_FOR_REPETITION && distinct <= MAX_REPEATED_SHARE
            ? 'repeated values'
            : novelty < MIN_NOVELTY
              ? 'boilerplate'
              : undefined;
  return notText ? { score, notText } : { score };
}

/**
 * The index of the text field among `names`: a preferred name (in the order given) whose values
 * look like text, else the text-like field with the highest score, else, when no field looks like
 * text, the best-scoring one that is neither numbers nor dates. -1 when there is none.
 */
export function chooseTextField(names: readonly string[], sample: (i: number) => string[], preferred: readonly string[]): number {
  const scores = names.map((_, i) => scoreField(sample(i)));
  const lower = names.map((c) => c.toLowerCase());
  for (const name of preferred) {
    const i = lower.indexOf(name);
    if (i >= 0 && !scores[i]!.notText) return i;
  }
  const best = (ok: (s: FieldScore) => boolean) => {
    let index = -1;
    scores.forEach((s, i) => {
      if (ok(s) && s.score > 0 && (index < 0 || s.score > scores[index]!.score)) index = i;
    });
    return index;
  };
  const text = best((s) => !s.notText);
  return text >= 0 ? text : best((s) => s.notText !== 'numbers' && s.notText !== 'dates');
}
