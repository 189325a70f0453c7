// A workspace-state stand-in for the unit tests (what LabelPalette and RecentLabels are given):
// values are copied through JSON, as VS Code stores them.
import type { PaletteMemento } from '../../src/extension/labelPalette';

export class Memento implements PaletteMemento {
  values = new Map<string, unknown>();
  get<T>(key: string): T | undefined {
    return this.values.get(key) as T | undefined;
  }
  async update(key: string, value: unknown): Promise<void> {
    this.values.set(key, JSON.parse(JSON.stringify(value)));
  }
}
