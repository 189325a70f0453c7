import assert from 'node:assert/strict';
import fc from 'fast-check';
import { HELPER_ENV, kernelThreadStats } from '../../../../src/engine/learners/kernel/helper';
import { canShareMemory } from '../../../../src/engine/learners/kernel/loader';
import {
  type KernelRows,
  type KernelScope,
  NEGLIGIBLE,
  PAD_BIAS,
  paddedClasses,
  SPLIT_WORK,
  useKernel,
  useKernelThreads,
  withKernel,
} from '../../../../src/engine/learners/kernel/scope';
import { jsExec, KERNELS, type KernelKind } from './jsKernel';

interface Problem {
  rows: KernelRows;
  charDim: number;
  nClasses: number;
  table: Float32Array;
}

/** Random rows (a dense word block, a sparse char block with repeated and unsorted indices allowed) and a class table. */
const problem = fc
  .record({
    n: fc.integer({ min: 0, max: 12 }),
    wd: fc.integer({ min: 0, max: 9 }),
    cd: fc.integer({ min: 1, max: 40 }),
    C: fc.integer({ min: 1, max: 37 }),
  })
  .chain(({ n, wd, cd, C }) =>
    fc
      .record({
        word: fc.array(fc.float({ min: -2, max: 2, noNaN: true }), { minLength: n * wd, maxLength: n * wd }),
        chars: fc.array(
          fc.array(fc.record({ k: fc.integer({ min: 0, max: cd - 1 }), v: fc.float({ min: -2, max: 2, noNaN: true }) }), { maxLength: 8 }),
          {
            minLength: n,
            maxLength: n,
          },
        ),
        table: fc.array(fc.float({ min: -2, max: 2, noNaN: true }), { minLength: (wd + cd) * C, maxLength: (wd + cd) * C }),
      })
      .map(({ word, chars, table }): Problem => {
        const charOffsets = new Int32Array(n + 1);
        chars.forEach((entries, i) => {
          charOffsets[i + 1] = charOffsets[i] + entries.length;
        });
        const flat = chars.flat();
        return {
          rows: {
            n,
            wordDim: wd,
            word: Float32Array.from(word),
            charOffsets,
            charIndex: Int32Array.from(flat, (e) => e.k),
            charValue: Float32Array.from(flat, (e) => e.v),
          },
          charDim: cd,
          nClasses: C,
          table: Float32Array.from(table),
        };
      }),
  );

/** Row i densified (wd + cd), in float64. */
function denseRow(p: Problem, i: number): Float64Array {
  const { rows } = p;
  const x = new Float64Array(rows.wordDim + p.charDim);
  for (let j = 0; j < rows.wordDim; j++) x[j] = rows.word[i * rows.wordDim + j];
  for (let q = rows.charOffsets[i]; q < rows.charOffsets[i + 1]; q++) x[rows.wordDim + rows.charIndex[q]] += rows.charValue[q];
  return x;
}

/** spmm then spmmT (with the scores as residuals) under the current kernel. */
function products(p: Problem): { scores: Float32Array; grad: Float32Array } {
  const cp = paddedClasses(p.nClasses);
  const dim = p.rows.wordDim + p.charDim;
  return withKernel((k) => {
    const placed = k.rows(p.rows);
    const table = k.floats(dim * cp);
    const scores = k.floats(p.rows.n * cp);
    const grad = k.floats(dim * cp);
    const T = k.f32(table);
    for (let j = 0; j < dim; j++) for (let c = 0; c < p.nClasses; c++) T[j * cp + c] = p.table[j * p.nClasses + c];
    k.spmm(placed, table, cp, scores);
    k.spmmT(placed, scores, cp, grad, k.floats(dim * cp));
    return { scores: Float32Array.from(k.f32(scores)), grad: Float32Array.from(k.f32(grad)) };
  });
}

function close(a: number, b: number, scale: number): boolean {
  return Math.abs(a - b) <= 1e-4 * (1 + scale);
}

const kinds = Object.keys(KERNELS) as KernelKind[];

/** The zeroed slots softmaxResidual reads and accumulates into, for n rows of cp classes. */
function softmaxSlots(k: KernelScope, n: number, cp: number) {
  return {
    bias: k.floats(cp),
    wMu: k.floats(cp),
    scale: k.floats(n),
    label: k.floats(n),
    weight: k.floats(n),
    gMu: k.floats(cp),
    gB: k.floats(cp),
    spare: k.floats(2 * cp),
  };
}

/** 600 rows of a 100-float word block and 60-140 char entries (or firstHalfEntries in the first 300), 77 classes: above SPLIT_WORK. */
function bigProblem(firstHalfEntries = 0): Problem {
  const n = 600;
  const wd = 100;
  const cd = 2048;
  const C = 77;
  let state = 7;
  const rand = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const charOffsets = new Int32Array(n + 1);
  const index: number[] = [];
  const value: number[] = [];
  for (let i = 0; i < n; i++) {
    const count = i < n / 2 && firstHalfEntries > 0 ? firstHalfEntries : 60 + Math.floor(rand() * 80);
    for (let q = 0; q < count; q++) {
      index.push(Math.floor(rand() * cd));
      value.push(rand() - 0.3);
    }
    charOffsets[i + 1] = index.length;
  }
  return {
    rows: {
      n,
      wordDim: wd,
      word: Float32Array.from({ length: n * wd }, () => rand() - 0.5),
      charOffsets,
      charIndex: Int32Array.from(index),
      charValue: Float32Array.from(value),
    },
    charDim: cd,
    nClasses: C,
    table: Float32Array.from({ length: (wd + cd) * C }, () => (rand() - 0.5) * 0.2),
  };
}

describe('sparse kernel', () => {
  after(() => useKernel());

  it('runs in WebAssembly SIMD on a shared memory in Node (the engine has no other kernel)', () => {
    useKernel();
    assert.ok(canShareMemory());
    assert.ok(withKernel((k) => k.f32(k.floats(4)).buffer instanceof SharedArrayBuffer));
  });

  for (const kind of kinds) {
    it(`${kind}: spmm and spmmT are the dense products (padding classes stay zero)`, () => {
      useKernel(KERNELS[kind]);
      fc.assert(
        fc.property(problem, (p) => {
          const { scores, grad } = products(p);
          const cp = paddedClasses(p.nClasses);
          const dim = p.rows.wordDim + p.charDim;
          const expectGrad = new Float64Array(dim * cp);
          for (let i = 0; i < p.rows.n; i++) {
            const x = denseRow(p, i);
            for (let c = 0; c < cp; c++) {
              let s = 0;
              for (let j = 0; j < dim; j++) s += c < p.nClasses ? x[j] * p.table[j * p.nClasses + c] : 0;
              const got = scores[i * cp + c];
              if (!close(got, s, Math.abs(s) + 8)) return false;
              for (let j = 0; j < dim; j++) expectGrad[j * cp + c] += x[j] * got;
            }
          }
          return expectGrad.every((g, q) => close(grad[q], g, Math.abs(g) + 8));
        }),
        { numRuns: 150 },
      );
    });
  }

  it('softmax residuals and the descent step agree between WebAssembly and JS (the exp is an approximation)', () => {
    const run = (kind: KernelKind, n: number, C: number, seed: number) => {
      useKernel(KERNELS[kind]);
      const cp = paddedClasses(C);
      const wd = 3;
      const cd = 5;
      let state = seed;
      const rand = () => {
        state = (state * 1103515245 + 12345) % 2147483648;
        return state / 2147483648;
      };
      return withKernel((k) => {
        const z = k.floats(n * cp);
        const s = {
          ...softmaxSlots(k, n, cp),
          mu: k.floats(cd),
          table: k.floats((wd + cd) * cp),
          grad: k.floats((wd + cd) * cp),
        };
        const Z = k.f32(z);
        // Scores spread over 60 units: some probabilities underflow, some residuals are negligible.
        for (let i = 0; i < n; i++) for (let c = 0; c < C; c++) Z[i * cp + c] = (rand() - 0.5) * 60;
        const bias = k.f32(s.bias);
        bias.fill(PAD_BIAS);
        for (let c = 0; c < C; c++) bias[c] = rand() - 0.5;
        for (let c = 0; c < C; c++) k.f32(s.wMu)[c] = rand();
        k.f32(s.scale).forEach((_, i, a) => {
          a[i] = rand() + 0.5;
        });
        k.i32(s.label).forEach((_, i, a) => {
          a[i] = Math.floor(rand() * C);
        });
        k.f32(s.weight).forEach((_, i, a) => {
          a[i] = rand() / n;
        });
        k.softmaxResidual(n, cp, z, s);
        k.f32(s.mu).forEach((_, i, a) => {
          a[i] = rand();
        });
        const T = k.f32(s.table);
        const G = k.f32(s.grad);
        for (let j = 0; j < wd + cd; j++)
          for (let c = 0; c < C; c++) {
            T[j * cp + c] = rand() - 0.5;
            G[j * cp + c] = rand() - 0.5;
          }
        k.descend(wd, cd, cp, s, 0.99, 0.5);
        return {
          residuals: Float32Array.from(Z),
          gMu: Float32Array.from(k.f32(s.gMu)),
          gB: Float32Array.from(k.f32(s.gB)),
          table: Float32Array.from(T),
          wMu: Float32Array.from(k.f32(s.wMu)),
        };
      });
    };
    for (const [n, C, seed] of [
      [1, 1, 1],
      [7, 5, 2],
      [40, 77, 3],
      [9, 16, 4],
    ] as const) {
      const a = run('js', n, C, seed);
      const b = run('wasm-simd', n, C, seed);
      for (const key of ['residuals', 'gMu', 'gB', 'table', 'wMu'] as const) {
        a[key].forEach((v, q) => {
          // A residual at the 1e-6 cut may land on either side of it.
          const tolerance = key === 'residuals' || key === 'gMu' || key === 'gB' ? 2e-6 + 1e-5 * Math.abs(v) : 1e-5;
          assert.ok(Math.abs(v - b[key][q]) <= tolerance, `${key}[${q}] n=${n} C=${C}: js ${v}, wasm ${b[key][q]}`);
        });
      }
      // Every row's residuals sum to zero (probabilities minus a one-hot), bar the ones left out.
      const cp = paddedClasses(C);
      for (let i = 0; i < n; i++) {
        let sum = 0;
        for (let c = 0; c < cp; c++) sum += b.residuals[i * cp + c];
        assert.ok(Math.abs(sum) < C * NEGLIGIBLE + 1e-6, `row ${i} residuals sum to ${sum}`);
      }
      for (let c = C; c < cp; c++) assert.equal(b.gB[c], 0, 'a padding class has no gradient');
    }
  });

  it('a split product starts a helper thread only where the policy says so (here through its override)', () => {
    const p = bigProblem();
    const saved = process.env[HELPER_ENV];
    try {
      useKernelThreads(undefined);
      process.env[HELPER_ENV] = 'off';
      // A fresh kernel asks the policy; its first split product starts the helper if there is to be one.
      useKernel();
      const before = kernelThreadStats().helpersStarted;
      products(p);
      assert.equal(kernelThreadStats().helpersStarted, before, 'off: no helper started');
      process.env[HELPER_ENV] = 'on';
      useKernel();
      products(p);
      assert.equal(kernelThreadStats().helpersStarted, before + 1, 'on: a helper started');
    } finally {
      if (saved === undefined) delete process.env[HELPER_ENV];
      else process.env[HELPER_ENV] = saved;
      useKernel();
    }
  });

  it('a product large enough to split gives the same result whether the helper thread runs its second part or not', async () => {
    const p = bigProblem();
    const { n, wordDim: wd } = p.rows;
    const cd = p.charDim;
    const C = p.nClasses;
    const cp = paddedClasses(C);
    assert.ok(cp * (n * wd + p.rows.charOffsets[n]) >= SPLIT_WORK, 'the problem is split');
    /** spmm, softmax residuals (n x cp entries: split too), spmmT. */
    const step = () => {
      const dim = wd + cd;
      return withKernel((k) => {
        const placed = k.rows(p.rows);
        const table = k.floats(dim * cp);
        const scores = k.floats(n * cp);
        const grad = k.floats(dim * cp);
        const s = softmaxSlots(k, n, cp);
        const spare = k.floats(dim * cp);
        const T = k.f32(table);
        for (let j = 0; j < dim; j++) for (let c = 0; c < C; c++) T[j * cp + c] = p.table[j * C + c];
        k.f32(s.bias).fill(PAD_BIAS).fill(0, 0, C);
        k.f32(s.scale).fill(1);
        k.i32(s.label).forEach((_, i, a) => {
          a[i] = i % C;
        });
        k.f32(s.weight).fill(1 / n);
        k.spmm(placed, table, cp, scores);
        const z = Float32Array.from(k.f32(scores));
        k.softmaxResidual(n, cp, scores, s);
        k.spmmT(placed, scores, cp, grad, spare);
        assert.ok(k.f32(spare).every((v) => v === 0) && k.f32(s.spare).every((v) => v === 0), 'spares are left zeroed');
        return { z, residuals: Float32Array.from(k.f32(scores)), grad: Float32Array.from(k.f32(grad)), gB: Float32Array.from(k.f32(s.gB)) };
      });
    };
    try {
      useKernel();
      useKernelThreads(false);
      const alone = step();
      useKernelThreads(true);
      const before = kernelThreadStats().partsOnHelper;
      // The first step starts the helper. A part the helper has not claimed by the time this thread
      // is done with its own runs here instead (while the helper boots, or on a busy machine), so
      // step until the helper has run some.
      for (let tries = 0; tries < 40 && kernelThreadStats().partsOnHelper === before; tries++) {
        const threaded = step();
        for (const key of ['z', 'residuals', 'grad', 'gB'] as const) assert.deepEqual(threaded[key], alone[key], key);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.ok(kernelThreadStats().partsOnHelper > before, 'the helper thread ran second parts');
      const threaded = step();
      for (const key of ['z', 'residuals', 'grad', 'gB'] as const) assert.deepEqual(threaded[key], alone[key], key);
      // And the split parts are the right rows: the scores and the gradient are the dense products.
      const dim = wd + cd;
      const expectGrad = new Float64Array(dim * cp);
      for (let i = 0; i < n; i++) {
        const x = denseRow(p, i);
        for (let c = 0; c < C; c++) {
          let sc = 0;
          for (let j = 0; j < dim; j++) sc += x[j] * p.table[j * C + c];
          assert.ok(close(alone.z[i * cp + c], sc, Math.abs(sc) + 8), `score ${i},${c}`);
          const r = alone.residuals[i * cp + c];
          if (r !== 0) for (let j = 0; j < dim; j++) expectGrad[j * cp + c] += x[j] * r;
        }
      }
      for (let q = 0; q < expectGrad.length; q++) assert.ok(close(alone.grad[q], expectGrad[q], Math.abs(expectGrad[q])), `grad ${q}`);
    } finally {
      useKernelThreads(undefined);
      useKernel();
    }
  });

  it('the plain-JS products split a large product the same way, and agree with WebAssembly', () => {
    const p = bigProblem();
    try {
      useKernel();
      const wasm = products(p);
      useKernel(jsExec);
      const js = products(p);
      for (const key of ['scores', 'grad'] as const) {
        for (let q = 0; q < js[key].length; q++) {
          assert.ok(close(js[key][q], wasm[key][q], Math.abs(wasm[key][q]) + 8), `${key}[${q}]: js ${js[key][q]}, wasm ${wasm[key][q]}`);
        }
      }
    } finally {
      useKernel();
    }
  });

  it("an error in either part of a split product is thrown where it was called, and the next product runs (the helper's part too)", async () => {
    // A first half ten times the second's: the calling thread is still on its part when the helper
    // takes (and fails on) the second.
    const p = bigProblem(1500);
    const n = p.rows.n;
    // A char index far past the memory: the product traps in the row that has it.
    const broken = (row: number): Problem => {
      const charIndex = Int32Array.from(p.rows.charIndex);
      charIndex[p.rows.charOffsets[row]] = 10_000_000;
      return { ...p, rows: { ...p.rows, charIndex } };
    };
    try {
      useKernel();
      useKernelThreads(true);
      const expected = products(p);
      const before = kernelThreadStats().partsOnHelper;
      for (let tries = 0; tries < 40 && kernelThreadStats().partsOnHelper === before; tries++) {
        products(p);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.ok(kernelThreadStats().partsOnHelper > before, 'the helper is running parts');
      for (const row of [0, n - 1, 0, n - 1]) {
        assert.throws(() => products(broken(row)), WebAssembly.RuntimeError, `row ${row}`);
        assert.deepEqual(products(p), expected, `after the error in row ${row}`);
      }
    } finally {
      useKernelThreads(undefined);
      useKernel();
    }
  });

  it('a scope frees what it allocated, and nested scopes do not overwrite their parent, even when they grow the memory', () => {
    useKernel();
    withKernel((outer) => {
      const a = outer.floats(4);
      outer.f32(a).set([1, 2, 3, 4]);
      let inner = -1;
      withKernel((scope) => {
        // Far past the first 64 KiB page: the memory grows under the outer scope.
        const b = scope.floats(1_000_000);
        inner = b.ptr;
        scope.f32(b).fill(9);
      });
      assert.deepEqual([...outer.f32(a)], [1, 2, 3, 4], 'the outer slot, read through a fresh view');
      // What the inner scope used is handed out again (same place), zeroed.
      const c = outer.floats(1000);
      assert.equal(c.ptr, inner);
      assert.ok(outer.f32(c).every((v) => v === 0));
    });
  });
});
