// Runs the integration suites (out/test/suite/index.js) inside code-server's real extension host:
// code-server refuses --extensionDevelopmentPath on its command line, but the workbench takes it
// in the `payload` URL query. The workbench reports the runner's exit code through
// window.codeAutomationExit; the suite writes its report to $FEWSHOT_TEST_REPORT.
// Runs, each with a fresh code-server: the sample folder (`?folder=`), a multi-root
// workspace of two folders (`?workspace=x.code-workspace`), a folder of closed files for Classify
// Workspace, and the sample folder untrusted (workspace trust on, its own settings moving the label
// file), a virtual workspace (below), and the sample folder in Chinese (zh-cn); $FEWSHOT_TEST_SUITE picks the suite. Run names as
// arguments (or FEWSHOT_INTEGRATION_RUNS, comma-separated) pick runs.
// The virtual run opens `?folder=fewshot-virtual:/workspace`, a folder served from memory by the
// test-only extension test/fixtures/virtual-fs (the run's extensionDevelopmentPath). Few-Shot is
// packaged and installed from its VSIX there, as a user gets it: VS Code never disables an
// extension under development, so loading it by path would not test its virtualWorkspaces: false.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import {
  root,
  ensureTools,
  freePort,
  prepareState,
  startCodeServer,
  launchBrowser,
  copySampleWorkspace,
  installVsix,
} from './codeServer.mjs';

const suite = path.join(root, 'out/test/suite/index.js');
if (!fs.existsSync(suite) || !fs.existsSync(path.join(root, 'out/extension.js'))) {
  console.error('integration: build first (npm run build): out/extension.js or out/test/suite/index.js is missing');
  process.exit(2);
}
ensureTools();

/** Two folders in a temp copy, and the `.code-workspace` file that names them. */
function multiRootWorkspace(s) {
  const base = path.join(s.state, 'multi-root');
  const tickets = path.join(base, 'tickets');
  const requests = path.join(base, 'requests');
  fs.cpSync(path.join(root, 'samples/workspace'), tickets, { recursive: true });
  fs.cpSync(path.join(root, 'test/fixtures/multi-root/requests'), requests, { recursive: true });
  const file = path.join(base, 'fewshot.code-workspace');
  fs.writeFileSync(
    file,
    JSON.stringify(
      {
        folders: [
          { name: 'tickets', path: tickets },
          { name: 'requests', path: requests },
        ],
        settings: {},
      },
      null,
      2,
    ),
  );
  return file;
}

/** The sample folder with its own settings moving the label file (ignored while untrusted). */
function untrustedWorkspace(s) {
  const folder = copySampleWorkspace(s);
  fs.mkdirSync(path.join(folder, '.vscode'), { recursive: true });
  fs.writeFileSync(path.join(folder, '.vscode', 'settings.json'), JSON.stringify({ 'fewshot.labelsFile': 'custom/labels.jsonl' }, null, 2));
  return folder;
}

const runs = [
  { name: 'single-folder', artifacts: 'artifacts/integration', open: (s) => `folder=${encodeURIComponent(copySampleWorkspace(s))}` },
  {
    name: 'multi-root',
    artifacts: 'artifacts/integration/multi-root',
    open: (s) => `workspace=${encodeURIComponent(multiRootWorkspace(s))}`,
  },
  {
    // Classify Workspace on a folder of closed files (a temp copy: the suite adds files).
    name: 'workspace',
    artifacts: 'artifacts/integration/workspace',
    open: (s) => {
      const dir = path.join(s.state, 'workspace-fixture');
      fs.cpSync(path.join(root, 'test/fixtures/workspace'), dir, { recursive: true });
      return `folder=${encodeURIComponent(dir)}`;
    },
  },
  {
    name: 'untrusted',
    artifacts: 'artifacts/integration/untrusted',
    workspaceTrust: true,
    open: (s) => `folder=${encodeURIComponent(untrustedWorkspace(s))}`,
  },
  {
    name: 'virtual',
    artifacts: 'artifacts/integration/virtual',
    installed: true,
    developmentPaths: [path.join(root, 'test/fixtures/virtual-fs')],
    env: (s) => ({ FEWSHOT_VIRTUAL_SEED: copySampleWorkspace(s), FEWSHOT_TEST_EXTENSIONS_DIR: s.extensions }),
    open: () => `folder=${encodeURIComponent('fewshot-virtual:/workspace')}`,
    // After the suite: no label folder anywhere in the run's state (the seed copy, user data, extensions).
    check: (s) => {
      const found = fewshotFolders(s.state);
      if (found.length) console.error(`integration virtual: Few-Shot wrote ${found.join(', ')}`);
      return found.length === 0;
    },
  },
  {
    // The sample folder with the display language zh-cn (the test language pack, codeServer.mjs).
    name: 'zh-cn',
    artifacts: 'artifacts/integration/zh-cn',
    displayLanguage: 'zh-cn',
    open: (s) => `folder=${encodeURIComponent(copySampleWorkspace(s))}`,
  },
];

/** The VSIX of the current build, packaged into the run's state folder (out/ must be built). */
function packageVsix(s) {
  const vsix = path.join(s.state, 'fewshot-labeler.vsix');
  const vsce = path.join(root, 'node_modules/@vscode/vsce/vsce');
  execFileSync(
    process.execPath,
    [vsce, 'package', '--no-dependencies', '--no-rewrite-relative-links', '--allow-missing-repository', '--skip-license', '--out', vsix],
    { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  return vsix;
}

/** Every `.fewshot` folder under `dir` (the virtual run's state: Few-Shot must write none). */
function fewshotFolders(dir) {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name === '.fewshot')
    .map((e) => path.join(e.parentPath, e.name));
}

async function runSuite(run) {
  const artifacts = path.join(root, run.artifacts);
  fs.mkdirSync(artifacts, { recursive: true });
  const report = path.join(artifacts, 'report.txt');
  fs.rmSync(report, { force: true });
  const port = await freePort();
  const s = prepareState(`integration-${run.name}`, {
    port,
    workspaceTrust: run.workspaceTrust ?? false,
    displayLanguage: run.displayLanguage,
  });
  if (run.installed) installVsix(s, packageVsix(s));
  const query = run.open(s);
  const server = await startCodeServer(s, {
    env: { FEWSHOT_TEST_REPORT: report, FEWSHOT_TEST_SUITE: run.name, ...run.env?.(s) },
    logFile: path.join(artifacts, 'code-server.log'),
  });
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
      ...(run.developmentPaths ?? [root]).map((p) => ['extensionDevelopmentPath', remote(p)]),
      ['extensionTestsPath', remote(suite)],
    ]);
    // A loaded machine can take minutes to serve the workbench: the suite timeout below is what bounds the run.
    await page.goto(`${server.url}/?${query}&payload=${encodeURIComponent(payload)}`, { timeout: 180_000 });
    const timeout = new Promise((resolve) => setTimeout(() => resolve('timeout'), 8 * 60_000));
    const result = await Promise.race([done, timeout]);
    await page.screenshot({ path: path.join(artifacts, 'final.png') }).catch(() => {});
    if (result === 'timeout') console.error(`integration ${run.name}: the suite did not finish within 8 minutes`);
    else exitCode = Number(result);
  } finally {
    await browser?.close().catch(() => {});
    server.stop();
  }
  if (!fs.existsSync(report)) {
    console.error(`integration ${run.name}: no report was written (see ${path.join(artifacts, 'code-server.log')})`);
    return 1;
  }
  const text = fs.readFileSync(report, 'utf8');
  console.log(`integration ${run.name}:\n${text}`);
  // A suite that ran no test is a failure, never a pass.
  const summary = /^(\d+) passing, (\d+) failing$/m.exec(text);
  if (!summary || Number(summary[1]) === 0) {
    console.error(`integration ${run.name}: the report shows no passing test`);
    return 1;
  }
  if (run.check && !run.check(s)) return 1;
  return exitCode;
}

let exitCode = 0;
const only = [...process.argv.slice(2), ...(process.env.FEWSHOT_INTEGRATION_RUNS?.split(',').filter(Boolean) ?? [])];
for (const run of runs.filter((r) => only.length === 0 || only.includes(r.name))) {
  const code = await runSuite(run);
  console.log(`integration ${run.name}: exit code ${code}`);
  if (code !== 0) exitCode = code;
}
process.exit(exitCode);
