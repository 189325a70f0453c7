// Plain-text tables of evaluation results: accuracy in % with the 95% interval.
import type { EvaluationReport } from './evaluate';

const pct = (x: number, digits = 1) => (100 * x).toFixed(digits);
const signed = (x: number) => `${x >= 0 ? '+' : '-'}${pct(Math.abs(x))}`;

/** Pads cells to aligned columns; the first column left-aligned, the others right-aligned. */
export function alignColumns(rows: string[][], gap = '  '): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, [...cell].length);
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => {
          const pad = ' '.repeat((widths[i] as number) - [...cell].length);
          return i === 0 ? cell + pad : pad + cell;
        })
        .join(gap)
        .trimEnd(),
    )
    .join('\n');
}

/** One row per method, one column per shot count; paired gains in brackets when present. */
export function formatReport(report: EvaluationReport): string {
  const shots = [...new Set(report.results.map((r) => r.shot))];
  const methods = [...new Set(report.results.map((r) => r.method))];
  const header = ['method', ...shots.map((s) => `${report.way}-way ${s}-shot`), 'ms/episode'];
  const rows = methods.map((method) => {
    const cells = shots.map((shot) => {
      const r = report.results.find((x) => x.method === method && x.shot === shot);
      if (!r) return '-';
      const gain = report.gains?.find((g) => g.method === method && g.shot === shot);
      return `${pct(r.mean)} ± ${pct(r.ci95)}${gain ? ` (${signed(gain.mean)} ± ${pct(gain.ci95)})` : ''}`;
    });
    const times = report.results.filter((x) => x.method === method).map((x) => x.msPerEpisode);
    const ms = times.reduce((a, b) => a + b, 0) / Math.max(1, times.length);
    return [method, ...cells, ms.toFixed(1)];
  });
  const gainNote = report.gains
    ? `; in brackets: paired gain over ${report.gains[0]?.baseline ?? 'the baseline'} on the same episodes`
    : '';
  const lines = [
    `${report.data}: ${report.way}-way, ${report.query} queries per class, ${report.episodes} episodes, seed ${report.seed}` +
      `\naccuracy % ± 95% CI${gainNote}`,
    alignColumns([header, ...rows]),
  ];
  if (report.skippedLabels.length) {
    const names = report.skippedLabels.map((s) => `${s.label} (${s.count} < ${s.needed})`);
    lines.push(
      `skipped ${report.skippedLabels.length} label(s) with too few examples: ` +
        `${names.slice(0, 12).join(', ')}${names.length > 12 ? ', …' : ''}`,
    );
  }
  return lines.join('\n');
}
