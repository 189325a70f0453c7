// Finds this package's root (the folder whose package.json is ours) from a bundle or source folder.
import fs from 'node:fs';
import path from 'node:path';

export const PACKAGE_NAME = 'fewshot-labeler';

export function packageRootFrom(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    try {
      if (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).name === PACKAGE_NAME) return dir;
    } catch {
      // no (readable) manifest here: keep walking up
    }
    if (path.dirname(dir) === dir) return path.resolve(start, '..');
  }
}
