// Runs the integration suite (out/test/suite/index.js) inside code-server's real extension host:
// code-server refuses --extensionDevelopmentPath on its command line, but the workbench takes it
// in the `payload` URL query. The workbench reports the runner's exit code through
// window.codeAutomationExit; the suite writes its report to $FEWSHOT_TEST_REPORT.
import fs from 'node:fs';
import path from 'node:path';
import { root, ensureTools, freePort, prepareState, startCodeServer, launchBrowser, copySampleWorkspace } from './codeServer.mjs';

const suite = path.join(root, 'out/test/suite/index.js');
if (!fs.existsSync(suite) || !fs.existsSync(path.join(root, 'out/extension.js'))) {
  console.error('integration: build first (npm run build): out/extension.js or out/test/suite/index.js is missing');
  process.exit(2);
}
ensureTools();

const artifacts = path.join(root, 'artifacts/integration');
fs.mkdirSync(artifacts, { recursive: true });
const report = path.join(artifacts, 'report.txt');
fs.rmSync(report, { force: true });

const port = await freePort();
const s = prepareState('integration', { port });
const workspace = copySampleWorkspace(s);
const server = await startCodeServer(s, { env: { FEWSHOT_TEST_REPORT: report }, logFile: path.join(artifacts, 'code-server.log') });
let browser;
let exitCode = 1;
try {
  browser = await launchBrowser(path.join(s.state, 'chromium'));
  const page = browser.pages()[0] ?? (await browser.newPage());
  const done = new Promise((resolve) => page.exposeFunction('codeAutomationExit', (code) => resolve(code)));
  page.on('console', (m) => {
    const text = m.text();
    if (/few-shot|passing|failing|✔|✗|\d+\) /i.test(text)) console.log(`[extension host] ${text}`);
  });
  const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
  const payload = JSON.stringify([
    ['extensionDevelopmentPath', remote(root)],
    ['extensionTestsPath', remote(suite)],
  ]);
  await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(payload)}`);
  const timeout = new Promise((resolve) => setTimeout(() => resolve('timeout'), 8 * 60_000));
  const result = await Promise.race([done, timeout]);
  await page.screenshot({ path: path.join(artifacts, 'final.png') }).catch(() => {});
  if (result === 'timeout') console.error('integration: the suite did not finish within 8 minutes');
  else exitCode = Number(result);
} finally {
  await browser?.close().catch(() => {});
  server.stop();
}
if (fs.existsSync(report)) console.log(fs.readFileSync(report, 'utf8'));
else console.error(`integration: no report was written (see ${path.join(artifacts, 'code-server.log')})`);
console.log(`integration: exit code ${exitCode}`);
process.exit(exitCode);
