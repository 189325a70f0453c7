import assert from 'node:assert/strict';
import { naturalBayes, naturalLogreg } from '../../../src/engine/eval';

describe('eval: natural peers', () => {
  const support = ['refund my payment please', 'charged twice on my card', 'cannot log in to my account', 'password reset link broken'];
  const labels = Int32Array.from([0, 0, 1, 1]);

  for (const make of [naturalBayes, naturalLogreg]) {
    it(`${make().name} learns from the support texts and still answers a class for a line of stop words only`, () => {
      const predict = make().adaptText(support, labels, 2);
      assert.deepEqual(Array.from(predict(['I want a refund of the payment', 'the login page rejects my password'])), [0, 1]);
      const empty = predict(['the and of']);
      assert.equal(empty.length, 1);
      assert.ok(empty[0] === 0 || empty[0] === 1, `got ${empty[0]}`);
    });
  }
});
