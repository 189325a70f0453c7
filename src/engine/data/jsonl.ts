// `{"text", "label"}` JSON Lines: data sets for evaluation and label files for the CLI.
import { said } from '../messageTemplate';
import type { Example } from '../types';
import { DataError } from './errors';
import { readLines } from './lines';

/**
 * What is wrong with a JSONL file of examples, in English with `{0}` (`file:line`, or the file): the
 * key of its translation in the extension's l10n bundle (Improve the Model reads such files in the
 * worker; see docs/l10n.md).
 */
export const JSONL_PROBLEMS = {
  notJson: '{0}: not valid JSON; expected a JSON object with string "text" and "label"',
  shape: '{0}: expected a JSON object with string "text" and "label"',
  emptyText: '{0}: "text" is empty',
  emptyLabel: '{0}: "label" is empty',
  noExamples: '{0}: no examples (the file has no {"text","label"} lines)',
} as const;

/**
 * Parses one JSONL line. Blank lines give null. Extra fields are ignored.
 * @param where `file:line`, used in error messages
 */
export function parseExampleLine(raw: string, where: string): Example | null {
  const line = raw.trim();
  if (line === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new DataError(said(JSONL_PROBLEMS.notJson, where));
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new DataError(said(JSONL_PROBLEMS.shape, where));
  const { text, label } = value as Record<string, unknown>;
  if (typeof text !== 'string' || typeof label !== 'string') throw new DataError(said(JSONL_PROBLEMS.shape, where));
  if (text.trim() === '') throw new DataError(said(JSONL_PROBLEMS.emptyText, where));
  if (label.trim() === '') throw new DataError(said(JSONL_PROBLEMS.emptyLabel, where));
  return { text, label };
}

/** Streams the examples of a JSONL file (constant memory for big files). */
export async function* streamExamples(file: string): AsyncGenerator<Example> {
  for await (const { line, text } of readLines(file)) {
    const example = parseExampleLine(text, `${file}:${line}`);
    if (example) yield example;
  }
}

/** Reads all examples of a JSONL file; an empty file is an error. */
export async function readExamples(file: string): Promise<Example[]> {
  const examples: Example[] = [];
  for await (const ex of streamExamples(file)) examples.push(ex);
  if (examples.length === 0) throw new DataError(said(JSONL_PROBLEMS.noExamples, file));
  return examples;
}

/** Parses JSONL held in memory (e.g. text from an editor buffer); `name` is used in messages. */
export function parseExamples(content: string, name: string): Example[] {
  const out: Example[] = [];
  content
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((raw, i) => {
      const ex = parseExampleLine(raw, `${name}:${i + 1}`);
      if (ex) out.push(ex);
    });
  return out;
}
