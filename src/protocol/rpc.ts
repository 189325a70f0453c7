// Generic request/response messaging over any one-way `post` channel (a worker port, a webview).
// Requests carry an id; replies echo it with a result or an error; a request can be cancelled,
// which rejects it at once on the caller's side and lets the handler stop early.
// Pure: no vscode and no worker_threads import, so both the extension, the worker and the
// webview can use it.
import { checkMessageTemplate, type MessageTemplate, sayMessage, type Translate } from '../engine/messageTemplate';

/** Describes a protocol: for each method, its params and its result. */
export type RequestMap = { [method: string]: { params: unknown; result: unknown } };

export interface RequestMessage<M extends string = string, P = unknown> {
  kind: 'request';
  id: number;
  method: M;
  params: P;
}
export interface ResponseMessage<R = unknown> {
  kind: 'response';
  id: number;
  result?: R;
  error?: RpcErrorData;
}
export interface CancelMessage {
  kind: 'cancel';
  id: number;
}
export interface RpcErrorData {
  message: string;
  /** `cancelled` for cancelled requests, `input` for bad input the user can fix, `internal` otherwise. */
  code: 'cancelled' | 'input' | 'internal' | 'unknown-method';
  /**
   * The message as an English template (`{0}`, `{1}`) and its parameters, for the extension to say
   * in the user's language; `message` is the template filled. Checked on both sides
   * (checkMessageTemplate): a malformed one is left out and `message` is shown.
   */
  template?: string;
  params?: string[];
}
export type RpcMessage = RequestMessage | ResponseMessage | CancelMessage;

export class RpcError extends Error {
  override name = 'RpcError';
  constructor(
    message: string,
    readonly code: RpcErrorData['code'],
    /** The message as a template to translate; absent, the message is shown as it is. */
    readonly said?: MessageTemplate,
  ) {
    super(message);
  }

  /** An error whose message is an English template of a table (WORKER_MESSAGES) with its parameters. */
  static said(code: RpcErrorData['code'], template: string, ...params: string[]): RpcError {
    const m = { template, params };
    return new RpcError(sayMessage(m), code, m);
  }
}

/** The template an error carries (an RpcError's, or an engine error's `said`) when it is well formed for its message. */
function templateOf(error: unknown): MessageTemplate | undefined {
  return error instanceof Error && 'said' in error ? checkMessageTemplate(error.said, error.message) : undefined;
}

/**
 * What the user is told of `error`: its template through `translate` (vscode.l10n.t in the
 * extension) when it carries a well-formed one, else its message as it is.
 */
export function errorText(error: unknown, translate?: Translate): string {
  const said = templateOf(error);
  if (said) return sayMessage(said, translate);
  return error instanceof Error ? error.message : String(error);
}

export function isRpcMessage(value: unknown): value is RpcMessage {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as { kind?: unknown; id?: unknown };
  return (m.kind === 'request' || m.kind === 'response' || m.kind === 'cancel') && typeof m.id === 'number';
}

/** A minimal cancellation signal; vscode's CancellationToken and our own both fit. */
export interface CancelSignal {
  readonly isCancellationRequested: boolean;
  onCancellationRequested(listener: () => void): { dispose(): void };
}

/** A cancellation source that needs no vscode import. */
export class CancelSource implements CancelSignal {
  private listeners: Array<() => void> = [];
  private cancelled = false;
  get isCancellationRequested(): boolean {
    return this.cancelled;
  }
  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    for (const l of this.listeners.splice(0)) l();
  }
  onCancellationRequested(listener: () => void): { dispose(): void } {
    if (this.cancelled) {
      listener();
      return { dispose() {} };
    }
    this.listeners.push(listener);
    return { dispose: () => (this.listeners = this.listeners.filter((l) => l !== listener)) };
  }
}

/** Lets queued messages (cancels) be delivered; setImmediate where it exists (node), else a timer (browser). */
export function yieldToEventLoop(): Promise<void> {
  return new Promise<void>((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** The calling side. Feed every incoming message to `handle`. */
export class RpcClient<P extends RequestMap> {
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private closedReason: { message: string; said: MessageTemplate | undefined } | undefined;

  constructor(private readonly post: (message: RequestMessage | CancelMessage) => void) {}

  request<M extends keyof P & string>(method: M, params: P[M]['params'], signal?: CancelSignal): Promise<P[M]['result']> {
    if (this.closedReason) return Promise.reject(new RpcError(this.closedReason.message, 'internal', this.closedReason.said));
    if (signal?.isCancellationRequested) return Promise.reject(new RpcError(`${method} cancelled`, 'cancelled'));
    const id = this.nextId++;
    return new Promise<P[M]['result']>((resolve, reject) => {
      const subscription = signal?.onCancellationRequested(() => {
        if (!this.pending.delete(id)) return;
        this.post({ kind: 'cancel', id });
        reject(new RpcError(`${method} cancelled`, 'cancelled'));
      });
      const done = () => subscription?.dispose();
      this.pending.set(id, {
        resolve: (v) => {
          done();
          resolve(v as P[M]['result']);
        },
        reject: (e) => {
          done();
          reject(e);
        },
      });
      this.post({ kind: 'request', id, method, params });
    });
  }

  /** Returns true when the message was a response this client was waiting for. */
  handle(message: unknown): boolean {
    if (!isRpcMessage(message) || message.kind !== 'response') return false;
    const pending = this.pending.get(message.id);
    if (!pending) return false;
    this.pending.delete(message.id);
    if (message.error) {
      const { message: text, code, template, params } = message.error;
      pending.reject(new RpcError(text, code, checkMessageTemplate({ template, params }, text)));
    } else pending.resolve(message.result);
    return true;
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /**
   * Rejects everything still pending (the other side went away) and refuses new requests, with
   * `reason` (and `said`, its template to translate).
   */
  close(reason: string, said?: MessageTemplate): void {
    this.closedReason = { message: reason, said };
    for (const [, p] of this.pending) p.reject(new RpcError(reason, 'internal', said));
    this.pending.clear();
  }
}

export type Handlers<P extends RequestMap> = {
  [M in keyof P]: (params: P[M]['params'], signal: CancelSignal) => P[M]['result'] | Promise<P[M]['result']>;
};

/**
 * The answering side. Requests run one at a time, in arrival order (the engine is not
 * re-entrant), and the queue yields to the event loop before each one so that cancel messages
 * that arrive meanwhile are seen: a request cancelled before it starts never runs.
 */
export class RpcServer<P extends RequestMap> {
  private queue: Array<{ message: RequestMessage; signal: CancelSource }> = [];
  private inFlight = new Map<number, CancelSource>();
  private running = false;

  constructor(
    private readonly handlers: Handlers<P>,
    private readonly post: (message: ResponseMessage) => void,
    private readonly classify: (error: unknown) => RpcErrorData['code'] = () => 'internal',
    /**
     * Says errors in the user's language before they are posted (the labeling panel: a webview has
     * no vscode.l10n); absent, errors are posted in English with their template.
     */
    private readonly translate?: Translate,
  ) {}

  handle(message: unknown): boolean {
    if (!isRpcMessage(message)) return false;
    if (message.kind === 'cancel') {
      this.inFlight.get(message.id)?.cancel();
      return true;
    }
    if (message.kind !== 'request') return false;
    const signal = new CancelSource();
    this.inFlight.set(message.id, signal);
    this.queue.push({ message, signal });
    void this.drain();
    return true;
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.queue.length) {
        await yieldToEventLoop();
        const job = this.queue.shift()!;
        await this.run(job.message, job.signal);
        this.inFlight.delete(job.message.id);
      }
    } finally {
      this.running = false;
    }
  }

  private async run(message: RequestMessage, signal: CancelSource): Promise<void> {
    const { id, method } = message;
    if (signal.isCancellationRequested) {
      this.post({ kind: 'response', id, error: { message: `${method} cancelled`, code: 'cancelled' } });
      return;
    }
    const handler = (this.handlers as Record<string, Handlers<P>[keyof P] | undefined>)[method];
    if (!handler) {
      this.post({ kind: 'response', id, error: { message: `unknown method ${method}`, code: 'unknown-method' } });
      return;
    }
    try {
      const result = await handler(message.params as never, signal);
      if (signal.isCancellationRequested) {
        this.post({ kind: 'response', id, error: { message: `${method} cancelled`, code: 'cancelled' } });
      } else {
        this.post({ kind: 'response', id, result });
      }
    } catch (error) {
      const code = error instanceof RpcError ? error.code : this.classify(error);
      const said = this.translate ? undefined : templateOf(error);
      const message = errorText(error, this.translate);
      this.post({ kind: 'response', id, error: { message, code, ...(said ? { template: said.template, params: said.params } : {}) } });
    }
  }
}
