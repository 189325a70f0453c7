// A message said in English and kept as its template and parameters, so that the extension can say
// it in the user's language (vscode.l10n.t(template, ...params): the English template is the key of
// its translation in l10n/bundle.l10n.<lang>.json) while the CLI and the log print it filled.
// The engine's notes and input errors and the worker's errors carry one (see docs/l10n.md).
import { fillMessage } from './data/labelName';

export interface MessageTemplate {
  /** English, `{0}`, `{1}` standing for the parameters; one of the tables the l10n test checks. */
  template: string;
  params: string[];
  /**
   * The first parameter as a message of its own, said in the same language (the engine client's
   * "{0}; trying again in {1} s", where {0} is why the start failed). Never crosses a thread.
   */
  inner?: MessageTemplate;
}

export const said = (template: string, ...params: string[]): MessageTemplate => ({ template, params });

/** The message in English: the template filled. */
export const englishOf = (m: MessageTemplate): string => fillMessage(m.template, m.params);

/** What a translator is given: vscode.l10n.t in the extension, the English fill elsewhere. */
export type Translate = (message: string, ...args: string[]) => string;

const MAX_TEMPLATE = 1000;
const MAX_PARAMS = 8;
const MAX_PARAM = 10_000;

/**
 * `value` when it is a well-formed template for `message`: a string template no longer than 1,000
 * characters whose placeholders are `{0}`..`{n}` with a parameter each, at most 8 string
 * parameters, and the template filled is `message` itself (so a translation says what the English
 * says). Anything else (it crossed a thread untyped) is undefined: the caller shows `message`.
 */
export function checkMessageTemplate(value: unknown, message: string): MessageTemplate | undefined {
  if (typeof value !== 'object' || value === null || !('template' in value) || !('params' in value)) return undefined;
  const { template, params } = value;
  if (typeof template !== 'string' || template === '' || template.length > MAX_TEMPLATE) return undefined;
  if (!Array.isArray(params) || params.length > MAX_PARAMS) return undefined;
  if (!params.every((p): p is string => typeof p === 'string' && p.length <= MAX_PARAM)) return undefined;
  for (const m of template.matchAll(/\{(\d+)\}/g)) if (Number(m[1]) >= params.length) return undefined;
  const checked: MessageTemplate = { template, params: [...params] };
  if (englishOf(checked) !== message) return undefined;
  const inner = 'inner' in value && params.length > 0 ? checkMessageTemplate(value.inner, params[0]) : undefined;
  return inner ? { ...checked, inner } : checked;
}

/**
 * An error whose message may be a table's template with its parameters (`said`): the extension
 * says it in the user's language, the CLI and the log print the English (the message).
 */
export class TemplateError extends Error {
  readonly said?: MessageTemplate;
  constructor(message: string | MessageTemplate) {
    super(typeof message === 'string' ? message : englishOf(message));
    if (typeof message !== 'string') this.said = message;
  }
}

/** The message of `m` through `translate`, else its English. */
export function sayMessage(m: MessageTemplate, translate?: Translate): string {
  if (!translate) return englishOf(m);
  const [first, ...rest] = m.params;
  return m.inner && first !== undefined
    ? translate(m.template, sayMessage(m.inner, translate), ...rest)
    : translate(m.template, ...m.params);
}
