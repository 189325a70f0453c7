// Measurements that need a process of their own (cold load, peak memory).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { LoadResult, MemoryResult } from './engine-child';

// This module is bundled into out/bench/bench.js; the child is built to out/bench/lib/.
const CHILD =
  [path.join(__dirname, 'lib', 'engine-child.js'), path.join(__dirname, 'engine-child.js')].find((p) => fs.existsSync(p)) ??
  path.join(__dirname, 'lib', 'engine-child.js');

export interface ChildOptions {
  modelDir?: string;
  backend?: string;
  /** Lines the engine's encoder caches (Engine.load's cacheSize). */
  cacheSize?: number;
}

/** A child that ran past its time limit (killed). */
export class ChildTimeout extends Error {}

function runChild<T>(args: string[], options: ChildOptions, timeoutMs = 0): Promise<T> {
  const extra = [
    ...(options.modelDir ? ['--model-dir', options.modelDir] : []),
    ...(options.backend ? ['--backend', options.backend] : []),
    ...(options.cacheSize !== undefined ? ['--cache-size', String(options.cacheSize)] : []),
  ];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CHILD, ...args, ...extra], { maxBuffer: 1 << 20, timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err?.killed) {
        reject(new ChildTimeout(`bench child '${args.join(' ')}' ran past ${timeoutMs} ms`));
        return;
      }
      if (err) {
        reject(new Error(`bench child '${args.join(' ')}' failed: ${stderr.trim() || err.message}`));
        return;
      }
      try {
        resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '') as T);
      } catch {
        reject(new Error(`bench child '${args.join(' ')}' printed no result: ${stdout.slice(0, 200)}`));
      }
    });
  });
}

export const childLoad = (options: ChildOptions) => runChild<LoadResult>(['load'], options);
export const childMemory = (jobs: number, options: ChildOptions) => runChild<MemoryResult>(['memory', '--jobs', String(jobs)], options);

export const childHundredThousand = (options: ChildOptions) =>
  runChild<{ ms: number; peakRssMb: number; note?: string }>(['many100k'], options);

/** A natural peer on the 77 x 10 job (ms), or undefined when it ran past `timeoutMs`. */
export async function childPeerMany(peer: string, timeoutMs: number, options: ChildOptions): Promise<number | undefined> {
  try {
    return (await runChild<{ ms: number }>(['peer77', '--peer', peer], options, timeoutMs)).ms;
  } catch (err) {
    if (err instanceof ChildTimeout) return undefined;
    throw err;
  }
}
