// Runs the integration suite through @vscode/test-electron, for machines that can download
// VS Code (CI here cannot: it uses scripts/e2e/integration.mjs in code-server instead).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runTests } from '@vscode/test-electron';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'fewshot-electron-'));
fs.cpSync(path.join(root, 'samples/workspace'), workspace, { recursive: true });
const report = path.join(root, 'artifacts/electron-report.txt');
fs.mkdirSync(path.dirname(report), { recursive: true });
try {
  await runTests({
    extensionDevelopmentPath: root,
    extensionTestsPath: path.join(root, 'out/test/suite/index.js'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
    extensionTestsEnv: { FEWSHOT_TEST_REPORT: report },
  });
  console.log(fs.readFileSync(report, 'utf8'));
} catch (error) {
  if (fs.existsSync(report)) console.log(fs.readFileSync(report, 'utf8'));
  console.error(`test:electron failed: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}
