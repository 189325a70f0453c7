// Bundled to out/cli.js; bin/fewshot.js requires it. Wires the real process to runCli.
import { loadEngineFromFacade } from './engine-loader';
import { runCli } from './run';

// `fewshot classify big.txt | head` closes stdout early: stop quietly instead of crashing on EPIPE.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

void runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdoutIsTTY: Boolean(process.stdout.isTTY),
  stderrIsTTY: Boolean(process.stderr.isTTY),
  columns: process.stdout.columns,
  loadEngine: loadEngineFromFacade,
}).then((code) => {
  // Exit once stdout is flushed: engine backends may keep handles open that would hold the process.
  process.stdout.write('', () => process.exit(code));
});
