// The many-labels rows of `npm run bench`: adaptation + classification cost as the labels and the
// labeled lines grow (issue targets in MANY_TARGETS). Labels are CLINC150 intents; past 150 labels
// an intent's lines are split between sub-labels (`intent~2`), and past 100 lines per intent the
// lines repeat with a pass number appended (new character n-grams, same work), so every size is
// real text of the same kind.
import type { Engine, WarmState } from '../../src/engine/engine';
import type { TextMethod } from '../../src/engine/eval/methods';
import type { Example } from '../../src/engine/types';
import type { Row } from './report';
import { summarizeTimes } from './stats';
import { FreshLines, readData } from './workload';

export const MANY_TARGETS = {
  many_77x10_ms: 250,
  relabel_77x10_ms: 80,
  many_300x20_ms: 1500,
  many_50x400_ms: 2000,
  many_100k_ms: 10_000,
  many_100k_rss_mb: 1000,
} as const;

const DOCUMENT_LINES = 10_000;

/** `labels` x `perLabel` labeled lines of real text. */
export function labeledSet(labels: number, perLabel: number): Example[] {
  const byIntent = new Map<string, string[]>();
  for (const ex of readData('clinc150.train.jsonl')) byIntent.set(ex.label, [...(byIntent.get(ex.label) ?? []), ex.text]);
  const intents = [...byIntent.keys()].sort();
  const out: Example[] = [];
  for (let l = 0; l < labels; l++) {
    const intent = intents[l % intents.length] as string;
    const split = Math.floor(l / intents.length);
    const label = split === 0 ? intent : `${intent}~${split + 1}`;
    const lines = byIntent.get(intent) as string[];
    for (let k = 0; k < perLabel; k++) {
      const i = k + split * perLabel;
      const pass = Math.floor(i / lines.length);
      const text = lines[i % lines.length] as string;
      out.push({ text: pass === 0 ? text : `${text} ${pass}`, label });
    }
  }
  return out;
}

export interface ManyCase {
  key: string;
  labels: number;
  perLabel: number;
  runs: number;
}

/** adapt `default` with the document as pool + classify every line; the document is encoded beforehand. */
export function timeCase(engine: Engine, support: Example[], document: string[], warm?: WarmState) {
  const t0 = performance.now();
  const model = engine.adapt(support, { pool: document, ...(warm ? { warm } : {}) });
  const t1 = performance.now();
  model.classify(document);
  const t2 = performance.now();
  return { totalMs: t2 - t0, adaptMs: t1 - t0, classifyMs: t2 - t1, model };
}

export function manyLabelRows(engine: Engine, quick: boolean, progress: (m: string) => void) {
  const document = new FreshLines(7).batch(DOCUMENT_LINES);
  engine.encode(document); // "already encoded": what the worker's cache holds for an open document
  const runs = quick ? 2 : 5;
  const rows: Row[] = [];
  const json: Record<string, number> = {};

  // 77 x 10 cold, then one more label warm-started from the previous solution.
  progress(`many labels: 77 x 10 labeled lines, ${DOCUMENT_LINES}-line document, cold and warm x ${runs}`);
  const base = labeledSet(77, 10);
  const extra = labeledSet(78, 10)
    .filter((e) => !base.some((b) => b.label === e.label))
    .slice(0, 1);
  const cold: number[] = [];
  const warm: number[] = [];
  let agreement = 1;
  for (let r = 0; r < runs + 1; r++) {
    const first = timeCase(engine, base, document);
    const next = timeCase(engine, [...base, ...(extra as Example[])], document, first.model.state);
    const reference = timeCase(engine, [...base, ...(extra as Example[])], document);
    if (r === 0) {
      // Same predictions as a cold fit? The share of lines with the same label.
      const a = next.model.classify(document).labelIndex;
      const b = reference.model.classify(document).labelIndex;
      let same = 0;
      for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
      agreement = same / a.length;
      continue;
    }
    cold.push(first.totalMs);
    warm.push(next.totalMs);
  }
  rows.push({
    name: 'many_77x10_ms',
    unit: 'ms',
    timing: summarizeTimes(cold),
    target: MANY_TARGETS.many_77x10_ms,
    what: '77 labels x 10 lines, adapt default + classify 10k lines',
  });
  rows.push({
    name: 'relabel_77x10_ms',
    unit: 'ms',
    timing: summarizeTimes(warm),
    target: MANY_TARGETS.relabel_77x10_ms,
    what: `the same after one more label, warm start (${(agreement * 100).toFixed(1)}% of lines labeled as by a cold fit)`,
  });
  json.many_77x10_ms = summarizeTimes(cold).median;
  json.relabel_77x10_ms = summarizeTimes(warm).median;
  json.relabel_agreement = agreement;

  const cases: ManyCase[] = [
    { key: 'many_300x20_ms', labels: 300, perLabel: 20, runs: quick ? 1 : 3 },
    { key: 'many_50x200_ms', labels: 50, perLabel: 200, runs: quick ? 1 : 3 },
    { key: 'many_50x400_ms', labels: 50, perLabel: 400, runs: quick ? 1 : 3 },
  ];
  for (const c of cases) {
    progress(`many labels: ${c.labels} x ${c.perLabel} labeled lines x ${c.runs}`);
    const support = labeledSet(c.labels, c.perLabel);
    engine.encode(support.map((e) => e.text));
    const times: number[] = [];
    let note: string | undefined;
    for (let r = 0; r < c.runs; r++) {
      const t = timeCase(engine, support, document);
      times.push(t.totalMs);
      note = t.model.note;
    }
    const target = (MANY_TARGETS as Record<string, number>)[c.key];
    rows.push({
      name: c.key,
      unit: 'ms',
      timing: summarizeTimes(times),
      ...(target !== undefined ? { target } : {}),
      what: `${c.labels} labels x ${c.perLabel} lines (${c.labels * c.perLabel} labeled), 10k document${note ? ' [budget: capped]' : ''}`,
    });
    json[c.key] = summarizeTimes(times).median;
  }
  json.growth_ratio = json.many_50x400_ms / json.many_50x200_ms;
  rows.push({
    name: '  growth_50x200_to_50x400',
    unit: 'ms',
    timing: summarizeTimes([json.growth_ratio]),
    what: 'time ratio when the labeled lines double (target <= 2: printed as a number, not ms)',
  });
  return { rows, json };
}

/**
 * A peer (natural's classifiers) on the 77 x 10 job: train on the same labeled lines, classify the
 * same 10,000-line document. Run in a child process with a time limit: natural's logistic
 * regression trains one model per label and does not finish in minutes.
 */
export function peerManyJob(peer: TextMethod): number {
  const document = new FreshLines(7).batch(DOCUMENT_LINES);
  const base = labeledSet(77, 10);
  const names = [...new Set(base.map((e) => e.label))];
  const ids = Int32Array.from(base, (e) => names.indexOf(e.label));
  const t0 = performance.now();
  peer.adaptText(
    base.map((e) => e.text),
    ids,
    names.length,
  )(document);
  return performance.now() - t0;
}

/** The 100,000-labeled-line case, run in a fresh process so its peak RSS is its own. */
export function hundredThousandCase(engine: Engine) {
  const support = labeledSet(100, 1000);
  const document = new FreshLines(9).batch(DOCUMENT_LINES);
  const t = timeCase(engine, support, document);
  return { ms: t.totalMs, note: t.model.note };
}
