import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  parseLabels,
  serializeLabels,
  writeFileAtomic,
  backupFile,
  readLabelFile,
  toCsv,
  type LabelRecord,
} from '../../src/extension/labelFile';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'fewshot-labels-'));

describe('label file', () => {
  const records: LabelRecord[] = [
    { document: 'b.txt', line: 4, text: 'refund please', label: 'billing' },
    { document: 'a.txt', line: 0, text: 'login "fails"', label: 'account' },
  ];

  it('round-trips records, sorted by document then line, 1-based lines in the file', () => {
    const text = serializeLabels(records);
    const lines = text.trim().split('\n');
    assert.equal(lines.length, 2);
    assert.deepEqual(JSON.parse(lines[0]!), { document: 'a.txt', line: 1, text: 'login "fails"', label: 'account' });
    const parsed = parseLabels(text);
    assert.deepEqual(parsed.problems, []);
    assert.deepEqual(parsed.records, [records[1], records[0]]);
  });

  it('loads the valid records of a corrupt file and reports bad lines by number', () => {
    const content = [
      '{"document":"a.txt","line":1,"text":"x","label":"one"}',
      '{"document":"a.txt","line":2,"text":"y",',
      '',
      '{"document":"a.txt","line":0,"text":"z","label":"two"}',
      '[1,2]',
      '{"document":"a.txt","line":3,"text":"w","label":"two"}',
    ].join('\n');
    const parsed = parseLabels(content);
    assert.deepEqual(
      parsed.records.map((r) => r.text),
      ['x', 'w'],
    );
    assert.deepEqual(
      parsed.problems.map((p) => p.line),
      [2, 4, 5],
    );
    assert.match(parsed.problems[0]!.message, /JSON/);
    assert.match(parsed.problems[1]!.message, /line/);
  });

  it('writes atomically: the target is replaced whole and no temp file is left', async () => {
    const dir = tmp();
    const file = path.join(dir, 'nested', 'labels.jsonl');
    await writeFileAtomic(file, 'first\n');
    await writeFileAtomic(file, 'second\n');
    assert.equal(fs.readFileSync(file, 'utf8'), 'second\n');
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ['labels.jsonl']);
  });

  it('a failed write leaves the old file intact and cleans its temp file', async () => {
    const dir = tmp();
    const file = path.join(dir, 'labels.jsonl');
    fs.writeFileSync(file, 'old\n');
    // Renaming a file onto a non-empty folder fails: simulate with a folder at the target.
    const blocked = path.join(dir, 'blocked');
    fs.mkdirSync(path.join(blocked, 'inside'), { recursive: true });
    await assert.rejects(writeFileAtomic(blocked, 'new\n'));
    assert.equal(fs.readFileSync(file, 'utf8'), 'old\n');
    assert.deepEqual(fs.readdirSync(dir).sort(), ['blocked', 'labels.jsonl']);
  });

  it('backs up a file beside it and reads a missing file as empty', async () => {
    const dir = tmp();
    const file = path.join(dir, 'labels.jsonl');
    fs.writeFileSync(file, 'garbage\n');
    const backup = await backupFile(file, new Date('2025-01-02T03:04:05Z'));
    assert.equal(path.basename(backup), 'labels.jsonl.corrupt-2025-01-02T03-04-05-000Z.bak');
    assert.equal(fs.readFileSync(backup, 'utf8'), 'garbage\n');
    const missing = await readLabelFile(path.join(dir, 'none.jsonl'));
    assert.deepEqual(missing, { records: [], problems: [], content: undefined });
  });

  it('quotes CSV fields that need it', () => {
    assert.equal(
      toCsv(
        ['a', 'b'],
        [
          ['x,y', 'say "hi"'],
          [1, 'plain'],
        ],
      ),
      'a,b\n"x,y","say ""hi"""\n1,plain\n',
    );
  });
});
