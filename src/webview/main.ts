// Entry point of the webview bundle (media/panel.js).

import { App, type Dirty, type Renderer } from './app';
import { clear, el, kbd } from './dom';
import { BINDINGS, installKeys } from './keys';
import { LabelChooser } from './labelChooser';
import { LineList } from './lineList';
import { Sidebar } from './sidebar';
import { loadStrings, t } from './strings';
import { Toolbar } from './toolbar';

class PanelRenderer implements Renderer {
  private readonly toolbar: Toolbar;
  private readonly lines: LineList;
  private readonly sidebar: Sidebar;
  private readonly status = el('div', { className: 'status', attrs: { role: 'status', 'aria-live': 'polite' } });
  private readonly empty = el('div', { className: 'empty hint' });
  private readonly help: HTMLElement;
  private readonly chooser: LabelChooser;

  constructor(app: App, root: HTMLElement) {
    this.toolbar = new Toolbar(app);
    this.lines = new LineList(app);
    this.sidebar = new Sidebar(app);
    this.chooser = new LabelChooser(app);
    this.help = el('div', { className: 'help', attrs: { role: 'dialog', 'aria-modal': 'true', 'aria-label': t('help.title') } }, [
      el('h2', { text: t('help.title') }),
      el(
        'table',
        {},
        BINDINGS.map((b) =>
          el('tr', {}, [
            el(
              'td',
              {},
              b.keys.map((k) => (k === '…' ? document.createTextNode(' … ') : kbd(k))),
            ),
            el('td', { text: t(b.help) }),
          ]),
        ),
      ),
      el('p', { className: 'hint', text: t('help.close') }),
    ]);
    this.help.hidden = true;
    root.append(
      this.toolbar.element,
      el('div', { className: 'main' }, [el('div', { className: 'list-pane' }, [this.lines.element, this.empty]), this.sidebar.element]),
      this.status,
      this.help,
      this.chooser.element,
    );
    installKeys(app, this.lines.element);
  }

  render(app: App, what: Set<Dirty>): void {
    this.toolbar.render(what);
    this.lines.render(what);
    this.sidebar.render(what);
    this.chooser.render();
    this.help.hidden = !app.ui.help;
    const noLines = app.dataset !== undefined && app.order.length === 0;
    this.empty.hidden = !noLines && app.dataset !== undefined;
    const nothingOpen = app.dataset !== undefined && app.dataset.lines.length === 0;
    this.empty.textContent =
      app.dataset === undefined ? t('empty.loading') : nothingOpen ? t('empty.noDocument') : noLines ? t('empty.noLines') : '';
    const m = app.ui.message;
    this.status.classList.toggle('error', !!m?.error);
    if (this.status.textContent !== (m?.text ?? '')) {
      clear(this.status);
      if (m) this.status.textContent = m.text;
    }
  }
}

const root = document.getElementById('app') ?? document.body.appendChild(el('div', { className: 'app' }));
// Before anything is built: every component takes its strings when it is constructed.
loadStrings(root);
const app = new App(acquireVsCodeApi());
app.renderer = new PanelRenderer(app, root);
app.start();
app.flush();
(root.querySelector('#lines') as HTMLElement | null)?.focus();
