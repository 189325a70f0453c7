import * as assert from 'node:assert/strict';
import { RpcClient, RpcServer, CancelSource, RpcError, type RpcMessage } from '../../src/protocol/rpc';

type Api = {
  add: { params: { a: number; b: number }; result: number };
  slow: { params: { ms: number }; result: string };
  fail: { params: Record<string, never>; result: null };
};

/** Wires a client and a server through asynchronous delivery, like a real port. */
function pair(handlers?: Partial<ConstructorParameters<typeof RpcServer<Api>>[0]>) {
  const log: RpcMessage[] = [];
  let server!: RpcServer<Api>;
  const client = new RpcClient<Api>((m) => {
    log.push(m);
    setTimeout(() => server.handle(m), 0);
  });
  server = new RpcServer<Api>(
    {
      add: ({ a, b }) => a + b,
      slow: async ({ ms }, signal) => {
        const started = Date.now();
        while (Date.now() - started < ms) {
          if (signal.isCancellationRequested) return 'stopped';
          await new Promise((r) => setTimeout(r, 2));
        }
        return 'finished';
      },
      fail: () => {
        throw new Error('bad thing');
      },
      ...handlers,
    },
    (m) => {
      log.push(m);
      setTimeout(() => client.handle(m), 0);
    },
  );
  return { client, server, log };
}

describe('rpc', () => {
  it('answers requests with the result, matched by id', async () => {
    const { client, log } = pair();
    const [x, y] = await Promise.all([client.request('add', { a: 1, b: 2 }), client.request('add', { a: 10, b: 20 })]);
    assert.equal(x, 3);
    assert.equal(y, 30);
    const responses = log.filter((m) => m.kind === 'response').map((m) => m.id);
    assert.deepEqual(responses.sort(), [1, 2]);
  });

  it('turns a thrown error into a rejected promise with its message', async () => {
    const { client } = pair();
    await assert.rejects(
      client.request('fail', {}),
      (e: unknown) => e instanceof RpcError && e.message === 'bad thing' && e.code === 'internal',
    );
  });

  it('rejects unknown methods clearly', async () => {
    const { client } = pair();
    await assert.rejects(
      (client as unknown as RpcClient<{ nope: { params: Record<string, never>; result: null } }>).request('nope', {}),
      /unknown method nope/,
    );
  });

  it('cancelling rejects at once and tells the server, which stops the handler', async () => {
    const { client, log } = pair();
    const source = new CancelSource();
    const pending = client.request('slow', { ms: 2000 }, source);
    setTimeout(() => source.cancel(), 20);
    const started = Date.now();
    await assert.rejects(pending, (e: unknown) => e instanceof RpcError && e.code === 'cancelled');
    assert.ok(Date.now() - started < 1000);
    assert.ok(log.some((m) => m.kind === 'cancel'));
    assert.equal(client.pendingCount, 0);
    // The server still works afterwards.
    assert.equal(await client.request('add', { a: 2, b: 2 }), 4);
  });

  it('a request cancelled while queued never runs', async () => {
    let runs = 0;
    const { client } = pair({
      add: ({ a, b }) => {
        runs++;
        return a + b;
      },
    });
    const blocker = client.request('slow', { ms: 100 });
    const source = new CancelSource();
    const queued = client.request('add', { a: 1, b: 1 }, source);
    source.cancel();
    await assert.rejects(queued, /cancelled/);
    assert.equal(await blocker, 'finished');
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(runs, 0);
  });

  it('close rejects pending requests and refuses new ones', async () => {
    const client = new RpcClient<Api>(() => {});
    const pending = client.request('add', { a: 1, b: 1 });
    client.close('worker exited');
    await assert.rejects(pending, /worker exited/);
    await assert.rejects(client.request('add', { a: 1, b: 1 }), /worker exited/);
  });

  it('ignores messages that are not its own', () => {
    const client = new RpcClient<Api>(() => {});
    assert.equal(client.handle({ kind: 'log', message: 'x' }), false);
    assert.equal(client.handle({ kind: 'response', id: 99, result: 1 }), false);
    assert.equal(client.handle(null), false);
  });
});
