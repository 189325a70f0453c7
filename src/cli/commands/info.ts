// `fewshot info`: what the engine loaded and which methods it offers.
import { UsageError } from '../args';
import { openEngine, ENGINE_OPTIONS } from '../engine-loader';
import { EXIT_OK } from '../errors';
import { line } from '../io';
import type { Command } from './command';

export const infoCommand: Command = {
  name: 'info',
  summary: 'show the backend, model, vocabulary and methods',
  usage: 'fewshot info [options]',
  options: [...ENGINE_OPTIONS, { name: 'json', type: 'boolean', help: 'print one JSON object' }],
  async run(args, io) {
    if (args.positional.length) throw new UsageError(`unexpected argument "${args.positional[0]}"`);
    const engine = await openEngine(args, io, args.flag('json'));
    try {
      const info = engine.info();
      if (args.flag('json')) {
        line(io.stdout, JSON.stringify(info));
        return EXIT_OK;
      }
      const rows: [string, string][] = [
        ['backend', info.backend + (info.backendNote ? ` (${info.backendNote})` : '')],
        ['model', `${info.model} (${info.modelHash})`],
        ['vocabulary', `${info.vocabulary.toLocaleString('en-US')} words`],
        ['default method', info.defaultMethod],
        ['methods', info.methods.join(', ')],
        ['load time', `${Math.round(info.loadMs)} ms`],
      ];
      for (const [key, value] of rows) line(io.stdout, `${key.padEnd(16)}${value}`);
      return EXIT_OK;
    } finally {
      engine.dispose();
    }
  },
};
