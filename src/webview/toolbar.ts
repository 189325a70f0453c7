// The top of the panel: search, order, filters, the label bar (keys shown on the labels) and
// the recent decisions (editable).

import { isNoneLabel, NONE_LABEL } from '../engine/labels/none';
import type { App, Dirty } from './app';
import { clear, el, icon, iconButton, kbd, option } from './dom';
import { SORT_ORDERS, type SortOrder, type StatusFilter } from './state';

const SORT_NAMES: Record<SortOrder, string> = {
  uncertainty: 'Most uncertain first',
  document: 'Document order',
  confidence: 'Most confident first',
};
const RECENT_SHOWN = 5;
/**
 * Most label chips drawn at once: with hundreds of labels the bar shows this many matches of its
 * search field, in a box that scrolls, and says how many more there are.
 */
export const LABEL_BAR_LIMIT = 40;
const NONE = '\u0000none';

export class Toolbar {
  readonly element: HTMLElement;
  private readonly search: HTMLInputElement;
  private readonly sort: HTMLSelectElement;
  private readonly filter: HTMLSelectElement;
  private readonly doc: HTMLSelectElement;
  private readonly labelBar: HTMLElement;
  private readonly labelChips: HTMLElement;
  private readonly labelSearch: HTMLInputElement;
  private readonly recent: HTMLElement;
  private searchTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly app: App) {
    this.search = el('input', {
      className: 'input',
      attrs: { id: 'search', type: 'search', placeholder: 'Search lines', 'aria-label': 'Search lines' },
    });
    this.search.value = app.view.search;
    this.search.addEventListener('input', () => {
      clearTimeout(this.searchTimer);
      this.searchTimer = setTimeout(() => app.setView({ search: this.search.value }), 80);
    });
    this.sort = el('select', { className: 'select', attrs: { id: 'sort', 'aria-label': 'Order' } });
    for (const s of SORT_ORDERS) this.sort.appendChild(option(s, SORT_NAMES[s], s === app.view.sort));
    this.sort.addEventListener('change', () => app.setView({ sort: this.sort.value as SortOrder }));
    this.filter = el('select', { className: 'select', attrs: { id: 'filter', 'aria-label': 'Show' } });
    this.filter.addEventListener('change', () => app.setView({ filter: this.filter.value as StatusFilter }));
    this.doc = el('select', { className: 'select', attrs: { id: 'doc', 'aria-label': 'Document' } });
    this.doc.addEventListener('change', () => app.setView({ doc: this.doc.value === '' ? null : this.doc.value }));
    const help = iconButton('keyboard', 'Keyboard shortcuts (?)', () => app.toggleHelp());
    this.labelSearch = el('input', {
      className: 'input label-search',
      attrs: { id: 'label-search', type: 'search', placeholder: 'Find label', 'aria-label': 'Find a label' },
    });
    this.labelSearch.addEventListener('input', () => this.renderLabelBar());
    this.labelChips = el('div', { className: 'label-chips', attrs: { id: 'label-chips' } });
    this.labelBar = el(
      'div',
      {
        className: 'label-bar',
        attrs: {
          role: 'toolbar',
          'aria-label': 'Labels: press the key shown on a label to give the line that label, l to choose one by name',
        },
      },
      [this.labelSearch, this.labelChips],
    );
    this.recent = el('div', { className: 'recent', attrs: { role: 'list', 'aria-label': 'Recent decisions' } });
    this.element = el('div', { className: 'toolbar' }, [
      el('div', { className: 'toolbar-row' }, [
        el('span', { className: 'search-box' }, [icon('search'), this.search]),
        this.sort,
        this.filter,
        this.doc,
        help,
      ]),
      this.labelBar,
      this.recent,
    ]);
  }

  render(what: Set<Dirty>): void {
    const app = this.app;
    const ds = app.dataset;
    if (what.has('data') || what.has('view')) {
      const labels = ds?.snapshot.labels ?? [];
      clear(this.filter);
      const f = app.view.filter;
      const filters: [StatusFilter, string][] = [
        ['all', 'All lines'],
        ['unlabeled', 'Unlabeled'],
        ['labeled', 'Labeled'],
        ['low', 'Low confidence'],
        ['none', 'Fits no label'],
        ...labels.filter((l) => !isNoneLabel(l.name)).map((l): [StatusFilter, string] => [`predicted:${l.name}`, `Predicted: ${l.name}`]),
      ];
      for (const [value, text] of filters) this.filter.appendChild(option(value, text, value === f));
      clear(this.doc);
      this.doc.appendChild(option('', 'All documents', app.view.doc === null));
      for (const d of ds?.snapshot.documents ?? []) this.doc.appendChild(option(d.uri, d.name, d.uri === app.view.doc));
      this.sort.value = app.view.sort;
      this.renderLabelBar();
    }
    this.renderRecent();
  }

  private renderLabelBar(): void {
    clear(this.labelChips);
    const labels = this.app.dataset?.snapshot.labels ?? [];
    // Few labels fit on a row: the search field only earns its place once they do not.
    this.labelSearch.hidden = labels.length <= 9 && this.labelSearch.value === '';
    const needle = this.labelSearch.value.trim().toLowerCase();
    const matching = needle ? labels.filter((l) => l.name.toLowerCase().includes(needle)) : labels;
    // The built-in none comes first, on key 0, whether or not a line uses it yet.
    this.labelChips.appendChild(
      el(
        'button',
        {
          className: 'label-chip none-chip',
          attrs: { type: 'button', 'aria-label': `${NONE_LABEL}: fits no label (key 0)` },
          on: { click: () => this.app.assignNone() },
        },
        [kbd('0'), el('span', { text: `${NONE_LABEL} — fits no label` })],
      ),
    );
    for (const l of matching.filter((l) => !isNoneLabel(l.name)).slice(0, LABEL_BAR_LIMIT)) {
      const chip = el(
        'button',
        {
          className: 'label-chip',
          attrs: { type: 'button', 'aria-label': l.key ? `${l.name} (key ${l.key})` : l.name },
          on: { click: () => this.app.assign(l.name) },
        },
        [l.key ? kbd(l.key) : null, swatch(l.color), el('span', { text: l.name })],
      );
      this.labelChips.appendChild(chip);
    }
    const more = matching.length - LABEL_BAR_LIMIT;
    if (more > 0)
      this.labelChips.appendChild(
        el('span', { className: 'hint label-more', text: `${more} more: type in Find label, or press l`, attrs: { id: 'label-more' } }),
      );
    if (labels.length === 0) this.labelChips.appendChild(el('span', { className: 'hint', text: 'No labels yet: create one in Labels.' }));
    else if (matching.length === 0) this.labelChips.appendChild(el('span', { className: 'hint', text: 'No label matches.' }));
  }

  private renderRecent(): void {
    const app = this.app;
    const ds = app.dataset;
    clear(this.recent);
    const history = app.view.history;
    if (history.length === 0) return;
    this.recent.appendChild(el('span', { className: 'recent-title', text: 'Recent' }));
    const start = Math.max(0, history.length - RECENT_SHOWN);
    for (let h = history.length - 1; h >= start; h--) {
      const d = history[h];
      const index = ds?.indexOf(`${d.ref.line}@${d.ref.uri}`);
      const text = index !== undefined && ds ? ds.lines[index].text : `line ${d.ref.line + 1}`;
      const jump = el('button', {
        className: 'recent-text',
        text,
        title: text,
        attrs: { type: 'button' },
        on: { click: () => app.focusLine(d.ref) },
      });
      const item = el('span', { className: `recent-item ${d.kind}`, attrs: { role: 'listitem' } }, [jump]);
      if (d.kind === 'skip') item.appendChild(el('span', { className: 'hint', text: 'skipped' }));
      else {
        const select = el('select', { className: 'select small', attrs: { 'aria-label': `Label of: ${text.slice(0, 80)}` } });
        select.appendChild(option(NONE, '(none)', d.after === undefined));
        for (const l of ds?.snapshot.labels ?? []) select.appendChild(option(l.name, l.name, l.name === d.after));
        select.addEventListener('change', () => app.editDecision(h, select.value === NONE ? undefined : select.value));
        item.appendChild(select);
      }
      this.recent.appendChild(item);
    }
    this.recent.appendChild(iconButton('discard', 'Undo the last decision (Backspace)', () => app.undo()));
  }
}

export function swatch(color: string): HTMLElement {
  const s = el('span', { className: 'swatch', attrs: { 'aria-hidden': 'true' } });
  s.style.background = color;
  return s;
}
