// Method names on the command line -> methods the evaluator can run: the engine's methods
// (through the facade) and the `natural` peers.
import type { EngineApi } from '../engine/engine';
import type { Example, FewShotMethod } from '../engine/types';
import { PEER_METHODS } from '../engine/eval/peers';
import type { EvalMethod, TextMethod } from '../engine/eval/methods';
import { UsageError, suggest } from './args';

export const PEER_NAMES = Object.keys(PEER_METHODS);

/** The facade may also hand out encoded-level methods; used when present (faster: shared encoding cache). */
type EngineWithMethods = EngineApi & { method?(name: string): FewShotMethod | undefined };

export const isPeer = (name: string) => PEER_NAMES.includes(name);

/** The engine's name for `default`. */
export function canonicalMethod(engine: EngineApi, name: string): string {
  return name === 'default' ? engine.info().defaultMethod : name;
}

/** A method counts as transductive when the engine also offers its `<name>-inductive` variant. */
export function isTransductive(engine: EngineApi, name: string): boolean {
  return engine.methods().includes(`${canonicalMethod(engine, name)}-inductive`);
}

/** Checks names and adds `<name>-inductive` right after each transductive method that has one. */
export function expandMethodNames(names: readonly string[], engine: EngineApi | undefined): string[] {
  // The engine's registry may name `default` itself: list each name once.
  const available = [...new Set([...(engine ? ['default', ...engine.methods()] : []), ...PEER_NAMES])];
  const out: string[] = [];
  for (const name of names) {
    // Grid variants (`default@P:W`) are built on request, not listed.
    if (!available.includes(name) && !(engine as EngineWithMethods | undefined)?.method?.(name)) {
      const hint = engine ? '' : ' (engine methods need the engine to be loaded)';
      throw new UsageError(`unknown method "${name}"${suggest(name, available, '')}; available: ${available.join(', ')}${hint}`);
    }
    if (!out.includes(name)) out.push(name);
    if (engine && !isPeer(name) && isTransductive(engine, name)) {
      const inductive = `${canonicalMethod(engine, name)}-inductive`;
      if (!names.includes(inductive) && !out.includes(inductive)) out.push(inductive);
    }
  }
  return out;
}

export function resolveMethods(engine: EngineApi | undefined, names: readonly string[]): EvalMethod[] {
  return expandMethodNames(names, engine).map((name) => {
    const peer = PEER_METHODS[name];
    if (peer) return peer();
    const e = engine as EngineWithMethods;
    const direct = typeof e.method === 'function' ? e.method(canonicalMethod(e, name)) : undefined;
    if (direct) return name === direct.name ? direct : { ...bindMethod(direct), name };
    return engineTextMethod(e, name);
  });
}

function bindMethod(m: FewShotMethod): FewShotMethod {
  return { name: m.name, transductive: m.transductive, adapt: m.adapt.bind(m) };
}

/** Runs an engine method through `engine.adapt` on texts; class ids travel as label names "0".."n-1". */
export function engineTextMethod(engine: EngineApi, name: string): TextMethod {
  return {
    name,
    transductive: isTransductive(engine, name),
    adaptText(texts, labels, _nClasses, pool) {
      const support: Example[] = texts.map((text, i) => ({ text, label: String(labels[i]) }));
      const model = engine.adapt(support, { method: name, ...(pool ? { pool } : {}) });
      // The model's label order is its own; map its indices back to the episode's class ids.
      const classOf = Int32Array.from(model.labels, (label) => Number.parseInt(label, 10));
      return (queries) => Int32Array.from(model.classify(queries).labelIndex, (i) => classOf[i] ?? -1);
    },
  };
}
