// The side of the panel: labels (create, rename, delete with confirmation, counts), the
// prediction charts, the model's backend and timing, and the quality checks.

import { LABEL_PALETTE, LIMITS, nextLabelColor, normalizeLabelName } from '../protocol/panel';
import type { App, Dirty } from './app';
import { barChart, histogramChart } from './charts';
import { clear, el, icon, iconButton, kbd, option, textButton } from './dom';
import { percent, wilson } from './stats';
import { labelNameProblemText, t } from './strings';
import { swatch } from './toolbar';

function section(title: string, id: string, body: HTMLElement): HTMLElement {
  return el('section', { className: 'section', attrs: { 'aria-labelledby': `${id}-title` } }, [
    el('h2', { text: title, attrs: { id: `${id}-title` } }),
    body,
  ]);
}

export class Sidebar {
  readonly element: HTMLElement;
  private readonly labels = el('div', { className: 'labels' });
  private readonly charts = el('div', { className: 'charts' });
  private readonly model = el('div', { className: 'model' });
  private readonly quality = el('div', { className: 'quality' });
  private readonly newName: HTMLInputElement;
  private readonly newColor: HTMLInputElement;
  private labelsSignature = '';
  /** The user picked the new label's colour; until then it follows the labels' next free colour. */
  private colorChosen = false;

  constructor(private readonly app: App) {
    this.newName = el('input', {
      className: 'input',
      attrs: { id: 'new-label', placeholder: t('labels.new'), 'aria-label': t('labels.newName') },
    });
    this.newColor = el('input', {
      className: 'color',
      attrs: { type: 'color', 'aria-label': t('labels.newColour'), value: LABEL_PALETTE[0] },
    });
    const add = async () => {
      const name = normalizeLabelName(this.newName.value);
      if ('problem' in name) return app.say(labelNameProblemText(name), true);
      if (await app.createLabel(name.name, this.newColor.value)) {
        this.newName.value = '';
        this.colorChosen = false;
      }
    };
    this.newColor.addEventListener('input', () => (this.colorChosen = true));
    this.newName.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') void add();
    });
    const form = el('div', { className: 'new-label' }, [
      this.newName,
      this.newColor,
      iconButton('add', t('labels.create'), () => void add()),
    ]);
    this.element = el('aside', { className: 'sidebar', attrs: { 'aria-label': t('sidebar.title') } }, [
      section(t('sidebar.labels'), 'labels', el('div', {}, [this.labels, form])),
      section(t('sidebar.predictions'), 'charts', this.charts),
      section(t('sidebar.model'), 'model', this.model),
      section(t('sidebar.quality'), 'quality', this.quality),
    ]);
  }

  render(what: Set<Dirty>): void {
    const ds = this.app.dataset;
    if (!ds) return;
    if (what.has('data') || what.has('ui')) {
      const counts = ds.labeledCounts();
      const signature = JSON.stringify([
        ds.snapshot.labels,
        ds.snapshot.stats.hiddenLabels ?? 0,
        [...counts],
        this.app.ui.renaming,
        this.app.ui.confirmDelete,
        this.app.ui.keyFor,
      ]);
      if (signature !== this.labelsSignature) {
        this.labelsSignature = signature;
        this.renderLabels(counts);
      }
    }
    if (what.has('data')) {
      this.renderCharts();
      this.renderModel();
    }
    this.renderQuality();
  }

  private renderLabels(counts: Map<string, number>): void {
    const app = this.app;
    clear(this.labels);
    if (!this.colorChosen) this.newColor.value = nextLabelColor(app.dataset!.snapshot.labels.map((l) => l.color));
    const list = el('ul', { className: 'label-list', attrs: { 'aria-label': t('sidebar.labels') } });
    for (const l of app.dataset!.snapshot.labels) {
      // The list holds the open documents; the host counts the label's other records.
      const listed = counts.get(l.name) ?? 0;
      const elsewhere = l.elsewhere ?? 0;
      const count = listed + elsewhere;
      const item = el('li', { className: 'label-item' });
      if (app.ui.renaming === l.name) {
        const input = el('input', { className: 'input', attrs: { 'aria-label': t('labels.renameTo', l.name) } });
        input.value = l.name;
        input.addEventListener('keydown', (e) => {
          if (e.key === 'Enter') {
            const name = normalizeLabelName(input.value);
            if ('problem' in name) app.say(labelNameProblemText(name), true);
            else void app.renameLabel(l.name, name.name);
          } else if (e.key === 'Escape') {
            app.ui.renaming = null;
            app.invalidate('ui');
          }
        });
        item.append(swatch(l.color), input);
        requestAnimationFrame(() => {
          input.focus();
          input.select();
        });
      } else {
        const where = t(count === 1 ? 'labels.where.one' : 'labels.where.other', count, listed, elsewhere);
        item.append(
          this.keyButton(l.name, l.key),
          this.colorPicker(l.name, l.color),
          el('span', { className: 'label-name', text: l.name, title: l.name }),
          el('span', {
            className: 'badge',
            text: String(count),
            title: where,
            attrs: { 'aria-label': elsewhere ? t('labels.countElsewhere', count, elsewhere) : t('labels.count', count) },
          }),
        );
        if (elsewhere)
          item.append(
            el('span', {
              className: 'label-elsewhere',
              text: t('labels.closed', elsewhere),
              title: where,
              attrs: { 'aria-hidden': 'true' },
            }),
          );
        item.append(
          iconButton('edit', t('labels.rename', l.name), () => {
            app.ui.renaming = l.name;
            app.invalidate('ui');
          }),
          iconButton('trash', t('labels.delete', l.name), () => {
            app.ui.confirmDelete = l.name;
            app.invalidate('ui');
          }),
        );
      }
      list.appendChild(item);
      if (app.ui.confirmDelete === l.name) {
        const confirm = el('li', { className: 'confirm', attrs: { role: 'alertdialog', 'aria-label': t('labels.confirmName', l.name) } }, [
          el('span', { text: t(count === 1 ? 'labels.confirm.one' : 'labels.confirm.other', l.name, count) }),
          textButton(t('labels.deleteButton'), () => void app.deleteLabel(l.name), 'button danger'),
          textButton(
            t('labels.cancel'),
            () => {
              app.ui.confirmDelete = null;
              app.invalidate('ui');
            },
            'button secondary',
          ),
        ]);
        list.appendChild(confirm);
        requestAnimationFrame(() => (confirm.querySelector('button.secondary') as HTMLElement | null)?.focus());
      }
    }
    this.labels.appendChild(list);
    const hidden = app.dataset!.snapshot.stats.hiddenLabels ?? 0;
    if (hidden > 0) {
      this.labels.appendChild(
        el('p', {
          className: 'hint hidden-labels',
          attrs: { role: 'status' },
          text: t(hidden === 1 ? 'labels.hidden.one' : 'labels.hidden.other', hidden, LIMITS.labels),
        }),
      );
    }
  }

  /** The label's key; clicked, the next key press becomes its key (Backspace: its default digit). */
  private keyButton(name: string, key: string | undefined): HTMLButtonElement {
    const waiting = this.app.ui.keyFor === name;
    const label = waiting ? t('labels.keyWaiting', name) : t('labels.key', name, key ?? t('labels.noKey'));
    return el(
      'button',
      {
        className: `key-button${waiting ? ' waiting' : ''}`,
        title: label,
        attrs: { type: 'button', 'aria-label': label, 'data-label': name },
        on: { click: () => this.app.askKey(waiting ? null : name) },
      },
      [kbd(waiting ? '…' : (key ?? '·'))],
    );
  }

  /** The label's swatch, a native colour picker: a picked colour goes to the host. */
  private colorPicker(name: string, color: string): HTMLInputElement {
    const input = el('input', {
      className: 'swatch-picker',
      title: t('labels.changeColour', name),
      attrs: { type: 'color', 'aria-label': t('labels.colour', name) },
    });
    input.value = color;
    // `change`, not `input`: one request when the picker closes, not one per drag step.
    input.addEventListener('change', () => {
      const picked = input.value;
      void this.app.setLabelColor(name, picked).then((done) => {
        if (!done) input.value = color;
      });
    });
    return input;
  }

  private renderCharts(): void {
    const ds = this.app.dataset!;
    clear(this.charts);
    const predicted = ds.predictedCounts();
    const bars = ds.snapshot.labels.map((l) => ({ label: l.name, value: predicted.get(l.name) ?? 0, color: l.color }));
    const labeled = ds.lines.filter((l) => l.label !== undefined).length;
    const elsewhere = ds.snapshot.labels.reduce((n, l) => n + (l.elsewhere ?? 0), 0);
    this.charts.append(
      el('p', {
        className: 'hint',
        text: elsewhere ? t('charts.summaryElsewhere', labeled, ds.lines.length, elsewhere) : t('charts.summary', labeled, ds.lines.length),
        attrs: { id: 'labeled-summary' },
      }),
      el('h3', { text: t('charts.predicted') }),
      barChart(bars, t('charts.predictedName')),
      el('h3', { text: t('charts.confidence') }),
      histogramChart(ds.confidenceHistogram(), t('charts.confidenceName')),
    );
  }

  private renderModel(): void {
    const { backend, lastAdaptationMs, tasks } = this.app.dataset!.snapshot.stats;
    clear(this.model);
    if (tasks) {
      // The active task (label set): the list, labels and predictions are that task's.
      const select = el('select', {
        attrs: { id: 'task', 'aria-label': t('model.task') },
        on: { change: () => void this.app.switchTask(select.value) },
      });
      for (const name of tasks.names) select.appendChild(option(name, name, name === tasks.active));
      this.model.append(el('div', { className: 'kv' }, [el('span', { text: t('model.task') }), select]));
    }
    this.model.append(
      el('div', { className: 'kv' }, [el('span', { text: t('model.backend') }), el('span', { className: 'value', text: backend || '—' })]),
      el('div', { className: 'kv' }, [
        el('span', { text: t('model.lastAdaptation') }),
        el('span', { className: 'value', text: lastAdaptationMs === null ? '—' : t('model.ms', Math.round(lastAdaptationMs)) }),
      ]),
    );
  }

  private renderQuality(): void {
    const app = this.app;
    clear(this.quality);
    const q = app.ui.quality;
    const running = q?.kind === 'running';
    this.quality.appendChild(
      el('div', { className: 'kv' }, [
        el('span', { text: t('quality.accuracy') }),
        el('span', { className: 'value', text: qualityText(q), attrs: { id: 'quality', 'aria-live': 'polite' } }),
        running
          ? el('span', { attrs: { id: 'quality-running', role: 'progressbar', 'aria-label': t('quality.estimating') } }, [
              icon('loading codicon-modifier-spin'),
            ])
          : iconButton('refresh', t('quality.estimate'), () => void app.estimateQuality()),
        running ? textButton(t('quality.cancel'), () => app.cancelQuality(), 'button secondary quality-cancel') : null,
      ]),
    );
    if (q?.kind === 'done' && q.estimate.n > 0) {
      const e = q.estimate;
      const how = e.scheme === 'leave-one-out' ? t('quality.leaveOneOut') : t('quality.kFold', e.folds);
      this.quality.appendChild(
        el('p', {
          className: 'hint',
          text: e.document
            ? t('quality.detailPool', e.correct, e.n, e.method, how, e.document)
            : t('quality.detail', e.correct, e.n, e.method, how),
          attrs: { id: 'quality-detail' },
        }),
      );
    }
    const s = app.view.precision;
    if (!s) {
      const labels = app.dataset?.snapshot.labels ?? [];
      const select = el('select', { className: 'select', attrs: { id: 'precision-label', 'aria-label': t('precision.label') } });
      for (const l of labels) select.appendChild(option(l.name, l.name));
      this.quality.appendChild(
        el('div', { className: 'precision-start' }, [
          el('span', { text: t('precision.check') }),
          select,
          textButton(t('precision.start'), () => select.value && app.startPrecision(select.value), 'button secondary'),
        ]),
      );
      return;
    }
    const judged = s.correct + s.wrong;
    const card = el('div', { className: 'precision', attrs: { role: 'region', 'aria-label': t('precision.region', s.label) } });
    if (!s.finished) {
      const ref = s.queue[s.index];
      const i = app.dataset?.indexOf(`${ref.line}@${ref.uri}`);
      const line = i !== undefined ? app.dataset!.lines[i] : undefined;
      card.append(
        el('div', { className: 'hint', text: t('precision.question', s.label, s.index + 1, s.queue.length) }),
        el('div', { className: 'precision-text', text: line ? line.text : t('precision.gone') }),
        el('div', { className: 'buttons' }, [
          textButton(t('precision.yes'), () => app.answerPrecision(true)),
          textButton(t('precision.no'), () => app.answerPrecision(false), 'button secondary'),
          textButton(t('precision.stop'), () => app.stopPrecision(), 'button secondary'),
        ]),
      );
    } else {
      const ci = wilson(s.correct, judged);
      const text = ci
        ? t('precision.result', s.label, percent(s.correct / judged), percent(ci.low), percent(ci.high), s.correct, judged)
        : t('precision.noAnswers', s.label);
      card.append(
        el('div', { className: 'precision-result', text, attrs: { id: 'precision-result', 'aria-live': 'polite' } }),
        textButton(t('precision.done'), () => app.stopPrecision(), 'button secondary'),
      );
    }
    this.quality.appendChild(card);
  }
}

function qualityText(q: App['ui']['quality']): string {
  if (q === null) return '—';
  if (q.kind === 'running') return t('quality.running');
  if (q.kind === 'stale') return t('quality.stale');
  const e = q.estimate;
  // The start of supportProblem's wording (src/engine/support.ts): the panel has no support set to name the labels.
  if (e.n === 0) return t('quality.twoLabels');
  const ci = wilson(e.correct, e.n)!;
  return t('quality.value', percent(e.correct / e.n), percent(ci.low), percent(ci.high), e.n);
}
