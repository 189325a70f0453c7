// The top of the panel: search, order, filters, the label bar (keys shown on the labels) and
// the recent decisions (editable).

import { isNoneLabel, NONE_LABEL } from '../engine/labels/none';
import type { PanelStringKey } from '../protocol/panelStrings';
import type { App, Dirty } from './app';
import { clear, el, icon, iconButton, kbd, option } from './dom';
import { SORT_ORDERS, type SortOrder, type StatusFilter } from './state';
import { t } from './strings';

const SORT_NAMES = {
  uncertainty: 'sort.uncertainty',
  document: 'sort.document',
  confidence: 'sort.confidence',
} as const satisfies Record<SortOrder, PanelStringKey>;
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
      attrs: { id: 'search', type: 'search', placeholder: t('toolbar.search'), 'aria-label': t('toolbar.search') },
    });
    this.search.value = app.view.search;
    this.search.addEventListener('input', () => {
      clearTimeout(this.searchTimer);
      this.searchTimer = setTimeout(() => app.setView({ search: this.search.value }), 80);
    });
    this.sort = el('select', { className: 'select', attrs: { id: 'sort', 'aria-label': t('toolbar.order') } });
    for (const s of SORT_ORDERS) this.sort.appendChild(option(s, t(SORT_NAMES[s]), s === app.view.sort));
    this.sort.addEventListener('change', () => app.setView({ sort: this.sort.value as SortOrder }));
    this.filter = el('select', { className: 'select', attrs: { id: 'filter', 'aria-label': t('toolbar.show') } });
    this.filter.addEventListener('change', () => app.setView({ filter: this.filter.value as StatusFilter }));
    this.doc = el('select', { className: 'select', attrs: { id: 'doc', 'aria-label': t('toolbar.document') } });
    this.doc.addEventListener('change', () => app.setView({ doc: this.doc.value === '' ? null : this.doc.value }));
    const help = iconButton('keyboard', t('toolbar.keys'), () => app.toggleHelp());
    this.labelSearch = el('input', {
      className: 'input label-search',
      attrs: { id: 'label-search', type: 'search', placeholder: t('toolbar.findLabel'), 'aria-label': t('toolbar.findLabelName') },
    });
    this.labelSearch.addEventListener('input', () => this.renderLabelBar());
    this.labelChips = el('div', { className: 'label-chips', attrs: { id: 'label-chips' } });
    this.labelBar = el(
      'div',
      {
        className: 'label-bar',
        attrs: {
          role: 'toolbar',
          'aria-label': t('toolbar.labelBar'),
        },
      },
      [this.labelSearch, this.labelChips],
    );
    this.recent = el('div', { className: 'recent', attrs: { role: 'list', 'aria-label': t('toolbar.recentDecisions') } });
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
        ['all', t('filter.all')],
        ['unlabeled', t('filter.unlabeled')],
        ['labeled', t('filter.labeled')],
        ['low', t('filter.low')],
        ['none', t('filter.none')],
        ...labels
          .filter((l) => !isNoneLabel(l.name))
          .map((l): [StatusFilter, string] => [`predicted:${l.name}`, t('filter.predicted', l.name)]),
      ];
      for (const [value, text] of filters) this.filter.appendChild(option(value, text, value === f));
      clear(this.doc);
      this.doc.appendChild(option('', t('filter.allDocuments'), app.view.doc === null));
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
          attrs: { type: 'button', 'aria-label': t('toolbar.noneChipName', NONE_LABEL) },
          on: { click: () => this.app.assignNone() },
        },
        [kbd('0'), el('span', { text: t('toolbar.noneChip', NONE_LABEL) })],
      ),
    );
    for (const l of matching.filter((l) => !isNoneLabel(l.name)).slice(0, LABEL_BAR_LIMIT)) {
      const chip = el(
        'button',
        {
          className: 'label-chip',
          attrs: { type: 'button', 'aria-label': l.key ? t('toolbar.chipWithKey', l.name, l.key) : l.name },
          on: { click: () => this.app.assign(l.name) },
        },
        [l.key ? kbd(l.key) : null, swatch(l.color), el('span', { text: l.name })],
      );
      this.labelChips.appendChild(chip);
    }
    const more = matching.length - LABEL_BAR_LIMIT;
    if (more > 0)
      this.labelChips.appendChild(
        el('span', { className: 'hint label-more', text: t('toolbar.moreLabels', more), attrs: { id: 'label-more' } }),
      );
    if (labels.length === 0) this.labelChips.appendChild(el('span', { className: 'hint', text: t('say.noLabels') }));
    else if (matching.length === 0) this.labelChips.appendChild(el('span', { className: 'hint', text: t('toolbar.noMatch') }));
  }

  private renderRecent(): void {
    const app = this.app;
    const ds = app.dataset;
    clear(this.recent);
    const history = app.view.history;
    if (history.length === 0) return;
    this.recent.appendChild(el('span', { className: 'recent-title', text: t('toolbar.recent') }));
    const start = Math.max(0, history.length - RECENT_SHOWN);
    for (let h = history.length - 1; h >= start; h--) {
      const d = history[h];
      const index = ds?.indexOf(`${d.ref.line}@${d.ref.uri}`);
      const text = index !== undefined && ds ? ds.lines[index].text : t('toolbar.lineNumber', d.ref.line + 1);
      const jump = el('button', {
        className: 'recent-text',
        text,
        title: text,
        attrs: { type: 'button' },
        on: { click: () => app.focusLine(d.ref) },
      });
      const item = el('span', { className: `recent-item ${d.kind}`, attrs: { role: 'listitem' } }, [jump]);
      if (d.kind === 'skip') item.appendChild(el('span', { className: 'hint', text: t('toolbar.skipped') }));
      else {
        const select = el('select', { className: 'select small', attrs: { 'aria-label': t('toolbar.labelOf', text.slice(0, 80)) } });
        select.appendChild(option(NONE, t('toolbar.noneOption'), d.after === undefined));
        for (const l of ds?.snapshot.labels ?? []) select.appendChild(option(l.name, l.name, l.name === d.after));
        select.addEventListener('change', () => app.editDecision(h, select.value === NONE ? undefined : select.value));
        item.appendChild(select);
      }
      this.recent.appendChild(item);
    }
    this.recent.appendChild(iconButton('discard', t('toolbar.undo'), () => app.undo()));
  }
}

export function swatch(color: string): HTMLElement {
  const s = el('span', { className: 'swatch', attrs: { 'aria-hidden': 'true' } });
  s.style.background = color;
  return s;
}
