// The cost of a multi-label task's adaptation by the number of labeled lines (Engine.adaptMultiLabel:
// a Gram matrix of the labeled lines, 10 cross-validation folds, one-vs-rest heads), and what the
// bound MAX_MULTI_LABEL_LINES keeps it at. Lines: CLINC150 utterances of 8 banking intents, a
// third of them two utterances of different intents joined with " and " (carrying both labels).
//   node out/bench/multiLabel.js [--trials 3]
import { Engine } from '../src/engine/engine';
import { Rng } from '../src/engine/random';
import { MAX_MULTI_LABEL_LINES, type MultiLabelExample } from '../src/engine/multiLabel';
import { readData } from './lib/workload';

const SIZES = [50, 100, 200, 250, 500, 1000];
const INTENTS = ['balance', 'bill_due', 'pay_bill', 'transfer', 'transactions', 'freeze_account', 'pin_change', 'report_fraud'];
const POOL_LINES = 500;

async function main(): Promise<void> {
  const trialsAt = process.argv.indexOf('--trials');
  const trials = trialsAt > 0 ? Number(process.argv[trialsAt + 1]) : 3;
  const engine = await Engine.load({ backend: 'wasm' });
  const data = readData('clinc150.train.jsonl').filter((e) => INTENTS.includes(e.label));
  const rng = new Rng(7);
  const pick = () => data[Math.floor(rng.next() * data.length)]!;
  const lines = (n: number): MultiLabelExample[] =>
    Array.from({ length: n }, (_, i) => {
      const a = pick();
      if (i % 3 !== 0) return { text: a.text, labels: [a.label] };
      let b = pick();
      while (b.label === a.label) b = pick();
      return { text: `${a.text} and ${b.text}`, labels: [a.label, b.label] };
    });
  const pool = lines(POOL_LINES).map((l) => l.text);
  console.log(
    `multi-label adaptation, ${INTENTS.length} labels, pool ${POOL_LINES} lines, median of ${trials} (bound: ${MAX_MULTI_LABEL_LINES} lines)`,
  );
  console.log('| labeled lines | fitted on | adapt ms (median) |');
  console.log('| --- | --- | --- |');
  for (const n of SIZES) {
    const support = lines(n);
    const times: number[] = [];
    for (let t = 0; t < trials; t++) times.push(engine.adaptMultiLabel(support, { pool }).adaptMs);
    times.sort((a, b) => a - b);
    console.log(`| ${n} | ${Math.min(n, MAX_MULTI_LABEL_LINES)} | ${times[Math.floor(times.length / 2)]!.toFixed(0)} |`);
  }
  engine.dispose();
}

void main();
