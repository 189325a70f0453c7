// The label chooser (key `l`): with dozens of labels, typing a few letters of a name finds it
// faster than scanning a row of chips or remembering a key. Fuzzy matching is fuzzysort's
// (Sublime-style: the letters in order, word starts and runs scored up); before anything is
// typed the labels used most recently come first. Enter gives the highlighted label to the
// cursor's line; Esc closes.

import fuzzysort from 'fuzzysort';
import type { PanelLabel } from '../protocol/panel';
import type { App } from './app';
import { clear, el, kbd } from './dom';
import { t } from './strings';
import { swatch } from './toolbar';

/** Most matches listed; the list scrolls. */
export const CHOOSER_LIMIT = 50;

/** The labels matching `query`, best first; with no query, the recent ones first then the rest in key order. */
export function matchLabels(query: string, labels: readonly PanelLabel[], recent: readonly string[] = []): PanelLabel[] {
  const q = query.trim();
  if (q === '') {
    const byName = new Map(labels.map((l) => [l.name, l]));
    const first = recent.flatMap((n) => byName.get(n) ?? []);
    const seen = new Set(first.map((l) => l.name));
    return [...first, ...labels.filter((l) => !seen.has(l.name))].slice(0, CHOOSER_LIMIT);
  }
  return fuzzysort.go(q, labels, { key: 'name', limit: CHOOSER_LIMIT, threshold: 0 }).map((r) => r.obj);
}

export class LabelChooser {
  readonly element: HTMLElement;
  private readonly input: HTMLInputElement;
  private readonly list: HTMLElement;
  private matches: PanelLabel[] = [];
  private wasOpen = false;

  constructor(private readonly app: App) {
    this.input = el('input', {
      className: 'input',
      attrs: {
        id: 'chooser-input',
        type: 'text',
        placeholder: t('chooser.placeholder'),
        'aria-label': t('chooser.input'),
        role: 'combobox',
        'aria-controls': 'chooser-list',
        'aria-expanded': 'true',
        autocomplete: 'off',
        spellcheck: 'false',
      },
    });
    this.list = el('ul', { className: 'chooser-list', attrs: { id: 'chooser-list', role: 'listbox', 'aria-label': t('chooser.list') } });
    this.element = el('div', { className: 'chooser', attrs: { role: 'dialog', 'aria-modal': 'true', 'aria-label': t('chooser.title') } }, [
      this.input,
      this.list,
      el('p', { className: 'hint', text: t('chooser.hint') }),
    ]);
    this.element.hidden = true;
    this.input.addEventListener('input', () => {
      const c = app.ui.chooser;
      if (!c) return;
      c.query = this.input.value;
      c.selected = 0;
      app.invalidate('ui');
    });
    this.input.addEventListener('keydown', (e) => {
      const c = app.ui.chooser;
      if (!c) return;
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const n = this.matches.length;
        if (n) c.selected = (c.selected + (e.key === 'ArrowDown' ? 1 : n - 1)) % n;
        app.invalidate('ui');
      } else if (e.key === 'Enter') {
        e.preventDefault();
        this.choose(this.matches[c.selected]);
      }
    });
  }

  private choose(label: PanelLabel | undefined): void {
    if (!label) {
      this.app.say(t('toolbar.noMatch'), true);
      return;
    }
    this.app.closeChooser();
    this.app.assign(label.name);
  }

  render(): void {
    const c = this.app.ui.chooser;
    this.element.hidden = !c;
    if (!c) {
      if (this.wasOpen) document.getElementById('lines')?.focus();
      this.wasOpen = false;
      return;
    }
    if (!this.wasOpen) {
      this.input.value = c.query;
      this.input.focus();
    }
    this.wasOpen = true;
    const labels = this.app.dataset?.snapshot.labels ?? [];
    this.matches = matchLabels(c.query, labels, this.app.recentLabels());
    c.selected = Math.min(c.selected, Math.max(0, this.matches.length - 1));
    clear(this.list);
    this.matches.forEach((l, i) => {
      const item = el(
        'li',
        {
          className: `chooser-item${i === c.selected ? ' selected' : ''}`,
          attrs: { role: 'option', id: `chooser-${i}`, 'aria-selected': String(i === c.selected) },
          on: {
            mousedown: (e) => {
              e.preventDefault();
              this.choose(l);
            },
          },
        },
        [swatch(l.color), el('span', { className: 'chooser-name', text: l.name }), l.key ? kbd(l.key) : null],
      );
      this.list.appendChild(item);
    });
    if (this.matches.length === 0) this.list.appendChild(el('li', { className: 'hint', text: t('toolbar.noMatch') }));
    this.input.setAttribute('aria-activedescendant', this.matches.length ? `chooser-${c.selected}` : '');
    this.list.querySelector('.selected')?.scrollIntoView({ block: 'nearest' });
  }
}
