// The one label-name rule (src/engine/data/labelName.ts): what it normalises and what it refuses.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  describeLabelNameProblem,
  LABEL_NAME_MAX,
  labelNameProblem,
  labelNameRefusal,
  normalizeLabelName,
  visibleName,
} from '../../../src/engine/data/labelName';

/** Characters that draw nothing (or a plain-looking blank) beside a name: `spam` + one looks like `spam`. */
const INVISIBLE: Array<[number, string]> = [
  [0x00ad, 'soft hyphen'],
  [0x034f, 'combining grapheme joiner'],
  [0x061c, 'Arabic letter mark'],
  [0x115f, 'Hangul choseong filler'],
  [0x1160, 'Hangul jungseong filler'],
  [0x17b4, 'Khmer vowel inherent aq'],
  [0x180b, 'Mongolian free variation selector one'],
  [0x180e, 'Mongolian vowel separator'],
  [0x200b, 'zero width space'],
  [0x200c, 'zero width non-joiner'],
  [0x200d, 'zero width joiner'],
  [0x200e, 'left-to-right mark'],
  [0x202e, 'right-to-left override'],
  [0x2060, 'word joiner'],
  [0x2066, 'left-to-right isolate'],
  [0x2800, 'braille pattern blank'],
  [0x3164, 'Hangul filler'],
  [0xfe00, 'variation selector-1'],
  [0xfe0f, 'variation selector-16'],
  [0xfeff, 'zero width no-break space'],
  [0xffa0, 'halfwidth Hangul filler'],
  [0x1d173, 'musical symbol begin beam'],
  [0xe0001, 'language tag'],
  [0xe0073, 'tag latin small letter s'],
  [0xe007f, 'cancel tag'],
  [0xe0100, 'variation selector-17'],
  [0x0000, 'NUL'],
  [0x001b, 'escape'],
  [0x0085, 'next line'],
  [0x2028, 'line separator'],
  [0x2029, 'paragraph separator'],
  [0x00a0, 'no-break space'],
  [0x2007, 'figure space'],
  [0x3000, 'ideographic space'],
];

describe('data: label names', () => {
  it('refuses each invisible, control or look-alike blank character, wherever it sits, naming it', () => {
    for (const [code, what] of INVISIBLE) {
      const c = String.fromCodePoint(code);
      for (const name of [`spam${c}`, `sp${c}am`, `${c}spam`, c]) {
        const n = normalizeLabelName(name);
        // A character trim removes (U+FEFF, U+3000...) is cut from the ends: `spam` itself, the same name.
        if (name.trim() !== name && name.trim() !== '') assert.deepEqual(n, { name: 'spam' }, what);
        else {
          assert.ok('problem' in n, `${what} (U+${code.toString(16)}) in ${JSON.stringify(name)} was accepted`);
          if (name.trim() !== '') assert.match(n.problem, /invisible characters \(it holds U\+[0-9A-F]{4,5}\)/, what);
        }
      }
      assert.ok(labelNameProblem(`sp${c}am`), what);
    }
  });

  it('refuses lone surrogates, which no UTF-8 file can hold', () => {
    assert.ok('problem' in normalizeLabelName('a\ud800b'));
    assert.ok('problem' in normalizeLabelName('a\udc00'));
    assert.deepEqual(normalizeLabelName('smile 😀'), { name: 'smile 😀' });
  });

  it('trims, composes to NFC and bounds the length', () => {
    assert.deepEqual(normalizeLabelName('  billing\t'), { name: 'billing' });
    assert.deepEqual(normalizeLabelName('cafe\u0301'), { name: 'caf\u00e9' });
    assert.deepEqual(normalizeLabelName('spam eggs'), { name: 'spam eggs' });
    assert.deepEqual(normalizeLabelName('x'.repeat(LABEL_NAME_MAX)), { name: 'x'.repeat(LABEL_NAME_MAX) });
    assert.match((normalizeLabelName('x'.repeat(LABEL_NAME_MAX + 1)) as { problem: string }).problem, /at most 64/);
    assert.match((normalizeLabelName('   ') as { problem: string }).problem, /empty/);
    assert.match((normalizeLabelName(3) as { problem: string }).problem, /string/);
  });

  it('labelNameProblem takes only names already normal, and says why', () => {
    assert.equal(labelNameProblem('caf\u00e9'), undefined);
    assert.match(labelNameProblem('cafe\u0301')!, /NFC/);
    assert.match(labelNameProblem(' bug')!, /spaces/);
  });

  it('visibleName shows every refused character as an escape', () => {
    assert.equal(visibleName('spam\u00ad'), 'spam\\u{ad}');
    assert.equal(visibleName('a\u{e0073}\u3164b'), 'a\\u{e0073}\\u{3164}b');
    assert.equal(visibleName('x\u001b[31m'), 'x\\u{1b}[31m');
  });

  it('says each problem as a code and its parameters, worded once: in English, or through a translation', () => {
    const cases: Array<[unknown, string, string[]]> = [
      [42, 'notString', []],
      ['  ', 'empty', []],
      ['a\u200bb', 'invisible', ['U+200B']],
      ['x'.repeat(LABEL_NAME_MAX + 1), 'tooLong', [String(LABEL_NAME_MAX)]],
    ];
    for (const [raw, code, args] of cases) {
      const n = normalizeLabelName(raw);
      assert.ok('problem' in n, String(raw));
      assert.deepEqual([n.code, n.args], [code, args]);
      assert.equal(describeLabelNameProblem(n), n.problem);
    }
    assert.equal(
      labelNameRefusal('a\u200bb')?.problem,
      'a label name cannot contain control, bidirectional or invisible characters (it holds U+200B)',
    );
    assert.equal(labelNameRefusal(' spam')?.code, 'spaces');
    assert.equal(labelNameRefusal('e\u0301')?.code, 'notNfc');
    assert.equal(labelNameRefusal('spam'), undefined);
    // The extension hands vscode.l10n.t: the English template is the key, the parameters fill the translation.
    const zh: Record<string, string> = JSON.parse(
      fs.readFileSync(path.resolve(__dirname, '../../../../l10n/bundle.l10n.zh-cn.json'), 'utf8'),
    );
    const t = (message: string, ...args: string[]) => (zh[message] ?? message).replace(/\{(\d+)\}/g, (_, i: string) => args[Number(i)]!);
    assert.equal(
      describeLabelNameProblem(labelNameRefusal('a\u200bb')!, t),
      '标签名不能包含控制字符、双向控制字符或不可见字符（其中含有 U+200B）',
    );
    assert.equal(describeLabelNameProblem(labelNameRefusal('x'.repeat(LABEL_NAME_MAX + 1))!, t), `标签名最多 ${LABEL_NAME_MAX} 个字符`);
  });
});
