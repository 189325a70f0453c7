// Test helpers for the CLI: capture streams, a fake engine with known behaviour, spawning the bundle.
import { typedPredictions } from '../fakeModel';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { AdaptOptions, EngineApi, EngineInfo } from '../../src/engine/engine';
import { EngineInputError } from '../../src/engine/engine';
import type { EncodedLines, Example } from '../../src/engine/types';
import type { CliIo } from '../../src/cli/io';

/** The repository root, from out/test/cli/. */
export const ROOT = path.resolve(__dirname, '../../..');
export const CLI = path.join(ROOT, 'out', 'cli.js');
/** The data sets the repository carries (data/README.md). */
export const DATA = path.join(ROOT, 'data');

export function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, FEWSHOT_DEBUG: '', ...env },
    maxBuffer: 64 << 20,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A writable that keeps what it receives; `highWaterMark` small to exercise backpressure. */
export class Capture extends Writable {
  chunks: string[] = [];
  maxBuffered = 0;
  constructor(private readonly delayMs = 0) {
    super({ highWaterMark: 1024, decodeStrings: false });
  }
  override _write(chunk: string | Buffer, _enc: BufferEncoding, done: (err?: Error) => void) {
    this.chunks.push(String(chunk));
    this.maxBuffered = Math.max(this.maxBuffered, this.writableLength);
    if (this.delayMs) setTimeout(done, this.delayMs);
    else done();
  }
  get text() {
    return this.chunks.join('');
  }
}

export interface FakeEngineLog {
  adapts: { support: Example[]; options: AdaptOptions | undefined }[];
  predicted: number;
  disposed: boolean;
}

/**
 * Predicts the support label sharing the most words with a line. `transductive` names the
 * methods that have an `-inductive` sibling, as the real registry does.
 */
export function fakeEngine(log: FakeEngineLog = { adapts: [], predicted: 0, disposed: false }): EngineApi & { log: FakeEngineLog } {
  const methods = ['selftrain', 'selftrain-inductive', 'logreg'];
  const info: EngineInfo = {
    backend: 'fake',
    model: 'fake-model',
    modelHash: 'abc',
    vocabulary: 3,
    defaultMethod: 'selftrain',
    methods,
    loadMs: 1,
  };
  const words = (t: string) => new Set(t.toLowerCase().split(/\W+/).filter(Boolean));
  return {
    log,
    info: () => info,
    methods: () => methods,
    method: () => undefined,
    encode(texts: string[]): EncodedLines {
      return {
        n: texts.length,
        wordDim: 1,
        word: new Float32Array(texts.length),
        charDim: 1,
        charOffsets: new Int32Array(texts.length + 1),
        charIndex: new Int32Array(0),
        charValue: new Float32Array(0),
      };
    },
    adapt(support, options) {
      log.adapts.push({ support, options });
      const method = options?.method === undefined || options.method === 'default' ? 'selftrain' : options.method;
      if (!methods.includes(method)) throw new EngineInputError(`unknown method "${method}"`);
      const labels = [...new Set(support.map((s) => s.label))];
      if (labels.length < 2) throw new EngineInputError('needs at least two labels');
      return {
        labels,
        method,
        adaptMs: 1,
        encodeMs: 0,
        warm: false,
        classify(lines: string[]) {
          log.predicted += lines.length;
          return typedPredictions(
            labels,
            lines.map((line) => {
              const w = words(line);
              let best = 0;
              let bestScore = -1;
              support.forEach((s) => {
                const score = [...words(s.text)].filter((x) => w.has(x)).length;
                if (score > bestScore) [best, bestScore] = [labels.indexOf(s.label), score];
              });
              return { label: labels[best] as string, confidence: 0.75, uncertainty: 0.25 };
            }),
          );
        },
      };
    },
    dispose() {
      log.disposed = true;
    },
  };
}

export function fakeIo(
  engine: EngineApi | (() => Promise<EngineApi>),
  stdout = new Capture(),
  stderr = new Capture(),
): CliIo & { stdout: Capture; stderr: Capture } {
  return {
    stdout,
    stderr,
    stdoutIsTTY: false,
    stderrIsTTY: false,
    loadEngine: typeof engine === 'function' ? engine : async () => engine,
  };
}
