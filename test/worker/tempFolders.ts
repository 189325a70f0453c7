// Temporary folders of files for the workspace tests, removed after the suite that made them.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export type FolderFiles = Record<string, string | Uint8Array>;

/** Call inside a `describe`: returns `make(files)`, which writes them (relative path -> content) under a new folder. */
export function tempFolders(prefix: string): (files: FolderFiles) => string {
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });
  return (files) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    dirs.push(dir);
    for (const [name, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), content);
    }
    return dir;
  };
}
