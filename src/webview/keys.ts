// The keyboard map: one table drives both the key handling and the `?` help.

import type { App } from './app';
import { ROW_HEIGHT } from './lineList';

export interface KeyBinding {
  keys: string[];
  help: string;
  run(app: App, e: KeyboardEvent): void;
}

export const BINDINGS: KeyBinding[] = [
  { keys: ['↓', 'j'], help: 'Next line', run: (a) => a.move(1) },
  { keys: ['↑', 'k'], help: 'Previous line', run: (a) => a.move(-1) },
  { keys: ['1', '…', '9'], help: 'Give the line the Nth label and go on', run: (a, e) => a.assignNth(Number(e.key)) },
  { keys: ['0'], help: 'Mark the line as fitting no label (none) and go on', run: (a) => a.assignNone() },
  { keys: ['a'], help: 'Accept the prediction and go on', run: (a) => a.accept() },
  { keys: ['x'], help: 'Skip the line', run: (a) => a.skip() },
  { keys: ['⌫', 'Ctrl+Z'], help: 'Undo the last decision', run: (a) => a.undo() },
  { keys: ['Enter'], help: 'Show the line in its editor', run: (a) => a.reveal() },
  { keys: ['/'], help: 'Search', run: () => document.getElementById('search')?.focus() },
  { keys: ['y', 'n'], help: 'While checking precision: the prediction is right / wrong', run: () => undefined },
  { keys: ['?'], help: 'Show or hide these keys', run: (a) => ((a.ui.help = !a.ui.help), a.invalidate('ui')) },
];

/** Which binding a key press means, or undefined. Text fields keep their keys. */
export function bindingFor(e: KeyboardEvent): KeyBinding | undefined {
  if (e.altKey || e.metaKey) return undefined;
  const k = e.key;
  const find = (key: string) => BINDINGS.find((b) => b.keys.includes(key));
  if (e.ctrlKey) return k === 'z' || k === 'Z' ? find('Ctrl+Z') : undefined;
  switch (k) {
    case 'ArrowDown':
      return find('↓');
    case 'ArrowUp':
      return find('↑');
    case 'Backspace':
      return find('⌫');
    default:
      if (/^[1-9]$/.test(k)) return find('1');
      return k.length === 1 || k === 'Enter' ? find(k) : undefined;
  }
}

function isTextField(t: EventTarget | null): boolean {
  if (!(t instanceof HTMLElement)) return false;
  return t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement || t.isContentEditable;
}

export function installKeys(app: App, list: HTMLElement): void {
  window.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      if (app.ui.help) (app.ui.help = false), app.invalidate('ui');
      else if (app.view.precision && !app.view.precision.finished) app.stopPrecision();
      if (isTextField(e.target)) list.focus();
      return;
    }
    if (isTextField(e.target) || e.defaultPrevented) return;
    // Buttons keep Enter and Space.
    if (e.target instanceof HTMLButtonElement && (e.key === 'Enter' || e.key === ' ')) return;
    const session = app.view.precision;
    if (session && !session.finished && (e.key === 'y' || e.key === 'n')) {
      e.preventDefault();
      app.answerPrecision(e.key === 'y');
      return;
    }
    if (e.key === 'Home' || e.key === 'End' || e.key === 'PageDown' || e.key === 'PageUp') {
      e.preventDefault();
      const page = Math.max(1, Math.floor(list.clientHeight / ROW_HEIGHT) - 1);
      const p = app.cursorPosition();
      app.moveTo(e.key === 'Home' ? 0 : e.key === 'End' ? app.order.length - 1 : p + (e.key === 'PageDown' ? page : -page));
      return;
    }
    const binding = bindingFor(e);
    if (!binding) return;
    if (app.ui.help && e.key !== '?') return;
    e.preventDefault();
    binding.run(app, e);
  });
}
