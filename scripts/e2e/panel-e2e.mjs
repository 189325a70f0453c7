// End-to-end test of the labeling panel in the real workbench: installs the packaged VSIX into
// code-server, opens the sample workspace's file, opens the panel from the command palette,
// and labels lines with the keyboard inside the panel's webview (nested iframes). Checks that
// the label file on disk, the diagnostics (Problems panel and squiggles) and the editor's label
// decorations (in the panel's colours) follow, that labeling in the editor shows up in the
// panel, and that the status bar item brings a closed panel back. Screenshots of every step go
// to artifacts/e2e/panel-*.png.
import path from 'node:path';
import {
  installedSampleWorkspace,
  startCodeServer,
  launchBrowser,
  readLabelRecords,
  workbench,
  uiTest,
  freshArtifacts,
  panelFrames as framesOf,
} from './codeServer.mjs';

const { s, workspace, labelFile } = await installedSampleWorkspace('panel-e2e');
const artifacts = freshArtifacts('panel-');
const records = () => readLabelRecords(labelFile);
const labelOn = (line) => records().find((r) => r.line === line)?.label;

const server = await startCodeServer(s, { logFile: path.join(artifacts, 'panel-code-server.log') });
const browser = await launchBrowser(path.join(s.state, 'chromium'));
const page = browser.pages()[0] ?? (await browser.newPage());
const { quickInput, until, runCommand, goToLine, openFile } = workbench(page);
const { shot, check, run } = uiTest('panel-e2e', { page, browser, server, artifacts, prefix: 'panel-' });
const panelFrames = () => framesOf(page);
const panelFrame = () => until('the labeling panel webview', async () => (await panelFrames())[0], 60_000);

/** The panel's rows as the list shows them: location, text, chip, labeled or predicted. */
const panelRows = (frame) =>
  frame.$$eval('.row:not([hidden])', (els) =>
    els
      .map((e) => ({
        position: Number(e.dataset.position),
        loc: e.querySelector('.loc').textContent,
        chip: e.querySelector('.chip .name').textContent,
        labeled: e.classList.contains('labeled'),
        predicted: e.classList.contains('predicted'),
        cursor: e.classList.contains('cursor'),
      }))
      .sort((a, b) => a.position - b.position),
  );
const rowAt = async (frame, line) => (await panelRows(frame)).find((r) => r.loc === `support-tickets.txt:${line}`);

/** Presses a key in the panel and waits until the label file says `line` is `label`. */
async function pressInPanel(frame, key, line, label) {
  const cursor = (await panelRows(frame)).find((r) => r.cursor);
  check(cursor?.loc === `support-tickets.txt:${line}`, `the panel's cursor is on line ${line} before pressing ${key}`);
  await page.keyboard.press(key);
  await until(`line ${line} labeled ${label} in the label file`, () =>
    label === undefined ? labelOn(line) === undefined : labelOn(line) === label,
  );
}

await run(async () => {
  // A loaded machine can take minutes to serve the workbench (30 s, the default, failed under load).
  await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`, { timeout: 180_000 });
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await openFile('support-tickets.txt', 'charged twice');

  // 1. Open the panel from the palette (the folder has no label file yet: this activates the
  // extension, and its status bar item appears).
  await runCommand('Few-Shot: Open Labeling Panel');
  const statusItem = page.locator('.statusbar-item', { hasText: 'labeled' }).first();
  await statusItem.waitFor({ timeout: 60_000 });
  let frame = await panelFrame();
  await frame.locator('.row').first().waitFor({ timeout: 30_000 });
  check((await panelFrames()).length === 1, 'one labeling panel webview is open');
  const rows = await panelRows(frame);
  check(
    rows.length > 5 && rows.every((r) => r.loc.startsWith('support-tickets.txt:')),
    `the panel lists the open document's lines (${rows.length} rows rendered)`,
  );
  await shot('opened-from-palette');

  // 2. Create four labels in the panel, then label lines 1-8 with their digit keys.
  for (const name of ['billing', 'account', 'bug', 'shipping']) {
    await frame.fill('#new-label', name);
    await frame.press('#new-label', 'Enter');
    await frame.locator('.label-bar .label-chip', { hasText: name }).waitFor();
  }
  const chips = await frame.$$eval('.label-bar .label-chip', (els) => els.map((e) => e.textContent));
  check(
    chips.join(' ') === '0none — fits no label 1billing 2account 3bug 4shipping',
    `the labels carry their keys, the built-in none on 0: ${chips.join(' ')}`,
  );
  await frame.selectOption('#sort', 'document');
  await frame.focus('#lines');
  await shot('labels-created');
  const plan = [
    [1, '1', 'billing'],
    [2, '2', 'account'],
    [3, '3', 'bug'],
    [4, '4', 'shipping'],
    [5, '1', 'billing'],
    [6, '2', 'account'],
    [7, '3', 'bug'],
    [8, '4', 'shipping'],
  ];
  for (const [line, key, label] of plan) await pressInPanel(frame, key, line, label);
  check(
    records().length === 8 && records().every((r) => r.document === 'support-tickets.txt'),
    'eight labels set with digit keys in the panel are in .fewshot/labels.jsonl',
  );
  await shot('labeled-with-digit-keys');

  // 3. Predictions reach the panel; `a` accepts the one on line 9.
  const predicted9 = await until(
    'a prediction for line 9 in the panel',
    async () => {
      const r = await rowAt(frame, 9);
      return r?.predicted && r.chip;
    },
    90_000,
  );
  await shot('predictions-in-panel');
  await pressInPanel(frame, 'a', 9, predicted9);
  check(labelOn(9) === predicted9, `"a" accepted line 9's prediction (${predicted9}) into the label file`);
  // Undo (Backspace) takes it back out of the file; `a` again puts it back.
  await page.keyboard.press('Backspace');
  await until('line 9 unlabeled again after undo', () => labelOn(9) === undefined);
  check(records().length === 8, 'Backspace undid the decision in the label file');
  await pressInPanel(frame, 'a', 9, predicted9);
  await page.waitForTimeout(300);
  await shot('prediction-accepted');

  // 4. The diagnostics follow: squiggles on the unlabeled lines, none on the labeled ones.
  await page.locator('.monaco-editor .view-lines', { hasText: 'charged twice' }).first().click();
  const squiggles = page.locator('.monaco-editor .squiggly-info');
  await until('prediction squiggles', async () => (await squiggles.count()) > 0, 60_000);
  await runCommand('View: Focus Problems');
  const problemRows = page.locator('.markers-panel .monaco-list-row');
  await until('Problems rows', async () => (await problemRows.count()) > 1, 30_000);
  const problems = await problemRows.allInnerTexts();
  const lineOf = (t) => Number(/\[Ln (\d+),/.exec(t)?.[1]);
  const predictedLines = problems.map(lineOf).filter((n) => n > 0);
  check(
    problems.some((t) => /(billing|account|bug|shipping) \d{1,3}%/.test(t)),
    `the Problems panel lists predictions (${predictedLines.length} rows with a line)`,
  );
  check(
    predictedLines.length > 0 && predictedLines.every((n) => n > 9),
    `no diagnostic on lines 1-9, labeled in the panel (lines with one: ${predictedLines.slice(0, 8).join(', ')}...)`,
  );
  await shot('problems-follow-panel');

  // 5. The editor's label decorations use the panel's colours (one per label).
  const borders = await page.$$eval('.monaco-editor .view-overlays .cdr', (els) => [
    ...new Set(els.map((e) => getComputedStyle(e).borderLeftColor)),
  ]);
  const expected = { billing: 'rgb(78, 121, 167)', account: 'rgb(242, 142, 43)', bug: 'rgb(225, 87, 89)', shipping: 'rgb(118, 183, 178)' };
  const panelColors = await frame.$$eval('.label-bar .label-chip .swatch', (els) => els.map((e) => getComputedStyle(e).backgroundColor));
  check(
    JSON.stringify(panelColors) === JSON.stringify(Object.values(expected)),
    `the panel shows four label colours ${panelColors.join(', ')}`,
  );
  check(
    Object.values(expected).every((c) => borders.includes(c)),
    `the editor's labeled lines are marked in the same colours (${borders.join(', ')})`,
  );
  // The swatch in LABELS is a colour picker: a new colour reaches the label bar and the editor.
  await frame.fill('input[aria-label="Colour of bug"]', '#00c853');
  const editorBorders = () =>
    page.$$eval('.monaco-editor .view-overlays .cdr', (els) => [...new Set(els.map((e) => getComputedStyle(e).borderLeftColor))]);
  await until('the editor marking bug lines in the new colour', async () => {
    const now = await editorBorders();
    return now.includes('rgb(0, 200, 83)') && !now.includes(expected.bug);
  });
  // The label bar re-renders on the change: find the chip by its name each time (the none chip comes first).
  const bugSwatch = () =>
    frame
      .locator('.label-bar .label-chip', { hasText: 'bug' })
      .locator('.swatch')
      .evaluate((e) => getComputedStyle(e).backgroundColor)
      .catch(() => '');
  const bugChip = await until('the bug chip in the new colour', async () => {
    const c = await bugSwatch();
    return c === 'rgb(0, 200, 83)' && c;
  });
  check(bugChip === 'rgb(0, 200, 83)', `a colour picked in the panel recolours the label chip (${bugChip}) and the editor's bug lines`);
  await shot('label-colour-changed');

  // 6. Labeling in the editor shows up in the panel.
  await page.locator('.monaco-editor .view-lines', { hasText: 'charged twice' }).first().click();
  await goToLine(10);
  await runCommand('Few-Shot: Label Line As...');
  await page.locator('.quick-input-widget', { hasText: 'Label line as' }).waitFor({ state: 'visible' });
  await quickInput().fill('account');
  // Enter once the list has caught up with the typed text (see e2e.mjs's labelLine).
  await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: 'account' }).first().waitFor({ timeout: 30_000 });
  await page.keyboard.press('Enter');
  await until('line 10 labeled account in the file', () => labelOn(10) === 'account');
  await until('line 10 labeled account in the panel', async () => {
    const r = await rowAt(frame, 10);
    return r?.labeled && r.chip === 'account';
  });
  check(true, 'a label set in the editor shows in the panel');
  // Search the panel for that line, so the screenshot shows it.
  await frame.fill('#search', 'forgot my password');
  await until('the search showing line 10 alone', async () => (await panelRows(frame)).length === 1);
  await shot('editor-label-in-panel');
  await frame.fill('#search', '');

  // 7. Closed, the panel comes back from the status bar item, with the labels.
  await page.locator('.tab', { hasText: 'Few-Shot Labeling' }).first().locator('.tab-actions .action-label').click();
  await until('the panel closed', async () => (await panelFrames()).length === 0);
  check((await page.locator('.tab', { hasText: 'support-tickets.txt' }).count()) === 1, 'the panel closed; the document stays open');
  await statusItem.click();
  frame = await panelFrame();
  check((await panelFrames()).length === 1, 'the status bar item opened the panel again');
  const labeledInPanel = await until('the reopened panel counting the labels', async () => {
    const text = await frame.$eval('.charts .hint', (e) => e.textContent).catch(() => '');
    return /^10 of \d+ listed lines labeled$/.test(text) && text;
  });
  check(true, `the reopened panel counts the labels: "${labeledInPanel}"`);
  await shot('reopened-from-status-bar');

  // 8. With the document closed the list is empty, but the labels still count every record.
  await page.locator('.tab', { hasText: 'support-tickets.txt' }).first().locator('.tab-actions .action-label').click();
  const closedSummary = await until("the panel counting the closed file's labels", async () => {
    const text = await frame.$eval('.charts .hint', (e) => e.textContent).catch(() => '');
    return /^0 of 0 listed lines labeled; 10 more in closed files$/.test(text) && text;
  });
  const billing = await frame.$eval('.label-list .label-item:first-child', (e) => e.textContent);
  check(/billing\s*\d+\s*\(\d+ closed\)/.test(billing), `with the document closed: "${closedSummary}", billing: "${billing}"`);
  await shot('closed-file-counts');
});
