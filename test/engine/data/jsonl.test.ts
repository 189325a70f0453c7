import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataError, binaryProblem, parseExamples, readExamples, readLabelFile, streamExamples } from '../../../src/engine/data';
import { JSONL_PROBLEMS } from '../../../src/engine/data/jsonl';
import { fillMessage } from '../../../src/engine/data/labelName';
import { READ_PROBLEMS } from '../../../src/engine/data/text-file';
import { errorText } from '../../../src/protocol/rpc';

describe('data: JSONL', () => {
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fewshot-jsonl-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, content: string | Buffer) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, content);
    return file;
  };

  it('reads examples, tolerating a BOM, CRLF, blank lines and extra fields', async () => {
    const file = write('ok.jsonl', '\uFEFF{"text":"a b","label":"x"}\r\n\r\n  \n{"text":"c","label":"y","id":3}\r\n');
    assert.deepEqual(await readExamples(file), [
      { text: 'a b', label: 'x' },
      { text: 'c', label: 'y' },
    ]);
  });

  it('names the file and line of a malformed record', async () => {
    const lines = ['{"text":"a","label":"x"}', '', '{"text":"b"}'];
    const file = write('bad.jsonl', lines.join('\n'));
    await assert.rejects(
      readExamples(file),
      (err: Error) => err instanceof DataError && err.message === `${file}:3: expected a JSON object with string "text" and "label"`,
    );
    await assert.rejects(readExamples(write('notjson.jsonl', '{"text":"a","label":"x"}\n{oops\n')), /notjson\.jsonl:2: not valid JSON/);
    await assert.rejects(readExamples(write('array.jsonl', '[1,2]\n')), /array\.jsonl:1: expected a JSON object/);
    await assert.rejects(readExamples(write('num.jsonl', '{"text":"a","label":3}\n')), /num\.jsonl:1: expected/);
    await assert.rejects(readExamples(write('empty-text.jsonl', '{"text":"  ","label":"x"}\n')), /empty-text\.jsonl:1: "text" is empty/);
    assert.throws(() => parseExamples('{"text":"a","label":"x"}\nnope', 'buffer'), /buffer:2: not valid JSON/);
  });

  it("a malformed record's error carries its template (JSONL_PROBLEMS) for the extension to translate", async () => {
    const file = write('bad-said.jsonl', '{"text":"a","label":"x"}\n{"text":"b","label":" "}\n');
    const e = await readExamples(file).then(
      () => undefined,
      (x: unknown) => x,
    );
    assert.ok(e instanceof DataError);
    assert.deepEqual(e.said, { template: JSONL_PROBLEMS.emptyLabel, params: [`${file}:2`] });
    const zh = { [JSONL_PROBLEMS.emptyLabel]: '{0}："label" 为空' };
    assert.equal(
      errorText(e, (m, ...args) => fillMessage(zh[m as keyof typeof zh] ?? m, args)),
      `${file}:2："label" 为空`,
    );
    assert.equal(e.message, `${file}:2: "label" is empty`);
  });

  it('a file that cannot be read says so with its template (READ_PROBLEMS), for the extension to translate', async () => {
    const missing = path.join(dir, 'gone.jsonl');
    const binary = write('bin-said.jsonl', Buffer.from([0x7b, 0x00]));
    for (const [file, template] of [
      [missing, READ_PROBLEMS.ENOENT],
      [binary, READ_PROBLEMS.nul],
    ] as const) {
      const e = await readExamples(file).then(
        () => undefined,
        (x: unknown) => x,
      );
      assert.ok(e instanceof DataError);
      assert.deepEqual(e.said, { template, params: [file] });
    }
  });

  it('explains missing files, folders, empty files and binary content', async () => {
    await assert.rejects(readExamples(path.join(dir, 'missing.jsonl')), /missing\.jsonl: file not found/);
    await assert.rejects(readExamples(dir), /is a folder, not a file/);
    await assert.rejects(readExamples(write('empty.jsonl', '\n\n')), /empty\.jsonl: no examples/);
    await assert.rejects(readExamples(write('bin.jsonl', Buffer.from([0x7b, 0x00, 0x01, 0x02]))), /contains NUL bytes/);
    const latin1 = Buffer.from(Array.from({ length: 400 }, (_, i) => (i % 2 ? 0xe9 : 0x61)));
    await assert.rejects(readExamples(write('latin1.jsonl', latin1)), /is not UTF-8 text/);
    assert.equal(binaryProblem('x.jsonl', Buffer.from('héllo wörld, ordinary UTF-8 ✓', 'utf8')), null);
  });

  it('streams a big file with constant memory use', async () => {
    const file = path.join(dir, 'big.jsonl');
    const out = fs.createWriteStream(file);
    for (let i = 0; i < 200_000; i++) out.write(`{"text":"line number ${i}","label":"l${i % 7}"}\n`);
    await new Promise((resolve) => out.end(resolve));
    let n = 0;
    let last = '';
    for await (const ex of streamExamples(file)) {
      n++;
      last = ex.text;
    }
    assert.equal(n, 200_000);
    assert.equal(last, 'line number 199999');
  });

  it('reads label files: merges repeats, refuses one label and contradictions, reports singletons', async () => {
    const ok = await readLabelFile(
      write(
        'labels.jsonl',
        ['{"text":"a","label":"x"}', '{"text":"a","label":"x"}', '{"text":"b","label":"x"}', '{"text":"c","label":"y","note":1}'].join(
          '\n',
        ),
      ),
    );
    assert.equal(ok.examples.length, 3);
    assert.deepEqual(ok.labels, ['x', 'y']);
    assert.deepEqual(ok.singletons, ['y']);
    await assert.rejects(
      readLabelFile(write('one.jsonl', '{"text":"a","label":"x"}\n{"text":"b","label":"x"}')),
      /at least two labels.*only "x"/,
    );
    await assert.rejects(
      readLabelFile(write('both.jsonl', '{"text":"a","label":"x"}\n{"text":"a","label":"y"}')),
      /labeled both "x" and "y"/,
    );
  });
});
