// Turns `fewshot eval --json` reports (docs/eval/*.json) into the markdown tables of the README.
// Usage: node scripts/eval-tables.mjs docs/eval/a.json [b.json ...]
import fs from 'node:fs';
import path from 'node:path';

const pct = (x) => (100 * x).toFixed(1);
const OPEN_SET = [
  ['in-scope accuracy (kept lines)', 'inscope_accuracy'],
  ['in-scope lines kept', 'inscope_kept'],
  ['out-of-scope recall', 'oos_recall'],
  ['out-of-scope precision', 'oos_precision'],
  ['AUROC', 'auroc'],
];

/** Open-set reports (`--open-set`): one row per method and rule, the model's rule first, then its baselines. */
function openSetTable(r, file) {
  const source = r.openSet.source === 'file' ? 'from the out-of-scope file' : 'from labels outside the episode';
  console.log(
    `**${path.basename(file, '.json')}** (${r.data}, ${r.way}-way, ${r.query} queries per class + ${pct(r.openSet.ratio)}% of the ` +
      `query lines ${source}, ` +
      `${r.episodes} episodes, seed ${r.seed}; model ${r.engine?.model ? path.relative(process.cwd(), r.engine.model) || '.' : ''})\n`,
  );
  console.log(`| method (rule) | shot | ${OPEN_SET.map(([name]) => name).join(' | ')} |`);
  console.log(`| --- | --- | ${OPEN_SET.map(() => '---').join(' | ')} |`);
  for (const x of r.results) {
    if (!x.open_set) continue;
    for (const s of [{ rule: x.open_set_rule, open_set: x.open_set, open_set_ci95: x.open_set_ci95 }, ...(x.open_set_baselines ?? [])]) {
      const cells = OPEN_SET.map(([, k]) => `${pct(s.open_set[k])} ± ${pct(s.open_set_ci95[k])}`);
      console.log(`| ${x.method} (${s.rule}) | ${x.shot} | ${cells.join(' | ')} |`);
    }
  }
  console.log('');
}

for (const file of process.argv.slice(2)) {
  const r = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (r.openSet) {
    openSetTable(r, file);
    continue;
  }
  const shots = [...new Set(r.results.map((x) => x.shot))].sort((a, b) => a - b);
  const methods = [...new Set(r.results.map((x) => x.method))];
  const gain = (m, s) => r.gains?.find((g) => g.method === m && g.shot === s);
  console.log(
    `**${path.basename(file, '.json')}** (${r.data}, ${r.way}-way, ${r.query} queries, ${r.episodes} episodes, seed ${r.seed}` +
      `${r.skippedLabels?.length ? `; skipped: ${r.skippedLabels.map((s) => `${s.label} (${s.count})`).join(', ')}` : ''}; ` +
      `model ${r.engine?.model ? path.relative(process.cwd(), r.engine.model) || '.' : ''})\n`,
  );
  console.log(`| method | ${shots.map((s) => `${s}-shot`).join(' | ')} |`);
  console.log(`| --- | ${shots.map(() => '---').join(' | ')} |`);
  for (const m of methods) {
    const cells = shots.map((s) => {
      const x = r.results.find((y) => y.method === m && y.shot === s);
      const g = gain(m, s);
      if (!x) return '-';
      const shownGain = g && g.method !== g.baseline && Math.abs(g.mean) + g.ci95 > 0;
      return `${pct(x.mean)} ± ${pct(x.ci95)}${shownGain ? ` (${g.mean >= 0 ? '+' : ''}${pct(g.mean)} ± ${pct(g.ci95)})` : ''}`;
    });
    console.log(`| ${m} | ${cells.join(' | ')} |`);
  }
  console.log('');
}
