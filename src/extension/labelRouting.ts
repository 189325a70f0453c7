// Which folder's label file a document's labels go to: one state per workspace folder, found by
// the folder holding the document (VS Code's getWorkspaceFolder, given to the router), and the
// document's path inside that folder as the label file names it. vscode-free: the URI type is
// the caller's, so the unit tests route with plain objects.
import * as path from 'node:path';

/** What the router needs of a URI: its key (`toString()`) and its path on disk. */
export interface RoutableUri {
  toString(): string;
  readonly fsPath: string;
}

export class FolderRouter<S, U extends RoutableUri = RoutableUri> {
  private readonly states = new Map<string, S>();

  /** `folderOf`: the workspace folder holding a URI (undefined: none, the document is not labeled). */
  constructor(private readonly folderOf: (uri: U) => { uri: RoutableUri } | undefined) {}

  /** Adds the state of a folder (replacing one of the same folder). */
  add(folder: { uri: RoutableUri }, state: S): void {
    this.states.set(folder.uri.toString(), state);
  }

  /** Forgets every folder; returns their states (to dispose). */
  clear(): S[] {
    const all = [...this.states.values()];
    this.states.clear();
    return all;
  }

  /** The state of the folder that holds `uri`, if that folder has one (a virtual folder has none). */
  stateOf(uri: U): S | undefined {
    const folder = this.folderOf(uri);
    return folder && this.states.get(folder.uri.toString());
  }

  values(): IterableIterator<S> {
    return this.states.values();
  }

  get size(): number {
    return this.states.size;
  }
}

/** A document's path as its folder's label file records it: relative, with `/` on every platform. */
export function documentPath(folder: RoutableUri, uri: RoutableUri): string {
  return path.relative(folder.fsPath, uri.fsPath).split(path.sep).join('/');
}
