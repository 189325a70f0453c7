// The `fewshot.*` settings as the extension reads them, from the fake vscode's settings.
import assert from 'node:assert/strict';
import { readConfig } from '../../src/extension/config';
import { settings } from './fakeVscode';

describe('readConfig', () => {
  afterEach(() => settings.clear());

  it('reads fewshot.abstention: auto by default, on and off as set', () => {
    assert.equal(readConfig().abstention, 'auto');
    settings.set('fewshot.abstention', 'off');
    assert.equal(readConfig().abstention, 'off');
    settings.set('fewshot.abstention', 'on');
    assert.equal(readConfig().abstention, 'on');
  });

  it('reads a value outside auto, on and off (a hand-edited settings.json) as the default', () => {
    for (const bad of ['always', true, 3, null]) {
      settings.set('fewshot.abstention', bad);
      assert.equal(readConfig().abstention, 'auto', `fewshot.abstention: ${JSON.stringify(bad)}`);
    }
  });
});
