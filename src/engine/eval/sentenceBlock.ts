// The sentence-block ablation's methods by name, for `fewshot eval --sentence` (docs/sentence.md).
// The methods themselves live in the engine (learners/sentenceBlock.ts): one implementation.
import { LogregMethod } from '../learners/adaptation';
import type { Centre } from '../learners/featureView';
import { SentenceBlockMethod, type SentenceLayout } from '../learners/sentenceBlock';
import type { FewShotMethod } from '../types';
import { procedureHyper, type SentenceProcedure } from '../model';
import type { MultiLabelHyper } from '../learners/multiLabel';
import { type MultiLabelMethod, sentenceMultiLabelMethod } from '../learners/multiLabelMethods';

/**
 * The ablation's methods by name: `sentence-logreg` (the sentence block alone), `both-logreg` or
 * `both-logreg@W` (today's blocks and the sentence block at W times the word block's scale, W = 1
 * by default), `default+sentence@W` (the shipped transductive procedure with the sentence block at W),
 * `default+sentence` (the model's procedure with the block, `procedure`: meta-learned with it).
 * The regressions use the hyper-parameters of the engine's `logreg`, the last that of `default`.
 */
export function sentenceMethod(
  name: string,
  engineMethod: (name: string) => FewShotMethod | undefined,
  corpusCentre: Centre,
  layout: SentenceLayout,
  procedure?: SentenceProcedure,
): FewShotMethod | undefined {
  const match = /^(sentence-logreg|both-logreg|default\+sentence)(?:@([0-9]*\.?[0-9]+))?$/.exec(name);
  if (!match) return undefined;
  const [, kind, weight] = match;
  if (kind === 'sentence-logreg' && weight !== undefined) throw new Error(`${name}: the sentence block alone takes no weight`);
  const base = engineMethod(kind === 'default+sentence' ? 'default' : 'logreg');
  const hyper = base instanceof LogregMethod ? base.hyper : undefined;
  if (!hyper) throw new Error(`${name}: the engine has no ${kind === 'default+sentence' ? 'default' : 'logreg'} regression to build on`);
  if (kind === 'default+sentence' && weight === undefined) {
    if (!procedure)
      throw new Error(
        `${name}: the model has no procedure with the sentence block (fewshot meta-train --sentence); give the block's weight, e.g. default+sentence@1`,
      );
    return new SentenceBlockMethod({
      name,
      hyper: procedureHyper(procedure, hyper),
      transductive: true,
      corpusCentre,
      layout,
      sentence: procedure.weight,
    });
  }
  return new SentenceBlockMethod({
    name,
    hyper,
    transductive: kind === 'default+sentence',
    corpusCentre,
    layout,
    sentence: kind === 'sentence-logreg' ? 'alone' : Number(weight ?? 1),
  });
}

/**
 * The multi-label method with the sentence block by name: `default+sentence@W` (the engine's
 * multi-label `default`, learners/multiLabelMethods.ts, with the block at W); undefined for other names.
 */
export function sentenceMultiLabelMethodNamed(
  name: string,
  corpusCentre: Centre,
  hp: MultiLabelHyper,
  layout: SentenceLayout,
): MultiLabelMethod | undefined {
  const match = /^default\+sentence(?:@([0-9]*\.?[0-9]+))?$/.exec(name);
  if (!match) return undefined;
  if (match[1] === undefined) throw new Error(`${name}: give the sentence block's weight, e.g. default+sentence@1`);
  return sentenceMultiLabelMethod(name, corpusCentre, hp, layout, Number(match[1]));
}
