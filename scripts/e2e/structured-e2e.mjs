// End-to-end UI test of a structured file and the built-in `none` label: installs the packaged VSIX
// into code-server, adds a CSV of tickets (header, a quoted field spanning lines, greetings that fit
// no label) to a copy of the sample workspace with a few labels, labels one more record through the
// command palette (the quick pick offers none first), checks one squiggle per record and none on the
// header, then opens the labeling panel on its "Fits no label" filter. Screenshots go to
// artifacts/e2e/structured-*.png.
import fs from 'node:fs';
import path from 'node:path';
import {
  installedSampleWorkspace,
  startCodeServer,
  launchBrowser,
  readLabelRecords,
  workbench,
  uiTest,
  freshArtifacts,
  panelFrames,
} from './codeServer.mjs';

const { s, workspace, labelFile } = await installedSampleWorkspace('structured-e2e');
const artifacts = freshArtifacts('structured-');

const rows = [
  ['id', 'created', 'text', 'priority'],
  ['101', '2024-03-01', 'I was charged twice for my March invoice, please refund one', 'high'],
  ['102', '2024-03-01', 'Hi team, hope you are all well!', 'low'],
  ['103', '2024-03-02', 'I cannot log in after resetting my password', 'high'],
  [
    '104',
    '2024-03-02',
    'My card was declined but the invoice says "paid".\nCan you check the charge\nand send a corrected invoice?',
    'high',
  ],
  ['105', '2024-03-03', 'Please unlock my account, it says too many attempts', 'low'],
  ['106', '2024-03-03', 'Good morning everyone, hope you had a nice weekend', 'low'],
  ['107', '2024-03-04', 'Why is there an extra fee on my latest bill?', 'low'],
  ['108', '2024-03-04', 'The two-factor code never arrives when I sign in', 'high'],
  ['109', '2024-03-05', 'Hello all, hope everyone is doing well this week', 'low'],
  ['110', '2024-03-05', 'Refund the duplicate payment on my credit card', 'high'],
  ['111', '2024-03-06', 'How do I change the email address of my account?', 'low'],
  ['112', '2024-03-06', 'Hi there, hope your week is going well', 'low'],
];
const cell = (c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c);
const csv = `${rows.map((r) => r.map(cell).join(',')).join('\n')}\n`;
fs.writeFileSync(path.join(workspace, 'tickets.csv'), csv);
// First line (1-based) of each record: the header is line 1, record 104 spans lines 5-7.
const firstLine = { 101: 2, 102: 3, 103: 4, 104: 5, 105: 8, 106: 9, 107: 10, 108: 11, 109: 12, 110: 13, 111: 14, 112: 15 };
const textOf = (id) => rows.find((r) => r[0] === String(id))[2];
const seed = [
  [101, 'billing'],
  [103, 'account'],
  [102, 'none'],
  [106, 'none'],
];
fs.mkdirSync(path.dirname(labelFile), { recursive: true });
fs.writeFileSync(
  labelFile,
  seed.map(([id, label]) => `${JSON.stringify({ document: 'tickets.csv', line: firstLine[id], text: textOf(id), label })}\n`).join(''),
);
const records = () => readLabelRecords(labelFile).filter((r) => r.document === 'tickets.csv');

const server = await startCodeServer(s, { logFile: path.join(artifacts, 'structured-code-server.log') });
const browser = await launchBrowser(path.join(s.state, 'chromium'));
const page = browser.pages()[0] ?? (await browser.newPage());
const { quickInput, until, runCommand, goToLine, openFile } = workbench(page);
const { shot, check, run } = uiTest('structured-e2e', { page, browser, server, artifacts, prefix: 'structured-' });
const panelFrame = () => until('the labeling panel webview', async () => (await panelFrames(page))[0], 60_000);

await run(async () => {
  // A loaded machine can take minutes to serve the workbench (30 s, the default, failed under load).
  await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`, { timeout: 180_000 });
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await page.locator('.statusbar-item', { hasText: 'labeled' }).first().waitFor({ timeout: 60_000 });
  await openFile('tickets.csv', 'charged twice');

  // Label record 105 with the cursor on its line, through the palette: the quick pick lists none first.
  await page.locator('.monaco-editor textarea').first().focus();
  await goToLine(firstLine[105]);
  await runCommand('Few-Shot: Label Line As...');
  await page.locator('.quick-input-widget', { hasText: 'Label line as' }).waitFor({ state: 'visible' });
  const first = (await page.locator('.quick-input-list .monaco-list-row').first().textContent()) ?? '';
  check(/none[\s\S]*fits no label/.test(first), `the quick pick's first entry is "${first.replace(/\s+/g, ' ')}"`);
  await quickInput().fill('account');
  // Enter once the list has caught up with the typed text (see e2e.mjs's labelLine).
  await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: 'account' }).first().waitFor({ timeout: 30_000 });
  await page.keyboard.press('Enter');
  await until('record 105 labeled account', () => records().some((r) => r.line === firstLine[105] && r.label === 'account'));
  check(records().find((r) => r.line === firstLine[105]).text === textOf(105), 'the label holds the text column, not the whole row');

  // One squiggle per predicted record (its first line); the header and lines fitting no label get none.
  const squiggles = page.locator('.monaco-editor .squiggly-info');
  await until('prediction squiggles', async () => (await squiggles.count()) > 0, 90_000);
  await page.keyboard.press('Control+Shift+M');
  const problems = page.locator('.markers-panel .monaco-list-row');
  await until('Problems rows', async () => (await problems.count()) > 1, 30_000);
  const problemTexts = (await problems.allInnerTexts()).map((t) => t.replace(/\s+/g, ' '));
  const lines = problemTexts
    .map((t) => /\[Ln (\d+)/.exec(t)?.[1])
    .filter(Boolean)
    .map(Number);
  check(!lines.includes(1), 'the header has no prediction');
  check(!lines.includes(6) && !lines.includes(7), `the multi-line record 104 has one diagnostic, on line 5 (lines ${lines.join(', ')})`);
  check(!problemTexts.some((t) => t.includes('fits no label')), 'no record predicted none has a diagnostic');
  await page.locator('.monaco-editor textarea').first().focus();
  await goToLine(firstLine[107]);
  await page.waitForTimeout(500);
  await shot('csv-labeling');

  // The panel lists records; "Fits no label" shows the marked and the predicted greetings.
  await runCommand('Few-Shot: Open Labeling Panel');
  const frame = await panelFrame();
  await frame.locator('.row').first().waitFor({ timeout: 30_000 });
  await frame.selectOption('#filter', 'none');
  const noneRows = async () =>
    frame.$$eval('.row:not([hidden])', (els) =>
      els.map((e) => ({ loc: e.querySelector('.loc').textContent, labeled: e.classList.contains('labeled') })),
    );
  const shown = await until(
    'a predicted greeting under "Fits no label"',
    async () => {
      // The list settles over a few updates (labels, then predictions): wait for the settled one.
      const r = await noneRows();
      return r.some((x) => !x.labeled) && r.every((x) => /^tickets\.csv:(3|9|12|15)$/.test(x.loc)) && r;
    },
    60_000,
  );
  check(
    shown.every((r) => /^tickets\.csv:(3|9|12|15)$/.test(r.loc)),
    `"Fits no label" lists the greetings only: ${shown.map((r) => `${r.loc}${r.labeled ? ' (marked)' : ' (predicted)'}`).join(', ')}`,
  );
  await frame.locator('#lines').focus();
  await page.waitForTimeout(300);
  await shot('panel-none-filter');
});
