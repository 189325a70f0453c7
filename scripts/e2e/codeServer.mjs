// Starts and stops code-server 4.100.3 from the tools folder on 127.0.0.1, with a fresh user
// data dir, extensions dir and config file per run (nothing written to the home folder).
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
export const tools = path.join(root, '.e2e-tools');
export const codeServerBin = path.join(tools, 'node_modules/.bin/code-server');

/** Installs the tools (scripts/e2e/setup.sh) when they are missing. */
export function ensureTools() {
  if (fs.existsSync(codeServerBin) && fs.existsSync(path.join(tools, 'node_modules/playwright-core'))) return;
  execFileSync('bash', [path.join(root, 'scripts/e2e/setup.sh')], { stdio: 'inherit' });
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/**
 * A fresh per-run state folder with config, user settings, and extension folders. `displayLanguage`
 * (a language with a test/fixtures/<language>-language-pack) starts code-server in that language.
 */
export function prepareState(name, { port, settings = {}, workspaceTrust = false, displayLanguage }) {
  const state = fs.mkdtempSync(path.join(os.tmpdir(), `fewshot-${name}-`));
  const config = path.join(state, 'config.yaml');
  fs.writeFileSync(
    config,
    `${[
      `bind-addr: 127.0.0.1:${port}`,
      'auth: none',
      'cert: false',
      'disable-telemetry: true',
      'disable-update-check: true',
      // The UI tests run in trusted folders; the untrusted integration run turns trust on.
      ...(workspaceTrust ? [] : ['disable-workspace-trust: true']),
      'disable-getting-started-override: true',
      ...(displayLanguage ? [`locale: ${displayLanguage}`] : []),
    ].join('\n')}\n`,
  );
  const userData = path.join(state, 'user-data');
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  if (displayLanguage) registerTestLanguagePack(userData, displayLanguage);
  fs.writeFileSync(
    path.join(userData, 'User/settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'telemetry.telemetryLevel': 'off',
        'workbench.tips.enabled': false,
        'window.restoreWindows': 'none',
        ...(workspaceTrust
          ? {
              'security.workspace.trust.enabled': true,
              'security.workspace.trust.startupPrompt': 'never',
              'security.workspace.trust.banner': 'never',
            }
          : {}),
        ...settings,
      },
      null,
      2,
    ),
  );
  const extensions = path.join(state, 'extensions');
  fs.mkdirSync(extensions, { recursive: true });
  return { state, config, userData, extensions, port, workspaceTrust };
}

/**
 * code-server shows a display language only when a language pack for it is installed: with
 * `locale: zh-cn` and none, the workbench and every extension stay English (env.language 'en'). No
 * pack can be downloaded here, so this registers the fixture pack in `languagepacks.json` of the
 * user data dir, as VS Code's language pack service writes it when a pack is installed through a
 * running server (`--install-extension` on the command line does not write it). The fixture
 * translates nothing of VS Code itself (its strings fall back to English); what it enables is the
 * language, so VS Code loads each extension's package.nls.<language>.json and l10n bundle.
 */
function registerTestLanguagePack(userData, language) {
  const translations = path.join(root, 'test/fixtures', `${language}-language-pack`, 'main.i18n.json');
  if (!fs.existsSync(translations)) throw new Error(`no test language pack for ${language}: ${translations} is missing`);
  const pack = {
    // Names the cache folder VS Code makes under user-data/clp for the pack's generated messages.
    hash: `fewshot-test-${language}`,
    extensions: [{ extensionIdentifier: { id: `fewshot-test.${language}-language-pack` }, version: '0.0.1' }],
    translations: { vscode: translations },
    label: language,
  };
  fs.writeFileSync(path.join(userData, 'languagepacks.json'), JSON.stringify({ [language]: pack }, null, 2));
}

export const codeServerArgs = (s) => ['--config', s.config, '--user-data-dir', s.userData, '--extensions-dir', s.extensions];

export function installVsix(s, vsix) {
  execFileSync(codeServerBin, [...codeServerArgs(s), '--install-extension', vsix], { stdio: 'inherit', env: codeServerEnv() });
}

function codeServerEnv(extra = {}) {
  return {
    ...process.env,
    // No outside requests from the workbench.
    EXTENSIONS_GALLERY: JSON.stringify({ serviceUrl: 'http://127.0.0.1:9/gallery', itemUrl: 'http://127.0.0.1:9/item' }),
    ...extra,
  };
}

/** Starts code-server in its own process group; resolves when it answers HTTP. */
export async function startCodeServer(s, { env = {}, logFile } = {}) {
  const out = logFile ? fs.openSync(logFile, 'w') : 'ignore';
  const child = spawn(codeServerBin, [...codeServerArgs(s), ...(s.workspaceTrust ? [] : ['--disable-workspace-trust'])], {
    detached: true,
    stdio: ['ignore', out, out],
    env: codeServerEnv(env),
  });
  const url = `http://127.0.0.1:${s.port}`;
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}${logFile ? ` (log: ${logFile})` : ''}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch {}
    if (Date.now() - started > 60_000) throw new Error('code-server did not start within 60 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    child,
    /** Stops the whole process group (the extension host and file watcher too). */
    stop() {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {}
    },
  };
}

/** Headless Debian Chromium through playwright-core from the tools folder. */
export async function launchBrowser(profileDir) {
  const { chromium } = await import(path.join(tools, 'node_modules/playwright-core/index.mjs'));
  return chromium.launchPersistentContext(profileDir, {
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/** A fresh copy of the sample workspace, so runs never touch the committed one. */
export function copySampleWorkspace(s) {
  const dest = path.join(s.state, 'workspace');
  fs.cpSync(path.join(root, 'samples/workspace'), dest, { recursive: true });
  return dest;
}

/**
 * The packaged VSIX installed into a fresh code-server state with a copy of the sample workspace
 * (in `displayLanguage`, see prepareState): the common start of the UI tests. Exits with a clear message when the VSIX is not built yet.
 */
export async function installedSampleWorkspace(name, { displayLanguage } = {}) {
  const vsix = path.join(root, 'fewshot-labeler.vsix');
  if (!fs.existsSync(vsix)) {
    console.error(`${name}: package first (npm run package): fewshot-labeler.vsix is missing`);
    process.exit(2);
  }
  ensureTools();
  const s = prepareState(name, { port: await freePort(), displayLanguage });
  installVsix(s, vsix);
  const workspace = copySampleWorkspace(s);
  return { s, workspace, labelFile: path.join(workspace, '.fewshot/labels.jsonl') };
}

/** The label file's records (empty when the file does not exist yet). */
export function readLabelRecords(file) {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

/** Keyboard-level steps in the workbench page, the way a person drives it. */
export function workbench(page) {
  const quickInput = () => page.locator('.quick-input-widget input');
  async function until(what, probe, timeoutMs = 30_000) {
    const start = Date.now();
    for (;;) {
      const v = await probe();
      if (v) return v;
      if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
      await page.waitForTimeout(100);
    }
  }
  async function runCommand(title) {
    await page.keyboard.press('F1');
    await quickInput().waitFor({ state: 'visible' });
    await quickInput().fill(`>${title}`);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ state: 'visible' });
    await page.keyboard.press('Enter');
  }
  async function goToLine(line) {
    await page.keyboard.press('Control+G');
    await quickInput().waitFor({ state: 'visible' });
    await quickInput().fill(`:${line}`);
    await page.keyboard.press('Enter');
    await page.waitForTimeout(150);
  }
  /** Opens a workspace file with quick open and waits until `text` shows in an editor. */
  async function openFile(name, text) {
    await page.keyboard.press('Control+P');
    await quickInput().fill(name);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.monaco-editor .view-lines', { hasText: text }).first().waitFor();
  }
  return { quickInput, until, runCommand, goToLine, openFile };
}

/** artifacts/e2e, created, without the screenshots an earlier run of the script with this prefix left. */
export function freshArtifacts(prefix) {
  const artifacts = path.join(root, 'artifacts/e2e');
  fs.mkdirSync(artifacts, { recursive: true });
  for (const f of fs.readdirSync(artifacts)) if (f.startsWith(prefix) && f.endsWith('.png')) fs.rmSync(path.join(artifacts, f));
  return artifacts;
}

/**
 * The reporting every UI test script shares: numbered screenshots `<prefix>NN-<name>.png` under
 * `artifacts`, checks that log `ok` or throw, and `run(steps)` that runs the steps, takes a
 * `failure` screenshot when one throws, closes the browser and the server, and exits 0 or 1.
 */
export function uiTest(tag, { page, browser, server, artifacts, prefix = '' }) {
  let step = 0;
  const shot = async (name) => {
    const file = path.join(artifacts, `${prefix}${String(++step).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path: file });
    console.log(`${tag}: screenshot ${path.relative(root, file)}`);
  };
  const check = (ok, message) => {
    if (!ok) throw new Error(`${tag}: ${message}`);
    console.log(`${tag}: ok - ${message}`);
  };
  async function run(steps) {
    let failed = false;
    try {
      await steps();
    } catch (error) {
      failed = true;
      console.error(error instanceof Error ? error.message : error);
      await shot('failure').catch(() => {});
    } finally {
      await browser.close().catch(() => {});
      server.stop();
    }
    console.log(failed ? `${tag}: FAILED` : `${tag}: passed; screenshots in ${path.relative(root, artifacts)}/${prefix}*.png`);
    process.exit(failed ? 1 : 0);
  }
  return { shot, check, run };
}

/** The labeling panel's webview frames (nested iframes) that hold its line list. */
export async function panelFrames(page) {
  const found = [];
  for (const frame of page.frames()) {
    try {
      if (await frame.$('#lines')) found.push(frame);
    } catch {} // a frame navigating away
  }
  return found;
}
