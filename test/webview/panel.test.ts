// The labeling panel's app in real Chromium against the built bundle, with a fake host.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { percent, wilson } from '../../src/webview/stats';
import { cursorRow, pageErrors, PanelHarness, requests, rows, settle } from './harness';

const artifacts = path.join(process.cwd(), 'artifacts');

const HOSTILE = [
  '<img src=x onerror="window.__pwned=true">',
  '</script><script>window.__pwned=true</script>',
  'שלום עולם — مرحبا بالعالم',
  '👩‍💻 déjà vu 🎉 ✓',
];

type Data = {
  labels: { name: string; color: string }[];
  lines: {
    doc: number;
    line: number;
    text: string;
    label?: string;
    prediction?: { label: string; confidence: number; uncertainty: number };
  }[];
};
const posted = (p: Page) => p.evaluate(() => (window as unknown as { __posted: { kind: string }[] }).__posted);
const data = (p: Page) => p.evaluate(() => (window as unknown as { __data: Data }).__data);

/** Sends the page's own data again as a snapshot with these stats. */
function snapshotWithStats(page: Page, stats: Record<string, unknown>): Promise<void> {
  return page.evaluate((stats) => {
    const w = window as unknown as { __data: { labels: unknown; documents: unknown; lines: unknown }; __send: (m: unknown) => void };
    const { labels, documents, lines } = w.__data;
    w.__send({ kind: 'snapshot', snapshot: { documents, lines, labels, stats } });
  }, stats);
}

describe('labeling panel (Chromium)', function () {
  this.timeout(60_000);
  const harness = new PanelHarness();
  let page: Page | undefined;

  before(async () => {
    await harness.start();
    fs.mkdirSync(artifacts, { recursive: true });
  });
  after(async () => {
    await harness.stop();
  });
  afterEach(async () => {
    if (!page) return;
    const errors = await pageErrors(page);
    await page.context().close();
    page = undefined;
    assert.deepEqual(errors, [], 'no uncaught errors or CSP violations in the page');
  });

  async function setSelect(p: Page, id: string, value: string) {
    await p.selectOption(`#${id}`, value);
    await p.focus('#lines');
    await settle(p);
  }

  it('renders lines, predictions and the keys on the label chips', async () => {
    page = await harness.open();
    const r = await rows(page);
    assert.ok(r.length > 10, 'rows are shown');
    assert.ok(r[0].cursor, 'the cursor starts on the first line');
    const chips = await page.$$eval('.label-bar .label-chip', (els) => els.map((e) => e.textContent));
    // The built-in none comes first, on key 0; the other labels are numbered from 1.
    assert.deepEqual(chips, ['0none — fits no label', '1bug', '2feature', '3question']);
    assert.equal(await page.$eval('#lines', (e) => e.getAttribute('role')), 'listbox');
    assert.equal(await page.$eval('#lines', (e) => e.getAttribute('aria-activedescendant')), 'row-0');
  });

  it('labels with a number key, accepts with a, skips with x and undoes with Backspace and Ctrl+Z', async () => {
    page = await harness.open();
    // Document order keeps a labeled line in place (other orders move labeled lines last).
    await setSelect(page, 'sort', 'document');
    const first = await cursorRow(page);
    const second = (await rows(page))[1];
    await page.keyboard.press('2');
    await settle(page);
    let reqs = await requests(page);
    assert.equal(reqs.length, 1);
    assert.equal(reqs[0].method, 'setLabel');
    assert.equal(reqs[0].params.label, 'feature');
    const moved = await cursorRow(page);
    assert.equal(moved.text, second.text, 'the cursor moved to the next line');
    const labeledRow = (await rows(page)).find((x) => x.text === first.text)!;
    assert.ok(labeledRow.labeled && labeledRow.chip === 'feature', 'the line shows its new label');

    // Accept the prediction of the line under the cursor.
    const predicted = (await data(page)).lines.find((l) => l.text === moved.text)!.prediction!.label;
    await page.keyboard.press('a');
    await settle(page);
    reqs = await requests(page);
    assert.deepEqual([reqs[1].method, reqs[1].params.label], ['setLabel', predicted]);

    // Skip: no request, the cursor moves on.
    const beforeSkip = await cursorRow(page);
    await page.keyboard.press('x');
    await settle(page);
    assert.equal((await requests(page)).length, 2);
    assert.notEqual((await cursorRow(page)).text, beforeSkip.text);

    // Undo the skip, then the accept (Ctrl+Z), then the label (Backspace).
    await page.keyboard.press('Backspace');
    await settle(page);
    assert.equal((await cursorRow(page)).text, beforeSkip.text);
    assert.equal((await requests(page)).length, 2, 'undoing a skip changes no label');
    await page.keyboard.press('Control+z');
    await settle(page);
    reqs = await requests(page);
    assert.equal(reqs[2].method, 'removeLabel');
    assert.equal((await cursorRow(page)).text, moved.text);
    await page.keyboard.press('Backspace');
    await settle(page);
    reqs = await requests(page);
    assert.equal(reqs[3].method, 'removeLabel');
    assert.equal((await cursorRow(page)).text, first.text);
    const lines = (await data(page)).lines;
    assert.equal(lines.find((l) => l.text === first.text)!.label, undefined, 'the store is back to unlabeled');
  });

  it('in a multi-label task, keys toggle the line labels and stay, Enter confirms and goes on, a accepts the set, undo restores', async () => {
    page = await harness.open();
    await setSelect(page, 'sort', 'document');
    await page.evaluate(() => (window as unknown as { __setMultiLabel: () => void }).__setMultiLabel());
    await settle(page);
    const first = await cursorRow(page);
    const sets = async () =>
      (await requests(page!)).filter((r) => r.method === 'setLabels').map((r) => (r.params.labels as string[]).join('+'));
    await page.keyboard.press('1');
    await settle(page);
    await page.keyboard.press('2');
    await settle(page);
    assert.deepEqual(await sets(), ['bug', 'bug+feature']);
    const row = await cursorRow(page);
    assert.equal(row.text, first.text, 'a toggle stays on the line');
    assert.ok(row.labeled && row.chip === 'bug · feature', `the row shows the set (${row.chip})`);
    await page.keyboard.press('1');
    await settle(page);
    assert.deepEqual((await sets()).at(-1), 'feature', 'the key again takes the label out');
    // Enter confirms a labeled line as it is (no request) and goes on.
    await page.keyboard.press('Enter');
    await settle(page);
    const second = await cursorRow(page);
    assert.notEqual(second.text, first.text);
    assert.equal((await sets()).length, 3);
    // a accepts the predicted set and goes on; Enter on an unlabeled line gives it the empty set (none).
    const predicted = (await data(page)).lines.find((l) => l.text === second.text)!.prediction!.label;
    await page.keyboard.press('a');
    await settle(page);
    assert.equal((await sets()).at(-1), predicted);
    const third = await cursorRow(page);
    assert.notEqual(third.text, second.text, 'accepted: the cursor went on');
    assert.equal((await data(page)).lines.find((l) => l.text === third.text)!.label, undefined, 'the third line is unlabeled');
    await page.keyboard.press('Enter');
    await settle(page);
    assert.equal((await sets()).at(-1), '', 'none: the empty set');
    assert.equal((await rows(page)).find((x) => x.text === third.text)!.chip, 'none');
    // Undo goes back decision by decision and restores each line's set.
    for (let i = 0; i < 3; i++) {
      await page.keyboard.press('Backspace');
      await settle(page);
    }
    assert.equal((await cursorRow(page)).text, first.text);
    assert.deepEqual((await sets()).at(-1), 'bug+feature', 'undoing the toggle restores the set before it');
    assert.equal(
      (await requests(page)).filter((r) => r.method === 'removeLabel').length,
      2,
      'the accepted and the none line are unlabeled again',
    );
    const line = (await data(page)).lines.find((l) => l.text === first.text) as { labels?: string[] };
    assert.deepEqual(line.labels, ['bug', 'feature']);
  });

  it('moves with j/k and arrows, reveals with Enter and shows the keys with ?', async () => {
    page = await harness.open();
    const r = await rows(page);
    await page.keyboard.press('j');
    await page.keyboard.press('ArrowDown');
    await settle(page);
    assert.equal((await cursorRow(page)).text, r[2].text);
    await page.keyboard.press('k');
    await settle(page);
    assert.equal((await cursorRow(page)).text, r[1].text);
    await page.keyboard.press('Enter');
    await settle(page);
    const reqs = await requests(page);
    assert.equal(reqs.at(-1)!.method, 'reveal');
    const line = (await data(page)).lines.find((l) => l.text === r[1].text)!;
    assert.equal((reqs.at(-1)!.params.ref as { line: number }).line, line.line);
    await page.keyboard.press('?');
    await settle(page);
    assert.ok(await page.isVisible('.help[role="dialog"]'));
    assert.match((await page.textContent('.help'))!, /Accept the prediction/);
    await page.keyboard.press('Escape');
    await settle(page);
    assert.ok(!(await page.isVisible('.help')));
  });

  it('key 0 marks the line as fitting no label (the built-in none) and goes on', async () => {
    page = await harness.open();
    const first = await cursorRow(page);
    await page.keyboard.press('0');
    await settle(page);
    const reqs = await requests(page);
    assert.deepEqual(
      reqs.map((r) => [r.method, r.params.label]),
      [['setLabel', 'none']],
    );
    assert.notEqual((await cursorRow(page)).text, first.text, 'the cursor went on');
    assert.equal((await data(page)).lines.find((l) => l.text === first.text)!.label, 'none');
  });

  it('edits a recent decision from the recent list', async () => {
    page = await harness.open();
    const first = await cursorRow(page);
    await page.keyboard.press('1');
    await settle(page);
    await page.selectOption('.recent select', 'question');
    await settle(page);
    const reqs = await requests(page);
    assert.deepEqual(
      reqs.map((r) => [r.method, r.params.label]),
      [
        ['setLabel', 'bug'],
        ['setLabel', 'question'],
      ],
    );
    assert.equal((await data(page)).lines.find((l) => l.text === first.text)!.label, 'question');
  });

  it('orders by uncertainty, document order and confidence', async () => {
    page = await harness.open();
    const all = (await data(page)).lines;
    const unlabeled = all.filter((l) => !l.label && l.prediction);
    const maxU = Math.max(...unlabeled.map((l) => l.prediction!.uncertainty));
    let r = await rows(page);
    const top = all.find((l) => l.text === r[0].text)!;
    assert.equal(top.prediction!.uncertainty, maxU, 'most uncertain first');

    await setSelect(page, 'sort', 'document');
    r = await rows(page);
    assert.deepEqual(
      r.slice(0, 3).map((x) => x.loc),
      ['tickets-a.txt:1', 'tickets-a.txt:2', 'tickets-a.txt:3'],
    );

    await setSelect(page, 'sort', 'confidence');
    r = await rows(page);
    const confs = r.slice(0, 10).map((x) => all.find((l) => l.text === x.text)!.prediction!.confidence);
    assert.deepEqual(
      confs,
      [...confs].sort((a, b) => b - a),
    );
    assert.equal(confs[0], Math.max(...unlabeled.map((l) => l.prediction!.confidence)));
  });

  it('filters by status, predicted label, low confidence, document and search', async () => {
    page = await harness.open();
    const all = (await data(page)).lines;
    const byText = (t: string) => all.find((l) => l.text === t)!;
    await setSelect(page, 'filter', 'unlabeled');
    assert.ok((await rows(page)).every((x) => !x.labeled));
    await setSelect(page, 'filter', 'labeled');
    let r = await rows(page);
    const setSize = await page.$eval('.row[data-position="0"]', (e) => Number(e.getAttribute('aria-setsize')));
    assert.equal(setSize, all.filter((l) => l.label).length);
    assert.ok(r.every((x) => x.labeled));
    await setSelect(page, 'filter', 'predicted:question');
    r = await rows(page);
    assert.ok(r.length > 0 && r.every((x) => !x.labeled && x.chip === 'question'));
    await setSelect(page, 'filter', 'low');
    r = await rows(page);
    assert.ok(r.length > 0 && r.every((x) => byText(x.text).prediction!.confidence < 0.6));
    await setSelect(page, 'filter', 'all');
    await setSelect(page, 'doc', 'file:///work/tickets-b.txt');
    r = await rows(page);
    assert.ok(r.length > 0 && r.every((x) => x.loc.startsWith('tickets-b.txt:')));
    await setSelect(page, 'doc', '');
    await page.fill('#search', 'dark MODE');
    await page.waitForFunction(() =>
      Array.from(document.querySelectorAll('.row:not([hidden]) .text')).every((e) => e.textContent!.includes('dark mode')),
    );
    r = await rows(page);
    assert.equal(r.length, all.filter((l) => l.text.includes('dark mode')).length);
    assert.ok(r.every((x) => x.text.includes('dark mode')));
  });

  it('renders 100,000 lines with a bounded number of rows and scrolls to the right ones', async () => {
    page = await harness.open({ lines: 100_000 });
    await setSelect(page, 'sort', 'document');
    const count = await page.$$eval('.row', (els) => els.length);
    assert.ok(count < 80, `only the visible rows exist (${count})`);
    await page.$eval('#lines', (e) => (e.scrollTop = 26 * 50_000));
    await settle(page);
    const r = await rows(page);
    assert.ok(r.length < 80);
    const visible = r.map((x) => x.position);
    assert.ok(visible.includes(50_000) && visible.includes(50_010), `rows around 50,000 are rendered (${visible[0]}..${visible.at(-1)})`);
    const row = r.find((x) => x.position === 50_000)!;
    assert.equal(row.loc, 'tickets-b.txt:1', 'position 50,000 is the first line of the second document');
    await page.keyboard.press('End');
    await settle(page);
    const last = await cursorRow(page);
    assert.equal(last.position, 99_999);
    assert.equal(last.loc, 'tickets-b.txt:50000');
    assert.ok((await page.$$eval('.row', (els) => els.length)) < 80);
    assert.equal(await page.$eval('#lines', (e) => e.getAttribute('aria-activedescendant')), 'row-99999');
  });

  it('applies incremental updates: changed lines, labels and stats, a dropped document, and re-syncs after a bad one', async () => {
    page = await harness.open({ lines: 100_000 });
    await setSelect(page, 'sort', 'document');
    const labeledHint = () => page!.textContent('.charts .hint');
    assert.match((await labeledHint())!, / of 100000 listed lines labeled/);
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await settle(page);
    const cursorBefore = await cursorRow(page);
    await page.evaluate(() => {
      const w = window as unknown as { __send: (m: unknown) => void; __data: { documents: unknown[]; labels: unknown[] } };
      w.__send({
        kind: 'update',
        update: {
          documents: w.__data.documents,
          replaced: [],
          lines: [{ doc: 0, line: 0, text: 'patched first line', label: 'question' }],
          removed: [],
          labels: [...w.__data.labels, { name: 'praise', color: '#123456', key: '4' }],
          stats: { backend: 'cpu', lastAdaptationMs: 7 },
        },
      });
    });
    await page.waitForSelector('.row .text >> text=patched first line');
    const first = (await rows(page))[0];
    assert.ok(first.labeled && first.chip === 'question', 'the changed line shows its new label');
    assert.equal((await cursorRow(page)).text, cursorBefore.text, 'the cursor stays on its line');
    const chips = await page.$$eval('.label-bar .label-chip', (els) => els.map((e) => e.textContent));
    assert.deepEqual(chips, ['0none — fits no label', '1bug', '2feature', '3question', '4praise']);
    assert.match((await page.textContent('.model'))!, /Backendcpu.*7 ms/);
    assert.equal((await rows(page)).length > 10, true);

    // The second document is closed: its lines go, without a snapshot.
    await page.evaluate(() => {
      const w = window as unknown as { __send: (m: unknown) => void; __data: { documents: unknown[] } };
      w.__send({ kind: 'update', update: { documents: [w.__data.documents[0]], replaced: [], lines: [], removed: [{ doc: 0, line: 1 }] } });
    });
    await page.waitForFunction(() => / of 49999 listed lines labeled/.test(document.querySelector('.charts .hint')?.textContent ?? ''));
    assert.ok(!(await rows(page)).some((r) => r.loc.startsWith('tickets-b.txt')));
    assert.ok(!(await rows(page)).some((r) => r.loc === 'tickets-a.txt:2'), 'the removed line is gone');
    assert.equal((await posted(page)).filter((m) => m.kind === 'ready').length, 1);

    // An update the panel must refuse leaves it out of step: it asks for a snapshot again.
    await page.evaluate(() => {
      (window as unknown as { __send: (m: unknown) => void }).__send({
        kind: 'update',
        update: { documents: [], replaced: [3], lines: [], removed: [] },
      });
    });
    await page.waitForSelector('.status.error');
    await page.waitForFunction(() => / of 100000 listed lines labeled/.test(document.querySelector('.charts .hint')?.textContent ?? ''));
    assert.equal((await posted(page)).filter((m) => m.kind === 'ready').length, 2);
  });

  it('shows hostile text as text and never runs it', async () => {
    page = await harness.open({ special: HOSTILE });
    await setSelect(page, 'sort', 'document');
    const r = await rows(page);
    for (const s of HOSTILE)
      assert.ok(
        r.some((x) => x.text === s),
        `shown verbatim: ${s}`,
      );
    for (const s of HOSTILE) assert.ok(await page.getByText(s, { exact: true }).first().isVisible(), `visible: ${s}`);
    assert.equal(await page.$$eval('img, #app script', (els) => els.length), 0, 'no element was created from the text');
    // A hostile label name too, through the create-label form.
    await page.fill('#new-label', '<img src=y onerror="window.__pwned=true">');
    await page.press('#new-label', 'Enter');
    await page.waitForSelector('.label-name >> text=<img src=y onerror="window.__pwned=true">');
    await settle(page);
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned: boolean }).__pwned), false);
    assert.equal(await page.$$eval('img', (els) => els.length), 0);
  });

  it('creates, renames and deletes labels, asking before deleting', async () => {
    page = await harness.open();
    await page.fill('#new-label', 'praise');
    await page.press('#new-label', 'Enter');
    await page.waitForSelector('.label-bar .label-chip >> text=praise');
    assert.equal((await page.$$('.label-bar .label-chip')).length, 5, 'none, the three labels and the new one');
    // A new label is offered a colour no label has yet, so each label keeps its own.
    const existing = (await data(page)).labels.map((l) => l.color);
    const offered = (await requests(page))[0].params.color as string;
    assert.match(offered, /^#[0-9a-f]{6}$/);
    assert.ok(!existing.slice(0, 3).includes(offered), `offered ${offered}, not one of ${existing.slice(0, 3)}`);
    await page.click('button[aria-label="Rename bug"]');
    await page.waitForSelector('input[aria-label="New name for bug"]');
    await page.fill('input[aria-label="New name for bug"]', 'defect');
    await page.press('input[aria-label="New name for bug"]', 'Enter');
    await page.waitForSelector('.label-bar .label-chip >> text=defect');
    assert.ok(
      (await data(page)).lines.some((l) => l.label === 'defect'),
      'the store follows the rename',
    );
    await page.click('button[aria-label="Delete defect"]');
    await page.waitForSelector('.confirm');
    assert.ok(!(await requests(page)).some((r) => r.method === 'deleteLabel'), 'nothing deleted before confirming');
    assert.match((await page.textContent('.confirm'))!, /Delete “defect”\? 10 labeled lines lose their label/);
    await page.click('.confirm button.secondary');
    await settle(page);
    assert.equal(await page.$('.confirm'), null);
    await page.click('button[aria-label="Delete defect"]');
    await page.click('.confirm button.danger');
    await page.waitForFunction(
      () => !Array.from(document.querySelectorAll('.label-bar .label-chip')).some((e) => e.textContent?.includes('defect')),
    );
    const methods = (await requests(page)).map((r) => r.method);
    assert.deepEqual(methods, ['createLabel', 'renameLabel', 'deleteLabel']);
  });

  it('a rename carries the undo history and a predicted-label filter over to the new name', async () => {
    page = await harness.open();
    await setSelect(page, 'sort', 'document');
    const first = await cursorRow(page);
    // Label the first line bug, go back and relabel it feature: the last decision's "before" is bug.
    await page.keyboard.press('1');
    await settle(page);
    await page.keyboard.press('k');
    await settle(page);
    assert.equal((await cursorRow(page)).text, first.text);
    await page.keyboard.press('2');
    await settle(page);
    await setSelect(page, 'filter', 'predicted:bug');
    await page.click('button[aria-label="Rename bug"]');
    await page.fill('input[aria-label="New name for bug"]', 'defect');
    await page.press('input[aria-label="New name for bug"]', 'Enter');
    await page.waitForSelector('.label-bar .label-chip >> text=defect');
    await settle(page);
    assert.equal(await page.$eval('#filter', (e) => (e as HTMLSelectElement).value), 'predicted:defect', 'the filter follows');
    await page.focus('#lines');
    await page.keyboard.press('Backspace');
    await settle(page);
    const last = (await requests(page)).at(-1)!;
    assert.deepEqual([last.method, last.params.label], ['setLabel', 'defect'], 'undo puts back the renamed label');
    assert.equal((await data(page)).lines.find((l) => l.text === first.text)!.label, 'defect');
  });

  it('counts every labeled line of a label, saying how many are in closed files', async () => {
    page = await harness.open();
    const listed = (await data(page)).lines.filter((l) => l.label === 'bug').length;
    const badge = () =>
      page!.$eval('.label-list .label-item:first-child .badge', (e) => ({
        text: e.textContent,
        title: e.getAttribute('title'),
        aria: e.getAttribute('aria-label'),
      }));
    assert.equal((await badge()).text, String(listed), 'with nothing elsewhere the count is the listed one');
    assert.equal(await page.$('.label-elsewhere'), null);
    // The host reports 5 more bug lines in closed files.
    await page.evaluate(() => {
      const w = window as unknown as { __data: { labels: { elsewhere?: number }[] }; __sendSnapshot: () => void };
      w.__data.labels[0].elsewhere = 5;
      w.__sendSnapshot();
    });
    await page.waitForSelector('.label-elsewhere');
    const b = await badge();
    assert.equal(b.text, String(listed + 5));
    assert.equal(
      b.title,
      `${listed + 5} labeled lines in the label files: ${listed} in the open files listed here, 5 in closed files or detached ` +
        `from their text`,
    );
    assert.equal(b.aria, `${listed + 5} labeled, 5 of them in closed files`);
    assert.equal(await page.textContent('.label-elsewhere'), '(5 closed)');
    assert.match((await page.textContent('#labeled-summary'))!, /listed lines labeled; 5 more in closed files$/);
    // Labeling a listed line adds to the total at once.
    await setSelect(page, 'sort', 'document');
    assert.equal((await cursorRow(page)).labeled, false, 'the first line is unlabeled');
    await page.keyboard.press('1');
    await settle(page);
    assert.equal((await badge()).text, String(listed + 6));
    // Deleting warns about every line that loses the label, the closed files' too.
    await page.click('button[aria-label="Delete bug"]');
    await page.waitForSelector('.confirm');
    assert.match((await page.textContent('.confirm'))!, new RegExp(`${(await badge()).text} labeled lines lose their label`));
  });

  it('says how many labels of the label files it does not list (issue 8 item 9)', async () => {
    page = await harness.open();
    assert.equal(await page.$('.hidden-labels'), null, 'nothing hidden: no notice');
    await snapshotWithStats(page, { backend: 'wasm', lastAdaptationMs: 3, hiddenLabels: 7 });
    await page.waitForSelector('.hidden-labels');
    assert.match(
      (await page.textContent('.hidden-labels'))!,
      /^7 more labels in the label files are not listed here: the panel lists at most 256 labels/,
    );
  });

  it('shows the active task and switches it with the task selector (only when there are several tasks)', async () => {
    page = await harness.open();
    assert.equal(await page.$('#task'), null, 'one task: no selector');
    await snapshotWithStats(page, { backend: 'wasm', lastAdaptationMs: 3, tasks: { names: ['default', 'urgency'], active: 'default' } });
    await page.waitForSelector('#task');
    assert.equal(await page.$eval('#task', (e) => (e as HTMLSelectElement).value), 'default');
    await page.selectOption('#task', 'urgency');
    await settle(page);
    assert.deepEqual((await requests(page)).at(-1), { method: 'switchTask', params: { name: 'urgency' } });
  });

  it("changes a label colour with the swatch's colour picker", async () => {
    page = await harness.open();
    const picker = 'input[aria-label="Colour of feature"]';
    assert.equal(await page.$eval(picker, (e) => (e as HTMLInputElement).type), 'color');
    assert.equal(await page.$eval(picker, (e) => (e as HTMLInputElement).value), '#3fb950');
    await page.fill(picker, '#123456');
    await page.waitForFunction(() => {
      const chip = Array.from(document.querySelectorAll('.label-bar .label-chip')).find((e) => e.textContent?.includes('feature'));
      return (chip?.querySelector('.swatch') as HTMLElement | null)?.style.background === 'rgb(18, 52, 86)';
    });
    assert.deepEqual(
      (await requests(page)).filter((r) => r.method === 'setLabelColor').map((r) => r.params),
      [{ name: 'feature', color: '#123456' }],
    );
    assert.equal(await page.$eval(picker, (e) => (e as HTMLInputElement).value), '#123456');
    // A refused colour (the label went away meanwhile) is not kept: the picker shows the old one.
    await page.evaluate(() => (window as unknown as { __data: { labels: { name: string }[] } }).__data.labels.splice(2, 1));
    await page.fill('input[aria-label="Colour of question"]', '#abcdef');
    await page.waitForFunction(() => document.body.textContent?.includes('There is no label named question.'));
    await settle(page);
    assert.equal(await page.$eval('input[aria-label="Colour of question"]', (e) => (e as HTMLInputElement).value), '#d29922');
  });

  it('reports the cross-validated accuracy and estimates precision with a Wilson interval', async () => {
    page = await harness.open();
    await page.click('button[aria-label="Estimate the accuracy of the model"]');
    const q = wilson(22, 29)!;
    await page.waitForSelector(`#quality >> text=${percent(22 / 29)} (95% ${percent(q.low)}–${percent(q.high)}, n=29)`);
    assert.equal(
      await page.textContent('#quality-detail'),
      '22 of 29 labeled lines predicted right by default when left out (5-fold cross-validation, pool tickets-a.txt).',
    );
    await page.selectOption('#precision-label', 'feature');
    await page.click('.precision-start button');
    await page.waitForSelector('.precision-text');
    const answers = [true, true, false, true, true, true, true, false, true, true];
    for (const a of answers) {
      await page.keyboard.press(a ? 'y' : 'n');
      await settle(page);
    }
    await page.click('.precision button >> text=Stop');
    const text = (await page.textContent('#precision-result'))!;
    const ci = wilson(8, 10)!;
    assert.ok(text.includes(`≈ 80% (95% interval ${percent(ci.low)}–${percent(ci.high)}; 8 of 10 confirmed)`), text);
    assert.equal((await requests(page)).filter((r) => r.method !== 'quality').length, 0, 'checking precision labels nothing');
  });

  it('shows the quality estimate running, cancels it, and drops an estimate when the labels change', async () => {
    page = await harness.open({ qualityMs: 60_000 });
    await setSelect(page, 'sort', 'document');
    await page.click('button[aria-label="Estimate the accuracy of the model"]');
    await page.waitForSelector('#quality-running');
    assert.equal(await page.textContent('#quality'), 'estimating…');
    const asked = (await requests(page)).find((r) => r.method === 'quality')!;
    assert.deepEqual(asked.params, { uri: 'file:///work/tickets-a.txt' }, "the cursor's document");
    await page.click('button.quality-cancel');
    await page.waitForSelector('#quality-running', { state: 'detached' });
    assert.equal(await page.textContent('#quality'), '—');
    const cancels = await page.evaluate(() => (window as unknown as { __cancels: number[] }).__cancels);
    assert.equal(cancels.length, 1, 'the host was told to stop');
    assert.deepEqual(await pageErrors(page), []);
    await page.context().close();

    page = await harness.open({ qualityMs: 10 });
    await setSelect(page, 'sort', 'document');
    await page.click('button[aria-label="Estimate the accuracy of the model"]');
    await page.waitForSelector('#quality >> text=n=29');
    await page.keyboard.press('2');
    await page.waitForSelector('#quality >> text=labels changed: estimate again');
    assert.equal(await page.$('#quality-detail'), null);
  });

  describe('with 80 labels', () => {
    const HOSTILE_LABELS = ['<img src=x onerror="window.__pwned=true">', '</script><script>window.__pwned=true</script>'];
    const open80 = () => harness.open({ extraLabels: 77, labelNames: HOSTILE_LABELS });

    it('finds a label by fuzzy text in the chooser and gives it to the line; Esc closes it', async () => {
      page = await open80();
      await page.keyboard.press('l');
      await page.waitForSelector('#chooser-input:focus');
      await page.keyboard.press('Escape');
      await page.waitForSelector('.chooser', { state: 'hidden' });
      assert.equal((await requests(page)).length, 0, 'Esc gives no label');

      const line = await cursorRow(page);
      await page.keyboard.press('l');
      await page.waitForSelector('#chooser-input:focus');
      await page.keyboard.type('ntnt42');
      await settle(page);
      const first = await page.$eval('.chooser-item.selected .chooser-name', (e) => e.textContent);
      assert.equal(first, 'intent_42');
      await page.keyboard.press('Enter');
      await settle(page);
      const reqs = await requests(page);
      assert.deepEqual(reqs.at(-1), { method: 'setLabel', params: { ref: reqs.at(-1)!.params.ref, label: 'intent_42' } });
      assert.equal((await data(page)).lines.find((l) => l.text === line.text)?.label, 'intent_42');
      assert.ok(await page.$eval('.chooser', (e) => (e as HTMLElement).hidden));
    });

    it('gives a label a new key, and that key labels the line', async () => {
      page = await open80();
      await page.click('button.key-button[data-label="intent_50"]');
      await page.waitForSelector('button.key-button.waiting');
      await page.keyboard.press('j'); // a command key: refused, still waiting
      await settle(page);
      assert.match((await page.textContent('.status'))!, /j cannot be a label key/);
      await page.keyboard.press('q');
      // Past the first 40, its chip is not drawn; the label list shows the key.
      await page.waitForSelector('button.key-button[data-label="intent_50"] >> text=q');
      assert.deepEqual((await requests(page)).at(-1), { method: 'setLabelKey', params: { name: 'intent_50', key: 'q' } });
      await page.focus('#lines');
      const line = await cursorRow(page);
      await page.keyboard.press('q');
      await settle(page);
      assert.equal((await requests(page)).at(-1)!.params.label, 'intent_50');
      assert.equal((await data(page)).lines.find((l) => l.text === line.text)?.label, 'intent_50');
      // The digits still label with their labels.
      await page.keyboard.press('1');
      await settle(page);
      assert.equal((await requests(page)).at(-1)!.params.label, 'bug');
    });

    it('searches the label bar, caps what it draws and scrolls; hostile label names are text', async () => {
      page = await open80();
      // The built-in none chip stands first, outside the cap.
      const chips = () => page!.$$eval('.label-bar .label-chip:not(.none-chip)', (els) => els.map((e) => e.textContent ?? ''));
      assert.equal((await chips()).length, 40, 'a capped number of chips');
      assert.match((await page.textContent('#label-more'))!, /^40 more/);
      // The chips box scrolls, and scrolled to its end shows its last chip.
      const box = await page.$eval('#label-chips', (e) => {
        e.scrollTop = e.scrollHeight;
        const last = e.querySelector('.label-chip:last-of-type')!.getBoundingClientRect();
        const r = e.getBoundingClientRect();
        return { scrolls: e.scrollHeight > e.clientHeight, lastVisible: last.bottom <= r.bottom + 1 && last.top >= r.top - 1 };
      });
      assert.deepEqual(box, { scrolls: true, lastVisible: true });
      await page.fill('#label-search', 'intent_7');
      await settle(page);
      assert.deepEqual(
        (await chips()).map((t) => t.replace(/^\d/, '')),
        ['intent_7', 'intent_70', 'intent_71', 'intent_72', 'intent_73', 'intent_74', 'intent_75', 'intent_76'],
      );
      await page.click('.label-chip >> text=intent_73');
      await settle(page);
      assert.equal((await requests(page)).at(-1)!.params.label, 'intent_73');
      await page.fill('#label-search', 'onerror');
      await settle(page);
      assert.deepEqual(await chips(), [`4${HOSTILE_LABELS[0]}`]);
      await page.fill('#label-search', '');
      await settle(page);
      const shown = await chips();
      for (const name of HOSTILE_LABELS) {
        assert.ok(
          shown.some((t) => t.endsWith(name)),
          `a chip shows ${name}`,
        );
        assert.ok(await page.locator('.label-chip', { hasText: name }).isVisible(), `visible: ${name}`);
      }
      assert.equal(await page.$$eval('img, #app script', (els) => els.length), 0);
      assert.equal(await page.evaluate(() => (window as unknown as { __pwned: boolean }).__pwned), false);
    });
  });

  it('keeps its view state across a reload', async () => {
    page = await harness.open();
    await setSelect(page, 'filter', 'unlabeled');
    await setSelect(page, 'sort', 'document');
    for (let i = 0; i < 5; i++) await page.keyboard.press('j');
    await page.keyboard.press('1');
    await settle(page);
    const cursor = await cursorRow(page);
    await page.reload();
    await page.waitForSelector('.row.cursor');
    await settle(page);
    assert.equal(await page.$eval('#filter', (e) => (e as HTMLSelectElement).value), 'unlabeled');
    assert.equal(await page.$eval('#sort', (e) => (e as HTMLSelectElement).value), 'document');
    assert.equal((await cursorRow(page)).text, cursor.text);
    assert.equal(await page.$$eval('.recent-item', (els) => els.length), 1, 'recent decisions survive');
  });

  it('ignores malformed messages from the host and keeps working', async () => {
    page = await harness.open();
    await page.evaluate(() => {
      const send = (window as unknown as { __send: (m: unknown) => void }).__send;
      send({ kind: 'snapshot', snapshot: { documents: [], lines: [{ doc: 5, line: -1, text: 1 }], labels: [], stats: {} } });
      send({ kind: 'nonsense' });
      send('<img src=x onerror="window.__pwned=true">');
    });
    await page.waitForSelector('.status.error');
    assert.ok((await rows(page)).length > 10, 'the last good data is still shown');
    await page.keyboard.press('1');
    await settle(page);
    assert.equal((await requests(page))[0].method, 'setLabel');
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned: boolean }).__pwned), false);
  });

  for (const theme of ['light', 'dark', 'high-contrast'] as const) {
    it(`looks native in the ${theme} theme (screenshot)`, async () => {
      page = await harness.open({ theme, special: HOSTILE });
      await setSelect(page, 'sort', 'document');
      await page.keyboard.press('2');
      await page.keyboard.press('a');
      await settle(page);
      const file = path.join(artifacts, `panel-${theme}.png`);
      await page.screenshot({ path: file });
      assert.ok(fs.statSync(file).size > 10_000);
      // The theme's colours reach the page: the list background is the editor background.
      const bg = await page.$eval('body', (e) => getComputedStyle(e).backgroundColor);
      assert.equal(bg, { light: 'rgb(255, 255, 255)', dark: 'rgb(31, 31, 31)', 'high-contrast': 'rgb(0, 0, 0)' }[theme]);
      const iconFont = await page.$eval('.codicon', (e) => getComputedStyle(e, '::before').fontFamily);
      assert.match(iconFont, /codicon/);
      assert.ok(await page.evaluate(() => document.fonts.check('16px codicon')), 'the codicon font loaded from local files');
      // Beside an editor the panel is narrow: the statistics go below the list.
      await page.setViewportSize({ width: 520, height: 760 });
      await page.keyboard.press('?');
      await settle(page);
      await page.screenshot({ path: path.join(artifacts, `panel-${theme}-narrow.png`) });
      const list = await page.$eval('#lines', (e) => e.getBoundingClientRect());
      const side = await page.$eval('.sidebar', (e) => e.getBoundingClientRect());
      assert.ok(side.top >= list.bottom - 1, 'the sidebar is below the list');
    });
  }
});
