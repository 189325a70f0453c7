// The `fewshot.*` settings as the extension reads them, from the fake vscode's settings.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
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

  it('keeps the least certain predictions under the cap unless confidence is asked for, as the manifest says', () => {
    assert.equal(readConfig().priority, 'uncertainty');
    settings.set('fewshot.diagnostics.priority', 'confidence');
    assert.equal(readConfig().priority, 'confidence');
    settings.set('fewshot.diagnostics.priority', 'sideways');
    assert.equal(readConfig().priority, 'uncertainty');
    const manifest = JSON.parse(fs.readFileSync(path.join(process.cwd(), 'package.json'), 'utf8')) as {
      contributes: { configuration: { properties: Record<string, { default?: unknown }> } };
    };
    assert.equal(manifest.contributes.configuration.properties['fewshot.diagnostics.priority']?.default, 'uncertainty');
  });
});
