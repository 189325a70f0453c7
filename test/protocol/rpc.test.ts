import * as assert from 'node:assert/strict';
import { fillMessage } from '../../src/engine/data/labelName';
import { RpcClient, RpcServer, CancelSource, errorText, RpcError, type RpcMessage } from '../../src/protocol/rpc';

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

describe('rpc: errors said in the user language', () => {
  /** A translation, as vscode.l10n.t with a bundle: the template looked up, then filled. */
  const zh: Record<string, string> = {
    'cannot read {0}: {1}': '无法读取 {0}：{1}',
    '{0}; trying again in {1} s': '{0}；将在 {1} 秒后重试',
  };
  const translate = (m: string, ...args: string[]) => fillMessage(zh[m] ?? m, args);
  /** An error of the engine: a message with its template (EngineInputError's shape, known to rpc only structurally). */
  class SaidError extends Error {
    constructor(
      message: string,
      readonly said: unknown,
    ) {
      super(message);
    }
  }
  const failing = (error: Error) =>
    pair({
      fail: () => {
        throw error;
      },
    });
  const rejection = async (client: RpcClient<Api>): Promise<RpcError> => {
    try {
      await client.request('fail', {});
    } catch (e) {
      if (e instanceof RpcError) return e;
    }
    throw new Error('the request did not fail with an RpcError');
  };

  it('a template crosses with the English message; the caller says it through its translation', async () => {
    const { client, log } = failing(RpcError.said('input', 'cannot read {0}: {1}', 'a.txt', 'ENOENT'));
    const e = await rejection(client);
    assert.equal(e.message, 'cannot read a.txt: ENOENT');
    assert.equal(e.code, 'input');
    assert.deepEqual(e.said, { template: 'cannot read {0}: {1}', params: ['a.txt', 'ENOENT'] });
    assert.equal(errorText(e, translate), '无法读取 a.txt：ENOENT');
    assert.equal(errorText(e), 'cannot read a.txt: ENOENT');
    const response = log.find((m) => m.kind === 'response');
    assert.deepEqual(response?.kind === 'response' && response.error, {
      message: 'cannot read a.txt: ENOENT',
      code: 'input',
      template: 'cannot read {0}: {1}',
      params: ['a.txt', 'ENOENT'],
    });
    // Any error carrying a template (the engine's input errors) crosses the same way.
    const engine = await rejection(
      failing(new SaidError('cannot read b: x', { template: 'cannot read {0}: {1}', params: ['b', 'x'] })).client,
    );
    assert.equal(errorText(engine, translate), '无法读取 b：x');
  });

  it('a malformed template is left out on the answering side: the plain message is shown', async () => {
    const malformed: unknown[] = [
      { template: 'cannot read {0}: {1}', params: ['a.txt'] }, // a placeholder without its parameter
      { template: 'cannot read {0}: {1}', params: ['b.txt', 'ENOENT'] }, // says something else than the message
      { template: 'cannot read {0}: {1}', params: ['a.txt', 7] }, // a parameter that is not text
      { template: '', params: [] },
      'cannot read {0}: {1}',
    ];
    for (const said of malformed) {
      const { client, log } = failing(new SaidError('cannot read a.txt: ENOENT', said));
      const e = await rejection(client);
      assert.equal(e.said, undefined, JSON.stringify(said));
      assert.equal(errorText(e, translate), 'cannot read a.txt: ENOENT');
      const response = log.find((m) => m.kind === 'response');
      assert.ok(response?.kind === 'response' && response.error && !('template' in response.error), JSON.stringify(said));
    }
  });

  it('a malformed template is left out on the calling side too (the message crossed a thread untyped)', async () => {
    for (const error of [
      { message: 'cannot read a.txt: ENOENT', code: 'input', template: 'cannot read {0}: {3}', params: ['a.txt', 'ENOENT'] },
      { message: 'cannot read a.txt: ENOENT', code: 'input', template: 'cannot read {0}: {1}', params: 'a.txt' },
      { message: 'cannot read a.txt: ENOENT', code: 'input', template: 42, params: [] },
      { message: 'something else', code: 'input', template: 'cannot read {0}: {1}', params: ['a.txt', 'ENOENT'] },
    ]) {
      const client = new RpcClient<Api>(() => {});
      const pending = client.request('fail', {});
      client.handle({ kind: 'response', id: 1, error });
      const e = await pending.then(
        () => undefined,
        (x: unknown) => x,
      );
      assert.ok(e instanceof RpcError && e.said === undefined, JSON.stringify(error));
      assert.equal(errorText(e, translate), error.message);
    }
  });

  it('an answering side with a translation posts the message said in the language, without the template (the panel)', async () => {
    let client!: RpcClient<Api>;
    const log: RpcMessage[] = [];
    const server = new RpcServer<Api>(
      {
        add: () => 0,
        slow: () => '',
        fail: () => {
          throw RpcError.said('input', 'cannot read {0}: {1}', 'a.txt', 'ENOENT');
        },
      },
      (m) => {
        log.push(m);
        client.handle(m);
      },
      () => 'internal',
      translate,
    );
    client = new RpcClient<Api>((m) => server.handle(m));
    const e = await rejection(client);
    assert.equal(e.message, '无法读取 a.txt：ENOENT');
    assert.equal(e.said, undefined);
    const response = log.find((m) => m.kind === 'response');
    assert.ok(response?.kind === 'response' && response.error && !('template' in response.error));
  });

  it('close says its reason with the template it is given; an inner message is said in the same language', async () => {
    const client = new RpcClient<Api>(() => {});
    const inner = { template: 'cannot read {0}: {1}', params: ['a.txt', 'ENOENT'] };
    const said = { template: '{0}; trying again in {1} s', params: ['cannot read a.txt: ENOENT', '2'], inner };
    client.close('cannot read a.txt: ENOENT; trying again in 2 s', said);
    const e = await client.request('add', { a: 1, b: 1 }).then(
      () => undefined,
      (x: unknown) => x,
    );
    assert.equal(errorText(e, translate), '无法读取 a.txt：ENOENT；将在 2 秒后重试');
    assert.equal(errorText(e), 'cannot read a.txt: ENOENT; trying again in 2 s');
  });
});
