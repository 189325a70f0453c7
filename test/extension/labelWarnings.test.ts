// What a person is told about the label files (labelWarnings.ts), with the calls recorded.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { LabelFileError } from '../../src/extension/labelFile';
import { inLanguage } from './fakeVscode';
import type { Corruption } from '../../src/extension/folderLabels';
import { LabelWarnings } from '../../src/extension/labelWarnings';

function recorder(pressed?: string) {
  const calls: string[] = [];
  const ui = {
    log: (m: string) => calls.push(`log: ${m}`),
    warn: (m: string, ...actions: string[]) => {
      calls.push(`warn: ${m}${actions.length ? ` [${actions.join('|')}]` : ''}`);
      return Promise.resolve(pressed);
    },
    inform: (m: string) => calls.push(`info: ${m}`),
    openFile: (f: string) => calls.push(`open: ${f}`),
  };
  return { ui, calls };
}

const corruption = (lines: number[], backup?: string): Corruption => ({
  problems: lines.map((line) => ({ line, message: 'not JSON' })),
  backup,
  newBackup: backup !== undefined,
});

describe('label warnings', () => {
  it('warns about a corrupt file once per corruption, naming its bad lines and the backup; the button opens the file', async () => {
    const { ui, calls } = recorder('Open Label File');
    const warnings = new LabelWarnings(ui);
    const first = corruption([3, 7], '/w/.fewshot/labels.jsonl.bad-1');
    warnings.corruption('/w/.fewshot/labels.jsonl', first, 12);
    warnings.corruption('/w/.fewshot/labels.jsonl', first, 12); // the same episode, read again
    warnings.corruption('/w/.fewshot/labels.jsonl', undefined, 12); // fixed
    await Promise.resolve();
    assert.deepEqual(calls, [
      'warn: Few-Shot: labels.jsonl has 2 bad line(s) (3, 7). 12 labels loaded; the file will not be overwritten until fixed ' +
        '(backup: labels.jsonl.bad-1). [Open Label File]',
      'open: /w/.fewshot/labels.jsonl',
    ]);
    // A new corruption of the same file, and one of another folder's file, are warned about.
    warnings.corruption('/w/.fewshot/labels.jsonl', corruption([1]), 0);
    warnings.corruption('/v/.fewshot/labels.jsonl', first, 5);
    assert.equal(calls.filter((c) => c.startsWith('warn:')).length, 3);
    assert.match(calls.find((c) => c.includes('(1)'))!, /no new backup: too many kept already/);
  });

  it('a dismissed corruption warning opens nothing', async () => {
    const { ui, calls } = recorder(undefined);
    new LabelWarnings(ui).corruption('/w/labels.jsonl', corruption([2]), 1);
    await Promise.resolve();
    assert.ok(!calls.some((c) => c.startsWith('open:')));
  });

  it('a failed save warns, a save that works again informs and logs; a deleted file says its labels are kept', () => {
    const { ui, calls } = recorder();
    const warnings = new LabelWarnings(ui);
    warnings.saveProblem('/w/.fewshot/labels.jsonl', new Error('ENOSPC'));
    warnings.saveProblem('/w/.fewshot/labels.jsonl', undefined);
    warnings.fileDeleted('/w/.fewshot/labels.jsonl', 4);
    assert.deepEqual(calls, [
      'warn: Few-Shot: could not save labels to labels.jsonl (ENOSPC). Your labels are kept in memory and saving is retried.',
      'log: /w/.fewshot/labels.jsonl: saved again after failed attempts',
      'info: Few-Shot: labels saved to labels.jsonl again.',
      'warn: Few-Shot: labels.jsonl was deleted; its 4 labels are kept and written back. Use Clear Labels to remove them.',
    ]);
  });

  it("a failed save of the label file's own (lock, a file that keeps changing) is said in the language; a system error as it is", () => {
    const zh: Record<string, string> = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../l10n/bundle.l10n.zh-cn.json'), 'utf8'));
    const { ui, calls } = recorder();
    const warnings = new LabelWarnings(ui);
    inLanguage(zh, () => {
      warnings.saveProblem('/w/.fewshot/labels.jsonl', new LabelFileError({ code: 'keepsChanging', args: ['/w/.fewshot/labels.jsonl'] }));
      warnings.saveProblem(
        '/w/.fewshot/labels.jsonl',
        new LabelFileError({ code: 'locked', args: ['labels.jsonl', '/w/.fewshot/labels.jsonl.lock'] }),
      );
      warnings.saveProblem('/w/.fewshot/labels.jsonl', new Error('ENOSPC'));
    });
    assert.deepEqual(calls, [
      'warn: Few-Shot：无法将标签保存到 labels.jsonl（/w/.fewshot/labels.jsonl 一直在变化；稍后会再次读取）。你的标签保留在内存中，并会重试保存。',
      'warn: Few-Shot：无法将标签保存到 labels.jsonl（labels.jsonl 已被另一个写入者锁定（/w/.fewshot/labels.jsonl.lock））。你的标签保留在内存中，并会重试保存。',
      'warn: Few-Shot：无法将标签保存到 labels.jsonl（ENOSPC）。你的标签保留在内存中，并会重试保存。',
    ]);
  });

  it('a refused labelsFile setting is logged every time and shown once per reason', () => {
    const { ui, calls } = recorder();
    const warnings = new LabelWarnings(ui);
    warnings.setting('the labelsFile setting points outside the folder');
    warnings.setting('the labelsFile setting points outside the folder');
    warnings.setting('untrusted workspace');
    assert.deepEqual(
      calls.filter((c) => c.startsWith('warn:')),
      [
        'warn: Few-Shot: the labelsFile setting points outside the folder; labels are stored in .fewshot/labels.jsonl instead.',
        'warn: Few-Shot: untrusted workspace; labels are stored in .fewshot/labels.jsonl instead.',
      ],
    );
    assert.equal(calls.filter((c) => c.startsWith('log:')).length, 3);
  });
});
