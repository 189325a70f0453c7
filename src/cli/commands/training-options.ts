// The options the two meta-training commands share; each says only what differs.
import fs from 'node:fs';
import path from 'node:path';
import { type OptionSpec, type ParsedArgs, UsageError } from '../args';
import { dataDir } from '../paths';

export interface TrainingOptionDefaults {
  recipes: string[];
  outHelp: string;
  workHelp: string;
  steps: number;
  stepsHelp: string;
  evalEvery: number;
  validationEpisodes: number;
  validationHelp: string;
  backend: 'cpu' | 'wasm';
  backendHelp: string;
}

export function trainingOptions(d: TrainingOptionDefaults): OptionSpec[] {
  return [
    {
      name: 'recipe',
      type: 'string',
      placeholder: 'name',
      help: 'holdout (measure the recipe) or shipped',
      choices: d.recipes,
      default: 'shipped',
    },
    {
      name: 'data',
      type: 'string',
      placeholder: 'dir',
      help: "folder of the JSONL data sets (default: the repository's data/); meta-train --from-checkpoint: the tasks' JSONL files",
    },
    { name: 'out', type: 'string', placeholder: 'dir', help: d.outHelp },
    { name: 'work', type: 'string', placeholder: 'dir', help: d.workHelp },
    { name: 'steps', type: 'int', min: 1, default: d.steps, help: d.stepsHelp },
    { name: 'eval-every', type: 'int', min: 1, default: d.evalEvery, help: 'validate every N steps' },
    { name: 'validation-episodes', type: 'int', min: 10, default: d.validationEpisodes, help: d.validationHelp },
    { name: 'seed', type: 'int', default: 1, help: 'seed of the whole run' },
    { name: 'resume', type: 'boolean', help: 'continue from the last saved state in --work' },
    { name: 'backend', type: 'string', choices: ['auto', 'wasm', 'cpu'], default: d.backend, help: d.backendHelp },
  ];
}

/** The training data folder (--data, else the repository's data/), checked to hold CLINC150. */
export function trainingDataDir(args: ParsedArgs): string {
  const dir = path.resolve(args.string('data') ?? dataDir());
  if (!fs.existsSync(path.join(dir, 'clinc150.train.jsonl'))) throw new UsageError(`no clinc150.train.jsonl in ${dir} (pass --data)`);
  return dir;
}
