// Splits one line of text (prose, log lines, identifiers, paths, URLs) into lowercase word tokens.
//
// Rules:
// - NFKC first, so full-width letters, ligatures and compatibility forms match their plain spelling.
// - A token is a run of letters, combining marks and digits (`\p{L}\p{M}\p{N}`); everything else
//   (punctuation, `_`, `-`, `.`, `/`, apostrophes, control characters, lone surrogates) separates.
// - Identifiers split at case changes: `camelCase` -> camel, case; `HTTPServerError` -> http,
//   server, error; `Base64Encode` -> base64, encode. Letters and digits stay together (`mp3`,
//   `user123`, `sha256`) so hashes and ids do not shatter into single letters.
// - Han ideographs and kana are one token each: Chinese and Japanese write no spaces, so a run of
//   them is a phrase or a sentence, not a word. Single-character tokens give the character n-gram
//   block the character unigrams and bigrams that carry the meaning there (see docs/encoder.md).
//   Hangul stays in words: Korean spaces its words. Every other script is unchanged.

/** Characters examined per line; the rest of a longer line is ignored (10 MB lines stay cheap). */
export const MAX_TOKENIZE_CHARS = 4096;

const SEP = 0;
const LOWER = 1; // lowercase or caseless letter
const UPPER = 2;
const DIGIT = 3;
const MARK = 4; // combining mark: continues the current token, never starts a case boundary
const IDEO = 5; // Han ideograph or kana: a token of its own (with any marks that follow it)

const ASCII_CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  if (c >= 0x61 && c <= 0x7a) ASCII_CLASS[c] = LOWER;
  else if (c >= 0x41 && c <= 0x5a) ASCII_CLASS[c] = UPPER;
  else if (c >= 0x30 && c <= 0x39) ASCII_CLASS[c] = DIGIT;
}

// Classes of BMP code points, filled on first sight (0 = not yet known, else class + 1).
const BMP_CLASS = new Uint8Array(0x10000);
const IDEO_RE = /[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}]/uy;
const UPPER_RE = /[\p{Lu}\p{Lt}]/uy;
const LETTER_RE = /\p{L}/uy;
const MARK_RE = /\p{M}/uy;
const DIGIT_RE = /\p{N}/uy;

function classifyWithRegex(text: string, i: number): number {
  const cls = classifyCategory(text, i);
  if (cls !== LOWER) return cls;
  IDEO_RE.lastIndex = i;
  return IDEO_RE.test(text) ? IDEO : LOWER;
}

function classifyCategory(text: string, i: number): number {
  for (const [re, cls] of [
    [UPPER_RE, UPPER],
    [LETTER_RE, LOWER],
    [MARK_RE, MARK],
    [DIGIT_RE, DIGIT],
  ] as const) {
    re.lastIndex = i;
    if (re.test(text)) return cls;
  }
  return SEP;
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/** Cuts at `max` code units without splitting a surrogate pair. */
function capLength(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = isHighSurrogate(text.charCodeAt(max - 1)) ? max - 1 : max;
  return text.slice(0, end);
}

function hasNonAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return true;
  return false;
}

/** Whether a token of `tokenize` is a Han ideograph or a kana (they are tokens of their own). */
export function isIdeographic(token: string): boolean {
  const code = token.charCodeAt(0);
  if (code < 0x80 || isLowSurrogate(code)) return false;
  if (isHighSurrogate(code)) return classifyWithRegex(token, 0) === IDEO;
  let known = BMP_CLASS[code];
  if (known === 0) {
    known = classifyWithRegex(token, 0) + 1;
    BMP_CLASS[code] = known;
  }
  return known - 1 === IDEO;
}

/** Lowercase word tokens of one line; see the rules at the top of this file. */
export function tokenize(text: string): string[] {
  let s = capLength(text, MAX_TOKENIZE_CHARS);
  if (hasNonAscii(s)) s = s.normalize('NFKC');
  const lower = s.toLowerCase();
  // Lowercasing can change the length (e.g. U+0130); then lowercase each token on its own.
  const aligned = lower.length === s.length;
  const tokens: string[] = [];
  const emit = (from: number, to: number): void => {
    tokens.push(aligned ? lower.slice(from, to) : s.slice(from, to).toLowerCase());
  };

  let start = -1; // start of the current token, -1 between tokens
  let prev = SEP; // class of the previous non-mark character
  let prevPos = 0; // position of that character
  let upperRun = 0; // uppercase characters ending at `prev`
  const n = s.length;
  for (let i = 0; i < n; ) {
    const code = s.charCodeAt(i);
    let cls: number;
    let width = 1;
    if (code < 0x80) {
      cls = ASCII_CLASS[code];
    } else if (isHighSurrogate(code) && i + 1 < n && isLowSurrogate(s.charCodeAt(i + 1))) {
      cls = classifyWithRegex(s, i);
      width = 2;
    } else {
      let known = BMP_CLASS[code];
      if (known === 0) {
        known = (isHighSurrogate(code) || isLowSurrogate(code) ? SEP : classifyWithRegex(s, i)) + 1;
        BMP_CLASS[code] = known;
      }
      cls = known - 1;
    }

    if (cls === SEP) {
      if (start >= 0) emit(start, i);
      start = -1;
      prev = SEP;
      upperRun = 0;
    } else if (cls === MARK) {
      if (start < 0) start = i;
    } else {
      if (start < 0) {
        start = i;
      } else if (cls === IDEO || prev === IDEO) {
        emit(start, i); // 中文 -> 中, 文; 2024年 -> 2024, 年
        start = i;
      } else if (cls === UPPER && (prev === LOWER || prev === DIGIT)) {
        emit(start, i); // camelCase, base64Encode
        start = i;
      } else if (cls === LOWER && prev === UPPER && upperRun >= 2) {
        emit(start, prevPos); // HTTPServer: the last capital starts the next word
        start = prevPos;
      }
      upperRun = cls === UPPER ? upperRun + 1 : 0;
      prev = cls;
      prevPos = i;
    }
    i += width;
  }
  if (start >= 0) emit(start, n);
  return tokens;
}
