// HOOK for the lead: `fewshot meta-train` (package.json's `train-model` script calls
// `fewshot meta-train --recipe shipped`). Replace `run` (and the options) with the real trainer;
// the command is already registered in commands/index.ts.
import { CliError } from '../errors';
import type { Command } from './command';

export const metaTrainCommand: Command = {
  name: 'meta-train',
  summary: 'meta-train the few-shot initialisation shipped in models/',
  usage: 'fewshot meta-train --recipe NAME [options]',
  options: [{ name: 'recipe', type: 'string', placeholder: 'name', help: 'training recipe (e.g. shipped)' }],
  async run() {
    throw new CliError('meta-train is not part of this build yet');
  },
};
