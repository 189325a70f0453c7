// Where the package's own files are: found from the bundle's folder (out/) or the sources (src/cli/).
import fs from 'node:fs';
import path from 'node:path';

let cachedRoot: string | undefined;

/** The folder holding this package's package.json. */
export function packageRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = __dirname;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      try {
        if ((JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === 'fewshot-labeler') {
          cachedRoot = dir;
          return dir;
        }
      } catch {
        // an unreadable manifest is not ours; keep looking upward
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      cachedRoot = path.resolve(__dirname, '..');
      return cachedRoot;
    }
    dir = parent;
  }
}

export const defaultModelDir = () => path.join(packageRoot(), 'models');
export const demoDir = () => path.join(packageRoot(), 'samples', 'demo');
/** The data sets the repository carries (data/README.md): the shipped model's training data. */
export const dataDir = () => path.join(packageRoot(), 'data');

export function packageVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
