// The engine's facade: what the worker, the CLI and the benchmarks call.
import { englishOf, type MessageTemplate, said, TemplateError } from './messageTemplate';
import path from 'node:path';
import type { Classifier, Example, EncodedLines, FewShotMethod, LinearHead, LineSummaries } from './types';
import { type LoadedModel, loadModel, procedureHyper, type SentenceProcedure } from './model';
import { buildMethods, ideographVariant } from './methods';
import { selectBackend, type BackendChoice } from './tf/backend';
import { argmaxRow, normalisedEntropy, summarizeProbs } from './learners/probs';
import { samplePool } from './pool';
import { isUsableExample, supportProblem } from './support';
import { packageRootFrom } from './packageRoot';
import { Abstainer, type AbstentionRules } from './abstention/abstainer';
import { calibratedThreshold, heldOutLogits, type Refit } from './abstention/calibrate';
import { type Centre, selectRows } from './learners/featureView';
import { isNoneLabel, NONE_LABEL } from './labels/none';
import { abstentionApplies, type AbstentionMode, calibrationApplies, fewestShots } from './abstention/mode';
import { Evidence, temperRow } from './features/evidence';
import {
  adaptLabelSets,
  type CheckedLabelSets,
  labelSetsModel,
  labelSetsPool,
  checkLabelSets,
  type MultiLabelAdaptOptions,
  type MultiLabelExample,
  multiLabelHyper,
  type MultiLabelModel,
} from './multiLabel';
import { type AnyMultiLabelMethod, multiLabelMethods, sentenceMultiLabelMethod } from './learners/multiLabelMethods';
import { splitsByLabel } from './learners/multiLabelClauses';
import { LogregMethod } from './learners/adaptation';
import { augmentLinesWith, SENTENCE_WEIGHT, SentenceBlockMethod } from './learners/sentenceBlock';
import { IdeographMethod, ideographsFirst } from './learners/ideographBlock';

export type { BackendChoice };

export interface EngineOptions {
  /** Folder with the checkpoint (manifest.json + weights) and vectors.bin; defaults to the shipped `models/`. */
  modelDir?: string;
  backend?: BackendChoice;
  /** Lines the encoder caches (cost per line: EncoderOptions.cacheSize); default DEFAULT_CACHE_LINES. */
  cacheSize?: number;
  /** Receives human-readable progress and fallback messages. */
  log?: (message: string) => void;
}

export interface LinePrediction {
  /** A label of the support set, or NONE_LABEL ('none') for a line that fits no label. */
  label: string;
  confidence: number;
  uncertainty: number;
}

export interface EngineInfo {
  backend: string;
  backendNote?: string;
  model: string;
  modelHash: string;
  vocabulary: number;
  defaultMethod: string;
  methods: string[];
  loadMs: number;
}

/**
 * Predictions for a batch of lines, in the one form that crosses the worker boundary: per line the
 * index of its label in `AdaptedModel.labels`, the probability of that label and the normalised
 * entropy (0 sure .. 1 uniform).
 */
export interface Predictions {
  labelIndex: Int32Array;
  confidence: Float32Array;
  uncertainty: Float32Array;
  /**
   * P(out of scope) per line, from the model's abstention rule (absent when it has none or it is
   * turned off). Lines at or above the rule's threshold are predicted NONE_LABEL, with this as
   * their confidence.
   */
  outOfScope?: Float32Array;
}

/**
 * What an adaptation leaves for the next one of the same document (warm start). Opaque to callers:
 * they keep it per document and hand it back; it is dropped when the document closes.
 */
export interface WarmState {
  readonly method: string;
  readonly labels: readonly string[];
  readonly head: LinearHead;
}

/** A classifier adapted to one support set; reusable over many batches of lines (streaming). */
export interface AdaptedModel {
  /**
   * The support's labels (sorted); when the model may abstain and no line is labeled `none`,
   * NONE_LABEL follows them, so that every `labelIndex` names a label.
   */
  labels: string[];
  method: string;
  /** Time adapt took, encoding included. */
  adaptMs: number;
  /** Part of adaptMs spent encoding the support, the label names and the pool. */
  encodeMs: number;
  /** Whether the adaptation started from a previous solution. */
  warm: boolean;
  /** Set when the labeled set was beyond the time budget and the adaptation did less (the message says what). */
  note?: string;
  /** `note` as its template (ADAPTATION_NOTES) and parameters, to translate. */
  noteTemplate?: MessageTemplate;
  /** For the next adaptation of the same document (absent for methods without a linear head). */
  state?: WarmState;
  /** Typed predictions of a batch of lines. */
  classify(lines: string[]): Predictions;
  /**
   * `classify` of lines already encoded by `EngineApi.encode(lines)`: several adaptations (one per
   * task) classify the same lines from one encoding (Classify Workspace covers every task).
   */
  classifyEncoded?(lines: string[], encoded: EncodedLines): Predictions;
}

/** Predictions with label names, one object per line (for the CLI's printing). */
export function namedPredictions(model: AdaptedModel, lines: string[]): LinePrediction[] {
  const p = model.classify(lines);
  return lines.map((_, i) => ({ label: model.labels[p.labelIndex[i]], confidence: p.confidence[i], uncertainty: p.uncertainty[i] }));
}

export interface AdaptOptions {
  /** Method name from `Engine.methods()`; `default` when omitted. */
  method?: string;
  /** Unlabeled lines of the document, used by transductive methods. */
  pool?: string[];
  /** Let methods use the label names as examples (default true). */
  useLabelNames?: boolean;
  /** The previous adaptation's state for the same document: the fit starts from it. */
  warm?: WarmState;
  /** Polled between gradient steps; true stops the adaptation early (a cancelled request). */
  shouldStop?: () => boolean;
  /**
   * Predict `none` for lines unlike every label, by the model's abstention rule: `on`, `off`, or
   * `auto` (only where it was measured to keep most in-scope lines; src/engine/abstention/mode.ts
   * decides). Default `off`: the extension and the CLI pass the user's choice. Lines labeled `none`
   * are a class either way.
   */
  abstain?: AbstentionMode;
  /**
   * Raise the rule's threshold for this document from its labeled lines, each scored held out
   * (src/engine/abstention/calibrate.ts; costs a few more adaptations). Default: under `auto` only
   * (mode.ts, calibrationApplies).
   */
  calibrateAbstention?: boolean;
  /**
   * Refine with the sentence block (docs/sentence.md): the method `<method>+sentence@2` adapts on
   * today's features plus each line's sentence vector. Every line involved (support, label names,
   * pool, and every line classified) must have its vector: a missing one is an EngineInputError,
   * never a zero vector.
   */
  sentence?: SentenceVectors;
  /** The sentence block's scale relative to the word block's (default SENTENCE_WEIGHT; 0 is today's method). */
  sentenceWeight?: number;
}

/** Sentence vectors by line text (the worker fills it in the background). */
export interface SentenceVectors {
  readonly dim: number;
  /** The line's vector (unit length), or undefined when it has none yet. */
  get(text: string): Float32Array | undefined;
}

/** The name of a method refined with the sentence block; it keeps its warm states apart from the method's. */
export function sentenceMethodName(method: string, weight = SENTENCE_WEIGHT): string {
  return `${method}+sentence@${weight}`;
}

/**
 * The multi-label sentence block's scale relative to the word block's: chosen on SNIPS validation
 * (docs/multilabel.md, "With the sentence block"; the single-label weight, 2, reads a line of three
 * intents as one thing).
 */
export const MULTI_LABEL_SENTENCE_WEIGHT = 1;

/** A multi-label adaptation's options at the facade: the engine's own, and the sentence block. */
export interface MultiLabelOptions extends MultiLabelAdaptOptions {
  /**
   * Refine with the sentence block (`default+sentence@W`, learners/multiLabelMethods.ts): every
   * labeled line, label name, pool line and classified line must have its vector (a missing one is
   * an EngineInputError, never a zero vector).
   */
  sentence?: SentenceVectors;
  /** The block's scale (default MULTI_LABEL_SENTENCE_WEIGHT; 0 gives the sets without it). */
  sentenceWeight?: number;
}

export interface EngineApi {
  info(): EngineInfo;
  methods(): string[];
  encode(texts: string[]): EncodedLines;
  /** The encoded-level method behind a name (for the evaluator), or undefined. */
  method(name: string): FewShotMethod | undefined;
  /** Throws `EngineInputError` for unusable support sets (empty, a single label). */
  adapt(support: Example[], options?: AdaptOptions): AdaptedModel;
  /** Multi-label tasks: lines carry sets of labels (src/engine/multiLabel.ts). Throws `EngineInputError` for unusable sets. */
  adaptMultiLabel?(support: MultiLabelExample[], options?: MultiLabelOptions): MultiLabelModel;
  /** The multi-label methods by name (for the evaluator): `default` is adaptMultiLabel's. */
  multiLabelMethods?(): Map<string, AnyMultiLabelMethod>;
  /** Whether adaptMultiLabel's `sentence` option would change these sets (absent: it would). */
  refinesLabelSets?(support: MultiLabelExample[]): boolean;
  /** The model's abstention rules (when fitted) and the corpus centre they re-centre on without a pool. */
  abstention?(): { rules?: AbstentionRules; centre: Centre };
  /** The model's procedure with the sentence block (sentence-procedure.json), when it has one. */
  sentenceProcedure?(): SentenceProcedure | undefined;
  dispose(): void;
}

/**
 * What the engine refuses, in English with `{0}` placeholders: the key of its translation in the
 * extension's l10n bundle (the worker sends the template with the error; see docs/l10n.md).
 */
export const ENGINE_INPUT_ERRORS = {
  unknownMethod: "unknown method '{0}' (available: {1})",
  encodedLines: '{0} encoded lines for {1} lines',
  noSentenceBlock: "method '{0}' cannot take the sentence block (only regressions can)",
  noSentenceVector: '{0} of {1} lines have no sentence vector yet',
} as const;

/** Bad input the user can fix (a message, or a template of ENGINE_INPUT_ERRORS); the CLI prints the message without a stack trace. */
export class EngineInputError extends TemplateError {
  override name = 'EngineInputError';
}

export class Engine implements EngineApi {
  private constructor(
    private readonly model: LoadedModel,
    private readonly registry: Map<string, FewShotMethod>,
    private readonly backend: { name: string; note?: string },
    private readonly loadMs: number,
  ) {}

  static async load(options: EngineOptions = {}): Promise<Engine> {
    const started = performance.now();
    const log = options.log ?? (() => {});
    const modelDir = options.modelDir ?? path.join(packageRootFrom(__dirname), 'models');
    const model = loadModel(modelDir, { cacheSize: options.cacheSize });
    const backend = await selectBackend(options.backend ?? 'auto', log);
    const registry = buildMethods(model);
    const engine = new Engine(model, registry, backend, performance.now() - started);
    log(
      `engine ready: backend ${backend.name}, ${model.vectors.size} words, default ${model.config.defaultSource} ` +
        `(${engine.loadMs.toFixed(0)} ms)`,
    );
    return engine;
  }

  info(): EngineInfo {
    return {
      backend: this.backend.name,
      backendNote: this.backend.note,
      model: this.model.dir,
      modelHash: this.model.hash,
      vocabulary: this.model.vectors.size,
      defaultMethod: 'default',
      methods: this.methods(),
      loadMs: this.loadMs,
    };
  }

  methods(): string[] {
    return [...this.registry.keys()];
  }

  method(name: string): FewShotMethod | undefined {
    return this.registry.get(name) ?? ideographVariant(name, this.registry);
  }

  encode(texts: string[]): EncodedLines {
    return this.model.encoder.encode(texts);
  }

  abstention(): { rules?: AbstentionRules; centre: Centre } {
    return { rules: this.model.abstention, centre: this.model.corpusCentre };
  }

  sentenceProcedure(): SentenceProcedure | undefined {
    return this.model.sentenceProcedure;
  }

  adapt(support: Example[], options: AdaptOptions = {}): AdaptedModel {
    const started = performance.now();
    const base = options.method ?? 'default';
    const sentence = options.sentence;
    // `default` refines with the model's own procedure with the block (meta-learned with it, when
    // that validated better) unless a weight is asked for.
    const procedure = sentence && base === 'default' && options.sentenceWeight === undefined ? this.model.sentenceProcedure : undefined;
    const weight = options.sentenceWeight ?? procedure?.weight ?? SENTENCE_WEIGHT;
    const name = sentence ? sentenceMethodName(base, weight) : base;
    const method = sentence ? this.sentenceMethod(base, sentence.dim, weight, procedure) : this.registry.get(name);
    if (!method) throw new EngineInputError(said(ENGINE_INPUT_ERRORS.unknownMethod, name, this.methods().join(', ')));
    const { labels, ids, texts } = checkSupport(support);
    const encodeStarted = performance.now();
    // Today's lines, and with the sentence block the same lines augmented with their vectors.
    const withSentence = (lines: EncodedLines, t: readonly string[]) =>
      sentence ? augmentLinesWith(lines, sentenceVectorsOf(sentence, t), sentence.dim) : lines;
    const today = method.transductive ? this.encodePool(options.pool) : undefined;
    const pool = today && { ...today, nonEmpty: withSentence(today.nonEmpty, today.texts) };
    const todaySupport = this.encode(texts);
    const supportLines = withSentence(todaySupport, texts);
    // `none` is a background class: its lines train the model, its name is no example of anything
    // (an empty name encodes to nothing, and methods skip such names).
    const nameTexts = labels.map((l) => (isNoneLabel(l) ? '' : l));
    const names = options.useLabelNames === false ? undefined : withSentence(this.encode(nameTexts), nameTexts);
    const encodeMs = performance.now() - encodeStarted;
    const warm = options.warm && options.warm.method === name ? warmStart(options.warm, labels) : undefined;
    const classifier = method.adapt(supportLines, ids, labels.length, pool?.nonEmpty, names, {
      ...(warm ? { warm } : {}),
      ...(options.shouldStop ? { shouldStop: options.shouldStop } : {}),
    });
    // Lines the adaptation trained on as pseudo-labels: their confidence comes from before that.
    const heldOut = new Map<string, Float32Array>();
    for (const [row, p] of classifier.heldOut ?? []) if (pool) heldOut.set(pool.textOf(row), p);
    // The same adaptation on part of the labeled lines, for the threshold calibrated per document; a
    // cancelled request stops these refits too. With the block, the adaptation above transformed its
    // rows in place: each refit builds its own from today's rows (augmentLinesWith allocates).
    const rowsOf = (idx: Int32Array) =>
      withSentence(
        selectRows(todaySupport, idx),
        Array.from(idx, (i) => texts[i]!),
      );
    const refitPool = () => (sentence && today ? withSentence(today.nonEmpty, today.texts) : pool?.nonEmpty);
    const refitNames = () => (sentence && names ? withSentence(this.encode(nameTexts), nameTexts) : names);
    const refit: Refit | undefined = calibrationApplies(options.abstain ?? 'off', options.calibrateAbstention, fewestShots(labels, ids))
      ? (keep, held) => {
          const refitted = method.adapt(
            rowsOf(keep),
            Int32Array.from(keep, (i) => ids[i]!),
            labels.length,
            refitPool(),
            refitNames(),
            options.shouldStop ? { shouldStop: options.shouldStop } : {},
          );
          return { classifier: refitted, heldProbs: refitted.predictProbs(rowsOf(held)) };
        }
      : undefined;
    // The abstention rule was fitted without the block: it reads today's lines (and the classifier's
    // probabilities, always handed to it below).
    const abstention = this.abstainer(options, classifier, todaySupport, ids, labels, today?.nonEmpty, refit);
    // Lines the model has little to go on for (no known word, few tokens shared with the labeled
    // lines: e.g. a script the word vectors lack) get their confidence tempered towards 1 / labels.
    const evidence = new Evidence(this.model.vectors, [...texts, ...labels]);
    const adaptMs = performance.now() - started;
    const encode = (t: string[]) => withSentence(this.encode(t), t);
    const C = labels.length;
    const classifyEncoded = (lines: string[], todayLines: EncodedLines): Predictions => {
      const out: Predictions = {
        labelIndex: new Int32Array(lines.length),
        confidence: new Float32Array(lines.length),
        uncertainty: new Float32Array(lines.length),
      };
      if (lines.length === 0) return out;
      if (todayLines.n !== lines.length)
        throw new EngineInputError(said(ENGINE_INPUT_ERRORS.encodedLines, String(todayLines.n), String(lines.length)));
      const encoded = withSentence(todayLines, lines);
      // The abstention rule reads the probabilities; otherwise the classifier's summary is enough.
      let summary: LineSummaries;
      if (!abstention && classifier.predictSummary) summary = classifier.predictSummary(encoded);
      else {
        const probs = classifier.predictProbs(encoded);
        summary = summarizeProbs(probs, C);
        if (abstention) out.outOfScope = abstention.abstainer.outOfScope(todayLines, probs);
      }
      for (let i = 0; i < lines.length; i++) {
        let best = summary.best[i];
        let confidence = summary.confidence[i];
        let uncertainty = summary.uncertainty[i];
        // Never hand out NaN: a degenerate row becomes "no idea" (as if every label were as likely).
        if (best < 0 || !Number.isFinite(confidence) || !Number.isFinite(uncertainty)) {
          best = 0;
          confidence = 1 / C;
          uncertainty = 1;
        }
        const before = heldOut.get(lines[i]);
        out.labelIndex[i] = best;
        if (before && argmaxRow(before, 0, C) === best) {
          out.confidence[i] = before[best];
          out.uncertainty[i] = normalisedEntropy(before, 0, C);
        } else {
          out.confidence[i] = confidence;
          out.uncertainty[i] = uncertainty;
        }
        // Unlike every label: "no label", as sure as the rule is.
        const pOos = out.outOfScope?.[i] ?? 0;
        if (abstention && best !== abstention.none && abstention.abstainer.abstains(pOos)) {
          out.labelIndex[i] = abstention.none;
          out.confidence[i] = pOos;
        }
      }
      temperWeakLines(lines, out, evidence, abstention?.none, (weak) => classifier.predictProbs(encode(weak)), C);
      return out;
    };
    return {
      classifyEncoded,
      labels: abstention && abstention.none === C ? [...labels, NONE_LABEL] : labels,
      method: name,
      adaptMs,
      encodeMs,
      warm: warm !== undefined,
      ...(classifier.plan?.note ? { note: classifier.plan.note } : {}),
      ...(classifier.plan?.noteTemplate ? { noteTemplate: classifier.plan.noteTemplate } : {}),
      ...(classifier.head ? { state: { method: name, labels, head: classifier.head } } : {}),
      classify: (lines) => classifyEncoded(lines, this.encode(lines)),
    };
  }

  /**
   * Whether the sentence block would change a multi-label task's sets: not when its lines are read
   * clause by clause (adaptMultiLabel then keeps that model), so the worker does not embed the
   * document for nothing nor call the same sets refined.
   */
  refinesLabelSets(support: MultiLabelExample[]): boolean {
    const checked = checkLabelSets(support);
    return !('problem' in checked) && !splitsByLabel(checked.texts, checked.sets);
  }

  adaptMultiLabel(support: MultiLabelExample[], options: MultiLabelOptions = {}): MultiLabelModel {
    const checked = checkLabelSets(support);
    if ('problem' in checked) throw new EngineInputError(checked.problem);
    // Lines read clause by clause keep that model when refining: the sentence vectors are the whole
    // lines', and the clause model scored 92.0 micro-F1 on SNIPS against 84.6 for whole lines with the
    // block (docs/multilabel.md). Whole-line sets are refined with the block.
    if (options.sentence && !splitsByLabel(checked.texts, checked.sets))
      return this.adaptSetsWithSentence(checked, options.sentence, options);
    const context = { encode: (t: string[]) => this.encode(t), hyper: this.model.config.defaultHyper, centre: this.model.corpusCentre };
    return adaptLabelSets(context, checked, options);
  }

  /** `default+sentence@W` on the checked lines: today's features with each line's sentence vector beside them. */
  private adaptSetsWithSentence(checked: CheckedLabelSets, sentence: SentenceVectors, options: MultiLabelOptions): MultiLabelModel {
    const started = performance.now();
    const weight = options.sentenceWeight ?? MULTI_LABEL_SENTENCE_WEIGHT;
    const layout = { wordDim: this.model.vectors.dim, sentenceDim: sentence.dim };
    const hp = multiLabelHyper(this.model.config.defaultHyper);
    const method = sentenceMultiLabelMethod(sentenceMethodName('default', weight), this.model.corpusCentre, hp, layout, weight);
    const encode = (texts: string[]) => augmentLinesWith(this.encode(texts), sentenceVectorsOf(sentence, texts), sentence.dim);
    // The pool as the method without the block samples it (multiLabel.ts adaptLabelSets).
    const pool = labelSetsPool(options.pool);
    const { labels, texts, sets } = checked;
    const model = method.adapt(
      encode(texts),
      sets,
      pool.length > 0 ? encode(pool) : undefined,
      options.useLabelNames === false ? undefined : encode(labels),
    );
    return labelSetsModel(checked, started, { thresholds: model.thresholds, predictSets: (lines) => model.predictSets(encode(lines)) });
  }

  multiLabelMethods(): Map<string, AnyMultiLabelMethod> {
    return multiLabelMethods(this.model.corpusCentre, multiLabelHyper(this.model.config.defaultHyper));
  }

  /**
   * The model's abstention rule bound to this adaptation, and the index its `none` predictions get
   * (the `none` class when the support has one, else one past the classes); undefined when off.
   */
  private abstainer(
    options: AdaptOptions,
    classifier: Classifier,
    support: EncodedLines,
    supportLabels: Int32Array,
    labels: string[],
    pool: EncodedLines | undefined,
    refit?: Refit,
  ): { abstainer: Abstainer; none: number } | undefined {
    const applies = abstentionApplies(options.abstain ?? 'off', { labels, supportLabels, pooled: pool !== undefined });
    const rule = applies ? this.model.abstention?.learned : undefined;
    if (!rule) return undefined;
    const background = labels.indexOf(NONE_LABEL);
    const input = { classifier, support, supportLabels, nClasses: labels.length, pool, ...(background >= 0 ? { background } : {}) };
    const centre = this.model.corpusCentre;
    const calibrate = refit && ((trained: number) => calibratedThreshold(trained, heldOutLogits(rule, input, centre, refit)));
    return { abstainer: new Abstainer(rule, input, centre, calibrate), none: background >= 0 ? background : labels.length };
  }

  /**
   * The document's non-empty unlabeled lines, sampled by the pool policy (src/engine/pool.ts) and
   * encoded (into the encoder's cache: they are usually also what gets classified).
   */
  private encodePool(texts: string[] | undefined) {
    if (!texts || texts.length === 0) return undefined;
    const sampled = samplePool(texts.filter((t) => t.trim() !== ''));
    if (sampled.length === 0) return undefined;
    // The same pool as last time (an unchanged document, a label added): the same encoded batch, so
    // that what is derived from it (its block sums, its pseudo-label candidates) is reused.
    const last = this.lastPool;
    const nonEmpty = last && sameTexts(last.texts, sampled) ? last.nonEmpty : this.encode(sampled);
    this.lastPool = { texts: sampled, nonEmpty };
    return { nonEmpty, texts: sampled, textOf: (row: number) => sampled[row] };
  }
  private lastPool?: { texts: string[]; nonEmpty: EncodedLines };

  /**
   * `<base>+sentence@W`: the base regression (its meta-learned procedure, unchanged, or
   * `procedure`: the model's procedure meta-learned with the block) with the sentence block appended at W times
   * the word block's scale. Built once per width and weight.
   */
  private sentenceMethod(base: string, dim: number, weight: number, procedure?: SentenceProcedure): FewShotMethod | undefined {
    const key = `${sentenceMethodName(base, weight)}/${dim}${procedure ? '/procedure' : ''}`;
    const built = this.sentenceMethods.get(key);
    if (built) return built;
    const inner = this.registry.get(base);
    if (!inner) return undefined;
    if (!(inner instanceof LogregMethod)) throw new EngineInputError(said(ENGINE_INPUT_ERRORS.noSentenceBlock, base));
    const layout = { wordDim: this.model.vectors.dim, sentenceDim: dim };
    const refined = new SentenceBlockMethod({
      name: sentenceMethodName(base, weight),
      hyper: procedure ? procedureHyper(procedure, inner.hyper) : inner.hyper,
      transductive: inner.transductive,
      corpusCentre: this.model.corpusCentre,
      layout,
      sentence: weight,
      // The augmented lines (withSentence in adapt) are built per call and read once.
      inPlace: true,
    });
    // Documents with ideographs keep the ideograph block's predictions (ideographsFirst says why).
    const method = inner instanceof IdeographMethod ? ideographsFirst(inner, refined, layout) : refined;
    this.sentenceMethods.set(key, method);
    return method;
  }
  private readonly sentenceMethods = new Map<string, FewShotMethod>();

  dispose(): void {
    this.lastPool = undefined;
    this.model.encoder.clearCache();
    for (const m of this.registry.values()) (m as { dispose?: () => void }).dispose?.();
  }
}

/** Tempers the predictions of lines with evidence < 1 (see features/evidence.ts); `none` predictions keep theirs. */
function temperWeakLines(
  lines: string[],
  out: Predictions,
  evidence: Evidence,
  none: number | undefined,
  predictProbs: (lines: string[]) => Float32Array,
  C: number,
): void {
  const weak: number[] = [];
  const strength: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    const e = out.labelIndex[i] === none ? 1 : evidence.of(lines[i]);
    if (e < 1) {
      weak.push(i);
      strength.push(e);
    }
  }
  if (weak.length === 0) return;
  const probs = predictProbs(weak.map((i) => lines[i]));
  weak.forEach((i, k) => {
    const tempered = temperRow(probs, k, C, out.labelIndex[i], strength[k]);
    // Never more sure than before (a pseudo-labeled line's confidence comes from before its training).
    out.confidence[i] = Math.min(out.confidence[i], tempered.confidence);
    out.uncertainty[i] = Math.max(out.uncertainty[i], tempered.uncertainty);
  });
}

/**
 * Line i's sentence vector, checked for every line first: a blank line has none and gets zeros, as
 * the encoder gives it; any other line without one is an input error, never zeros.
 */
function sentenceVectorsOf(sentence: SentenceVectors, texts: readonly string[]): (i: number) => Float32Array | undefined {
  let missing = 0;
  const vectors = texts.map((t) => {
    if (t.trim() === '') return undefined;
    const v = sentence.get(t);
    if (!v) missing++;
    return v;
  });
  if (missing) throw new EngineInputError(said(ENGINE_INPUT_ERRORS.noSentenceVector, String(missing), String(texts.length)));
  return (i) => vectors[i];
}

function sameTexts(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The previous head re-ordered to this adaptation's labels: rows of labels it knew are kept, a new
 * label's row is marked unknown (it starts from its prototype); undefined when no label is shared.
 */
function warmStart(state: WarmState, labels: string[]): { head: LinearHead; known: boolean[] } | undefined {
  const previous = new Map(state.labels.map((l, i) => [l, i]));
  const dim = state.head.W.length / state.head.nClasses;
  const W = new Float32Array(labels.length * dim);
  const b = new Float32Array(labels.length);
  const known = labels.map((label, c) => {
    const p = previous.get(label);
    if (p === undefined) return false;
    W.set(state.head.W.subarray(p * dim, (p + 1) * dim), c * dim);
    b[c] = state.head.b[p];
    return true;
  });
  return known.some(Boolean) ? { head: { W, b, nClasses: labels.length }, known } : undefined;
}

/** Labels in a stable order, class ids per line; throws EngineInputError for unusable sets. */
export function checkSupport(support: Example[]): { labels: string[]; ids: Int32Array; texts: string[] } {
  const usable = support.filter(isUsableExample);
  // The problem as its template and label, for the extension to translate (supportProblem's translate is given them).
  let problem: MessageTemplate | undefined;
  supportProblem(usable, (template, ...params) => {
    problem = said(template, ...params);
    return englishOf(problem);
  });
  if (problem) throw new EngineInputError(problem);
  const labels = [...new Set(usable.map((ex) => ex.label))].sort();
  const index = new Map(labels.map((l, i) => [l, i]));
  return { labels, ids: Int32Array.from(usable, (ex) => index.get(ex.label)!), texts: usable.map((ex) => ex.text) };
}
