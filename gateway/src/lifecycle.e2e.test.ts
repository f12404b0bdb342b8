import type { ApolloServerPlugin } from '@apollo/server';
import { testLogger, waitFor } from '@atrium/kit/testing';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { loadGatewayConfig } from './config';
import { createGateway } from './gateway';
import { GatewayHost } from './host';
import { createHttpApp } from './http/app';
import type { GatewayModule } from './module';
import { createGatewayMetrics } from './ops/metrics';
import { startForeignSupergraph, type ForeignSupergraph } from './testing/foreign-supergraph';
import { PRODUCTION_ENV } from './testing/start-gateway';

// Each feature of the gateway is a module (module.ts), started in order and closed in
// reverse by the host (host.ts). A start that fails half-way must leave nothing open: no
// Redis connection, socket, server, watcher or timer that would keep the process alive.

let foreign: ForeignSupergraph;

beforeAll(async () => {
  foreign = await startForeignSupergraph({ p1Stars: [5] });
});
afterAll(async () => {
  await foreign?.close();
});

/** What keeps this process alive, counted by kind (TCPSocketWrap, TCPServerWrap, Timeout, StatWatcher…). */
function openHandles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

/** The open handles once those being closed have gone (closing a socket or server is asynchronous). */
async function settledHandles(): Promise<Record<string, number>> {
  for (let previous = openHandles(); ; ) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = openHandles();
    if (JSON.stringify(now) === JSON.stringify(previous)) return now;
    previous = now;
  }
}

/** Waits for what the failed start opened to be closed, then compares. */
async function expectBackTo(baseline: Record<string, number>) {
  await waitFor(() => JSON.stringify(openHandles()) === JSON.stringify(baseline), { timeoutMs: 5_000, what: 'the open handles to go' }).catch(() => undefined);
  expect(openHandles()).toEqual(baseline);
}

const gatewayConfig = (env: Record<string, string> = {}) =>
  loadGatewayConfig({ ...foreign.env, PORT: '0', RATE_LIMIT_PREFIX: `test:ratelimit:${randomUUID()}`, ...env });

describe("the gateway's modules", () => {
  /** A host of its own, with modules that record what happens to them. */
  function recordingHost() {
    const config = loadGatewayConfig({ PORT: '0' });
    const host = new GatewayHost({ config, log: testLogger('gateway'), metrics: createGatewayMetrics(), ...createHttpApp(config) });
    const events: string[] = [];
    const module = (name: string, options: { failStart?: boolean; failClose?: boolean } = {}): GatewayModule => ({
      name,
      async start() {
        events.push(`start ${name}`);
        if (options.failStart) throw new Error(`${name} cannot start`);
        return {
          close: async () => {
            events.push(`close ${name}`);
            if (options.failClose) throw new Error(`${name} cannot close`);
          },
        };
      },
    });
    return { host, events, module };
  }

  it('start in order, close in reverse, and close once however often close() is called', async () => {
    const { host, events, module } = recordingHost();
    const served = await host.serve(async (use) => {
      await use(module('a'));
      await use(module('b'));
      await use(module('c'));
      return {};
    });
    await Promise.all([served.close(), served.close()]);
    await served.close();
    expect(events).toEqual(['start a', 'start b', 'start c', 'close c', 'close b', 'close a']);
  });

  it('close the modules started before one that fails to start, in reverse, and rethrow its error', async () => {
    const { host, events, module } = recordingHost();
    const started = host.serve(async (use) => {
      await use(module('a'));
      await use(module('b'));
      await use(module('c', { failStart: true }));
      await use(module('d'));
      return {};
    });
    await expect(started).rejects.toThrow('c cannot start');
    expect(events).toEqual(['start a', 'start b', 'start c', 'close b', 'close a']);
  });

  it('go on closing the others when one fails to close, then throw that failure', async () => {
    const { host, events, module } = recordingHost();
    const served = await host.serve(async (use) => {
      await use(module('a'));
      await use(module('b', { failClose: true }));
      await use(module('c'));
      return {};
    });
    await expect(served.close()).rejects.toThrow('b cannot close');
    expect(events).toEqual(['start a', 'start b', 'start c', 'close c', 'close b', 'close a']);
  });
});

describe('a gateway', () => {
  it('holds Redis connections, sockets and a server while it runs, and none once closed', async () => {
    const baseline = await settledHandles();
    const gateway = await createGateway(gatewayConfig({ SUPERGRAPH_WATCH: 'on' }), { log: testLogger('gateway') });
    // What the other tests count does go up while a gateway runs: the measure is not blind.
    expect(openHandles()).not.toEqual(baseline);
    expect(openHandles().StatWatcher ?? 0).toBeGreaterThan(baseline.StatWatcher ?? 0);
    await gateway.close();
    await expectBackTo(baseline);
  });

  it('leaves nothing open when its port is taken, once every module has started', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = (taken.address() as { port: number }).port;
      const baseline = await settledHandles();
      await expect(createGateway(gatewayConfig({ PORT: String(port), HOST: '127.0.0.1', SUPERGRAPH_WATCH: 'on' }), { log: testLogger('gateway') })).rejects.toThrow(
        `port ${port} on 127.0.0.1 is already in use`,
      );
      await expectBackTo(baseline);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('leaves nothing open when a module throws after others connected to Redis (production without its signing secret)', async () => {
    const baseline = await settledHandles();
    await expect(createGateway(gatewayConfig({ NODE_ENV: 'production' }), { log: testLogger('gateway') })).rejects.toThrow('SUBGRAPH_SIGNING_SECRETS');
    await expectBackTo(baseline);
  });

  it('leaves nothing open when Apollo Server fails to start after loading (and watching) the supergraph', async () => {
    const failing: ApolloServerPlugin = {
      async serverWillStart() {
        throw new Error('a plugin refused to start');
      },
    };
    const baseline = await settledHandles();
    await expect(
      createGateway(gatewayConfig({ ...PRODUCTION_ENV, SUPERGRAPH_WATCH: 'on' }), { log: testLogger('gateway'), plugins: [failing] }),
    ).rejects.toThrow('a plugin refused to start');
    await expectBackTo(baseline);
  });
});
