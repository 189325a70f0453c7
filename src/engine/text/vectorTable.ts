// The binary word-vector table (models/vectors.bin): one owner for writing and reading it.
//
// Layout, little-endian:
//   offset 0   magic      4 bytes  "FSWV"
//   offset 4   version    uint32   1
//   offset 8   size       uint32   number of words (rows), frequency-ordered: row r is the r-th most
//                                  frequent kept word (the encoder derives Zipf weights from it)
//   offset 12  dim        uint32   vector dimension
//   offset 16  wordBytes  uint32   byte length of the word list
//   offset 20  words      UTF-8, separated by '\n' (no trailing newline), then zero padding to a
//                         multiple of 4
//   then       scales     size x float32, one per row
//   then       matrix     size x dim x int8; value = int8 * scale of its row (symmetric per-row
//                         quantisation: scale = max |v| / 127)

export const VECTOR_TABLE_MAGIC = 'FSWV';
export const VECTOR_TABLE_VERSION = 1;
const HEADER_BYTES = 20;

export interface VectorTable {
  words: string[];
  dim: number;
  /** Dequantised, row-major words.length x dim. */
  vectors: Float32Array;
}

const align4 = (n: number): number => (n + 3) & ~3;

/** Quantises and serialises a table; the same input always gives the same bytes. */
export function serializeVectorTable(words: readonly string[], dim: number, vectors: ArrayLike<number>): Uint8Array {
  const size = words.length;
  if (!Number.isInteger(dim) || dim <= 0) throw new Error(`vector table: bad dimension ${dim}`);
  if (vectors.length !== size * dim) {
    throw new Error(`vector table: ${vectors.length} values for ${size} words x ${dim} dimensions`);
  }
  for (const w of words) {
    if (w.length === 0 || w.includes('\n')) throw new Error(`vector table: unusable word ${JSON.stringify(w)}`);
  }
  const wordBytes = new TextEncoder().encode(words.join('\n'));
  const scalesAt = HEADER_BYTES + align4(wordBytes.length);
  const matrixAt = scalesAt + 4 * size;
  const out = new Uint8Array(matrixAt + size * dim);
  const view = new DataView(out.buffer);
  for (let i = 0; i < 4; i++) out[i] = VECTOR_TABLE_MAGIC.charCodeAt(i);
  view.setUint32(4, VECTOR_TABLE_VERSION, true);
  view.setUint32(8, size, true);
  view.setUint32(12, dim, true);
  view.setUint32(16, wordBytes.length, true);
  out.set(wordBytes, HEADER_BYTES);
  const matrix = new Int8Array(out.buffer, matrixAt, size * dim);
  for (let r = 0; r < size; r++) {
    let maxAbs = 0;
    for (let j = 0; j < dim; j++) maxAbs = Math.max(maxAbs, Math.abs(vectors[r * dim + j]));
    const scale = Math.fround(maxAbs / 127);
    view.setFloat32(scalesAt + 4 * r, scale, true);
    if (scale === 0) continue;
    for (let j = 0; j < dim; j++) {
      const q = Math.round(vectors[r * dim + j] / scale);
      matrix[r * dim + j] = Math.max(-127, Math.min(127, q));
    }
  }
  return out;
}

/** Parses a serialised table; `name` (usually the file path) goes into every error message. */
export function parseVectorTable(buf: Uint8Array, name: string): VectorTable {
  const fail = (why: string): never => {
    throw new Error(`${name}: not a usable word-vector table (${why}); rebuild it with \`npm run vectors\``);
  };
  if (buf.length < HEADER_BYTES) fail(`only ${buf.length} bytes`);
  const magic = String.fromCharCode(buf[0], buf[1], buf[2], buf[3]);
  if (magic !== VECTOR_TABLE_MAGIC) fail(`wrong magic ${JSON.stringify(magic)}, expected "${VECTOR_TABLE_MAGIC}"`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const version = view.getUint32(4, true);
  if (version !== VECTOR_TABLE_VERSION) fail(`format version ${version}, this build reads ${VECTOR_TABLE_VERSION}`);
  const size = view.getUint32(8, true);
  const dim = view.getUint32(12, true);
  const wordByteLength = view.getUint32(16, true);
  if (dim === 0) fail('dimension 0');
  const scalesAt = HEADER_BYTES + align4(wordByteLength);
  const expected = scalesAt + 4 * size + size * dim;
  if (buf.length !== expected) fail(`${buf.length} bytes, header promises ${expected}`);

  const wordText = new TextDecoder('utf-8', { fatal: false }).decode(buf.subarray(HEADER_BYTES, HEADER_BYTES + wordByteLength));
  const words = size === 0 ? [] : wordText.split('\n');
  if (words.length !== size) fail(`${words.length} words, header promises ${size}`);

  const matrixAt = scalesAt + 4 * size;
  const matrix = new Int8Array(buf.buffer, buf.byteOffset + matrixAt, size * dim);
  const vectors = new Float32Array(size * dim);
  for (let r = 0; r < size; r++) {
    const scale = view.getFloat32(scalesAt + 4 * r, true);
    if (!Number.isFinite(scale)) fail(`row ${r} has scale ${scale}`);
    const base = r * dim;
    for (let j = 0; j < dim; j++) vectors[base + j] = matrix[base + j] * scale;
  }
  return { words, dim, vectors };
}
