// A small dependency-free argument parser: `--name value`, `--name=value`, boolean flags,
// comma lists, positional arguments; typed getters; help text generated from the same specs.

export type OptionType = 'string' | 'int' | 'number' | 'boolean' | 'list' | 'int-list';
export type OptionValue = string | number | boolean | string[] | number[];

export interface OptionSpec {
  name: string;
  type: OptionType;
  help: string;
  /** Shown in help as `--name <placeholder>`. */
  placeholder?: string;
  default?: OptionValue;
  choices?: readonly string[];
  /** Smallest allowed value for `int`, `number` and each `int-list` entry. */
  min?: number;
  /** Largest accepted value (a number that large would exhaust memory or time, not give a result). */
  max?: number;
}

/** A usage mistake: the message is printed with a pointer to `--help`, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export class ParsedArgs {
  constructor(
    readonly values: ReadonlyMap<string, OptionValue>,
    readonly positional: readonly string[],
    readonly help: boolean,
  ) {}

  has(name: string): boolean {
    return this.values.has(name);
  }
  string(name: string): string | undefined {
    return this.values.get(name) as string | undefined;
  }
  number(name: string): number | undefined {
    return this.values.get(name) as number | undefined;
  }
  flag(name: string): boolean {
    return this.values.get(name) === true;
  }
  list(name: string): string[] | undefined {
    return this.values.get(name) as string[] | undefined;
  }
  ints(name: string): number[] | undefined {
    return this.values.get(name) as number[] | undefined;
  }
  /** A value that has a default or was checked as required: present by construction. */
  need<T extends OptionValue>(name: string): T {
    const value = this.values.get(name);
    if (value === undefined) throw new UsageError(`missing --${name}`);
    return value as T;
  }
}

export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[]): ParsedArgs {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const values = new Map<string, OptionValue>();
  const positional: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-h' || arg === '--help') {
      help = true;
      continue;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positional.push(arg);
      continue;
    }
    if (!arg.startsWith('--')) throw new UsageError(`unknown option ${arg}`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const spec = byName.get(name);
    if (!spec) throw new UsageError(`unknown option --${name}${suggest(name, [...byName.keys()])}`);
    if (spec.type === 'boolean') {
      if (eq >= 0) throw new UsageError(`--${name} is a flag and takes no value`);
      values.set(name, true);
      continue;
    }
    let raw: string | undefined;
    if (eq >= 0) raw = arg.slice(eq + 1);
    else {
      raw = argv[i + 1];
      if (raw === undefined || (raw.startsWith('--') && raw.length > 2))
        throw new UsageError(`--${name} needs a value (${spec.placeholder ?? spec.type})`);
      i++;
    }
    values.set(name, convert(spec, raw));
  }
  for (const spec of specs) if (!values.has(spec.name) && spec.default !== undefined) values.set(spec.name, spec.default);
  return new ParsedArgs(values, positional, help);
}

function convert(spec: OptionSpec, raw: string): OptionValue {
  const where = `--${spec.name}`;
  const checkChoice = (v: string) => {
    if (spec.choices && !spec.choices.includes(v)) throw new UsageError(`${where} must be one of ${spec.choices.join(', ')} (got "${v}")`);
    return v;
  };
  switch (spec.type) {
    case 'string':
      if (raw === '') throw new UsageError(`${where} needs a non-empty value`);
      return checkChoice(raw);
    case 'int':
      return toNumber(raw, spec, true);
    case 'number':
      return toNumber(raw, spec, false);
    case 'list':
    case 'int-list': {
      const items = raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
      if (items.length === 0) throw new UsageError(`${where} needs at least one value`);
      return spec.type === 'list' ? items.map(checkChoice) : items.map((s) => toNumber(s, spec, true));
    }
    default:
      throw new UsageError(`${where}: unsupported option type`);
  }
}

function toNumber(raw: string, spec: OptionSpec, integer: boolean): number {
  const value = raw.trim() === '' ? NaN : Number(raw);
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw new UsageError(`--${spec.name} must be ${integer ? 'an integer' : 'a number'} (got "${raw}")`);
  }
  if (spec.min !== undefined && value < spec.min) throw new UsageError(`--${spec.name} must be at least ${spec.min} (got ${value})`);
  if (spec.max !== undefined && value > spec.max) throw new UsageError(`--${spec.name} must be at most ${spec.max} (got ${value})`);
  return value;
}

/** ` (did you mean --x?)` for a near miss, else ''. */
export function suggest(name: string, known: readonly string[], prefix = '--'): string {
  let best = '';
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(name, k);
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return bestDistance <= Math.max(1, Math.floor(name.length / 3)) ? ` (did you mean ${prefix}${best}?)` : '';
}

/** Edit distance counting a swap of neighbours as one edit (optimal string alignment). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i] as number[];
      const up = d[i - 1] as number[];
      row[j] = Math.min((up[j] as number) + 1, (row[j - 1] as number) + 1, (up[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        row[j] = Math.min(row[j] as number, ((d[i - 2] as number[])[j - 2] as number) + 1);
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}

/** The options part of a command's help, aligned. */
export function formatOptions(specs: readonly OptionSpec[]): string {
  const left = specs.map((s) => `  --${s.name}${s.type === 'boolean' ? '' : ` <${s.placeholder ?? s.type}>`}`);
  const width = Math.max(...left.map((l) => l.length), 0) + 2;
  return specs
    .map((s, i) => {
      const extra =
        s.default !== undefined && s.type !== 'boolean' ? ` (default: ${Array.isArray(s.default) ? s.default.join(',') : s.default})` : '';
      return `${(left[i] as string).padEnd(width)}${s.help}${extra}`;
    })
    .join('\n');
}
