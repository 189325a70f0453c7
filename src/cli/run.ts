// The CLI's entry: picks the command, parses its options, runs it, and turns failures into
// one clear message and an exit code. No process-global state, so tests can call it directly.
import { formatOptions, parseArgs, suggest, UsageError } from './args';
import { COMMANDS, type Command } from './commands';
import { describeError, EXIT_OK } from './errors';
import { line, type CliIo } from './io';
import { packageVersion } from './paths';

export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    'fewshot: label a few lines by example; a few-shot model labels the rest (runs locally).',
    '',
    'Usage: fewshot <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Run `fewshot <command> --help` for its options.',
    'Set FEWSHOT_DEBUG=1 to see stack traces of unexpected errors.',
  ].join('\n');
}

export function commandHelp(c: Command): string {
  return [
    `Usage: ${c.usage}`,
    '',
    c.summary,
    ...(c.description ? ['', c.description] : []),
    '',
    'Options:',
    formatOptions(c.options),
    '  -h, --help',
  ].join('\n');
}

function findCommand(name: string): Command {
  const command = COMMANDS.find((c) => c.name === name);
  if (!command)
    throw new UsageError(
      `unknown command "${name}"${suggest(
        name,
        COMMANDS.map((c) => c.name),
        '',
      )}`,
    );
  return command;
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  let commandName = '';
  try {
    if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
      const topic = first === 'help' ? rest[0] : undefined;
      line(io.stdout, topic ? commandHelp(findCommand(topic)) : mainHelp());
      return EXIT_OK;
    }
    if (first === '--version' || first === '-v') {
      line(io.stdout, packageVersion());
      return EXIT_OK;
    }
    if (first.startsWith('-')) throw new UsageError(`expected a command before ${first}`);
    const command = findCommand(first);
    commandName = command.name;
    const args = parseArgs(rest, command.options);
    if (args.help) {
      line(io.stdout, commandHelp(command));
      return EXIT_OK;
    }
    return await command.run(args, io);
  } catch (err) {
    const { message, code } = describeError(err, commandName);
    line(io.stderr, message);
    return code;
  }
}
