// The labels most recently given to a line, newest first, so the `Label Line As...` quick pick
// offers them first (with dozens of labels, the one wanted next is usually one just used).
// Kept in the workspace state (key `fewshot.recentLabels`), apart from the palette: a use is
// not a change of colour or key, and must not repaint anything. Imports nothing from vscode.

import { labelNameProblem } from '../protocol/panel';
import type { PaletteMemento } from './labelPalette';

export const RECENT_KEY = 'fewshot.recentLabels';
/** Remembered uses; older ones fall back to the store's order. */
export const RECENT_LIMIT = 20;

export class RecentLabels {
  private names: string[];

  constructor(private readonly memento: PaletteMemento) {
    const stored = memento.get<unknown>(RECENT_KEY);
    this.names = Array.isArray(stored)
      ? [...new Set(stored.filter((n): n is string => typeof n === 'string' && !labelNameProblem(n)))].slice(0, RECENT_LIMIT)
      : [];
  }

  /** Newest first. */
  get recent(): readonly string[] {
    return this.names;
  }

  async use(name: string): Promise<void> {
    if (this.names[0] === name) return;
    this.names = [name, ...this.names.filter((n) => n !== name)].slice(0, RECENT_LIMIT);
    await this.memento.update(RECENT_KEY, this.names);
  }

  /** `names` with the recently used ones first (newest first), the rest in their given order. */
  order(names: readonly string[]): string[] {
    const known = new Set(names);
    const first = this.names.filter((n) => known.has(n));
    const firstSet = new Set(first);
    return [...first, ...names.filter((n) => !firstSet.has(n))];
  }
}
