// The one rule for a labeled set the engine can learn from, and its one wording.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { supportProblem } from '../../src/engine/support';

describe('engine: supportProblem', () => {
  it('needs two labels with a usable example each; blank texts and labels do not count', () => {
    assert.equal(supportProblem([]), 'at least two labels need examples (found none); label a line with each of two labels');
    assert.equal(
      supportProblem([
        { text: 'a', label: 'bug' },
        { text: 'b', label: 'bug' },
        { text: '  ', label: 'feature' },
        { text: 'c', label: ' ' },
      ]),
      'at least two labels need examples (found only "bug"); label a line with a second label',
    );
    assert.equal(
      supportProblem([
        { text: 'a', label: 'bug' },
        { text: 'b', label: 'feature' },
      ]),
      undefined,
    );
  });

  it('is said in the user’s language through the translation it is given, the label kept as it is', () => {
    const zh: Record<string, string> = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../l10n/bundle.l10n.zh-cn.json'), 'utf8'));
    const t = (message: string, ...args: string[]) => zh[message]!.replace(/\{(\d+)\}/g, (_, i: string) => args[Number(i)]!);
    assert.equal(supportProblem([], t), '至少需要两个标签各有示例（一个也没有找到）；请分别用两个标签各标注一行');
    assert.equal(supportProblem([{ text: 'a', label: 'bug' }], t), '至少需要两个标签各有示例（只找到“bug”）；请用第二个标签标注一行');
    // A label is text, not a replacement pattern.
    assert.match(supportProblem([{ text: 'a', label: "$&$'" }])!, /found only "\$&\$'"/);
  });
});
