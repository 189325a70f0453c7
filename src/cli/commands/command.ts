import type { OptionSpec, ParsedArgs } from '../args';
import type { CliIo } from '../io';

/** One CLI command: its help is generated from `usage`, `description` and `options`. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  description?: string;
  options: OptionSpec[];
  run(args: ParsedArgs, io: CliIo): Promise<number>;
}
