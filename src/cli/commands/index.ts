// Every CLI command, in the order `fewshot --help` lists them.
import type { Command } from './command';
import { classifyCommand } from './classify';
import { demoCommand } from './demo';
import { evalCommand } from './eval';
import { fitAbstentionCommand } from './fit-abstention';
import { infoCommand } from './info';
import { metaTrainCommand } from './meta-train';
import { metaTrainMamlCommand } from './meta-train-maml';

export type { Command } from './command';
export const COMMANDS: readonly Command[] = [
  demoCommand,
  classifyCommand,
  evalCommand,
  infoCommand,
  metaTrainCommand,
  metaTrainMamlCommand,
  fitAbstentionCommand,
];
