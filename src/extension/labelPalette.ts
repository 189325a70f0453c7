// One colour and one key position per label, shared by the panel and the editor decorations.
// Kept in the workspace state (key `fewshot.labelPalette`), not in the label file: colours are a
// view preference, and the label file stays the plain {document, line, text, label} records the
// CLI and other tools read. A label keeps its colour and its place (its digit key in the panel)
// from the first time it is seen until it is deleted, however the label counts change.
// Imports nothing from vscode, so tests drive it with a plain object as the memento.

import { isNoneLabel } from '../engine/labels/none';
import { isColor, isLabelKey, labelNameProblem, nextLabelColor, type PanelLabel } from '../protocol/panel';

/** Keys labels get by default, in label order, when the user gave them none. */
const DEFAULT_KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9'];

export const PALETTE_KEY = 'fewshot.labelPalette';
/** The earlier format: name -> colour. Read once when the new key is missing. */
const LEGACY_KEY = 'fewshot.labelColors';

export interface PaletteEntry {
  name: string;
  color: string;
  /** Created in the panel: listed even while no line uses it. */
  created?: boolean;
  /** The key the user gave it (unique among entries); without one it gets a free default digit. */
  key?: string;
}

export interface PaletteMemento {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void>;
}

export class LabelPalette {
  private entries: PaletteEntry[];
  private readonly listeners = new Set<() => void>();

  constructor(private readonly memento: PaletteMemento) {
    this.entries = readEntries(memento.get<unknown>(PALETTE_KEY), memento.get<unknown>(LEGACY_KEY));
  }

  /** Fires after a colour, a name or the order changed. */
  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /**
   * The labels to show, in key order: every label in use (appended with a fresh colour when
   * new) and every label created in the panel.
   */
  labels(inUse: readonly string[]): PanelLabel[] {
    this.adopt(inUse);
    const used = new Set(inUse);
    const shown = this.entries.filter((e) => e.created || used.has(e.name));
    // Chosen keys first; the other labels take the free digits 1-9 in order.
    const taken = new Set(shown.flatMap((e) => (e.key ? [e.key] : [])));
    const free = DEFAULT_KEYS.filter((k) => !taken.has(k));
    return shown.map(({ name, color, key }) => {
      // The built-in none always has key 0 and takes no digit from the others.
      const k = isNoneLabel(name) ? '0' : (key ?? free.shift());
      return k ? { name, color, key: k } : { name, color };
    });
  }

  /**
   * Gives a known label a key, taking it from the label that had it; null gives it back its
   * default digit. False when no label has that name or the key is not a label key.
   */
  async setKey(name: string, key: string | null): Promise<boolean> {
    const entry = this.entries.find((e) => e.name === name);
    if (!entry || (key !== null && !isLabelKey(key))) return false;
    for (const e of this.entries) if (key !== null && e.key === key) delete e.key;
    if (key === null) delete entry.key;
    else entry.key = key;
    await this.save();
    return true;
  }

  /** The label's colour, giving it one when it has none yet. */
  colorOf(name: string): string {
    this.adopt([name]);
    return this.entries.find((e) => e.name === name)?.color ?? nextLabelColor([]);
  }

  /** Records a label created in the panel; an existing entry keeps its place. */
  async create(name: string, color?: string): Promise<void> {
    const entry = this.entries.find((e) => e.name === name);
    if (entry) {
      entry.created = true;
      if (color && isColor(color)) entry.color = color.toLowerCase();
    } else {
      this.entries.push({ name, color: color && isColor(color) ? color.toLowerCase() : this.freshColor(), created: true });
    }
    await this.save();
  }

  /** Gives a known label a new colour; false when no label has that name. */
  async setColor(name: string, color: string): Promise<boolean> {
    const entry = this.entries.find((e) => e.name === name);
    if (!entry || !isColor(color)) return false;
    const lower = color.toLowerCase();
    if (entry.color !== lower) {
      entry.color = lower;
      await this.save();
    }
    return true;
  }

  /** The renamed label keeps its colour and place; renaming onto an existing label merges into it. */
  async rename(from: string, to: string): Promise<void> {
    const source = this.entries.find((e) => e.name === from);
    if (!source) return;
    const target = this.entries.find((e) => e.name === to);
    if (target) {
      target.created ||= source.created;
      this.entries = this.entries.filter((e) => e !== source);
    } else {
      source.name = to;
    }
    await this.save();
  }

  async remove(name: string): Promise<void> {
    const before = this.entries.length;
    this.entries = this.entries.filter((e) => e.name !== name);
    if (this.entries.length !== before) await this.save();
  }

  /** Appends labels seen for the first time; saves only when something was added. */
  private adopt(names: readonly string[]): void {
    let added = false;
    for (const name of names) {
      if (labelNameProblem(name) || this.entries.some((e) => e.name === name)) continue;
      this.entries.push({ name, color: this.freshColor() });
      added = true;
    }
    if (added) void this.save();
  }

  private freshColor(): string {
    return nextLabelColor(this.entries.map((e) => e.color));
  }

  private async save(): Promise<void> {
    const snapshot = this.entries.map((e) => ({ ...e }));
    for (const l of [...this.listeners]) l();
    await this.memento.update(PALETTE_KEY, snapshot);
  }
}

/** Whatever the workspace state holds, as valid entries (bad ones are dropped). */
function readEntries(stored: unknown, legacy: unknown): PaletteEntry[] {
  const out: PaletteEntry[] = [];
  const add = (name: unknown, color: unknown, created: unknown, key?: unknown) => {
    if (typeof name !== 'string' || labelNameProblem(name) || out.some((e) => e.name === name)) return;
    const entry: PaletteEntry = { name, color: isColor(color) ? color.toLowerCase() : nextLabelColor(out.map((e) => e.color)) };
    if (created === true) entry.created = true;
    if (isLabelKey(key) && !out.some((e) => e.key === key)) entry.key = key;
    out.push(entry);
  };
  if (Array.isArray(stored)) {
    for (const e of stored)
      if (typeof e === 'object' && e !== null) {
        const { name, color, created, key } = e as PaletteEntry;
        add(name, color, created, key);
      }
  } else if (typeof legacy === 'object' && legacy !== null) {
    // The old map listed created labels and chosen colours.
    for (const [name, color] of Object.entries(legacy)) add(name, color, true);
  }
  return out;
}
