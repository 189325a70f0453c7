// The kernel's products in plain JS over the same memory layout (pointers are byte offsets into one
// buffer): the oracle the WebAssembly kernel (src/engine/learners/kernel/sparseProduct.wat) is
// checked against, written for clarity rather than speed. It was the engine's fallback for runtimes
// without WebAssembly SIMD; every supported runtime has it, so it lives here. Swap it in with
// useKernel(jsExec) to run a whole computation on it.
import type { Exec } from '../../../../src/engine/learners/kernel/loader';
import { VIEW_CONSTANTS_BYTES } from '../../../../src/engine/learners/kernel/loader';
import { NEGLIGIBLE } from '../../../../src/engine/learners/kernel/scope';

const PAGE = 65536;
/** Added under the square root of a block's squared norm (FeatureView's; sparseProduct.wat's too). */
const EPS = 1e-8;

export function jsExec(): Exec {
  let buffer = new ArrayBuffer(PAGE);
  let f32 = new Float32Array(buffer);
  let i32 = new Int32Array(buffer);
  return {
    buffer: () => buffer,
    reserve(bytes) {
      if (bytes <= buffer.byteLength) return;
      const next = new ArrayBuffer(Math.max(Math.ceil(bytes / PAGE), Math.ceil((buffer.byteLength * 1.5) / PAGE)) * PAGE);
      new Uint8Array(next).set(new Uint8Array(buffer));
      buffer = next;
      f32 = new Float32Array(buffer);
      i32 = new Int32Array(buffer);
    },
    spmm(n, wd, cp, word, off, idx, val, wordScale, charScale, table, out) {
      const T = table >> 2;
      const charT = T + wd * cp;
      for (let i = 0; i < n; i++) {
        const o = (out >> 2) + i * cp;
        for (let c = 0; c < cp; c++) f32[o + c] = 0;
        const x = (word >> 2) + i * wd;
        const ws = wordScale ? f32[(wordScale >> 2) + i] : 1;
        const cs = charScale ? f32[(charScale >> 2) + i] : 1;
        for (let j = 0; j < wd; j++) {
          const v = ws * f32[x + j];
          const t = T + j * cp;
          for (let c = 0; c < cp; c++) f32[o + c] += v * f32[t + c];
        }
        const end = i32[(off >> 2) + i + 1];
        for (let q = i32[(off >> 2) + i]; q < end; q++) {
          const v = cs * f32[(val >> 2) + q];
          const t = charT + i32[(idx >> 2) + q] * cp;
          for (let c = 0; c < cp; c++) f32[o + c] += v * f32[t + c];
        }
      }
    },
    summarize(n, P, Z, temperatureAt, best, sums, ents) {
      const temperature = f32[temperatureAt >> 2];
      for (let i = 0; i < n; i++) {
        const o = (Z >> 2) + i * P;
        let max = -Infinity;
        let b = -1;
        let bad = false;
        for (let c = 0; c < P; c++) {
          const v = f32[o + c];
          if (Number.isNaN(v) || v === Infinity) bad = true;
          else if (v > max) {
            max = v;
            b = c;
          }
        }
        i32[(best >> 2) + i] = b;
        let S = Number.NaN;
        let E = Number.NaN;
        if (!bad && b >= 0) {
          S = 0;
          E = 0;
          for (let c = 0; c < P; c++) {
            const t = temperature * f32[o + c] - temperature * max;
            if (t <= -87) continue;
            const e = Math.exp(t);
            S += e;
            E += e * t;
          }
        }
        f32[(sums >> 2) + i] = S;
        f32[(ents >> 2) + i] = E;
      }
    },
    scoreRows(n, wd, cp, word, off, idx, val, table, out, outStride, constants, scratch) {
      const k = new DataView(buffer, constants, VIEW_CONSTANTS_BYTES);
      const cw = k.getInt32(0, true) >> 2;
      const u = k.getInt32(4, true) >> 2;
      const mu = k.getInt32(8, true) >> 2;
      const wU = k.getInt32(12, true) >> 2;
      const wMu = k.getInt32(16, true) >> 2;
      const b = k.getInt32(20, true) >> 2;
      const sWord = k.getFloat32(24, true);
      const sChar = k.getFloat32(28, true);
      const muSq = k.getFloat64(32, true);
      const uSq = k.getFloat64(40, true);
      const s = scratch >> 2;
      const one = new Float32Array(2);
      for (let i = 0; i < n; i++) {
        const x = (word >> 2) + i * wd;
        let d2 = 0;
        let a = 0;
        for (let j = 0; j < wd; j++) {
          const d = f32[x + j] - f32[cw + j];
          f32[s + j] = d;
          d2 += d * d;
          if (u) a += d * f32[u + j];
        }
        one[0] = sWord / Math.sqrt(Math.max(d2 - 2 * a * a + a * a * uSq, 0) + EPS);
        const begin = i32[(off >> 2) + i];
        const end = i32[(off >> 2) + i + 1];
        let xsq = 0;
        let xmu = 0;
        for (let q = begin; q < end; q++) {
          const v = f32[(val >> 2) + q];
          xsq += v * v;
          xmu += v * f32[mu + i32[(idx >> 2) + q]];
        }
        one[1] = sChar / Math.sqrt(Math.max(xsq - 2 * xmu + muSq, 0) + EPS);
        const ws = one[0];
        const cs = one[1];
        const o = (out >> 2) + i * outStride;
        for (let c = 0; c < cp; c++) f32[o + c] = 0;
        for (let j = 0; j < wd; j++) {
          const v = f32[s + j];
          const t = (table >> 2) + j * cp;
          for (let c = 0; c < cp; c++) f32[o + c] += v * f32[t + c];
        }
        for (let c = 0; c < cp; c++) f32[o + c] *= ws;
        const charT = (table >> 2) + wd * cp;
        for (let q = begin; q < end; q++) {
          const v = cs * f32[(val >> 2) + q];
          const t = charT + i32[(idx >> 2) + q] * cp;
          for (let c = 0; c < cp; c++) f32[o + c] += v * f32[t + c];
        }
        for (let c = 0; c < cp; c++) f32[o + c] = f32[o + c] - ws * a * f32[wU + c] - cs * f32[wMu + c] + f32[b + c];
      }
    },
    spmmT(n, wd, cp, word, off, idx, val, residuals, grad) {
      const G = grad >> 2;
      const charG = G + wd * cp;
      for (let i = 0; i < n; i++) {
        const r = (residuals >> 2) + i * cp;
        let any = false;
        for (let c = 0; c < cp && !any; c++) any = f32[r + c] !== 0;
        if (!any) continue;
        const x = (word >> 2) + i * wd;
        for (let j = 0; j < wd; j++) {
          const v = f32[x + j];
          const g = G + j * cp;
          for (let c = 0; c < cp; c++) f32[g + c] += v * f32[r + c];
        }
        const end = i32[(off >> 2) + i + 1];
        for (let q = i32[(off >> 2) + i]; q < end; q++) {
          const v = f32[(val >> 2) + q];
          const g = charG + i32[(idx >> 2) + q] * cp;
          for (let c = 0; c < cp; c++) f32[g + c] += v * f32[r + c];
        }
      }
    },
    softmaxResidual(n, cp, z, bias, wMu, scale, label, weight, gMu, gB) {
      const e = new Float64Array(cp);
      for (let i = 0; i < n; i++) {
        const o = (z >> 2) + i * cp;
        const sc = f32[(scale >> 2) + i];
        let max = -Infinity;
        for (let c = 0; c < cp; c++) {
          e[c] = f32[o + c] + f32[(bias >> 2) + c] - sc * f32[(wMu >> 2) + c];
          max = Math.max(max, e[c]);
        }
        let sum = 0;
        for (let c = 0; c < cp; c++) {
          e[c] = Math.exp(e[c] - max);
          sum += e[c];
        }
        const w = f32[(weight >> 2) + i];
        const y = i32[(label >> 2) + i];
        for (let c = 0; c < cp; c++) {
          const r = e[c] / sum - (c === y ? 1 : 0);
          const g = r > NEGLIGIBLE || r < -NEGLIGIBLE ? w * r : 0;
          f32[o + c] = g;
          f32[(gMu >> 2) + c] += sc * g;
          f32[(gB >> 2) + c] += g;
        }
      }
    },
    addInto(dst, src, count) {
      for (let k = 0; k < count; k++) {
        f32[(dst >> 2) + k] += f32[(src >> 2) + k];
        f32[(src >> 2) + k] = 0;
      }
    },
    zero(ptr, bytes) {
      new Uint8Array(buffer, ptr, bytes).fill(0);
    },
    transpose(src, srcStride, rows, cols, dst, dstStride) {
      for (let i = 0; i < rows; i++)
        for (let j = 0; j < cols; j++) f32[(dst >> 2) + j * dstStride + i] = f32[(src >> 2) + i * srcStride + j];
    },
    rowDots(src, srcStride, rows, cols, vec, out) {
      for (let i = 0; i < rows; i++) {
        let acc = 0;
        for (let j = 0; j < cols; j++) acc += f32[(src >> 2) + i * srcStride + j] * f32[(vec >> 2) + j];
        f32[(out >> 2) + i] = acc;
      }
    },
    helper: () => undefined,
    close() {},
    descend(wd, cd, cp, T, G, mu, gMu, wMu, decay, lr) {
      for (let q = 0; q < wd * cp; q++) f32[(T >> 2) + q] = decay * f32[(T >> 2) + q] - lr * f32[(G >> 2) + q];
      for (let c = 0; c < cp; c++) f32[(wMu >> 2) + c] = 0;
      for (let k = 0; k < cd; k++) {
        const m = f32[(mu >> 2) + k];
        const o = (wd + k) * cp;
        for (let c = 0; c < cp; c++) {
          const v = decay * f32[(T >> 2) + o + c] - lr * (f32[(G >> 2) + o + c] - m * f32[(gMu >> 2) + c]);
          f32[(T >> 2) + o + c] = v;
          f32[(wMu >> 2) + c] += m * v;
        }
      }
    },
  };
}

/** The kernels the tests compare, for useKernel: this oracle and the engine's own (undefined: the WebAssembly kernel). */
export const KERNELS = { js: jsExec, 'wasm-simd': undefined } as const;
export type KernelKind = keyof typeof KERNELS;
