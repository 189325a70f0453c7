// The labeling panel in the user's language: every visible string comes from the table of
// protocol/panelStrings.ts, which the extension translates through l10n/bundle.l10n.<lang>.json.
// Checked three ways: the table and the bundle agree, no hard-coded visible English is left in
// src/webview, and the built panel in Chromium shows none of the table's English in zh-cn.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { buildPanelHtml } from '../../src/extension/panel/html';
import {
  formatPanelString,
  PANEL_STRINGS,
  type PanelStringKey,
  type PanelStrings,
  parsePanelStrings,
  translatePanelStrings,
} from '../../src/protocol/panelStrings';
import { branches, callArguments, literalText, skipExpression, withoutComments } from '../sourceScan';
import { pageErrors, PanelHarness, settle } from './harness';

const ROOT = path.resolve(__dirname, '../../..');
const WEBVIEW = path.join(ROOT, 'src/webview');
const LANGUAGES = ['zh-cn'];
const KEYS = Object.keys(PANEL_STRINGS) as PanelStringKey[];

const bundle = (lang: string): Record<string, string> =>
  JSON.parse(fs.readFileSync(path.join(ROOT, `l10n/bundle.l10n.${lang}.json`), 'utf8'));

/** vscode.l10n.t over a bundle: the translation (or the message), placeholders filled from args. */
const l10nT =
  (messages: Record<string, string>) =>
  (message: string, ...args: string[]): string =>
    formatPanelString(messages[message] ?? message, args);

const placeholders = (s: string) => [...s.matchAll(/\{\d+\}/g)].map((m) => m[0]).sort();

/** The webview's sources without comments (examples in comments are not code). */
function webviewSources(): Array<{ file: string; code: string }> {
  return fs
    .readdirSync(WEBVIEW)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => ({
      file: f,
      code: withoutComments(fs.readFileSync(path.join(WEBVIEW, f), 'utf8')),
    }));
}

/**
 * Literals that reach the screen: assigned to text, title, placeholder or aria-label (or a branch of
 * a ternary assigned there), or passed as the visible argument of the panel's helpers. A call of
 * t() is not a literal: its argument is a key.
 */
function hardCodedStrings(code: string): string[] {
  const expressions: string[] = [];
  for (const m of code.matchAll(/(?:\btext|\btitle|\bplaceholder|'aria-label'|\btextContent)\s*(?::|=(?!=))\s*/g)) {
    const at = (m.index as number) + m[0].length;
    expressions.push(code.slice(at, skipExpression(code, at)));
  }
  const visibleArgument: Array<[RegExp, number]> = [
    [/\bsetAttribute\(\s*'(?:aria-label|title|placeholder)'\s*,/g, 0],
    [/\b(?:say|textButton|section)\(/g, 0],
    [/\b(?:iconButton|option|barChart|histogramChart)\(/g, 1],
  ];
  for (const [pattern, n] of visibleArgument)
    for (const m of code.matchAll(pattern)) {
      const arg = callArguments(code, (m.index as number) + m[0].length)[n];
      if (arg !== undefined) expressions.push(arg);
    }
  return expressions
    .flatMap(branches)
    .filter((b) => /\p{L}/u.test(literalText(b) ?? ''))
    .map((b) => b.replace(/\s+/g, ' '));
}

describe('the panel in the user’s language', () => {
  it('every key of the panel’s table is used by the webview, and every key it names is in the table', () => {
    const code = webviewSources()
      .map((s) => s.code)
      .join('\n');
    const unused = KEYS.filter((k) => !code.includes(`'${k}'`));
    assert.deepEqual(unused, []);
    // The literal keys t() is called with (each branch of a ternary first argument); the others
    // (a binding's help, a sort order's name) are typed PanelStringKey.
    const named = new Set(
      [...code.matchAll(/\bt\(/g)].flatMap((m) =>
        branches(callArguments(code, (m.index as number) + m[0].length)[0] ?? '').flatMap((b) => literalText(b) ?? []),
      ),
    );
    assert.ok(named.size > 100, `only ${named.size} keys found: is the scan reading the webview?`);
    assert.deepEqual(
      [...named].filter((k) => !Object.hasOwn(PANEL_STRINGS, k)),
      [],
    );
  });

  for (const lang of LANGUAGES) {
    it(`l10n/bundle.l10n.${lang}.json translates every panel string, with the same placeholders`, () => {
      const messages = bundle(lang);
      const missing = KEYS.filter((k) => typeof messages[PANEL_STRINGS[k]] !== 'string' || messages[PANEL_STRINGS[k]]!.trim() === '');
      assert.deepEqual(missing, []);
      for (const k of KEYS) assert.deepEqual(placeholders(messages[PANEL_STRINGS[k]]!), placeholders(PANEL_STRINGS[k]), k);
    });
  }

  it('finds hard-coded visible strings (the scan below cannot pass vacuously)', () => {
    const planted = [
      `el('p', { text: 'Press a key' })`,
      `el('input', { attrs: { placeholder: \`Rows of \${n}\` } })`,
      `this.empty.textContent =\n  a ? t('empty.loading')\n  : 'No lines match.';`,
      `row.setAttribute('aria-label', 'Lines');`,
      `textButton('Stop', () => undefined)`,
      `iconButton('add', 'Create label', add)`,
      `option('', 'All documents')`,
      `app.say(\`No label has the key \${key}.\`, true)`,
      `pct.title = refined ? 'refined' : t('lines.fast');`,
    ];
    for (const code of planted) assert.equal(hardCodedStrings(code).length, 1, code);
    const routed = [
      `el('p', { text: t('help.close') })`,
      `el('span', { text: String(count), title: where })`,
      `el('span', { className: 'value', text: ms === null ? '—' : t('model.ms', ms) })`,
      `iconButton('add', t('labels.create'), add)`,
      `option(l.name, l.name)`,
      `app.say(t('say.noKey', key), true)`,
      `row.setAttribute('aria-label', t('lines.row', where, line.text, status));`,
    ];
    for (const code of routed) assert.deepEqual(hardCodedStrings(code), [], code);
  });

  it('src/webview has no hard-coded visible string: every one goes through t()', () => {
    const offenders = webviewSources().flatMap(({ file, code }) => hardCodedStrings(code).map((s) => `${file}: ${s}`));
    assert.deepEqual(offenders, []);
  });

  it('the extension’s translation keeps the placeholders for the webview, and a broken table falls back to English', () => {
    const zh = translatePanelStrings(l10nT(bundle('zh-cn')));
    assert.equal(zh['help.title'], '键盘快捷键');
    assert.equal(zh['precision.question'], '这是“{0}”吗？第 {1} 个，共 {2} 个');
    assert.equal(formatPanelString(zh['precision.question'], ['bug', 3, 20]), '这是“bug”吗？第 3 个，共 20 个');
    // Without a translation, l10n.t returns the English with its placeholders intact.
    assert.deepEqual(translatePanelStrings(l10nT({})), PANEL_STRINGS);
    const parsed = parsePanelStrings({
      ...zh,
      'say.noKey': '按键', // a placeholder lost
      'labels.rename': 42,
      'help.close': '',
      'not.a.key': 'x',
    });
    assert.equal(parsed['help.title'], '键盘快捷键');
    assert.equal(parsed['say.noKey'], PANEL_STRINGS['say.noKey']);
    assert.equal(parsed['labels.rename'], PANEL_STRINGS['labels.rename']);
    assert.equal(parsed['help.close'], PANEL_STRINGS['help.close']);
    assert.ok(!Object.hasOwn(parsed, 'not.a.key'));
    assert.deepEqual(parsePanelStrings('<b>not an object</b>'), PANEL_STRINGS);
  });

  it('the page carries the table as an attribute value, escaped, with the display language', () => {
    const strings: PanelStrings = { ...PANEL_STRINGS, 'help.title': '"><script>alert(1)</script>' };
    const html = buildPanelHtml({ cspSource: 'x', script: 's', style: 'c', codicons: 'i', nonce: 'n', strings, lang: 'zh-cn' });
    assert.match(html, /<html lang="zh-cn">/);
    assert.ok(!html.includes('<script>alert'), 'the strings cannot break out of the attribute');
    const attr = /data-strings="([^"]*)"/.exec(html)?.[1] ?? '';
    const decoded = attr
      .replace(/&quot;/g, '"')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
    assert.equal(parsePanelStrings(JSON.parse(decoded))['help.title'], strings['help.title']);
  });
});

describe('the panel in zh-cn (Chromium)', function () {
  this.timeout(60_000);
  const harness = new PanelHarness();
  let page: Page | undefined;
  const zh = translatePanelStrings(l10nT(bundle('zh-cn')));
  /** English strings of the table that read differently in zh-cn (a few, like `Backend` in a label name, may not). */
  const english = KEYS.filter((k) => zh[k] !== PANEL_STRINGS[k]).map((k) => PANEL_STRINGS[k].replace(/\{\d+\}/g, '\u0000'));

  before(() => harness.start());
  after(() => harness.stop());
  afterEach(async () => {
    if (!page) return;
    const errors = await pageErrors(page);
    await page.context().close();
    page = undefined;
    assert.deepEqual(errors, []);
  });

  /** Every text node and every title, placeholder and aria-label on the page, hidden ones included. */
  const shown = (p: Page) =>
    p.evaluate(() => {
      const out: string[] = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) if (n.textContent?.trim()) out.push(n.textContent.trim());
      for (const e of Array.from(document.querySelectorAll('[title],[placeholder],[aria-label]')))
        for (const a of ['title', 'placeholder', 'aria-label']) if (e.getAttribute(a)) out.push(e.getAttribute(a)!);
      return out;
    });

  /** The English strings (their fixed parts) that some shown string contains. */
  const englishIn = (texts: string[]) =>
    english.filter((e) => {
      const parts = e.split('\u0000').filter((p) => /\p{L}{2}/u.test(p));
      // One word (`Task`, `Show`) counts only as a whole string: a line's text may hold it.
      if (!e.includes('\u0000') && !/\s/.test(e.trim())) return texts.includes(e);
      return parts.length > 0 && texts.some((t) => parts.every((p) => t.includes(p)));
    });

  it('shows the toolbar, list, sidebar, key help, chooser and a delete confirmation in Chinese, with no English of the table', async () => {
    page = await harness.open({ language: { strings: zh, lang: 'zh-cn' } });
    assert.equal(await page.getAttribute('#search', 'placeholder'), '搜索行');
    assert.equal(await page.textContent('#labels-title'), '标签');
    await page.keyboard.press('?');
    await settle(page);
    assert.equal(await page.textContent('.help h2'), '键盘快捷键');
    assert.match((await page.textContent('.help'))!, /接受预测并继续/);
    const seen = await shown(page);
    await page.keyboard.press('Escape');
    await page.keyboard.press('l');
    await settle(page);
    assert.equal(await page.getAttribute('#chooser-input', 'placeholder'), '输入标签名称的一部分');
    seen.push(...(await shown(page)));
    await page.keyboard.press('Escape');
    await page.click('.label-item button[aria-label^="删除"]');
    await page.waitForSelector('.confirm');
    assert.match((await page.textContent('.confirm'))!, /^删除“.+”？\d+ 个已标注行将失去该标签。/);
    seen.push(...(await shown(page)));
    // A refused new label name: the label-name rule's problem, through the table too.
    await page.keyboard.press('Escape');
    await page.fill('#new-label', 'a\u200bb');
    await page.press('#new-label', 'Enter');
    await page.waitForSelector('.status.error');
    assert.equal(await page.textContent('.status'), '标签名不能包含控制字符、双向控制字符或不可见字符（其中含有 U+200B）');
    seen.push(...(await shown(page)));
    assert.deepEqual(englishIn(seen), []);
    // The check itself sees English: the same views in English do show the table's strings.
    await page.context().close();
    page = await harness.open();
    await page.keyboard.press('?');
    await settle(page);
    assert.ok(englishIn(await shown(page)).length > 30);
  });
});
