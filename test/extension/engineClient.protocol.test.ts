// The extension's handle on the engine worker, against small fake workers that speak the worker
// protocol: the ready handshake, requests and answers, a load error, and a worker that dies.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EngineClient, workspaceStallMs } from '../../src/extension/engineClient';
import { CancelSource, RpcError } from '../../src/protocol/rpc';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fewshot-engine-client-'));

/** Writes a worker script: `onRequest` is the body of a function (m) => answer (or undefined). */
function fakeWorker(name: string, ready: string, onRequest: string): string {
  const file = path.join(dir, `${name}.js`);
  fs.writeFileSync(
    file,
    `const { parentPort, workerData } = require('node:worker_threads');
     let served = 0;
     parentPort.postMessage({ kind: 'log', message: 'started with backend ' + workerData.backend });
     parentPort.postMessage(${ready});
     parentPort.on('message', (m) => {
       if (m.kind !== 'request') return;
       served++;
       const answer = ((m) => { ${onRequest} })(m);
       if (answer !== undefined) parentPort.postMessage({ kind: 'response', id: m.id, result: answer });
     });`,
  );
  return file;
}

const INFO = "{ kind: 'ready', info: { backend: 'cpu', model: 'fake', methods: ['default'], defaultMethod: 'default' } }";

describe('EngineClient', () => {
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('waits for the ready handshake, then answers requests through the worker', async () => {
    const logs: string[] = [];
    const workerPath = fakeWorker('echo', INFO, "return { labels: ['x'], method: m.params.method, served };");
    const client = new EngineClient({ workerPath, backend: 'cpu', log: (m) => logs.push(m) });
    try {
      const before = client.info;
      assert.equal(before, undefined, 'no info before the worker is ready');
      const info = await client.ready();
      assert.equal(info.model, 'fake');
      assert.equal(client.info?.backend, 'cpu');
      const r = (await client.classify({ support: [], text: 'a', method: 'm1' })) as unknown as { method: string; served: number };
      assert.deepEqual([r.method, r.served], ['m1', 1]);
      assert.ok(logs.includes('started with backend cpu'), logs.join(' | '));
      assert.ok(
        logs.some((l) => /^engine ready: backend cpu, model fake/.test(l)),
        logs.join(' | '),
      );
    } finally {
      await client.stop();
    }
  });

  it('rejects with the load error the worker reports', async () => {
    const workerPath = fakeWorker('broken', "{ kind: 'ready', error: 'model not found' }", 'return undefined;');
    const client = new EngineClient({ workerPath, backend: 'wasm', log: () => {} });
    try {
      await assert.rejects(client.ready(), /model not found/);
      await assert.rejects(client.classify({ support: [], text: 'a' }), /model not found/);
    } finally {
      await client.stop();
    }
  });

  it('fails the pending request when the worker dies, and starts a new worker for the next one', async () => {
    // The first worker exits on its first request; a new one (a fresh process state) serves.
    const marker = path.join(dir, 'died-once');
    const workerPath = fakeWorker(
      'dies',
      INFO,
      `const fs = require('node:fs');
       if (!fs.existsSync(${JSON.stringify(marker)})) { fs.writeFileSync(${JSON.stringify(marker)}, ''); process.exit(3); }
       return { labels: [], method: 'second worker', served };`,
    );
    const logs: string[] = [];
    const client = new EngineClient({ workerPath, backend: 'cpu', log: (m) => logs.push(m) });
    try {
      await assert.rejects(client.classify({ support: [], text: 'a' }), /exited \(code 3\)/);
      const afterDeath = client.info;
      assert.equal(afterDeath, undefined, 'no info from a dead worker');
      const r = (await client.classify({ support: [], text: 'a' })) as unknown as { method: string; served: number };
      assert.deepEqual([r.method, r.served], ['second worker', 1]);
      assert.ok(logs.some((l) => /exited \(code 3\)/.test(l)));
    } finally {
      await client.stop();
    }
  });

  // Issue 16 item 4: the run used to share the worker with open documents, whose requests then
  // waited for the whole run.
  it('answers an open document while a workspace run holds its worker busy, and a cancel frees that worker', async () => {
    const release = path.join(dir, 'release-run');
    // A workspace run that says it has scanned, then blocks its thread (as the engine's synchronous
    // calls do) until the test releases it; a stuck run (run 2) never ends by itself.
    const workerPath = fakeWorker(
      'busy-run',
      INFO,
      `if (m.method !== 'classifyWorkspace') return { labels: [], method: 'served', served };
       parentPort.postMessage({ kind: 'workspace', run: m.params.run, event: { type: 'scanned', files: 1, lines: 1, skipped: [], labels: [], method: 'k' } });
       const end = Date.now() + (m.params.run === 2 ? 60000 : 20000);
       while (Date.now() < end && !require('node:fs').existsSync(${JSON.stringify(release)})) {}
       return { labels: [], method: 'k', files: 1, lines: 1, skipped: [], scanMs: 0, adaptMs: 0, totalMs: 0 };`,
    );
    const logs: string[] = [];
    const client = new EngineClient({ workerPath, backend: 'cpu', log: (m) => logs.push(m), cancelGraceMs: 100 });
    const scope = { root: dir, include: [], exclude: [], useIgnoreFiles: false, maxFileBytes: 1 };
    try {
      await client.ready();
      let scanned!: () => void;
      const inProgress = new Promise<void>((r) => (scanned = r));
      const order: string[] = [];
      const run = client
        .classifyWorkspace({ run: 1, scope, support: [], poolSize: 0 }, (e) => e.type === 'scanned' && scanned())
        .then(() => order.push('run'));
      await inProgress;
      const answer = (await client.classify({ support: [], text: 'open document' })) as unknown as { method: string };
      order.push('document');
      assert.equal(answer.method, 'served');
      fs.writeFileSync(release, '');
      await run;
      assert.deepEqual(order, ['document', 'run'], 'the open document was answered while the run was in progress');
      fs.rmSync(release);

      const cancel = new CancelSource();
      const stuck = client.classifyWorkspace(
        { run: 2, scope, support: [], poolSize: 0 },
        (e) => e.type === 'scanned' && cancel.cancel(),
        cancel,
      );
      await assert.rejects(stuck, (e: unknown) => e instanceof RpcError && e.code === 'cancelled');
      assert.ok(logs.some((l) => /^workspace worker: a cancelled engine run did not stop/.test(l), logs.join(' | ')));
      const again = await client.classifyWorkspace({ run: 3, scope, support: [], poolSize: 0 }, () => fs.writeFileSync(release, ''));
      assert.equal(again.files, 1, 'a fresh workspace worker serves the next run');
    } finally {
      await client.stop();
    }
  });

  it('a workspace run that stops making progress where the worker cannot see (a synchronous call) is ended by the host, with a message', async () => {
    // The run says it has scanned, then holds its thread for a minute and sends nothing more.
    const workerPath = fakeWorker(
      'stalled-run',
      INFO,
      `if (m.method !== 'classifyWorkspace') return { labels: [], method: 'served', served };
       parentPort.postMessage({ kind: 'workspace', run: m.params.run, event: { type: 'scanned', files: 1, lines: 1, skipped: [], labels: [], method: 'k' } });
       const end = Date.now() + 60000;
       while (Date.now() < end) {}
       return { labels: [], method: 'k', files: 1, lines: 1, skipped: [], scanMs: 0, adaptMs: 0, totalMs: 0 };`,
    );
    const logs: string[] = [];
    const client = new EngineClient({ workerPath, backend: 'cpu', log: (m) => logs.push(m), workspaceStallMs: 300 });
    const scope = { root: dir, include: [], exclude: [], useIgnoreFiles: false, maxFileBytes: 1 };
    try {
      const events: string[] = [];
      await assert.rejects(
        client.classifyWorkspace({ run: 1, scope, support: [], poolSize: 0 }, (e) => events.push(e.type)),
        /Classify Workspace stopped: no progress for 0 s; its worker was terminated/,
      );
      assert.deepEqual(events, ['scanned'], 'the timer starts again at each event');
      assert.ok(
        logs.some((l) => /^workspace worker: Classify Workspace stopped: no progress/.test(l)),
        logs.join(' | '),
      );
      // The open documents' worker was never touched.
      const answer = (await client.classify({ support: [], text: 'open document' })) as unknown as { method: string };
      assert.equal(answer.method, 'served');
    } finally {
      await client.stop();
    }
  });

  it("the host allows a run twice the worker's own per-file bound for its largest file, plus a minute", () => {
    assert.equal(workspaceStallMs(0), 120_000);
    assert.equal(workspaceStallMs(50 * 2 ** 20), 60_000 + 2 * (30_000 + 0.05 * 50 * 2 ** 20));
  });

  it("the open documents' worker idling out does not stop a workspace run in progress", async () => {
    // The run reports, then holds its thread for 1.5 s; the main worker's idle period is 200 ms.
    const workerPath = fakeWorker(
      'long-run',
      INFO,
      `if (m.method !== 'classifyWorkspace') return { labels: [], method: 'served', served };
       parentPort.postMessage({ kind: 'workspace', run: m.params.run, event: { type: 'scanned', files: 1, lines: 1, skipped: [], labels: [], method: 'k' } });
       const end = Date.now() + 1500;
       while (Date.now() < end) {}
       return { labels: [], method: 'k', files: 1, lines: 1, skipped: [], scanMs: 0, adaptMs: 0, totalMs: 0 };`,
    );
    const logs: string[] = [];
    const client = new EngineClient({ workerPath, backend: 'cpu', log: (m) => logs.push(m), idleStopMs: 200 });
    const scope = { root: dir, include: [], exclude: [], useIgnoreFiles: false, maxFileBytes: 1 };
    try {
      await client.classify({ support: [], text: 'open document' });
      const result = await client.classifyWorkspace({ run: 1, scope, support: [], poolSize: 0 }, () => {});
      assert.equal(result.files, 1, 'the run finished');
      assert.ok(
        logs.some((l) => /^engine idle/.test(l)),
        `the main worker idled out meanwhile: ${logs.join(' | ')}`,
      );
    } finally {
      await client.stop();
    }
  });
});
