// The Chinese UI as a user sees it (issue 19): installs the packaged VSIX into code-server with the
// display language zh-cn (the test language pack, codeServer.mjs), opens a copy of the sample
// workspace with two labels, and checks what the workbench shows: the status bar item's text from
// the extension's l10n bundle ("已标注 2"), the palette's Few-Shot commands with their titles from
// package.nls.zh-cn.json, and the Get Started walkthrough under its Chinese title with the first
// step's Chinese page (media/walkthrough/openSample.nls.zh-cn.md). VS Code's own
// strings stay English: the test pack translates none of them. Screenshots go to
// artifacts/e2e/zh-cn-*.png; with --update-docs the palette and walkthrough ones are also written
// to docs/images/zh-cn-palette.png and docs/images/walkthrough.png.
import fs from 'node:fs';
import path from 'node:path';
import { installedSampleWorkspace, launchBrowser, startCodeServer, uiTest, freshArtifacts, workbench, root } from './codeServer.mjs';

const zh = JSON.parse(fs.readFileSync(path.join(root, 'package.nls.zh-cn.json'), 'utf8'));
const bundle = JSON.parse(fs.readFileSync(path.join(root, 'l10n/bundle.l10n.zh-cn.json'), 'utf8'));
const updateDocs = process.argv.includes('--update-docs');

const { s, workspace, labelFile } = await installedSampleWorkspace('zh-cn-e2e', { displayLanguage: 'zh-cn' });
const artifacts = freshArtifacts('zh-cn-');
// A label file, so the extension activates on opening the folder and its status bar item shows a count.
const sample = fs.readFileSync(path.join(workspace, 'support-tickets.txt'), 'utf8').split('\n');
fs.mkdirSync(path.dirname(labelFile), { recursive: true });
fs.writeFileSync(
  labelFile,
  ['billing', 'account']
    .map((label, i) => `${JSON.stringify({ document: 'support-tickets.txt', line: i + 1, text: sample[i], label })}\n`)
    .join(''),
);

const server = await startCodeServer(s, { logFile: path.join(artifacts, 'zh-cn-code-server.log') });
const browser = await launchBrowser(path.join(s.state, 'chromium'));
const page = browser.pages()[0] ?? (await browser.newPage());
const { quickInput, openFile } = workbench(page);
const { shot, check, run } = uiTest('zh-cn-e2e', { page, browser, server, artifacts, prefix: 'zh-cn-' });
/** A screenshot in artifacts, and with --update-docs also under docs/images as `docsName`. */
async function docsShot(name, docsName) {
  await shot(name);
  if (!updateDocs) return;
  const file = path.join(root, 'docs/images', docsName);
  await page.screenshot({ path: file });
  console.log(`zh-cn-e2e: wrote ${path.relative(root, file)} (${Math.round(fs.statSync(file).size / 1024)} KB)`);
}

await run(async () => {
  await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`, { timeout: 180_000 });
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await openFile('support-tickets.txt', sample[0].slice(0, 20));

  // 1. The status bar item, written by the extension through vscode.l10n.t.
  const labeled = bundle['{0} labeled'].replace('{0}', '2');
  await page.locator('.statusbar-item', { hasText: labeled }).first().waitFor({ timeout: 60_000 });
  check(true, `the status bar shows "${labeled}"`);

  // 2. The palette filtered to Few-Shot: every row a Chinese title (VS Code adds the English one below it).
  await page.keyboard.press('F1');
  await quickInput().waitFor({ state: 'visible' });
  await quickInput().fill('>Few-Shot');
  const labelLine = `${zh['command.category']}: ${zh['command.labelLine.title']}`;
  const rows = page.locator('.quick-input-list .monaco-list-row');
  await rows.filter({ hasText: labelLine }).first().waitFor({ timeout: 30_000 });
  // A row's first line is its title; the English alias VS Code adds is a later line.
  const names = (await rows.allInnerTexts()).map((t) => t.split('\n')[0]);
  check(names.length > 0 && names.every((n) => /[\u4e00-\u9fff]/.test(n)), `the palette's Few-Shot rows are Chinese: ${names.join(', ')}`);
  await docsShot('palette', 'zh-cn-palette.png');
  await page.keyboard.press('Escape');

  // 3. The walkthrough, opened as Help: Welcome's list opens it, under its Chinese title.
  await page.keyboard.press('F1');
  await quickInput().fill('>Welcome: Open Walkthrough');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Open Walkthrough' }).first().waitFor();
  await page.keyboard.press('Enter');
  const title = zh['walkthrough.gettingStarted.title'];
  await quickInput().fill(title);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 30_000 });
  await page.keyboard.press('Enter');
  const page1 = page.locator('.gettingStartedContainer', { hasText: zh['walkthrough.gettingStarted.openSample.title'] });
  await page1.first().waitFor({ timeout: 30_000 });
  check(true, `the walkthrough "${title}" shows its first step "${zh['walkthrough.gettingStarted.openSample.title']}"`);

  // 4. The step's page (its markdown media, rendered in a webview): in zh-cn VS Code reads
  // openSample.nls.zh-cn.md beside openSample.md, so the page's heading is the Chinese one.
  const heading = (file) => /^# (.+)$/m.exec(fs.readFileSync(path.join(root, 'media/walkthrough', file), 'utf8'))?.[1];
  const zhHeading = heading('openSample.nls.zh-cn.md');
  const enHeading = heading('openSample.md');
  check(zhHeading && enHeading && zhHeading !== enHeading, `the sample step's headings: "${zhHeading}" (zh-cn), "${enHeading}"`);
  let pageText;
  for (const deadline = Date.now() + 30_000; !pageText && Date.now() < deadline; ) {
    for (const frame of page.frames()) {
      const text = await frame.evaluate(() => document.body?.textContent ?? '').catch(() => ''); // a frame navigating away
      if (text.includes(zhHeading) || text.includes(enHeading)) pageText = text;
    }
    if (!pageText) await page.waitForTimeout(500);
  }
  check(
    pageText?.includes(zhHeading) && !pageText.includes(enHeading),
    `the sample step's page shows its Chinese heading "${zhHeading}"${pageText ? '' : ' (no frame showed either heading)'}`,
  );
  await docsShot('walkthrough', 'walkthrough.png');
});
