// The panel's HTML page. Pure, so tests can check the Content-Security-Policy without vscode.

import type { PanelStrings } from '../../protocol/panelStrings';

export interface PanelHtmlResources {
  /** The webview's `cspSource`. */
  cspSource: string;
  /** Webview URIs (from `asWebviewUri`) of the bundled files. */
  script: string;
  style: string;
  codicons: string;
  nonce: string;
  /** The panel's strings in the display language (English when absent) and that language's tag. */
  strings?: PanelStrings;
  lang?: string;
}

/** 32 characters of base64 from 24 random bytes. */
export function makeNonce(random: (n: number) => Uint8Array): string {
  return Buffer.from(random(24)).toString('base64');
}

function attr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function buildPanelHtml(r: PanelHtmlResources): string {
  const csp = [
    "default-src 'none'",
    `style-src ${r.cspSource}`,
    `font-src ${r.cspSource}`,
    `img-src ${r.cspSource}`,
    `script-src 'nonce-${r.nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="${attr(r.lang ?? 'en')}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(r.codicons)}">
<link rel="stylesheet" href="${attr(r.style)}">
<title>Few-Shot Labeling</title>
</head>
<body>
<div id="app" class="app"${r.strings ? ` data-strings="${attr(JSON.stringify(r.strings))}"` : ''}></div>
<script nonce="${attr(r.nonce)}" src="${attr(r.script)}"></script>
</body>
</html>`;
}
