import assert from 'node:assert/strict';
import { Evidence } from '../../../src/engine/features/evidence';

// A vocabulary of a few English words stands in for the word vectors.
const vocabulary = new Set(['the', 'server', 'crashed']);
const vectors = { indexOf: (word: string) => (vocabulary.has(word) ? 1 : -1) };

describe('engine: evidence (how much a line gives the model to go on)', () => {
  const evidence = new Evidence(vectors, ['今天 下雨', 'weather']);

  it('is full for a line with a known word, or with any word in Latin script', () => {
    assert.equal(evidence.of('the server crashed again'), 1);
    assert.equal(evidence.of('LGTM'), 1);
    assert.equal(evidence.of('wip fixme'), 1);
    assert.equal(evidence.of('Grüße aus Köln'), 1);
  });

  it('is full for a line of numbers and punctuation only: it says nothing against the model', () => {
    for (const line of ['}', '---------', '2024-01-05 12:00:01', '42', '']) assert.equal(evidence.of(line), 1, JSON.stringify(line));
  });

  it('is the overlap with the labeled lines for words in a script the model has no features for', () => {
    assert.equal(evidence.of('ამინდი დღეს კარგია'), 0);
    assert.equal(evidence.of('明 晴'), 0);
    assert.ok(Math.abs(evidence.of('明天晴') - 2 / 3) < 1e-9, 'one of three ideographs seen');
    assert.equal(evidence.of('今 天 下 雨'), 1, 'every ideograph seen in the labeled lines');
    assert.equal(evidence.of('今 明'), 1, 'half of them seen: full (FULL_EVIDENCE_OVERLAP)');
    assert.ok(evidence.of('今 明 晴 风') < 1);
    assert.equal(evidence.of('ამინდი 42 }'), 0, 'numbers and punctuation do not dilute it');
  });
});
