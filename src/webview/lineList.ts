// The list of lines: a virtualised listbox rendered from the app's order and cursor.

import type { App, Dirty } from './app';
import { el } from './dom';
import { percent } from './stats';
import { t } from './strings';
import { VirtualList } from './virtualList';

export const ROW_HEIGHT = 26;

export class LineList {
  readonly list: VirtualList;
  private colors = new Map<string, string>();

  constructor(private readonly app: App) {
    this.list = new VirtualList({
      rowHeight: ROW_HEIGHT,
      createRow: () => this.createRow(),
      renderRow: (row, p) => this.renderRow(row, p),
      onScroll: (top) => app.setScrollTop(top),
    });
    const e = this.list.element;
    e.id = 'lines';
    e.tabIndex = 0;
    e.setAttribute('role', 'listbox');
    e.setAttribute('aria-label', t('lines.title'));
  }

  get element(): HTMLElement {
    return this.list.element;
  }

  private createRow(): HTMLElement {
    const row = el('div', { className: 'row', attrs: { role: 'option' } }, [
      el('span', { className: 'loc' }),
      el('span', { className: 'text' }),
      el('span', { className: 'chip' }, [
        el('span', { className: 'swatch' }),
        el('span', { className: 'name' }),
        el('span', { className: 'bar' }, [el('span', { className: 'fill' })]),
        el('span', { className: 'pct' }),
      ]),
    ]);
    row.addEventListener('mousedown', () => {
      const p = Number(row.dataset.position);
      if (Number.isInteger(p)) this.app.moveTo(p);
    });
    row.addEventListener('dblclick', () => this.app.reveal());
    return row;
  }

  private renderRow(row: HTMLElement, position: number): void {
    const ds = this.app.dataset;
    if (!ds) return;
    const index = this.app.order[position];
    const line = ds.lines[index];
    const [loc, text, chip] = Array.from(row.children) as HTMLElement[];
    const [swatch, name, bar, pct] = Array.from(chip.children) as HTMLElement[];
    const where = `${ds.documentName(index)}:${line.line + 1}`;
    loc.textContent = where;
    text.textContent = line.text;
    text.title = line.text;
    const isCursor = ds.keys[index] === this.app.view.cursor;
    row.id = `row-${position}`;
    row.classList.toggle('cursor', isCursor);
    row.setAttribute('aria-selected', String(isCursor));
    row.setAttribute('aria-posinset', String(position + 1));
    row.setAttribute('aria-setsize', String(this.app.order.length));
    const shown = line.label ?? line.prediction?.label;
    // A multi-label task's row shows the whole set (its first label's colour); the empty set is none.
    const set = line.label !== undefined ? line.labels : line.prediction?.labels;
    const shownText = set ? set.join(' · ') || shown : shown;
    row.classList.toggle('labeled', line.label !== undefined);
    row.classList.toggle('predicted', line.label === undefined && !!line.prediction);
    // Refined with the sentence encoder (background refinement): marked on the confidence.
    row.classList.toggle('refined', line.label === undefined && line.prediction?.refined === true);
    chip.hidden = shown === undefined;
    name.textContent = shownText ?? '';
    swatch.style.background = (shown && this.colors.get(shown)) || 'transparent';
    const conf = line.label === undefined ? line.prediction?.confidence : undefined;
    bar.hidden = pct.hidden = conf === undefined;
    if (conf !== undefined) {
      (bar.firstChild as HTMLElement).style.width = `${Math.round(conf * 100)}%`;
      pct.textContent = line.prediction?.refined ? `${percent(conf)} ✓` : percent(conf);
      pct.title = line.prediction?.refined ? t('lines.refined') : t('lines.fast');
    }
    const status =
      line.label !== undefined
        ? t('lines.labeled', shownText ?? '')
        : line.prediction
          ? t(line.prediction.refined ? 'lines.predictedRefined' : 'lines.predicted', shownText ?? '', percent(line.prediction.confidence))
          : t('lines.unlabeled');
    row.setAttribute('aria-label', t('lines.row', where, line.text, status));
  }

  render(what: Set<Dirty>): void {
    const ds = this.app.dataset;
    if (ds && what.has('data')) this.colors = new Map(ds.snapshot.labels.map((l) => [l.name, l.color]));
    this.list.setCount(this.app.order.length);
    const p = this.app.cursorPosition();
    if (what.has('cursor') && p >= 0) {
      if (this.app.view.scrollTop > 0 && what.has('data') && !this.element.dataset.restored) this.list.scrollTop = this.app.view.scrollTop;
      this.element.dataset.restored = '1';
      this.list.reveal(p);
    } else this.list.render();
    if (p >= 0) this.element.setAttribute('aria-activedescendant', `row-${p}`);
    else this.element.removeAttribute('aria-activedescendant');
  }
}
