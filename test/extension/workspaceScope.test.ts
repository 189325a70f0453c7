import * as assert from 'node:assert/strict';
import picomatch from 'picomatch';
import { enabledExcludes, exactGlob, inFewshotFolder, languageGlobs } from '../../src/extension/workspaceScope';

describe('workspace scope', () => {
  it('maps languages to globs of their file extensions and file names, from the installed contributions', () => {
    const contributions = [
      { id: 'markdown', extensions: ['.md', '.mdown'] },
      { id: 'log', extensions: ['.log', '.log.1'], filenames: ['syslog'] },
      { id: 'python', extensions: ['.py'] },
    ];
    assert.deepEqual(languageGlobs(['markdown', 'log'], contributions), [
      '**/*.md',
      '**/*.markdown',
      '**/*.mdown',
      '**/*.log',
      '**/*.log.1',
      '**/syslog',
    ]);
    assert.deepEqual(languageGlobs(['plaintext', 'csv'], []), ['**/*.txt', '**/*.csv'], 'known languages work without contributions');
    // The default fewshot.languages name tsv and jsonl: without an extension contributing them, closed TSV and JSONL files were never read.
    assert.deepEqual(
      languageGlobs(['tsv', 'jsonl'], []),
      ['**/*.tsv', '**/*.tab', '**/*.jsonl', '**/*.ndjson'],
      'the structured formats the records parser reads',
    );
    assert.deepEqual(languageGlobs(['unknown'], contributions), []);
  });

  it('keeps the glob characters of an extension or file name literal', () => {
    const [glob] = languageGlobs(['odd'], [{ id: 'odd', extensions: ['.a[1]'] }]);
    const match = picomatch(glob!, { dot: true });
    assert.equal(match('dir/x.a[1]'), true);
    assert.equal(match('dir/x.a1'), false);
    assert.equal(picomatch(exactGlob('.fewshot/labels (1).jsonl'))('.fewshot/labels (1).jsonl'), true);
    assert.equal(picomatch(exactGlob('sub\\labels.jsonl'))('sub/labels.jsonl'), true);
  });

  it('takes the files.exclude entries that are on', () => {
    assert.deepEqual(enabledExcludes({ '**/.git': true, '**/node_modules': false, '**/*.js': { when: '$(basename).ts' } }), [
      '**/.git',
      '**/*.js',
    ]);
    assert.deepEqual(enabledExcludes(undefined), []);
  });

  it('finds the .fewshot folder (labels, exports) at any depth, and only as a folder', () => {
    assert.ok(inFewshotFolder('.fewshot/exports/tickets.labeled.csv'));
    assert.ok(inFewshotFolder('.fewshot/labels.jsonl'));
    assert.ok(inFewshotFolder('sub/.fewshot/x.txt'));
    assert.ok(!inFewshotFolder('tickets.txt'));
    assert.ok(!inFewshotFolder('.fewshot'), 'a file named .fewshot is not in the folder');
    assert.ok(!inFewshotFolder('notes/.fewshot-old/x.txt'));
  });
});
