// Finds the files a workspace run classifies, in the worker thread: include globs, exclude globs
// (pruning whole folders), `.gitignore` files at any depth (each relative to its own folder, as
// git reads them), no symbolic links (no cycles, nothing outside the folder). Whether a file's
// bytes are text worth classifying is readText.ts's. No vscode import.
import * as fs from 'node:fs';
import * as path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';
import type { WorkspaceScope } from '../protocol/workspace';

export interface WalkedFile {
  path: string;
  /** Relative to the scope's root, with `/`. */
  relative: string;
  bytes: number;
}

/** A `.gitignore` in force: the folder it sits in (relative, '' for the root) and its rules. */
interface IgnoreRules {
  dir: string;
  rules: Ignore;
}

function matcher(globs: readonly string[]): (relative: string) => boolean {
  const usable = globs.map((g) => g.trim().replace(/^\.\//, '')).filter((g) => g !== '');
  if (usable.length === 0) return () => false;
  return picomatch(usable, { dot: true });
}

/**
 * The included files under the scope's root, in a stable order (sorted per folder, depth first),
 * with their sizes. Unreadable folders are skipped and reported through `onProblem`.
 */
export async function walkFiles(
  scope: WorkspaceScope,
  onProblem: (path: string, message: string) => void = () => {},
): Promise<WalkedFile[]> {
  const included = matcher(scope.include);
  const excluded = matcher(scope.exclude);
  const out: WalkedFile[] = [];

  const ignoredByGit = (stack: readonly IgnoreRules[], relative: string, isDir: boolean): boolean => {
    for (const { dir, rules } of stack) {
      const local = dir === '' ? relative : relative.slice(dir.length + 1);
      if (rules.ignores(isDir ? `${local}/` : local)) return true;
    }
    return false;
  };

  const visit = async (dir: string, relativeDir: string, stack: readonly IgnoreRules[]): Promise<void> => {
    let entries: fs.Dirent[];
    try {
      entries = await fs.promises.readdir(dir, { withFileTypes: true });
    } catch (error) {
      onProblem(dir, error instanceof Error ? error.message : String(error));
      return;
    }
    let rules = stack;
    if (scope.useIgnoreFiles && entries.some((e) => e.name === '.gitignore' && e.isFile())) {
      try {
        const text = await fs.promises.readFile(path.join(dir, '.gitignore'), 'utf8');
        rules = [...stack, { dir: relativeDir, rules: ignore().add(text) }];
      } catch (error) {
        onProblem(path.join(dir, '.gitignore'), error instanceof Error ? error.message : String(error));
      }
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const relative = relativeDir === '' ? entry.name : `${relativeDir}/${entry.name}`;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name === '.git' || excluded(relative) || ignoredByGit(rules, relative, true)) continue;
        await visit(full, relative, rules);
      } else if (entry.isFile()) {
        if (!included(relative) || excluded(relative) || ignoredByGit(rules, relative, false)) continue;
        try {
          out.push({ path: full, relative, bytes: (await fs.promises.stat(full)).size });
        } catch (error) {
          onProblem(full, error instanceof Error ? error.message : String(error));
        }
      }
    }
  };

  await visit(scope.root, '', []);
  return out;
}
