// Loading the engine facade with the CLI's common options (--model, --backend).
import fs from 'node:fs';
import * as facade from '../engine/engine';
import type { BackendChoice, EngineApi, EngineOptions } from '../engine/engine';
import type { OptionSpec, ParsedArgs } from './args';
import { CliError } from './errors';
import type { CliIo } from './io';
import { defaultModelDir } from './paths';

export const BACKENDS: readonly BackendChoice[] = ['auto', 'wasm', 'cpu', 'tensorflow', 'webgpu'];

export const ENGINE_OPTIONS: OptionSpec[] = [
  {
    name: 'model',
    type: 'string',
    placeholder: 'dir',
    help: 'model folder (manifest.json, weights, vectors.bin); default: the shipped models/',
  },
  {
    name: 'backend',
    type: 'string',
    placeholder: 'name',
    choices: BACKENDS,
    default: 'auto',
    help: `TensorFlow.js backend: ${BACKENDS.join(', ')}`,
  },
];

type EngineFactory = { load(options: EngineOptions): Promise<EngineApi> };

/** `Engine.load` from the facade, looked up at run time so that a build without it fails clearly. */
export function loadEngineFromFacade(options: EngineOptions): Promise<EngineApi> {
  const factory = (facade as Record<string, unknown>).Engine as EngineFactory | undefined;
  if (!factory || typeof factory.load !== 'function') {
    throw new CliError('this build has no engine (Engine.load is missing from src/engine/engine.ts)');
  }
  return factory.load(options);
}

/** Opens the engine from --model/--backend; progress and fallback notes go to stderr. */
export async function openEngine(args: ParsedArgs, io: CliIo, quiet = false): Promise<EngineApi> {
  const modelDir = args.string('model') ?? defaultModelDir();
  if (!fs.existsSync(modelDir)) {
    throw new CliError(
      `model folder not found: ${modelDir}${args.has('model') ? '' : ' (run `npm run build` to create models/, or pass --model)'}`,
    );
  }
  const backend = (args.string('backend') ?? 'auto') as BackendChoice;
  const log = quiet ? () => undefined : (message: string) => io.stderr.write(`${message}\n`);
  return io.loadEngine({ modelDir, backend, log });
}
