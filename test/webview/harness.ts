// Loads the built panel (media/panel.js, media/panel.css, codicons) in Debian's Chromium
// through a tiny HTTP server on 127.0.0.1, with a fake VS Code host (fakeHost.ts) and the
// colour variables of a VS Code theme.

import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildPanelHtml } from '../../src/extension/panel/html';
import type { PanelStrings } from '../../src/protocol/panelStrings';
import { installFakeHost, type FakeHostOptions } from './fakeHost';
import { THEMES, type ThemeName } from './themes';

export const CHROMIUM = process.env.FEWSHOT_CHROMIUM ?? '/usr/bin/chromium';
const root = process.cwd();
const media = path.join(root, 'media');

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf', '.html': 'text/html' };

/** The host's real HTML (nonce CSP included), with this server as the webview resource origin. */
function page(base: string, language?: { strings: PanelStrings; lang: string }): string {
  return buildPanelHtml({
    ...language,
    cspSource: base,
    nonce: 'dGVzdC1ub25jZS1mb3ItdGhlLXBhbmVs',
    script: `${base}/media/panel.js`,
    style: `${base}/media/panel.css`,
    codicons: `${base}/media/codicons/codicon.css`,
  });
}

/** Runs before the page: VS Code sets the theme's variables on <html> and a class on <body>. */
function applyTheme(theme: { bodyClass: string; vars: Record<string, string> }): void {
  const violations: string[] = [];
  (window as unknown as { __cspViolations: string[] }).__cspViolations = violations;
  document.addEventListener('securitypolicyviolation', (e) => violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  document.addEventListener('DOMContentLoaded', () => {
    for (const [k, v] of Object.entries(theme.vars)) document.documentElement.style.setProperty(k, v);
    document.body.classList.add(theme.bodyClass);
  });
}

export class PanelHarness {
  private server!: http.Server;
  private base = '';
  browser!: Browser;
  /** The strings the next page is served with, as the extension would put them on it (absent: English). */
  private language: { strings: PanelStrings; lang: string } | undefined;

  async start(): Promise<void> {
    for (const f of ['panel.js', 'panel.css', 'codicons/codicon.css', 'codicons/codicon.ttf']) {
      if (!fs.existsSync(path.join(media, f))) throw new Error(`media/${f} is missing: run \`npm run build\` first`);
    }
    if (!fs.existsSync(CHROMIUM))
      throw new Error(`Chromium not found at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (or set FEWSHOT_CHROMIUM)`);
    this.server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname === '/panel.html') {
        res.writeHead(200, { 'content-type': 'text/html' }).end(page(this.base, this.language));
        return;
      }
      const file = path.normalize(path.join(root, decodeURIComponent(url.pathname)));
      if (!file.startsWith(media + path.sep) || !fs.existsSync(file)) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(fs.readFileSync(file));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
      ],
    });
  }

  async open(
    options: Partial<FakeHostOptions> & {
      theme?: ThemeName;
      width?: number;
      height?: number;
      language?: { strings: PanelStrings; lang: string };
    } = {},
  ): Promise<Page> {
    this.language = options.language;
    const context = await this.browser.newContext({ viewport: { width: options.width ?? 1000, height: options.height ?? 640 } });
    // The page may only talk to our server: any other request would be an external resource.
    await context.route('**/*', (route) => (route.request().url().startsWith(this.base) ? route.continue() : route.abort()));
    const p = await context.newPage();
    const errors: string[] = [];
    p.on('pageerror', (e) => errors.push(e.message));
    (p as Page & { errors: string[] }).errors = errors;
    await p.addInitScript(applyTheme, THEMES[options.theme ?? 'dark']);
    await p.addInitScript(installFakeHost, {
      lines: options.lines ?? 200,
      special: options.special ?? [],
      extraLabels: options.extraLabels ?? 0,
      labelNames: options.labelNames ?? [],
      qualityMs: options.qualityMs ?? 50,
    });
    await p.goto(`${this.base}/panel.html`);
    await p.waitForSelector('.row[data-position="0"]');
    return p;
  }

  async stop(): Promise<void> {
    await this.browser?.close();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** Uncaught errors and Content-Security-Policy violations seen by the page. */
export async function pageErrors(p: Page): Promise<string[]> {
  const violations = await p.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations);
  return [...((p as Page & { errors?: string[] }).errors ?? []), ...violations.map((v) => `CSP violation: ${v}`)];
}

/** The rendered rows, in list order: position, text, chip and whether it is the cursor. */
export async function rows(
  p: Page,
): Promise<{ position: number; loc: string; text: string; chip: string; labeled: boolean; cursor: boolean }[]> {
  return p.$$eval('.row:not([hidden])', (els) =>
    els
      .map((e) => ({
        position: Number((e as HTMLElement).dataset.position),
        loc: e.querySelector('.loc')!.textContent ?? '',
        text: e.querySelector('.text')!.textContent ?? '',
        chip: e.querySelector('.chip .name')!.textContent ?? '',
        labeled: e.classList.contains('labeled'),
        cursor: e.classList.contains('cursor'),
      }))
      .sort((a, b) => a.position - b.position),
  );
}

export async function cursorRow(p: Page) {
  const r = (await rows(p)).find((x) => x.cursor);
  if (!r) throw new Error('no cursor row rendered');
  return r;
}

/** The requests the panel sent to the host, in order. */
export async function requests(p: Page): Promise<{ method: string; params: Record<string, unknown> }[]> {
  return p.evaluate(() => (window as unknown as { __requests: { method: string; params: Record<string, unknown> }[] }).__requests);
}

/** Waits until the panel has drawn everything pending (two animation frames). */
export async function settle(p: Page): Promise<void> {
  await p.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(() => requestAnimationFrame(() => r(null)), 20))));
}
