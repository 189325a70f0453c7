// The import invariants of ARCHITECTURE.md, checked on the source: the engine has no `vscode` (it
// runs in the worker and the CLI), nothing imports upward (engine, then protocol, then the four
// hosts, which do not import each other), and no import circles anywhere in src/ (type-only imports
// count: a circle of types is still a circle a reader has to untangle).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const SRC = path.join(ROOT, 'src');

/** The rooms of src/ and the rooms each may import from (besides itself). */
const MAY_IMPORT: Record<string, readonly string[]> = {
  engine: [],
  protocol: ['engine'],
  worker: ['engine', 'protocol'],
  cli: ['engine', 'protocol'],
  extension: ['engine', 'protocol'],
  webview: ['engine', 'protocol'],
};

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : /\.ts$/.test(e.name) ? [p] : [];
  });
}

// Static imports and re-exports (`import x from`, `import type {..} from`, `export * from`), dynamic
// `import('..')` and `require('..')`. Comments are stripped first so examples in them do not count.
const IMPORT =
  /\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)|\brequire\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(file: string): string[] {
  const text = fs
    .readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
  const out: string[] = [];
  for (const m of text.matchAll(IMPORT)) out.push((m[1] ?? m[2] ?? m[3] ?? m[4]) as string);
  return out;
}

function resolveLocal(from: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(from), spec);
  return [`${base}.ts`, path.join(base, 'index.ts'), base].find((c) => fs.existsSync(c) && fs.statSync(c).isFile());
}

const room = (file: string) => path.relative(SRC, file).split(path.sep)[0] as string;
const rel = (file: string) => path.relative(ROOT, file);

function graph(): Map<string, { local: string[]; packages: string[] }> {
  const g = new Map<string, { local: string[]; packages: string[] }>();
  for (const file of sourceFiles(SRC)) {
    const local: string[] = [];
    const packages: string[] = [];
    for (const spec of importsOf(file)) {
      if (!spec.startsWith('.')) packages.push(spec);
      else {
        const target = resolveLocal(file, spec);
        assert.ok(target, `${rel(file)} imports ${spec}, which is not a file`);
        if (target.endsWith('.ts')) local.push(target);
      }
    }
    g.set(file, { local, packages });
  }
  return g;
}

/** Strongly connected components of more than one file (Tarjan). */
function circles(g: Map<string, { local: string[] }>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of g.get(v)?.local ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || g.get(v)?.local.includes(v)) found.push(component.map(rel).sort());
    }
  };
  for (const v of g.keys()) if (!index.has(v)) visit(v);
  return found;
}

/** For each root that reaches a file under `forbidden`, the first import path found (breadth first). */
function evaluatorPaths(g: Map<string, { local: string[] }>, roots: string[], forbidden: string): string[] {
  const found: string[] = [];
  for (const root of roots) {
    const via = new Map<string, string[]>([[root, [root]]]);
    const queue = [root];
    for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
      const trail = via.get(file) ?? [];
      const hit = (g.get(file)?.local ?? []).find((t) => t.startsWith(forbidden));
      if (hit) {
        found.push([...trail, hit].map(rel).join(' -> '));
        break;
      }
      for (const next of g.get(file)?.local ?? []) {
        if (!via.has(next) && !next.startsWith(forbidden)) {
          via.set(next, [...trail, next]);
          queue.push(next);
        }
      }
    }
  }
  return found;
}

describe('architecture: the import invariants', () => {
  const g = graph();

  it('reads every room of src/ and finds the imports (the scanner itself works)', () => {
    assert.deepEqual([...new Set([...g.keys()].map(room))].sort(), Object.keys(MAY_IMPORT).sort());
    const engineFacade = g.get(path.join(SRC, 'engine/engine.ts'));
    assert.ok(engineFacade?.local.some((f) => f.endsWith(path.join('engine', 'types.ts'))));
    assert.ok(g.get(path.join(SRC, 'extension/extension.ts'))?.packages.includes('vscode'));
    // A planted circle is found (the circle check below cannot pass vacuously).
    const a = path.join(SRC, 'engine/a.ts');
    const b = path.join(SRC, 'engine/b.ts');
    assert.deepEqual(
      circles(
        new Map([
          [a, { local: [b] }],
          [b, { local: [a] }],
        ]),
      ),
      [[rel(a), rel(b)]],
    );
  });

  it('only the extension imports vscode', () => {
    const offenders = [...g].filter(([f, { packages }]) => room(f) !== 'extension' && packages.includes('vscode')).map(([f]) => rel(f));
    assert.deepEqual(offenders, []);
  });

  it('nothing imports upward: engine <- protocol <- worker, cli, extension, webview (which do not import each other)', () => {
    const offenders: string[] = [];
    for (const [file, { local }] of g) {
      const from = room(file);
      for (const target of local) {
        const to = room(target);
        if (to !== from && !(MAY_IMPORT[from] ?? []).includes(to)) offenders.push(`${rel(file)} -> ${rel(target)}`);
      }
    }
    assert.deepEqual(offenders, []);
  });

  // The evaluator (engine/eval/) measures the facade and the learners; they must not need it to
  // run (the worker would carry the episode sampler, the tables and the baselines for nothing).
  it('the engine facade and the learners never import the evaluator (engine/eval/), even through other files', () => {
    const evaluator = path.join(SRC, 'engine', 'eval') + path.sep;
    const learners = path.join(SRC, 'engine', 'learners') + path.sep;
    const roots = [...g.keys()].filter((f) => f === path.join(SRC, 'engine/engine.ts') || f.startsWith(learners));
    assert.ok(roots.length > 1, 'the facade and the learners are found');
    assert.deepEqual(evaluatorPaths(g, roots, evaluator), []);
    // The check sees a path through an intermediate file (it cannot pass vacuously).
    const facade = path.join(SRC, 'engine/engine.ts');
    const middle = path.join(SRC, 'engine/middle.ts');
    const planted = new Map([
      [facade, { local: [middle] }],
      [middle, { local: [path.join(evaluator, 'stats.ts')] }],
    ]);
    assert.deepEqual(evaluatorPaths(planted, [facade], evaluator), [
      'src/engine/engine.ts -> src/engine/middle.ts -> src/engine/eval/stats.ts',
    ]);
  });

  it('has no import circles', () => {
    assert.deepEqual(circles(g), []);
  });
});
