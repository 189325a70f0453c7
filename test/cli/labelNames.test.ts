// The CLI's label file and the extension's label file take the same label names, normalised the
// same way (issue 19): a file the extension loads is never refused by `fewshot classify`.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as fc from 'fast-check';
import { readLabelFile } from '../../src/engine/data';
import { parseLabels } from '../../src/extension/labelFile';

/** Pieces names are made of: plain letters, spaces, a decomposed accent, look-alike blanks and invisible characters. */
const PIECES = 'a|b|é|e\u0301| |\t|\u00a0|\u00ad|\u200b|\u3164|\u2800|\ufe0f|\u{e0073}|\u202e|\u001b|\u{1f600}'.split('|');
const rawName = fc.oneof(
  fc.array(fc.constantFrom(...PIECES), { maxLength: 8 }).map((p) => p.join('')),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.nat(80).map((n) => ` ${'x'.repeat(n)} `),
);
/** The file's other label; a generated name equal to it is skipped (fc.pre) so the two never merge. */
const OTHER = 'other#';

describe('cli: label names agree with the extension', () => {
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fewshot-names-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('accepts and refuses the same names, and keeps the same normalised name', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(rawName, async (raw) => {
        fc.pre(raw.trim() !== OTHER);
        const extension = parseLabels(`${JSON.stringify({ document: 'a.txt', line: 1, text: 'one', label: raw })}\n`);
        const file = path.join(dir, `labels-${n++}.jsonl`);
        fs.writeFileSync(file, `${JSON.stringify({ text: 'one', label: raw })}\n${JSON.stringify({ text: 'two', label: OTHER })}\n`);
        const cli = await readLabelFile(file).then(
          (set) => set.examples.find((e) => e.text === 'one')?.label,
          () => undefined,
        );
        assert.equal(cli, extension.records[0]?.label, JSON.stringify(raw));
      }),
      { numRuns: 300 },
    );
  });

  it('a name with spaces around it loads in both, trimmed', async () => {
    const file = path.join(dir, 'spaces.jsonl');
    fs.writeFileSync(file, '{"text":"one","label":" spam "}\n{"text":"two","label":"ham"}\n');
    assert.deepEqual((await readLabelFile(file)).labels, ['spam', 'ham']);
    assert.equal(parseLabels('{"document":"a.txt","line":1,"text":"one","label":" spam "}\n').records[0]?.label, 'spam');
  });
});
