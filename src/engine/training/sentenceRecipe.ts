// Meta-training the adaptation WITH the sentence block (docs/sentence.md, issue 15): the recipe's
// episodes and validation (recipe.ts), each line carrying its sentence vector, and the block's scale
// a meta-parameter beside the other seven (metaHyper.ts, SENTENCE_THETA_KEYS). It starts from the
// model's own procedure with the block at SENTENCE_WEIGHT, i.e. from `default+sentence@2`, and the
// result is kept only if it validates better than that on classes never trained on.
import path from 'node:path';
import type { AdaptHyper } from '../learners/adaptation';
import { augmentLines, SENTENCE_WEIGHT, SentenceBlockMethod } from '../learners/sentenceBlock';
import { type LoadedModel, SENTENCE_PROCEDURE_VERSION, type SentenceProcedureFile, saveSentenceProcedure } from '../model';
import type { EncodedLines } from '../types';
import { hyperEpisodeFrom } from './metaHyper';
import { HyperLearner } from './hyperLearner';
import { episodeBatches, type RecipeOptions, recipeTasks, runRecord, trainHyper, validationAccuracy } from './recipe';

export interface SentenceRecipeOptions
  extends Pick<
    RecipeOptions,
    | 'dataDir'
    | 'holdoutDomains'
    | 'validationDomains'
    | 'extraTrainFiles'
    | 'steps'
    | 'evalEvery'
    | 'seed'
    | 'outDir'
    | 'resume'
    | 'validationEpisodes'
    | 'onProgress'
    | 'log'
  > {
  /** Sentence vectors of texts (row-major, `dim` wide), e.g. the encoder with a disk cache. */
  sentence: { dim: number; embed: (texts: string[]) => Promise<Float32Array> };
}

/** What the run records in the file beside the chosen procedure. */
interface SentenceTraining extends Record<string, unknown> {
  /** Validation accuracy (0..1) of default+sentence@2 and of the meta-learned procedure. */
  validation: { fixed: number; metaLearned: number };
  metaLearned: { hyper: AdaptHyper; weight: number };
  bestStep: number;
}

/** Runs the recipe on `model` (its encoder, centre and default procedure) and writes `<model.dir>/sentence-procedure.json`. */
export async function runSentenceRecipe(
  model: LoadedModel,
  o: SentenceRecipeOptions,
): Promise<SentenceProcedureFile & { trained: SentenceTraining }> {
  const log = o.log ?? (() => {});
  const { trainDomains, sources, valExamples } = await recipeTasks(o);
  log(`training domains: ${trainDomains.join(', ')}; extra: ${o.extraTrainFiles.join(', ') || 'none'}`);
  // Every text an episode can draw, embedded once up front (the encoder is asynchronous, the loop is not).
  const texts = [...new Set([...sources.flatMap((s) => s.groups.flat()), ...valExamples].flatMap((ex) => [ex.text, ex.label]))];
  const started = performance.now();
  const vectors = await o.sentence.embed(texts);
  log(`sentence vectors of ${texts.length} texts in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const { dim } = o.sentence;
  const row = new Map(texts.map((t, i) => [t, vectors.subarray(i * dim, (i + 1) * dim)]));
  const embed = (batch: string[]) => {
    const out = new Float32Array(batch.length * dim);
    batch.forEach((t, i) => {
      const v = row.get(t);
      if (!v) throw new Error(`internal: no sentence vector for ${JSON.stringify(t)}`);
      out.set(v, i * dim);
    });
    return out;
  };
  const encode = (t: string[]) => model.encoder.encode(t);
  const centre = model.corpusCentre;
  const base = model.config.defaultHyper;
  const sampleBatch = episodeBatches(sources, (e) => hyperEpisodeFrom(e, encode, centre.common, { dim, embed }));

  const layout = { wordDim: model.vectors.dim, sentenceDim: dim };
  const validate = (hyper: AdaptHyper, weight: number, episodes = o.validationEpisodes) =>
    validationAccuracy(
      valExamples,
      new SentenceBlockMethod({ name: 'candidate', hyper, transductive: true, corpusCentre: centre, layout, sentence: weight }),
      (t): EncodedLines => augmentLines(encode(t), embed(t), dim),
      episodes,
    );

  const learner = new HyperLearner(base, SENTENCE_WEIGHT);
  // The procedure's discrete parts and schedules (rounds, the large-set schedule) stay the model's.
  const learned = (): AdaptHyper => ({ ...base, ...learner.hyper() });
  const result = await trainHyper(
    learner,
    sampleBatch,
    () => validate(learned(), learner.sentenceWeight()),
    o,
    'adaptation-hyper-sentence',
  );
  const meta = { hyper: learned(), weight: learner.sentenceWeight() };
  const episodes = o.validationEpisodes * 2;
  const fixedVal = validate(base, SENTENCE_WEIGHT, episodes);
  const metaVal = validate(meta.hyper, meta.weight, episodes);
  log(`validation default+sentence@${SENTENCE_WEIGHT}: ${(100 * fixedVal).toFixed(2)}%`);
  log(`validation meta-learned with the block (weight ${meta.weight.toFixed(3)}): ${(100 * metaVal).toFixed(2)}%`);
  // Kept only where it validated better than the block added to the unchanged procedure.
  const better = metaVal > fixedVal;
  const file: SentenceProcedureFile & { trained: SentenceTraining } = {
    format: 'fewshot-sentence-procedure',
    formatVersion: SENTENCE_PROCEDURE_VERSION,
    source: better ? 'meta-learned' : 'fixed',
    hyper: better ? meta.hyper : base,
    weight: better ? meta.weight : SENTENCE_WEIGHT,
    trained: {
      validation: { fixed: fixedVal, metaLearned: metaVal },
      metaLearned: meta,
      bestStep: result.bestStep,
      ...runRecord(o, trainDomains),
    },
  };
  saveSentenceProcedure(model.dir, file);
  log(`saved ${path.join(model.dir, 'sentence-procedure.json')}: ${file.source} (weight ${file.weight.toFixed(3)})`);
  return file;
}
