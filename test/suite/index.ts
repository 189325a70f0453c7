// Integration test runner inside the real extension host. Same contract as @vscode/test-electron
// (`run(): Promise<void>`), so one suite serves both test-electron and code-server (payload URL).
// Also writes a plain-text report to $FEWSHOT_TEST_REPORT: in code-server the console output
// only reaches the browser.
import * as fs from 'node:fs';
import Mocha from 'mocha';
import { registerSuite } from './extension.suite';
import { registerImproveSuite } from './improve.suite';
import { registerManyLabelsSuite } from './manyLabels.suite';
import { registerMultiRootSuite } from './multiRoot.suite';
import { registerNonFileSuite } from './nonFile.suite';
import { registerRefineSuite } from './refine.suite';
import { registerStructuredSuite } from './structured.suite';
import { registerStructuredWorkspaceSuite } from './structuredWorkspace.suite';
import { registerTasksSuite } from './tasks.suite';
import { registerUntrustedSuite } from './untrusted.suite';
import { registerVirtualSuite } from './virtual.suite';
import { registerWorkspaceSuite, registerWorkspaceTasksSuite } from './workspace.suite';
import { registerZhCnSuite } from './zhCn.suite';

/** $FEWSHOT_TEST_SUITE picks the suite that fits the opened workspace; an unknown name fails. */
const suites: Record<string, () => void> = {
  'single-folder': () => {
    registerSuite();
    registerManyLabelsSuite();
    registerStructuredSuite();
    registerNonFileSuite();
    registerRefineSuite();
    registerImproveSuite();
    // Last: it adds a task to the folder, which the suites above do not expect.
    registerTasksSuite();
  },
  'multi-root': registerMultiRootSuite,
  workspace: () => {
    registerWorkspaceSuite();
    // After it: it re-reads the fixture folder with files of its own.
    registerStructuredWorkspaceSuite();
    // Last: it adds a task to the folder, which the suites above do not expect.
    registerWorkspaceTasksSuite();
  },
  untrusted: registerUntrustedSuite,
  virtual: registerVirtualSuite,
  'zh-cn': registerZhCnSuite,
};

export function run(): Promise<void> {
  // $FEWSHOT_TEST_GREP runs only the tests whose full title matches (one suite of a run, while working on it).
  const grep = process.env.FEWSHOT_TEST_GREP;
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, forbidOnly: true, color: false, reporter: 'spec', ...(grep ? { grep } : {}) });
  const report = process.env.FEWSHOT_TEST_REPORT;
  const lines: string[] = [];
  const name = process.env.FEWSHOT_TEST_SUITE ?? 'single-folder';
  const register = suites[name];
  if (!register) return Promise.reject(new Error(`FEWSHOT_TEST_SUITE=${name}: no such suite (${Object.keys(suites).join(', ')})`));
  mocha.suite.emit('pre-require', globalThis, name, mocha);
  register();
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      lines.push(`${runner.stats?.passes ?? 0} passing, ${failures} failing`);
      if (report) fs.writeFileSync(report, `${lines.join('\n')}\n`);
      failures ? reject(new Error(`${failures} integration tests failed`)) : resolve();
    });
    runner.on('pass', (t) => lines.push(`ok   ${t.fullTitle()} (${t.duration ?? 0} ms)`));
    runner.on('fail', (t, err: Error) => lines.push(`FAIL ${t.fullTitle()}: ${err.message}\n${err.stack ?? ''}`));
  });
}
