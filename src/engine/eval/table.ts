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

/**
 * Open-set figures: one row per method and rule (the model's rule, then the baselines beside it),
 * one block per shot count; each cell a mean % with its 95% interval.
 */
export function formatOpenSetReport(report: EvaluationReport): string {
  if (!report.openSet) return '';
  const cell = (m: number, ci: number) => (Number.isFinite(m) ? `${pct(m)} ± ${pct(ci)}` : '-');
  const header = ['method (rule)', 'shot', 'in-scope acc (kept)', 'in-scope kept', 'oos recall', 'oos precision', 'AUROC'];
  const rows: string[][] = [];
  for (const r of report.results) {
    if (!r.open_set || !r.open_set_ci95) continue;
    const sets = [{ rule: r.open_set_rule ?? '', open_set: r.open_set, open_set_ci95: r.open_set_ci95 }, ...(r.open_set_baselines ?? [])];
    for (const s of sets) {
      const f = s.open_set;
      const c = s.open_set_ci95;
      rows.push([
        `${r.method} (${s.rule})`,
        String(r.shot),
        cell(f.inscope_accuracy, c.inscope_accuracy),
        cell(f.inscope_kept, c.inscope_kept),
        cell(f.oos_recall, c.oos_recall),
        cell(f.oos_precision, c.oos_precision),
        cell(f.auroc, c.auroc),
      ]);
    }
  }
  const source = report.openSet.source === 'file' ? 'from the out-of-scope file' : 'from labels outside the episode';
  return [
    `open set: ${pct(report.openSet.ratio, 0)}% of query lines fit no label (${source}); % ± 95% CI over episodes`,
    rows.length ? alignColumns([header, ...rows]) : '(no method gives probabilities: nothing to report)',
  ].join('\n');
}
