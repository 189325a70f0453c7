// Structured documents: how long reading a CSV, TSV or JSONL file into records takes (csv-parse's
// sync API, in the engine worker), and the part that stays on the extension host's main thread
// (receiving the worker's records, and turning them into per-line units for the label anchoring). The first is why
// parsing runs in the worker; the second must stay far below a 20 ms frame for a large file.
// Synthetic tickets: an id, a date, a text with commas and quotes (every 10th spans two lines), a priority.
// Usage: npm run bench:records [-- --records 100000 --trials 3 --json]
import { performance } from 'node:perf_hooks';
import { positiveArg } from './lib/args';
import {
  type DataRecord,
  packTable,
  parseRecords,
  type RecordFormat,
  UNPACK_CHUNK,
  unitLines,
  unpackRecords,
  withoutFields,
} from '../src/engine/data/records';

const arg = positiveArg;
const count = arg('records', 100_000);
const trials = arg('trials', 3);
const json = process.argv.includes('--json');

function ticket(i: number): string {
  const text = `Ticket ${i}: the printer on floor ${i % 7} is jammed, "again" - please help`;
  return i % 10 === 0 ? `${text}\nsecond line of ticket ${i}` : text;
}

function document(format: RecordFormat): string {
  if (format === 'jsonl') {
    return Array.from({ length: count }, (_, i) => JSON.stringify({ id: i, created: '2024-01-02', text: ticket(i), priority: 'low' })).join(
      '\n',
    );
  }
  const d = format === 'tsv' ? '\t' : ',';
  const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
  const rows = [['id', 'created', 'text', 'priority'].join(d)];
  for (let i = 0; i < count; i++) rows.push([String(i), '2024-01-02', quote(ticket(i)), i % 3 ? 'low' : 'high'].join(d));
  return rows.join('\n');
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

const results = (['csv', 'tsv', 'jsonl'] as const).map((format) => {
  const text = document(format);
  const mb = Buffer.byteLength(text) / 1e6;
  const lineCount = text.split('\n').length;
  const parse: number[] = [];
  const units: number[] = [];
  const clone: number[] = [];
  const packedClone: number[] = [];
  const chunk: number[] = [];
  let records = 0;
  for (let t = 0; t < trials; t++) {
    const t0 = performance.now();
    const table = withoutFields(parseRecords(text, format));
    const t1 = performance.now();
    // What crosses from the worker is a structured clone: serialising and deserialising on one
    // thread bounds what the host's main thread pays to receive it. Record objects (the naive
    // wire form) against the packed table the worker sends.
    structuredClone(table);
    const t2 = performance.now();
    const received = structuredClone(packTable(table));
    const t3 = performance.now();
    // The host unpacks UNPACK_CHUNK records per task (structured.ts): the longest task counts.
    const unpacked: DataRecord[] = [];
    let longest = 0;
    for (let from = 0; from < received.lines.length; from += UNPACK_CHUNK) {
      const c0 = performance.now();
      unpackRecords(received, from, Math.min(received.lines.length, from + UNPACK_CHUNK), unpacked);
      longest = Math.max(longest, performance.now() - c0);
    }
    const t4 = performance.now();
    unitLines({ ...received, records: unpacked }, lineCount);
    units.push(performance.now() - t4);
    clone.push(t2 - t1);
    packedClone.push(t3 - t2);
    chunk.push(longest);
    parse.push(t1 - t0);
    records = table.records.length;
  }
  const parseMs = median(parse);
  return {
    format,
    mb: Math.round(mb * 10) / 10,
    records,
    parse_ms: Math.round(parseMs),
    mb_per_s: Math.round((mb / parseMs) * 1e4) / 10,
    units_ms: Math.round(median(units) * 10) / 10,
    clone_objects_ms: Math.round(median(clone) * 10) / 10,
    clone_packed_ms: Math.round(median(packedClone) * 10) / 10,
    unpack_longest_task_ms: Math.round(median(chunk) * 10) / 10,
  };
});

if (json) console.log(JSON.stringify({ records: count, trials, results }, null, 2));
else {
  console.log(`records: ${count} synthetic tickets, median of ${trials} runs`);
  console.log('format     MB   records   parse ms (worker)   MB/s   clone objects ms   clone packed ms   unpack task ms   units ms (host)');
  for (const r of results)
    console.log(
      `${r.format.padEnd(6)} ${r.mb.toFixed(1).padStart(6)} ${String(r.records).padStart(9)} ${String(r.parse_ms).padStart(19)} ` +
        `${r.mb_per_s.toFixed(1).padStart(6)} ${r.clone_objects_ms.toFixed(1).padStart(18)} ` +
        `${r.clone_packed_ms.toFixed(1).padStart(17)} ${r.unpack_longest_task_ms.toFixed(1).padStart(16)} ` +
        r.units_ms.toFixed(1).padStart(17),
    );
}
