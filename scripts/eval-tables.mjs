// Turns `fewshot eval --json` reports (docs/eval/*.json) into the markdown tables of the README.
// Usage: node scripts/eval-tables.mjs docs/eval/a.json [b.json ...]
import fs from 'node:fs';
import path from 'node:path';

const pct = (x) => (100 * x).toFixed(1);
for (const file of process.argv.slice(2)) {
  const r = JSON.parse(fs.readFileSync(file, 'utf8'));
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
