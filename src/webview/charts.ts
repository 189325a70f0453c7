// Inline SVG charts, themed by CSS classes that use VS Code's colour variables.

import { svg } from './dom';
import { t } from './strings';

export interface Bar {
  label: string;
  value: number;
  color?: string;
}

/** Horizontal bars, one per item, with the name on the left and the count on the right. */
export function barChart(bars: Bar[], title: string, width = 240): SVGSVGElement {
  const rowH = 18;
  const nameW = 80;
  const valueW = 44;
  const height = Math.max(rowH, bars.length * rowH);
  const max = Math.max(1, ...bars.map((b) => b.value));
  const root = svg('svg', { class: 'chart bar-chart', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img' });
  root.setAttribute('aria-label', `${title}: ${bars.map((b) => `${b.label} ${b.value}`).join(', ') || t('charts.noData')}`);
  root.appendChild(svg('title', {}, [document.createTextNode(title)]));
  bars.forEach((b, i) => {
    const y = i * rowH;
    const name = svg('text', { x: 0, y: y + 13, class: 'chart-text' });
    name.textContent = b.label.length > 12 ? `${b.label.slice(0, 11)}…` : b.label;
    const w = ((width - nameW - valueW) * b.value) / max;
    const rect = svg('rect', { x: nameW, y: y + 3, width: Math.max(b.value > 0 ? 1 : 0, w), height: rowH - 6, rx: 2, class: 'chart-bar' });
    if (b.color) rect.style.fill = b.color;
    const value = svg('text', { x: width - 2, y: y + 13, class: 'chart-text chart-value', 'text-anchor': 'end' });
    value.textContent = String(b.value);
    root.append(name, rect, value);
  });
  return root;
}

/** Vertical bars for bins over [0, 1], with 0 and 1 marked below. */
export function histogramChart(counts: number[], title: string, width = 240, height = 72): SVGSVGElement {
  const axis = 14;
  const max = Math.max(1, ...counts);
  const bw = width / Math.max(1, counts.length);
  const root = svg('svg', { class: 'chart histogram', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img' });
  root.setAttribute('aria-label', `${title}: ${counts.map((c, i) => `${i * 10}-${(i + 1) * 10}%: ${c}`).join(', ')}`);
  root.appendChild(svg('title', {}, [document.createTextNode(title)]));
  const plotH = height - axis;
  counts.forEach((c, i) => {
    const h = (plotH * c) / max;
    root.appendChild(svg('rect', { x: i * bw + 1, y: plotH - h, width: Math.max(1, bw - 2), height: h, class: 'chart-bar' }));
  });
  root.appendChild(svg('line', { x1: 0, y1: plotH + 0.5, x2: width, y2: plotH + 0.5, class: 'chart-axis' }));
  const tick = (x: number, anchor: string, text: string) => {
    const t = svg('text', { x, y: height - 2, class: 'chart-text', 'text-anchor': anchor });
    t.textContent = text;
    return t;
  };
  root.append(tick(0, 'start', '0%'), tick(width / 2, 'middle', '50%'), tick(width, 'end', '100%'));
  return root;
}
