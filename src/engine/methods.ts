// The methods the engine offers, by name. `default` is the shipped procedure; every transductive
// method has a `<name>-inductive` twin so reports can show what the unlabeled lines add.
import type { FewShotMethod } from './types';
import { HAND_SET, LogregMethod, PrototypeMethod } from './learners/adaptation';
import type { LoadedModel } from './model';
import { loadMamlMethods } from './learners/mamlMethod';

export function buildMethods(model: LoadedModel): Map<string, FewShotMethod> {
  const centre = model.corpusCentre;
  const shipped = model.config.defaultHyper;
  const methods: FewShotMethod[] = [
    new LogregMethod('default', shipped, true, centre),
    new LogregMethod('default-inductive', { ...shipped, rounds: [] }, false, centre),
    // The hand-set procedure of notes/fewshot-findings.md: the ablation baseline for `default`
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
