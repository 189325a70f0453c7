// The few `vscode` APIs the extension's Classifier touches, for running it outside VS Code in
// `npm run bench:extension` (the real scheduling, cancellation and busy state, without an editor).
// Imported first: it answers `require('vscode')` for every module loaded after it.
import Module from 'node:module';

type Listener<T> = (value: T) => unknown;

class EventEmitter<T> {
  private listeners = new Set<Listener<T>>();
  readonly event = (listener: Listener<T>) => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };
  fire(value: T): void {
    for (const l of [...this.listeners]) l(value);
  }
  dispose(): void {
    this.listeners.clear();
  }
}

const fake = {
  EventEmitter,
  workspace: { textDocuments: [] as unknown[], asRelativePath: (uri: unknown) => String(uri) },
  window: { showWarningMessage: async () => undefined },
};

// Module._load is how CommonJS resolves a request; `vscode` exists only inside the editor.
const loader = Module as unknown as { _load(request: string, parent: unknown, isMain: boolean): unknown };
const load = loader._load;
loader._load = function (request: string, parent: unknown, isMain: boolean) {
  return request === 'vscode' ? fake : load.call(this, request, parent, isMain);
};
