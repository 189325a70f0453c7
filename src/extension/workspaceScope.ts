// Which files a workspace run reads: the `fewshot.languages` mapped to file extensions (from the
// languages the installed extensions contribute), the `fewshot.include` globs, and the excludes
// (`files.exclude`, the label file, `.fewshot/`). No vscode import, so it is unit-tested directly.

/** A language as an extension's package.json contributes it. */
export interface LanguageContribution {
  id: string;
  extensions?: string[];
  filenames?: string[];
}

/** Used when no installed extension describes a language (VS Code's own ids for these). */
const KNOWN_EXTENSIONS: Record<string, string[]> = {
  plaintext: ['.txt'],
  markdown: ['.md', '.markdown'],
  log: ['.log'],
  csv: ['.csv'],
  // The other structured formats (formatOfPath in src/engine/data/records.ts); VS Code may know no language for them.
  tsv: ['.tsv', '.tab'],
  jsonl: ['.jsonl', '.ndjson'],
};

const escapeGlob = (s: string) => s.replace(/[*?[\]{}()!]/g, (c) => `[${c}]`);

/** Globs that pick the files of the given languages, e.g. `**\/*.md`. */
export function languageGlobs(languages: readonly string[], contributions: readonly LanguageContribution[]): string[] {
  const globs = new Set<string>();
  for (const language of languages) {
    const own = contributions.filter((c) => c.id === language);
    const extensions = new Set([...(KNOWN_EXTENSIONS[language] ?? []), ...own.flatMap((c) => c.extensions ?? [])]);
    for (const ext of extensions) if (ext.startsWith('.') && ext.length > 1) globs.add(`**/*${escapeGlob(ext)}`);
    for (const c of own) for (const name of c.filenames ?? []) globs.add(`**/${escapeGlob(name)}`);
  }
  return [...globs];
}

/** The `files.exclude` globs that are on (`true`; conditional `{ when }` entries need a sibling check and are left on too). */
export function enabledExcludes(setting: Readonly<Record<string, unknown>> | undefined): string[] {
  return Object.entries(setting ?? {})
    .filter(([, on]) => on === true || (typeof on === 'object' && on !== null))
    .map(([glob]) => glob);
}

/** The folder (under a workspace folder) whose files are never classified: labels, exports, caches. */
export const FEWSHOT_DIR = '.fewshot';

/** Where exports go unless the user picks another place: inside FEWSHOT_DIR, which classification leaves out. */
export const EXPORTS_DIR = `${FEWSHOT_DIR}/exports`;

/**
 * Whether a workspace-relative path (with `/`) lies in a `.fewshot` folder at any depth: the label
 * file, the exports and anything else of ours, which are never classified (open or closed).
 */
export function inFewshotFolder(relative: string): boolean {
  return relative.replace(/\\/g, '/').split('/').slice(0, -1).includes(FEWSHOT_DIR);
}

/** A workspace-relative path (with `/`) as a glob that matches exactly it. */
export function exactGlob(relative: string): string {
  return escapeGlob(relative.replace(/\\/g, '/'));
}
