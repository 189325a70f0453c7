// The part of the `vscode` API the extension's unit-tested modules use, in plain Node. Unit test
// bundles get it in place of `vscode` (scripts/build.mjs); the integration suite gets the real one.
// What the code under test shows the user is recorded in `shown`, so tests can assert it.

export const shown: { level: 'info' | 'warning' | 'error'; message: string }[] = [];
/** The `detail` of each information message that has one (a modal's or a notification's second line). */
export const details: string[] = [];

/** The user's settings, by full key (`fewshot.abstention`); a key not here reads as its default. */
export const settings = new Map<string, unknown>();

export enum DiagnosticSeverity {
  Error = 0,
  Warning = 1,
  Information = 2,
  Hint = 3,
}

export enum StatusBarAlignment {
  Left = 1,
  Right = 2,
}

export class Disposable {
  constructor(private readonly onDispose: () => void = () => {}) {}
  dispose(): void {
    this.onDispose();
  }
}

export type Event<T> = (listener: (e: T) => void) => Disposable;

export class EventEmitter<T> {
  private listeners: ((e: T) => void)[] = [];
  readonly event: Event<T> = (listener) => {
    this.listeners.push(listener);
    return new Disposable(() => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    });
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  dispose(): void {
    this.listeners = [];
  }
}

export class Uri {
  private constructor(
    readonly scheme: string,
    readonly path: string,
  ) {}
  static file(p: string): Uri {
    return new Uri('file', p);
  }
  static parse(s: string): Uri {
    const m = /^([a-z-]+):\/\/(.*)$/.exec(s);
    return m ? new Uri(m[1]!, m[2]!) : new Uri('file', s);
  }
  get fsPath(): string {
    return this.path;
  }
  toString(): string {
    return `${this.scheme}://${this.path}`;
  }
}

export class Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
}

export class Range {
  readonly start: Position;
  readonly end: Position;
  constructor(startLine: number, startCharacter: number, endLine: number, endCharacter: number) {
    this.start = new Position(startLine, startCharacter);
    this.end = new Position(endLine, endCharacter);
  }
}

export class Selection extends Range {
  constructor(anchor: Position, active: Position) {
    super(anchor.line, anchor.character, active.line, active.character);
  }
}

export class RelativePattern {
  constructor(
    readonly base: unknown,
    readonly pattern: string,
  ) {}
}

export enum TextEditorRevealType {
  Default = 0,
  InCenter = 1,
  InCenterIfOutsideViewport = 2,
  AtTop = 3,
}

const commandRegistry = new Map<string, (...args: unknown[]) => unknown>();

export const commands = {
  registerCommand(id: string, run: (...args: unknown[]) => unknown): Disposable {
    commandRegistry.set(id, run);
    return new Disposable(() => commandRegistry.delete(id));
  },
  async executeCommand<T>(id: string, ...args: unknown[]): Promise<T> {
    const run = commandRegistry.get(id);
    if (!run) throw new Error(`command ${id} not found`);
    return (await run(...args)) as T;
  },
};

/** The loaded l10n bundle: none (English) unless a test runs in a language (inLanguage). */
let bundle: Readonly<Record<string, string>> = {};

/** Runs `fn` with vscode.l10n.t translating through `messages` (a language's l10n bundle), as VS Code in that language. */
export function inLanguage<T>(messages: Readonly<Record<string, string>>, fn: () => T): T {
  bundle = messages;
  try {
    return fn();
  } finally {
    bundle = {};
  }
}

/** inLanguage for asynchronous work: the language holds until `fn`'s promise settles. */
export async function inLanguageUntil<T>(messages: Readonly<Record<string, string>>, fn: () => PromiseLike<T>): Promise<T> {
  bundle = messages;
  try {
    return await fn();
  } finally {
    bundle = {};
  }
}

/** vscode.l10n.t: the bundle's translation of the message (else the English), `{0}` / `{name}` placeholders filled. */
export const l10n = {
  t(message: string, ...args: unknown[]): string {
    const named = args.length === 1 && typeof args[0] === 'object' && args[0] !== null ? (args[0] as Record<string, unknown>) : undefined;
    return (bundle[message] ?? message).replace(/\{(\w+)\}/g, (whole, key: string) => {
      const value = named ? named[key] : args[Number(key)];
      return value === undefined ? whole : String(value);
    });
  },
};

export enum ProgressLocation {
  SourceControl = 1,
  Window = 10,
  Notification = 15,
}

/** Installed extensions: none contribute languages here. */
export const extensions = { all: [] as unknown[] };

export const window = {
  activeTextEditor: undefined as unknown,
  visibleTextEditors: [] as unknown[],
  /** Shown in `shown` as an info message (a status bar message goes away by itself). */
  setStatusBarMessage(message: string): Disposable {
    shown.push({ level: 'info', message });
    return new Disposable();
  },
  /** Runs the task at once; its progress goes nowhere and it is never cancelled from the UI. */
  withProgress<T>(
    _options: unknown,
    task: (progress: { report(value: unknown): void }, token: { onCancellationRequested(listener: () => void): Disposable }) => Promise<T>,
  ): Promise<T> {
    return task({ report: () => {} }, { onCancellationRequested: () => new Disposable() });
  },
  showInformationMessage(message: string, ...rest: unknown[]): Promise<undefined> {
    shown.push({ level: 'info', message });
    const options = rest[0];
    if (typeof options === 'object' && options !== null && 'detail' in options && typeof options.detail === 'string')
      details.push(options.detail);
    return Promise.resolve(undefined);
  },
  showWarningMessage(message: string): Promise<undefined> {
    shown.push({ level: 'warning', message });
    return Promise.resolve(undefined);
  },
  showErrorMessage(message: string): Promise<undefined> {
    shown.push({ level: 'error', message });
    return Promise.resolve(undefined);
  },
};

export const workspace = {
  textDocuments: [] as unknown[],
  workspaceFolders: undefined as unknown[] | undefined,
  asRelativePath(uri: Uri | string): string {
    return typeof uri === 'string' ? uri : uri.path;
  },
  /** The folder of `workspaceFolders` holding the file (tests that set folders get the store's folder lookup). */
  getWorkspaceFolder(uri: Uri): unknown {
    return (workspace.workspaceFolders as Array<{ uri: Uri }> | undefined)?.find(
      (f) => uri.fsPath === f.uri.fsPath || uri.fsPath.startsWith(`${f.uri.fsPath}/`),
    );
  },
  /** A watcher that never fires (tests call the store's reload paths themselves). */
  createFileSystemWatcher() {
    const none = () => new Disposable();
    return { onDidChange: none, onDidCreate: none, onDidDelete: none, dispose: () => {} };
  },
  getConfiguration(section: string) {
    const key = (name: string) => `${section}.${name}`;
    return {
      get<T>(name: string, fallback: T): T {
        return settings.has(key(name)) ? (settings.get(key(name)) as T) : fallback;
      },
    };
  },
  /** Opens one of `textDocuments` (the test puts the documents there). */
  async openTextDocument(uri: Uri): Promise<unknown> {
    const doc = workspace.textDocuments.find((d) => (d as { uri: Uri }).uri.toString() === uri.toString());
    if (!doc) throw new Error(`cannot open ${uri.toString()}`);
    return doc;
  },
};
