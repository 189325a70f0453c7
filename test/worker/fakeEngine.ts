// The worker tests' fake engine: keyword matching instead of a model, so the host and its
// requests are tested without loading one.
import { EngineInputError, type EngineApi, type EngineInfo, type AdaptOptions } from '../../src/engine/engine';
import type { EncodedLines, Example } from '../../src/engine/types';
import { typedPredictions } from '../fakeModel';

export const info: EngineInfo = {
  backend: 'fake',
  model: 'keyword-test',
  modelHash: 'abc',
  vocabulary: 3,
  defaultMethod: 'keyword',
  methods: ['keyword'],
  loadMs: 1,
};

/**
 * A fake engine: predicts the label whose support example shares a word with the line; counts (and
 * with `predicted`, records) the lines. With `encoded`, it records every line encoded: by `encode`,
 * and by a model's `classify` (which encodes, as the engine's does); `classifyEncoded` encodes nothing.
 */
export function fakeEngine(calls: { adapt: AdaptOptions[]; predictedLines: number; predicted?: string[]; encoded?: string[] }): EngineApi {
  const encodedLines = (texts: string[]): EncodedLines => ({
    n: texts.length,
    wordDim: 0,
    word: new Float32Array(0),
    charDim: 0,
    charOffsets: new Int32Array(texts.length + 1),
    charIndex: new Int32Array(0),
    charValue: new Float32Array(0),
  });
  return {
    info: () => info,
    methods: () => ['keyword'],
    method: () => undefined,
    encode: (texts) => {
      if (!calls.encoded) throw new Error('not used');
      calls.encoded.push(...texts);
      return encodedLines(texts);
    },
    dispose: () => {},
    adapt(support: Example[], options?: AdaptOptions) {
      calls.adapt.push(options ?? {});
      const labels = [...new Set(support.map((s) => s.label))].sort();
      if (labels.length < 2) throw new EngineInputError('need at least two labels');
      const predict = (lines: string[]) => {
        calls.predictedLines += lines.length;
        calls.predicted?.push(...lines);
        return typedPredictions(
          labels,
          lines.map((line) => {
            const hit = support.find((s) => s.text.split(' ').some((w) => line.includes(w)));
            return hit ? { label: hit.label, confidence: 0.9, uncertainty: 0.1 } : { label: labels[0]!, confidence: 0.5, uncertainty: 1 };
          }),
        );
      };
      return {
        labels,
        method: 'keyword',
        adaptMs: 0,
        encodeMs: 0,
        warm: options?.warm !== undefined,
        state: {
          method: 'keyword',
          labels,
          head: { W: new Float32Array(labels.length), b: new Float32Array(labels.length), nClasses: labels.length },
        },
        // As the engine's: classify encodes its lines, classifyEncoded takes them encoded.
        classify: (lines: string[]) => {
          calls.encoded?.push(...lines);
          return predict(lines);
        },
        ...(calls.encoded ? { classifyEncoded: (lines: string[], encoded: EncodedLines) => predict(lines.slice(0, encoded.n)) } : {}),
      };
    },
  };
}

/**
 * The fake engine, refined: with sentence vectors its method is `keyword+sentence@2`, the labeled
 * lines, names and pool must have their vectors at adaptation and every non-blank line classified
 * its own (each recorded in `classified`), and it is surer (confidence 0.99).
 */
export function sentenceFakeEngine(calls: { adapt: AdaptOptions[]; predictedLines: number }, classified: string[] = []): EngineApi {
  const inner = fakeEngine(calls);
  return {
    ...inner,
    adapt(s, options) {
      const model = inner.adapt(s, options);
      const sentence = options?.sentence;
      if (!sentence) return model;
      for (const t of [...s.flatMap((ex) => [ex.text, ex.label]), ...(options?.pool ?? [])])
        if (!sentence.get(t)) throw new Error(`no vector for ${t} at adaptation`);
      return {
        ...model,
        method: 'keyword+sentence@2',
        classify(lines) {
          for (const l of lines) {
            if (l.trim() === '') continue;
            if (!sentence.get(l)) throw new Error(`no vector for ${l}`);
            classified.push(l);
          }
          const p = model.classify(lines);
          p.confidence.fill(0.99);
          return p;
        },
      };
    },
  };
}

/** A fake multi-label engine: a label's probability is 0.9 where the line shares a word with one of its lines, else 0.1. */
export function fakeSetEngine(
  pools: Array<string[] | undefined>,
  calls: Parameters<typeof fakeEngine>[0] = { adapt: [], predictedLines: 0 },
): EngineApi {
  return {
    ...fakeEngine(calls),
    adaptMultiLabel(sets, options) {
      pools.push(options?.pool);
      const labels = [...new Set(sets.flatMap((s) => s.labels))].filter((l) => l !== 'none').sort();
      return {
        labels,
        thresholds: new Float32Array(labels.length).fill(0.5),
        adaptMs: 0,
        classify(lines) {
          const probs = new Float32Array(lines.length * labels.length);
          lines.forEach((line, i) => {
            labels.forEach((label, l) => {
              const hit = sets.some((s) => s.labels.includes(label) && s.text.split(' ').some((w) => line.includes(w)));
              probs[i * labels.length + l] = hit ? 0.9 : 0.1;
            });
          });
          return { probs, member: Uint8Array.from(probs, (p) => (p >= 0.5 ? 1 : 0)) };
        },
      };
    },
  };
}
