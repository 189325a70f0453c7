import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import { packageRootFrom } from '../../../src/engine/packageRoot';
import { BOUNDARY, SentencePieceTokenizer, type VocabEntry } from '../../../src/engine/sentence/tokenizer';

const B = BOUNDARY;
/** Six control symbols first, as in the model's vocabulary. */
const CONTROL: VocabEntry[] = ['<unk>', '<s>', '</s>', 'x1', 'x2', 'x3'].map((p) => [p, 0] as const);

describe('SentencePieceTokenizer', () => {
  describe('on a small vocabulary', () => {
    const vocab: VocabEntry[] = [
      ...CONTROL,
      [`${B}un`, -2], // 6
      ['lock', -2], // 7
      [`${B}unlock`, -5], // 8: less probable than the two pieces above together (-4)
      [`${B}`, -3], // 9
      ['a', -4], // 10
      ['b', -4], // 11
      [`${B}ab`, -1], // 12
    ];
    const tok = new SentencePieceTokenizer(vocab);

    it('picks the most probable segmentation, not the longest match', () => {
      assert.deepEqual(tok.pieces('unlock'), [`${B}un`, 'lock']);
    });

    it('prefers the whole piece when it is the more probable', () => {
      const better = vocab.map(([p, s]): VocabEntry => [p, p === `${B}unlock` ? -3 : s]);
      assert.deepEqual(new SentencePieceTokenizer(better).pieces('unlock'), [`${B}unlock`]);
    });

    it('reads characters no piece covers as one <unk> per run', () => {
      assert.deepEqual(tok.encode('ab zzz ab'), [12, 9, 0, 12]);
    });

    it('collapses whitespace and normalises (NFKC) before segmenting', () => {
      assert.deepEqual(tok.encode('  ab\t\n ab '), tok.encode('ab ab'));
      assert.deepEqual(tok.encode('\uff41\uff42'), tok.encode('ab')); // full-width letters
      assert.equal(SentencePieceTokenizer.normalize(' a  b '), `${B}a${B}b`);
    });

    it('gives no pieces for an empty or blank line', () => {
      assert.deepEqual(tok.encode(''), []);
      assert.deepEqual(tok.encode(' \t '), []);
    });

    it('never reads a control symbol from the text', () => {
      assert.ok(!tok.encode('<s>').some((id) => id > 0 && id < 6));
    });
  });

  describe('on the shipped vocabulary', () => {
    const file = path.join(packageRootFrom(__dirname), 'models/sentence/vocab.json');
    const vocab = JSON.parse(fs.readFileSync(file, 'utf8')) as VocabEntry[];
    const tok = new SentencePieceTokenizer(vocab);
    const cases: Array<[string, string[]]> = [
      ['I lost my card', [`${B}I`, `${B}lost`, `${B}my`, `${B}card`]],
      ['what is the exchange rate', [`${B}what`, `${B}is`, `${B}the`, `${B}exchange`, `${B}rate`]],
      ['Hello, world!', [`${B}H`, 'ello', ',', `${B}world`, '!']],
      ['café ﬁne', [`${B}ca`, 'f', 'é', `${B}fine`]],
    ];
    for (const [text, pieces] of cases) {
      it(`segments ${JSON.stringify(text)}`, () => assert.deepEqual(tok.pieces(text), pieces));
    }

    it('merges a run of unknown characters into one <unk>', () => {
      const ids = tok.encode('日本語 ok');
      assert.deepEqual(ids.map((id) => (vocab[id] as VocabEntry)[0]).slice(-1), [`${B}ok`]);
      assert.equal(ids.filter((id) => id === 0).length, 1);
    });
  });
});
