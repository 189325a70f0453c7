// Loads the built panel (media/panel.js, media/panel.css, codicons) in Debian's Chromium
// through a tiny HTTP server on 127.0.0.1, with a fake VS Code host (fakeHost.ts) and the
// colour variables of a VS Code theme.

import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { installFakeHost, type FakeHostOptions } from './fakeHost';
import { THEMES, type ThemeName } from './themes';

export const CHROMIUM = process.env.FEWSHOT_CHROMIUM ?? '/usr/bin/chromium';
const root = process.cwd();
const media = path.join(root, 'media');

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf', '.html': 'text/html' };

function page(theme: ThemeName): string {
  const t = THEMES[theme];
  const vars = Object.entries(t.vars)
    .map(([k, v]) => `${k}: ${v};`)
    .join(' ');
  return `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8">
<link rel="stylesheet" href="/media/codicons/codicon.css"><link rel="stylesheet" href="/media/panel.css">
<style>html { ${vars} }</style></head>
<body class="${t.bodyClass}"><div id="app" class="app"></div><script src="/media/panel.js"></script></body></html>`;
}

export class PanelHarness {
  private server!: http.Server;
  private base = '';
  browser!: Browser;

  async start(): Promise<void> {
    for (const f of ['panel.js', 'panel.css', 'codicons/codicon.css', 'codicons/codicon.ttf']) {
      if (!fs.existsSync(path.join(media, f))) throw new Error(`media/${f} is missing: run \`npm run build\` first`);
    }
    if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (or set FEWSHOT_CHROMIUM)`);
    this.server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname === '/panel.html') {
        res.writeHead(200, { 'content-type': 'text/html' }).end(page((url.searchParams.get('theme') as ThemeName) ?? 'dark'));
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
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking', '--disable-component-update'],
    });
  }

  async open(options: Partial<FakeHostOptions> & { theme?: ThemeName; width?: number; height?: number } = {}): Promise<Page> {
    const context = await this.browser.newContext({ viewport: { width: options.width ?? 1000, height: options.height ?? 640 } });
    // The page may only talk to our server: any other request would be an external resource.
    await context.route('**/*', (route) => (route.request().url().startsWith(this.base) ? route.continue() : route.abort()));
    const p = await context.newPage();
    const errors: string[] = [];
    p.on('pageerror', (e) => errors.push(e.message));
    (p as Page & { errors: string[] }).errors = errors;
    await p.addInitScript(installFakeHost, { lines: options.lines ?? 200, special: options.special ?? [] });
    await p.goto(`${this.base}/panel.html?theme=${options.theme ?? 'dark'}`);
    await p.waitForSelector('.row[data-position="0"]');
    return p;
  }

  async stop(): Promise<void> {
    await this.browser?.close();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

export function pageErrors(p: Page): string[] {
  return (p as Page & { errors?: string[] }).errors ?? [];
}

/** The rendered rows, in list order: position, text, chip and whether it is the cursor. */
export async function rows(p: Page): Promise<{ position: number; loc: string; text: string; chip: string; labeled: boolean; cursor: boolean }[]> {
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
