// The keyboard map: one table drives both the key handling and the `?` help.

import { isLabelKey, RESERVED_KEYS } from '../protocol/panel';
import type { PanelStringKey } from '../protocol/panelStrings';
import type { App } from './app';
import { ROW_HEIGHT } from './lineList';
import { t } from './strings';

export interface KeyBinding {
  keys: string[];
  /** Its line in the `?` help (a key of the panel's strings). */
  help: PanelStringKey;
  run(app: App, e: KeyboardEvent): void;
}

export const BINDINGS: KeyBinding[] = [
  { keys: ['↓', 'j'], help: 'keys.next', run: (a) => a.move(1) },
  { keys: ['↑', 'k'], help: 'keys.previous', run: (a) => a.move(-1) },
  {
    keys: ['1', '…', '9'],
    help: 'keys.labelKey',
    run: (a, e) => a.assignKey(e.key),
  },
  { keys: ['l'], help: 'keys.chooser', run: (a) => a.openChooser() },
  { keys: ['0'], help: 'keys.none', run: (a) => a.assignNone() },
  { keys: ['a'], help: 'keys.accept', run: (a) => a.accept() },
  { keys: ['x'], help: 'keys.skip', run: (a) => a.skip() },
  { keys: ['⌫', 'Ctrl+Z'], help: 'keys.undo', run: (a) => a.undo() },
  { keys: ['Enter'], help: 'keys.reveal', run: (a) => a.enter() },
  { keys: ['/'], help: 'keys.search', run: () => document.getElementById('search')?.focus() },
  { keys: ['y', 'n'], help: 'keys.precision', run: () => undefined },
  { keys: ['?'], help: 'keys.help', run: (a) => a.toggleHelp() },
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
      // Keys of the panel's commands first; any other digit or letter may be a label's key.
      if (k.length === 1 && find(k)) return find(k);
      if (isLabelKey(k)) return find('1');
      return k === 'Enter' ? find(k) : undefined;
  }
}

function isTextField(t: EventTarget | null): boolean {
  if (!(t instanceof HTMLElement)) return false;
  return t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement || t.isContentEditable;
}

export function installKeys(app: App, list: HTMLElement): void {
  window.addEventListener('keydown', (e) => {
    // Choosing a label's key: the next key press is the key.
    if (app.ui.keyFor !== null) {
      e.preventDefault();
      const name = app.ui.keyFor;
      const key: string = e.key;
      if (key === 'Escape') app.askKey(null);
      else if (key === 'Backspace' || key === 'Delete') void app.setLabelKey(name, null);
      // Shift, Alt and the like say nothing yet; a printable key either fits or is explained.
      else if (key.length > 1) return;
      else if (isLabelKey(key)) void app.setLabelKey(name, key);
      else app.say(t('say.badKey', key, RESERVED_KEYS.join(', ')), true);
      return;
    }
    if (e.key === 'Escape') {
      if (app.ui.chooser) app.closeChooser();
      else if (app.ui.help) app.toggleHelp();
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
