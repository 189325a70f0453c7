// SentencePiece unigram segmentation for the sentence encoder's vocabulary: the most probable
// split of a line into pieces (Viterbi over the pieces' log-probabilities), as the model was
// trained on. Pure TypeScript, no tfjs.

/** One vocabulary entry as the model package stores it: the piece and its log-probability. */
export type VocabEntry = readonly [piece: string, score: number];

/** SentencePiece's word boundary mark: a space, and the start of the line. */
export const BOUNDARY = '\u2581';

/** Ids below this are control symbols (<unk>, <s>, </s>, extra ids): never produced by the text. */
const RESERVED = 6;
const UNK_ID = 0;
/** SentencePiece scores an unknown character this far below the least likely piece. */
const UNK_PENALTY = 10;

interface TrieNode {
  children: Map<string, TrieNode>;
  /** Vocabulary id of the piece that ends here, or -1. */
  id: number;
}

export class SentencePieceTokenizer {
  private readonly root: TrieNode = { children: new Map(), id: -1 };
  private readonly pieceText: string[];
  private readonly scores: Float64Array;
  /** Length of each piece in code points. */
  private readonly lengths: Int32Array;
  private readonly unkScore: number;

  constructor(vocab: readonly VocabEntry[]) {
    if (vocab.length <= RESERVED) throw new Error(`a sentence vocabulary needs more than ${RESERVED} entries (got ${vocab.length})`);
    this.pieceText = vocab.map(([piece]) => piece);
    this.scores = new Float64Array(vocab.length);
    this.lengths = new Int32Array(vocab.length);
    let min = Number.POSITIVE_INFINITY;
    for (let id = RESERVED; id < vocab.length; id++) {
      const [piece, score] = vocab[id] as VocabEntry;
      const chars = [...piece];
      this.scores[id] = score;
      this.lengths[id] = chars.length;
      min = Math.min(min, score);
      let node = this.root;
      for (const c of chars) {
        let next = node.children.get(c);
        if (!next) {
          next = { children: new Map(), id: -1 };
          node.children.set(c, next);
        }
        node = next;
      }
      node.id = id;
    }
    this.unkScore = min - UNK_PENALTY;
  }

  /** The line as the model reads it: NFKC, whitespace runs as one boundary mark, one mark in front. */
  static normalize(text: string): string {
    const t = text.normalize('NFKC').trim().replace(/\s+/g, ' ');
    return t.length ? BOUNDARY + t.replaceAll(' ', BOUNDARY) : '';
  }

  /** Vocabulary ids of the most probable segmentation; runs of unknown characters become one <unk>. */
  encode(text: string): number[] {
    const chars = [...SentencePieceTokenizer.normalize(text)];
    const n = chars.length;
    // best[e]: score of the best segmentation of chars[0..e); last[e]: id of its last piece.
    const best = new Float64Array(n + 1).fill(Number.NEGATIVE_INFINITY);
    const last = new Int32Array(n + 1).fill(-1);
    const unkLen = new Int32Array(n + 1);
    best[0] = 0;
    for (let s = 0; s < n; s++) {
      const base = best[s] as number;
      if (base === Number.NEGATIVE_INFINITY) continue;
      let node: TrieNode | undefined = this.root;
      let matchedOne = false;
      for (let e = s; e < n && node; e++) {
        node = node.children.get(chars[e] as string);
        if (!node || node.id < 0) continue;
        if (e === s) matchedOne = true;
        const score = base + (this.scores[node.id] as number);
        if (score > (best[e + 1] as number)) {
          best[e + 1] = score;
          last[e + 1] = node.id;
        }
      }
      // A character no piece starts with is read as <unk>, so every line has a segmentation.
      if (!matchedOne && base + this.unkScore > (best[s + 1] as number)) {
        best[s + 1] = base + this.unkScore;
        last[s + 1] = UNK_ID;
        unkLen[s + 1] = 1;
      }
    }
    const ids: number[] = [];
    for (let e = n; e > 0; ) {
      const id = last[e] as number;
      if (!(id === UNK_ID && ids[ids.length - 1] === UNK_ID)) ids.push(id);
      e -= id === UNK_ID ? (unkLen[e] as number) : (this.lengths[id] as number);
    }
    return ids.reverse();
  }

  /** The pieces of `encode` as text (for tests and diagnostics). */
  pieces(text: string): string[] {
    return this.encode(text).map((id) => this.pieceText[id] as string);
  }
}
