// Integration test runner inside the real extension host. Same contract as @vscode/test-electron
// (`run(): Promise<void>`), so one suite serves both test-electron and code-server (payload URL).
// Also writes a plain-text report to $FEWSHOT_TEST_REPORT: in code-server the console output
// only reaches the browser.
import * as fs from 'node:fs';
import Mocha from 'mocha';
import { registerSuite } from './extension.suite';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: 'spec' });
  const report = process.env.FEWSHOT_TEST_REPORT;
  const lines: string[] = [];
  mocha.suite.emit('pre-require', globalThis, 'extension.suite', mocha);
  registerSuite();
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      lines.push(`${runner.stats?.passes ?? 0} passing, ${failures} failing`);
      if (report) fs.writeFileSync(report, lines.join('\n') + '\n');
      failures ? reject(new Error(`${failures} integration tests failed`)) : resolve();
    });
    runner.on('pass', (t) => lines.push(`ok   ${t.fullTitle()} (${t.duration ?? 0} ms)`));
    runner.on('fail', (t, err: Error) => lines.push(`FAIL ${t.fullTitle()}: ${err.message}\n${err.stack ?? ''}`));
  });
}
