// Writes a large synthetic JSONL or CSV file of support-ticket records, for measuring the CLI's
// streamed classify and export on files too big to hold (issue 17: a 2 GB JSONL in at most 600 MB).
// Deterministic (a seeded PRNG), written in chunks so the generator itself stays small.
// Usage: node scripts/gen-records.mjs OUT.jsonl|OUT.csv SIZE_MB   (also prints a labels file path)
import fs from 'node:fs';

const [out, sizeArg] = process.argv.slice(2);
if (!out || !sizeArg) {
  console.error('usage: node scripts/gen-records.mjs OUT.jsonl|OUT.csv SIZE_MB');
  process.exit(2);
}
const csv = out.endsWith('.csv');
const target = Number(sizeArg) * 1024 * 1024;
let state = 0x5eed;
const random = () => {
  // mulberry32, as the engine's Rng
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = (a) => a[Math.floor(random() * a.length)];
const topics = {
  billing: ['refund', 'invoice', 'charged twice', 'payment failed', 'billing address', 'subscription fee'],
  access: ['cannot log in', 'password reset', 'account locked', 'two-factor code', 'sign in error', 'username'],
  shipping: ['parcel late', 'tracking number', 'wrong address', 'delivery missed', 'package damaged', 'courier'],
};
const openers = ['hi,', 'hello team,', 'urgent:', '', 'please help,', 'good morning,'];
const closers = ['thanks', 'can you check?', 'this is the third time', '', 'regards', 'any update?'];
const labels = Object.keys(topics);

const stream = fs.createWriteStream(out);
let written = 0;
let n = 0;
if (csv) written += Buffer.byteLength('id,created,channel,text\n');
if (csv) stream.write('id,created,channel,text\n');
async function main() {
  while (written < target) {
    let chunk = '';
    for (let k = 0; k < 5000; k++, n++) {
      const label = pick(labels);
      const text =
        `${pick(openers)} my ${pick(topics[label])} issue ${pick(['again', 'today', 'since monday', 'on order'])} #${Math.floor(random() * 1e6)} ${pick(closers)}`.trim();
      const created = `2024-0${1 + (n % 9)}-1${n % 10}T10:${String(n % 60).padStart(2, '0')}:00Z`;
      chunk += csv
        ? `${n},${created},email,"${text.replace(/"/g, '""')}${n % 50 === 0 ? '\nsecond line of the message' : ''}"\n`
        : `${JSON.stringify({ id: n, created, channel: 'email', msg: { text, lang: 'en' } })}\n`;
    }
    written += Buffer.byteLength(chunk);
    if (!stream.write(chunk)) await new Promise((r) => stream.once('drain', r));
  }
  stream.end();
  await new Promise((r) => stream.once('finish', r));
  const labelsFile = `${out}.labels.jsonl`;
  fs.writeFileSync(
    labelsFile,
    labels.flatMap((l) => topics[l].slice(0, 3).map((t) => `${JSON.stringify({ text: `my ${t} issue`, label: l })}\n`)).join(''),
  );
  console.log(`${out}: ${n} records, ${(written / 1024 / 1024).toFixed(0)} MB; labels: ${labelsFile}`);
}
await main();
