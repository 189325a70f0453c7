// A virtualised list: a tall spacer gives the scroll bar its size and only the rows in (and
// just around) the viewport exist in the DOM, repositioned as the user scrolls. This keeps
// 100,000 lines as cheap as 40.

export interface VirtualListOptions {
  rowHeight: number;
  /** Rows rendered above and below the viewport. */
  overscan?: number;
  createRow(): HTMLElement;
  /** Fills `row` for the item at view position `position`. */
  renderRow(row: HTMLElement, position: number): void;
  onScroll?(scrollTop: number): void;
}

export class VirtualList {
  readonly element: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly pool: HTMLElement[] = [];
  private count = 0;
  private frame = 0;

  constructor(private readonly options: VirtualListOptions) {
    this.element = document.createElement('div');
    this.element.className = 'virtual-list';
    this.spacer = document.createElement('div');
    this.spacer.className = 'virtual-spacer';
    this.element.appendChild(this.spacer);
    this.element.addEventListener('scroll', () => {
      this.options.onScroll?.(this.element.scrollTop);
      this.schedule();
    });
    if (typeof ResizeObserver !== 'undefined') new ResizeObserver(() => this.schedule()).observe(this.element);
  }

  get length(): number {
    return this.count;
  }

  setCount(count: number): void {
    this.count = count;
    this.spacer.style.height = `${count * this.options.rowHeight}px`;
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private viewportHeight(): number {
    return this.element.clientHeight || 600;
  }

  /** Re-renders the visible rows now. */
  render(): void {
    const h = this.options.rowHeight;
    const overscan = this.options.overscan ?? 8;
    const top = this.element.scrollTop;
    const first = Math.max(0, Math.floor(top / h) - overscan);
    const last = Math.min(this.count, Math.ceil((top + this.viewportHeight()) / h) + overscan);
    const needed = Math.max(0, last - first);
    while (this.pool.length < needed) {
      const row = this.options.createRow();
      row.style.position = 'absolute';
      row.style.height = `${h}px`;
      this.pool.push(row);
      this.spacer.appendChild(row);
    }
    for (let k = 0; k < this.pool.length; k++) {
      const row = this.pool[k];
      if (k < needed) {
        const position = first + k;
        row.hidden = false;
        row.style.transform = `translateY(${position * h}px)`;
        row.dataset.position = String(position);
        this.options.renderRow(row, position);
      } else {
        row.hidden = true;
        delete row.dataset.position;
      }
    }
  }

  /** Scrolls as little as needed for the row at `position` to be fully visible. */
  reveal(position: number): void {
    const h = this.options.rowHeight;
    const top = position * h;
    const view = this.viewportHeight();
    if (top < this.element.scrollTop) this.element.scrollTop = top;
    else if (top + h > this.element.scrollTop + view) this.element.scrollTop = top + h - view;
    this.render();
  }

  get pageSize(): number {
    return Math.max(1, Math.floor(this.viewportHeight() / this.options.rowHeight) - 1);
  }

  set scrollTop(v: number) {
    this.element.scrollTop = v;
  }
}
