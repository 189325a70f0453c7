// The CLI's connection to the outside: streams, terminal facts, and the engine loader.
import type { Writable } from 'node:stream';
import type { EngineApi, EngineOptions } from '../engine/engine';

export interface CliIo {
  stdout: Writable;
  stderr: Writable;
  /** Colour and progress lines only on terminals. */
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  /** Terminal width, when known. */
  columns?: number;
  loadEngine(options: EngineOptions): Promise<EngineApi>;
}

/** Writes a chunk and waits for 'drain' when the stream's buffer is full (backpressure). */
export function writeChunk(stream: Writable, chunk: string): Promise<void> | void {
  if (stream.write(chunk)) return;
  return new Promise((resolve, reject) => {
    const onDrain = () => {
      stream.off('error', onError);
      resolve();
    };
    const onError = (err: Error) => {
      stream.off('drain', onDrain);
      reject(err);
    };
    stream.once('drain', onDrain);
    stream.once('error', onError);
  });
}

export function line(stream: Writable, text = ''): void {
  stream.write(`${text}\n`);
}
