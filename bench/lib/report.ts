// Tables of benchmark results on stderr: one row per measurement, against its target.
import type { Timing } from './stats';

/** Aligned columns: `align[i]` is 'l' or 'r' for column i (numbers right, text left). */
export function table(rows: string[][], align: string): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => (align[i] === 'r' ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export interface Row {
  name: string;
  what: string;
  unit: 'ms' | 'MB';
  timing: Timing;
  /** Upper bound on the median; none for informational rows. */
  target?: number;
}

const num = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

export function verdict(row: Row): string {
  if (row.target === undefined) return '';
  return row.timing.median <= row.target ? 'pass' : 'FAIL';
}

export function formatRows(rows: readonly Row[]): string {
  const header = ['measurement', 'median', 'p90', 'min', 'runs', 'target', 'result', 'what'];
  const body = rows.map((r) => [
    r.name,
    `${num(r.timing.median)} ${r.unit}`,
    `${num(r.timing.p90)} ${r.unit}`,
    `${num(r.timing.min)} ${r.unit}`,
    String(r.timing.n),
    r.target === undefined ? '-' : `<= ${r.target} ${r.unit}`,
    verdict(r) || '-',
    r.what,
  ]);
  return table([header, ...body], 'lrrrrrll');
}

export interface Ratio {
  name: string;
  engine: number;
  peer: number;
  what: string;
}

/** "engine is N x faster" rows; both sides measured in the same run on the same work. */
export function formatRatios(ratios: readonly Ratio[]): string {
  const header = ['comparison', 'engine', 'peer', 'peer / engine', 'what'];
  const body = ratios.map((r) => [r.name, `${num(r.engine)} ms`, `${num(r.peer)} ms`, `${(r.peer / r.engine).toFixed(1)} x`, r.what]);
  return table([header, ...body], 'lrrrl');
}
