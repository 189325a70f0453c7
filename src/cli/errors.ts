// Turning any failure into one clear line on stderr and an exit code; stacks only with FEWSHOT_DEBUG=1.
import { UsageError } from './args';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A failure the CLI explains itself (bad input, nothing to do); exit code 1. */
export class CliError extends Error {
  override name = 'CliError';
}

/** Errors whose message is written for the user already. */
// CheckpointError: a model folder without its vectors or checkpoint, which the user can fix.
const USER_FACING = new Set([
  'CliError',
  'DataError',
  'EpisodeError',
  'EvaluationError',
  'EngineInputError',
  'CheckpointError',
  'ImproveError',
]);

export function describeError(err: unknown, command: string): { message: string; code: number } {
  if (err instanceof UsageError) {
    return {
      message: `fewshot${command ? ` ${command}` : ''}: ${err.message}\nRun \`fewshot ${command ? `${command} ` : ''}--help\` for usage.`,
      code: EXIT_USAGE,
    };
  }
  const e = err instanceof Error ? err : new Error(String(err));
  const known = USER_FACING.has(e.name);
  const prefix = `fewshot${command ? ` ${command}` : ''}: `;
  let message = prefix + (known ? e.message : `unexpected error: ${e.message || String(err)}`);
  if (process.env.FEWSHOT_DEBUG === '1' && e.stack) message += `\n${e.stack}`;
  else if (!known) message += '\n(set FEWSHOT_DEBUG=1 for details)';
  return { message, code: EXIT_FAILURE };
}
