// What the evaluator can run: encoded few-shot methods, or methods that work on raw text.
import type { FewShotMethod } from '../types';

/** Predicts class ids (0..nClasses-1) for texts; -1 means "no prediction" (counted as wrong). */
export type TextPredictor = (texts: string[]) => Int32Array;

/** A method that works on raw text (peers such as `natural`, or the engine facade itself). */
export interface TextMethod {
  readonly name: string;
  readonly transductive: boolean;
  /** @param pool unlabeled lines (queries + distractors), given to transductive methods only */
  adaptText(texts: string[], labels: Int32Array, nClasses: number, pool?: string[]): TextPredictor;
}

export type EvalMethod = FewShotMethod | TextMethod;

export function isTextMethod(method: EvalMethod): method is TextMethod {
  return typeof (method as TextMethod).adaptText === 'function';
}
