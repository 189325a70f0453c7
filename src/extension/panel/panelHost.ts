// Owns one webview showing the labeling panel: sets its HTML (nonce CSP, local resources only),
// waits for the webview's `ready` before posting (posts made earlier are queued by awaiting the
// ready promise), validates every incoming message, answers requests through the data source,
// and re-sends the snapshot when the data changes. Imports vscode only as types, so tests can
// drive it with a fake webview.

import type * as vscode from 'vscode';
import { parseWebviewMessage, type HostToWebview, type PanelRequests } from '../../protocol/panel';
import { RpcServer, type Handlers } from '../../protocol/rpc';
import { buildPanelHtml, makeNonce } from './html';
import type { PanelDataSource } from './model';
import { buildSnapshot } from './snapshot';

export type WebviewLike = Pick<vscode.Webview, 'cspSource' | 'html' | 'asWebviewUri' | 'postMessage' | 'onDidReceiveMessage'>;

export interface PanelMedia {
  script: vscode.Uri;
  style: vscode.Uri;
  codicons: vscode.Uri;
}

export interface PanelHostOptions {
  random: (n: number) => Uint8Array;
  /** How long to gather change events before sending one snapshot. */
  snapshotDelayMs?: number;
  /** Where rejected messages are reported (an output channel in the extension). */
  log?: (message: string) => void;
}

export class PanelHost implements vscode.Disposable {
  private readonly disposables: { dispose(): unknown }[] = [];
  private readonly server: RpcServer<PanelRequests>;
  private resolveReady!: () => void;
  /** Resolves on the webview's first `ready`; every post waits for it. */
  readonly ready = new Promise<void>((resolve) => (this.resolveReady = resolve));
  private snapshotTimer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  constructor(
    private readonly webview: WebviewLike,
    private readonly source: PanelDataSource,
    media: PanelMedia,
    private readonly options: PanelHostOptions,
  ) {
    webview.html = buildPanelHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(options.random),
      script: webview.asWebviewUri(media.script).toString(),
      style: webview.asWebviewUri(media.style).toString(),
      codicons: webview.asWebviewUri(media.codicons).toString(),
    });
    this.server = new RpcServer<PanelRequests>(this.handlers(), (m) => void this.post(m), () => 'internal');
    this.disposables.push(webview.onDidReceiveMessage((m) => this.receive(m)));
    this.disposables.push(source.onDidChange(() => this.scheduleSnapshot()));
  }

  private handlers(): Handlers<PanelRequests> {
    const s = this.source;
    return {
      setLabel: async ({ ref, label }) => (await s.setLabel(ref, label), null),
      removeLabel: async ({ ref }) => (await s.removeLabel(ref), null),
      createLabel: async ({ name, color }) => (await s.createLabel(name, color), null),
      renameLabel: async ({ from, to }) => (await s.renameLabel(from, to), null),
      deleteLabel: async ({ name }) => (await s.deleteLabel(name), null),
      reveal: async ({ ref }) => (await s.reveal(ref), null),
      leaveOneOut: () => s.leaveOneOutAccuracy(),
    };
  }

  private receive(raw: unknown): void {
    if (this.disposed) return;
    const parsed = parseWebviewMessage(raw);
    if (!parsed.ok) {
      this.options.log?.(`panel: rejected a message from the webview: ${parsed.error}`);
      if ('badRequest' in parsed) void this.post({ kind: 'response', id: parsed.badRequest, error: { message: parsed.error, code: 'input' } });
      return;
    }
    const message = parsed.value;
    if (message.kind === 'ready') {
      // A webview that was hidden (retainContextWhenHidden off) or reloaded says ready again
      // and needs the data again.
      this.resolveReady();
      this.sendSnapshot();
      return;
    }
    this.server.handle(message);
  }

  private scheduleSnapshot(): void {
    if (this.disposed || this.snapshotTimer) return;
    this.snapshotTimer = setTimeout(() => {
      this.snapshotTimer = undefined;
      this.sendSnapshot();
    }, this.options.snapshotDelayMs ?? 30);
  }

  private sendSnapshot(): void {
    if (this.disposed) return;
    void this.post({ kind: 'snapshot', snapshot: buildSnapshot(this.source) });
  }

  private async post(message: HostToWebview): Promise<void> {
    await this.ready;
    if (this.disposed) return;
    try {
      await this.webview.postMessage(message);
    } catch (e) {
      this.options.log?.(`panel: could not post to the webview: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.snapshotTimer) clearTimeout(this.snapshotTimer);
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
