// End-to-end test of Few-Shot: Classify Workspace in the real workbench: installs the packaged
// VSIX into code-server, opens a copy of the sample workspace with 8 labels and a folder of
// generated log files that are never opened, runs the command from the palette and checks the
// progress notification (files, lines/s, time left), the summary, the Problems panel and the
// labeling panel's document filter listing the closed files. Screenshots go to
// artifacts/e2e/workspace-*.png (the progress one is in the README).
import fs from 'node:fs';
import path from 'node:path';
import { installedSampleWorkspace, launchBrowser, startCodeServer, uiTest, freshArtifacts, workbench } from './codeServer.mjs';

const { s, workspace, labelFile } = await installedSampleWorkspace('workspace-e2e');
const artifacts = freshArtifacts('workspace-');

// Labels on the first 8 lines of the sample file, and 40 log files of 3,000 lines each made from
// its lines (deterministic), so the run lasts long enough to be seen.
const sample = fs.readFileSync(path.join(workspace, 'support-tickets.txt'), 'utf8').split('\n').filter(Boolean);
const labels = ['billing', 'account', 'bug', 'shipping', 'billing', 'account', 'bug', 'shipping'];
fs.mkdirSync(path.dirname(labelFile), { recursive: true });
fs.writeFileSync(
  labelFile,
  labels.map((label, i) => `${JSON.stringify({ document: 'support-tickets.txt', line: i + 1, text: sample[i], label })}\n`).join(''),
);
const logs = path.join(workspace, 'logs');
fs.mkdirSync(logs, { recursive: true });
for (let f = 0; f < 40; f++) {
  const lines = Array.from({ length: 3000 }, (_, i) => {
    const n = f * 3000 + i;
    return n % 23 === 0 ? '' : `2024-05-${String((f % 28) + 1).padStart(2, '0')} #${n} ${sample[(n * 7) % sample.length]}`;
  });
  fs.writeFileSync(path.join(logs, `day-${String(f).padStart(2, '0')}.log`), `${lines.join('\n')}\n`);
}

const server = await startCodeServer(s, { logFile: path.join(artifacts, 'workspace-code-server.log') });
const browser = await launchBrowser(path.join(s.state, 'chromium'));
const page = browser.pages()[0] ?? (await browser.newPage());
const { until, quickInput } = workbench(page);
/** Runs a palette command by clicking the row with exactly that title (Enter would take the top row). */
async function runCommand(title) {
  await page.keyboard.press('F1');
  await quickInput().waitFor({ state: 'visible' });
  await quickInput().fill(`>${title}`);
  const row = page.locator('.quick-input-list .monaco-list-row', {
    has: page.locator('.label-name', { hasText: new RegExp(`^${title}$`) }),
  });
  await row.first().click();
}
const { shot, check, run } = uiTest('workspace-e2e', { page, browser, server, artifacts, prefix: 'workspace-' });
const toastText = () => page.locator('.notifications-toasts .notification-toast').allTextContents();

await run(async () => {
  await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`, { timeout: 180_000 });
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await page.locator('.statusbar-item', { hasText: 'labeled' }).first().waitFor({ timeout: 60_000 });

  // 1. Run it from the palette: a progress notification with files, lines/s and time left.
  await runCommand('Few-Shot: Classify Workspace');
  const progress = await until(
    'the progress notification with files done and lines/s',
    async () => (await toastText()).find((t) => /classifying the workspace.*\d+ of \d+ files · [\d,]+ lines\/s · about/.test(t)),
    120_000,
  );
  check(true, `progress: "${progress}"`);
  await shot('progress');

  // 2. The summary when it is done.
  const summary = await until(
    'the summary message',
    async () => (await toastText()).find((t) => /classified \d+ files \([\d,]+ lines\)/.test(t)),
    300_000,
  );
  check(true, `summary: "${summary}"`);

  // 3. The Problems panel holds the closed log files' predictions.
  await page.keyboard.press('Control+Shift+M');
  const problems = page.locator('.markers-panel');
  await problems.waitFor({ timeout: 30_000 });
  await until('a closed log file in the Problems panel', async () => (await problems.textContent())?.includes('day-00.log'), 60_000);
  check(true, 'the Problems panel lists predictions of day-00.log, which was never opened');
  await shot('problems');

  // 4. The labeling panel's document filter offers the closed files.
  await runCommand('Few-Shot: Open Labeling Panel');
  const frame = await until(
    'the labeling panel webview',
    async () => {
      for (const f of page.frames()) if (await f.$('#doc').catch(() => null)) return f;
      return undefined;
    },
    60_000,
  );
  const options = await until(
    'the closed files in the document filter',
    async () => {
      const names = await frame.$$eval('#doc option', (els) => els.map((e) => e.textContent));
      return names.includes('day-00.log') && names;
    },
    60_000,
  );
  check(options.filter((n) => /^day-\d+\.log$/.test(n)).length === 40, 'the document filter lists the 40 closed log files');
  await frame.selectOption('#doc', { label: 'day-00.log' });
  await frame.locator('.row.predicted').first().waitFor({ timeout: 30_000 });
  await shot('panel-closed-file');
});
