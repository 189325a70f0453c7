// A sentence encoder helper thread's entry (bundled to out/sentenceHelper.js by scripts/build.mjs;
// threads.ts starts it). It loads the model on the calling thread's backend and embeds the batches
// posted to it, one at a time; caches stay with the calling thread.
import { parentPort, workerData } from 'node:worker_threads';
import { selectBackend } from '../tf/backend';
import { SentenceEncoder } from './encoder';
import type { SentenceHelperData, SentenceHelperReply, SentenceHelperRequest } from './threads';

const data = workerData as SentenceHelperData;
const port = parentPort;
if (!port) throw new Error('sentenceHelper.js must run as a worker thread');
// No memory cache: the calling thread's caches see every vector this thread makes.
const encoder = selectBackend(data.backend).then(() => SentenceEncoder.load({ ...(data.dir ? { dir: data.dir } : {}), memoryEntries: 0 }));
// Requests are taken in order: the model runs one batch at a time on this thread anyway.
let queue: Promise<void> = Promise.resolve();
port.on('message', (request: SentenceHelperRequest) => {
  queue = queue.then(async () => {
    let reply: SentenceHelperReply;
    try {
      const vectors = await (await encoder).embed(request.texts);
      reply = { id: request.id, vectors };
    } catch (error) {
      reply = { id: request.id, error: error instanceof Error ? error.message : String(error) };
    }
    if ('vectors' in reply) port.postMessage(reply, [reply.vectors.buffer as ArrayBuffer]);
    else port.postMessage(reply);
  });
});
