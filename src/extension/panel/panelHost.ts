// Owns one webview showing the labeling panel: sets its HTML (nonce CSP, local resources only),
// waits for the webview's `ready` before posting (posts made earlier are queued by awaiting the
// ready promise), validates every incoming message, answers requests through the data source,
// sends a full snapshot on `ready` and, when the data changes, an update with only what differs
// from what the webview holds (see snapshot.ts). Of vscode it uses only the types and l10n, so
// tests can drive it with a fake webview.

import * as vscode from 'vscode';
import { parseWebviewMessage, type HostToWebview, type PanelRequests } from '../../protocol/panel';
import type { PanelStrings } from '../../protocol/panelStrings';
import { type Handlers, RpcError, RpcServer } from '../../protocol/rpc';
import { buildPanelHtml, makeNonce } from './html';
import type { LineRef, PanelChange, PanelDataSource } from './model';
import { SnapshotTracker } from './snapshot';

export type WebviewLike = Pick<vscode.Webview, 'cspSource' | 'html' | 'asWebviewUri' | 'postMessage' | 'onDidReceiveMessage'>;

export interface PanelMedia {
  script: vscode.Uri;
  style: vscode.Uri;
  codicons: vscode.Uri;
}

export interface PanelHostOptions {
  random: (n: number) => Uint8Array;
  /** How long to gather change events before sending one update. */
  snapshotDelayMs?: number;
  /** Where rejected messages are reported (an output channel in the extension). */
  log?: (message: string) => void;
  /** The panel's strings in the display language, and its tag (see protocol/panelStrings.ts). */
  strings?: PanelStrings;
  lang?: string;
}

export class PanelHost implements vscode.Disposable {
  private readonly disposables: { dispose(): unknown }[] = [];
  private readonly server: RpcServer<PanelRequests>;
  private resolveReady!: () => void;
  /** Resolves on the webview's first `ready`; every post waits for it. */
  readonly ready = new Promise<void>((resolve) => (this.resolveReady = resolve));
  private snapshotTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly tracker: SnapshotTracker;
  /** Documents whose lines changed since the last post; undefined: maybe all of them. */
  private changedDocuments: Set<string> | undefined = new Set();
  private disposed = false;
  private isReady = false;

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
      ...(options.strings ? { strings: options.strings } : {}),
      ...(options.lang ? { lang: options.lang } : {}),
    });
    this.tracker = new SnapshotTracker(source);
    this.server = new RpcServer<PanelRequests>(
      this.handlers(),
      (m) => void this.post(m),
      () => 'internal',
      // The webview has no vscode.l10n: its errors are said here, in the user's language.
      vscode.l10n.t,
    );
    this.disposables.push(webview.onDidReceiveMessage((m) => this.receive(m)));
    this.disposables.push(source.onDidChange((change) => this.scheduleUpdate(change)));
  }

  private handlers(): Handlers<PanelRequests> {
    const s = this.source;
    return {
      setLabel: ({ ref, label }) => this.changeLine(this.listed(ref), () => s.setLabel(ref, label)),
      removeLabel: ({ ref }) => this.changeLine(this.listed(ref), () => s.removeLabel(ref)),
      setLabels: ({ ref, labels }) => this.changeLine(this.listed(ref), () => s.setLabels(ref, labels)),
      createLabel: async ({ name, color }) => {
        await s.createLabel(name, color);
        return null;
      },
      renameLabel: async ({ from, to }) => {
        await s.renameLabel(from, to);
        return null;
      },
      deleteLabel: async ({ name }) => {
        await s.deleteLabel(name);
        return null;
      },
      setLabelColor: async ({ name, color }) => {
        await s.setLabelColor(name, color);
        return null;
      },
      reveal: async ({ ref }) => {
        await s.reveal(this.listed(ref));
        return null;
      },
      setLabelKey: async ({ name, key }) => {
        await s.setLabelKey(name, key);
        return null;
      },
      quality: ({ uri }, signal) => s.estimateQuality(uri, signal),
      switchTask: async ({ name }) => {
        await s.switchTask(name);
        return null;
      },
    };
  }

  /**
   * A request may only name a document the panel was sent: a webview (compromised or buggy) cannot
   * make the host open, reveal or label any other file.
   */
  private listed(ref: LineRef): LineRef {
    if (!this.tracker.isListed(ref.uri)) throw new RpcError(vscode.l10n.t('that document is not in the panel'), 'input');
    return ref;
  }

  /**
   * The webview shows its own label on the line at once; whether the store took it or not, the
   * line goes out again with the next update, so a refused change does not linger there.
   */
  private async changeLine(ref: LineRef, change: () => Promise<void>): Promise<null> {
    try {
      await change();
      return null;
    } finally {
      this.tracker.forget(ref);
      this.scheduleUpdate({ documents: [ref.uri] });
    }
  }

  private receive(raw: unknown): void {
    if (this.disposed) return;
    const parsed = parseWebviewMessage(raw);
    if (!parsed.ok) {
      this.options.log?.(`panel: rejected a message from the webview: ${parsed.error}`);
      if ('badRequest' in parsed)
        void this.post({ kind: 'response', id: parsed.badRequest, error: { message: parsed.error, code: 'input' } });
      return;
    }
    const message = parsed.value;
    if (message.kind === 'ready') {
      // A webview that was hidden (retainContextWhenHidden off) or reloaded says ready again
      // and needs the data again.
      this.isReady = true;
      this.resolveReady();
      this.sendSnapshot();
      return;
    }
    this.server.handle(message);
  }

  private scheduleUpdate(change: PanelChange): void {
    if (this.disposed) return;
    if (!change.documents) this.changedDocuments = undefined;
    else if (this.changedDocuments) for (const uri of change.documents) this.changedDocuments.add(uri);
    if (this.snapshotTimer) return;
    this.snapshotTimer = setTimeout(() => {
      this.snapshotTimer = undefined;
      this.sendUpdate();
    }, this.options.snapshotDelayMs ?? 30);
  }

  private sendSnapshot(): void {
    if (this.disposed) return;
    this.changedDocuments = new Set();
    void this.post({ kind: 'snapshot', snapshot: this.tracker.snapshot() });
  }

  private sendUpdate(): void {
    // Before the first ready there is nothing to update: ready sends the snapshot.
    if (this.disposed || !this.isReady) return;
    const documents = this.changedDocuments;
    this.changedDocuments = new Set();
    const update = this.tracker.update(documents && [...documents]);
    if (update) void this.post({ kind: 'update', update });
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
