// The methods the engine offers, by name. `default` is the shipped procedure; every transductive
// method has a `<name>-inductive` twin so reports can show what the unlabeled lines add.
import type { FewShotMethod } from './types';
import { CHAR_IDF_POWER, HAND_SET, LARGE_SCHEDULE, LogregMethod, PrototypeMethod } from './learners/adaptation';
import type { LoadedModel } from './model';
import { loadMamlMethods } from './learners/mamlMethod';
import { IDEOGRAPH_BLOCK, IdeographMethod, type IdeographBlockOptions } from './learners/ideographBlock';

export function buildMethods(model: LoadedModel): Map<string, FewShotMethod> {
  const centre = model.corpusCentre;
  const shipped = model.config.defaultHyper;
  const methods: FewShotMethod[] = [
    // Large labeled sets (the primal regime) switch to LARGE_SCHEDULE: docs/accuracy.md, many-way.
    // On a document with Han or kana the regression also sees the ideograph block (characters and
    // rhythm; learners/ideographBlock.ts, docs/accuracy.md "Chinese"); on any other it is the plain
    // regression, line for line.
    new IdeographMethod('default', { ...shipped, large: LARGE_SCHEDULE }, true, centre, IDEOGRAPH_BLOCK),
    new IdeographMethod('default-inductive', { ...shipped, rounds: [], large: LARGE_SCHEDULE }, false, centre, IDEOGRAPH_BLOCK),
    // The ablation of the ideograph block: the default as it is on every script without it.
    new LogregMethod('default-plain', { ...shipped, large: LARGE_SCHEDULE }, true, centre),
    new LogregMethod('default-plain-inductive', { ...shipped, rounds: [], large: LARGE_SCHEDULE }, false, centre),
    // The char block weighted by IDF over the lines the adaptation sees (charWeighting.ts), at the
    // power chosen on validation classes and at plain IDF (power 1); not the default: neither
    // gained on Chinese (docs/accuracy.md, "Weighting the char block by document frequency").
    new LogregMethod('default-idf', { ...shipped, charIdf: CHAR_IDF_POWER, large: LARGE_SCHEDULE }, true, centre),
    new LogregMethod('default-idf1', { ...shipped, charIdf: 1, large: LARGE_SCHEDULE }, true, centre),
    // Ablation: the meta-learned procedure at every size (each round refits from zero).
    new LogregMethod('default-refit', shipped, true, centre),
    // The hand-set procedure of docs/findings.md: the ablation baseline for `default`
    // (its inductive twin is `logreg`).
    new LogregMethod('selftrain', HAND_SET, true, centre),
    // The plain baseline: the support lines alone, no names, no pool.
    new LogregMethod('logreg', { ...HAND_SET, rounds: [], nameWeight: 0 }, false, centre),
    new PrototypeMethod('protonet', centre),
    // maml, fomaml, metasgd, protomaml: each registered when <model>/maml/<kind>/ exists.
    ...loadMamlMethods(model.dir, {
      vectorsSha256: model.vectors.sha256,
      sifSha256: model.sifSha256,
      wordDim: model.vectors.dim,
      charDim: model.encoder.options.charBuckets,
    }),
  ];
  return new Map(methods.map((m) => [m.name, m]));
}

/**
 * `default@P:W`: `default` with the ideograph block's IDF power P and weight W, for the grid that
 * chose IDEOGRAPH_BLOCK (docs/accuracy.md); undefined for any other name.
 */
export function ideographVariant(name: string, methods: ReadonlyMap<string, FewShotMethod>): FewShotMethod | undefined {
  const match = /^default(-inductive)?@([0-9]*\.?[0-9]+):([0-9]*\.?[0-9]+)$/.exec(name);
  const base = match && methods.get(`default${match[1] ?? ''}`);
  if (!match || !(base instanceof IdeographMethod)) return undefined;
  const block: IdeographBlockOptions = { power: Number(match[2]), weight: Number(match[3]) };
  return base.with(name, block);
}
