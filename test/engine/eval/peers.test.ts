import assert from 'node:assert/strict';
import { charGrams, charTfidf, naturalBayes, naturalLogreg } from '../../../src/engine/eval';

describe('eval: natural peers', () => {
  const support = ['refund my payment please', 'charged twice on my card', 'cannot log in to my account', 'password reset link broken'];
  const labels = Int32Array.from([0, 0, 1, 1]);

  for (const make of [naturalBayes, naturalLogreg]) {
    it(`${make().name} learns from the support texts and still answers a class for a line of stop words only`, () => {
      const predict = make().adaptText(support, labels, 2);
      assert.deepEqual(Array.from(predict(['I want a refund of the payment', 'the login page rejects my password'])), [0, 1]);
      // No features: every class scores the same, and natural resolves the tie to class 0 here (a
      // class, not -1, and the same one every time).
      assert.deepEqual(Array.from(predict(['the and of', 'of the'])), [0, 0]);
    });
  }
});

describe('eval: char-tfidf peer', () => {
  it('gives character unigrams and bigrams, spaces only inside bigrams', () => {
    assert.deepEqual(charGrams(' Ab  c '), ['a', 'ab', 'b', 'b ', ' c', 'c']);
    assert.deepEqual(charGrams('中文'), ['中', '中文', '文']);
  });

  it('picks the class whose TF-IDF mean is nearest by cosine, also for text without spaces', () => {
    const support = ['今天的足球比赛很精彩', '篮球队赢了比赛', '这家餐厅的菜很好吃', '我喜欢吃米饭和面条'];
    const predict = charTfidf().adaptText(support, Int32Array.from([0, 0, 1, 1]), 2);
    assert.deepEqual(Array.from(predict(['足球队的比赛', '好吃的面条', ''])), [0, 1, 0]);
  });
});
