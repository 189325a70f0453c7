// Multi-intent lines read clause by clause (learners/multiLabelClauses.ts), on lines encoded by a
// toy encoder whose word block is a mean over the line's words, as the shipped one's is.
import assert from 'node:assert/strict';
import type { EncodedLines } from '../../../src/engine/types';
import { CV_THRESHOLDS, type MultiLabelHyper } from '../../../src/engine/learners/multiLabel';
import { labelSets, withCharBuckets } from './synthetic';
import { adaptByClauses, splitClauses } from '../../../src/engine/learners/multiLabelClauses';
import { shippedFit } from '../../../src/engine/learners/multiLabelMethods';

const HP: MultiLabelHyper = { scales: { word: 1, char: 1 }, steps: 50, lr: 5, weightDecay: 1e-3, temperature: 1, nameWeight: 0 };
const WORD = 8;
const CHAR = 16;
const CENTRE = { word: new Float32Array(WORD), char: new Float32Array(CHAR) };
const fitSets = shippedFit(CENTRE, HP);

/** Word `xL` points along direction L (labels 0-3); any other word along 4-7 by its first letter. Char bucket: the word's length. */
function encode(texts: string[]): EncodedLines {
  const word = new Float32Array(texts.length * WORD);
  const buckets = texts.map((text, i) => {
    const words = text.split(/\s+/).filter((w) => w !== '');
    for (const w of words) {
      const m = /^x([0-3])$/.exec(w);
      word[i * WORD + (m ? Number(m[1]) : 4 + (w.charCodeAt(0) % 4))] += 1 / words.length;
    }
    return words.map((w) => w.length % CHAR);
  });
  return withCharBuckets(word, WORD, CHAR, buckets);
}

/** Lines of one to three intents ("x0 please now and x2 today"), each intent a label word among filler words. */
const SUPPORT: Array<[string, number[]]> = [
  ['x0 please now', [0]],
  ['x1 today please', [1]],
  ['x2 now today', [2]],
  ['x3 soon please', [3]],
  ['x0 today and x1 now', [0, 1]],
  ['x2 please and x3 today', [2, 3]],
  ['x1 soon and x2 now', [1, 2]],
  ['x3 now and x0 soon', [0, 3]],
  ['x0 soon and x2 today and x3 please', [0, 2, 3]],
  ['x1 please and x3 now', [1, 3]],
  ['x2 soon and x0 please', [0, 2]],
  ['x3 today and x1 soon and x0 now', [0, 1, 3]],
];
const L = 4;

describe('splitClauses', () => {
  it('splits at "and" between words and at sentence punctuation, not at commas', () => {
    assert.deepEqual(splitClauses('play jazz and book a table'), ['play jazz', 'book a table']);
    assert.deepEqual(splitClauses('Refund me. The app crashes  AND why? no'), ['Refund me', 'The app crashes', 'why', 'no']);
    assert.deepEqual(splitClauses('salt, pepper, sand'), ['salt, pepper, sand']);
    assert.deepEqual(splitClauses('brandy candy'), ['brandy candy']);
    assert.deepEqual(splitClauses(' and '), [' and ']);
  });
});

describe('adaptByClauses', () => {
  const input = {
    support: SUPPORT.map(([t]) => t),
    sets: labelSets(
      SUPPORT.map(([, s]) => s),
      L,
    ),
  };

  it('reads lines whose clauses carry the labels clause by clause: a line’s set is its clauses’ union', () => {
    const model = adaptByClauses(input, encode, fitSets, CV_THRESHOLDS);
    assert.equal(model.byClauses, true);
    const query = ['x1 now and x2 please and x3 soon', 'x0 today', 'x3 please and x0 today'];
    const { sets, probs } = model.predictSets(query);
    assert.deepEqual([...sets], [...labelSets([[1, 2, 3], [0], [0, 3]], L).member]);
    // A line's probability of a label is the highest of its clauses'.
    const clauses = model.predictSets(splitClauses(query[0]!)).probs;
    for (let l = 0; l < L; l++) assert.equal(probs[l], Math.max(clauses[l]!, clauses[L + l]!, clauses[2 * L + l]!));
  });

  it('gives every clause a label when every labeled clause carries one, and none to a clause like a line labeled none', () => {
    const model = adaptByClauses(input, encode, fitSets, CV_THRESHOLDS);
    // Filler words only: no label reaches its threshold, yet every labeled clause carried exactly one.
    const forced = model.predictSets(['please today now soon']).sets;
    assert.equal(
      forced.reduce((a, b) => a + b, 0),
      1,
    );
    const withNone = adaptByClauses(
      { support: [...input.support, 'soon today', 'please now'], sets: labelSets([...SUPPORT.map(([, s]) => s), [], []], L) },
      encode,
      fitSets,
      CV_THRESHOLDS,
    );
    assert.equal(withNone.byClauses, true);
    assert.deepEqual([...withNone.predictSets(['please today now soon']).sets], [0, 0, 0, 0]);
  });

  it('reads whole lines when the labeled lines do not split by label', () => {
    // Most labeled lines carry one label across two clauses: "and" does not separate intents here
    // (4 of 9 lines split by label, yet every label has a clause that would train it).
    const lines: Array<[string, number[]]> = [
      ['x0 now and x0 soon', [0]],
      ['x1 today and x1 please', [1]],
      ['x2 soon and x2 now', [2]],
      ['x3 please and x3 today', [3]],
      ['x0 please and x0 today', [0]],
      ['x1 now', [1]],
      ['x0 today', [0]],
      ['x3 soon', [3]],
      ['x2 today and x3 now', [2, 3]],
    ];
    const whole = {
      support: lines.map(([t]) => t),
      sets: labelSets(
        lines.map(([, s]) => s),
        L,
      ),
    };
    const model = adaptByClauses(whole, encode, fitSets, CV_THRESHOLDS);
    assert.equal(model.byClauses, false);
    const query = ['x1 now and x2 soon', 'x3 today'];
    const direct = fitSets({ support: encode(whole.support), sets: whole.sets }, CV_THRESHOLDS);
    assert.deepEqual([...model.predictSets(query).sets], [...direct.predictSets(encode(query)).sets]);
    assert.deepEqual([...model.thresholds], [...direct.thresholds]);
  });

  it('bounds the clause rows with the thinning rule it is given', () => {
    let seen = 0;
    const model = adaptByClauses(input, encode, fitSets, CV_THRESHOLDS, (rows) => {
      seen = rows.length;
      return rows;
    });
    assert.equal(model.byClauses, true);
    // 4 lines of one clause, 6 of two, 2 of three.
    assert.equal(seen, 4 + 12 + 6);
  });
});
