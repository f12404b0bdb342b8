import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A stand-in for a subgraph or the gateway: answers `/ready` with `status` and can be stopped and restarted on its port. */
export interface FakeService {
  url: string;
  port: number;
  /** What `/ready` answers (200 by default). */
  status: number;
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
}

export async function startFakeService(): Promise<FakeService> {
  let server: Server | undefined;
  const fake: FakeService = {
    url: '',
    port: 0,
    status: 200,
    async start() {
      server = createServer((req, res) => {
        // One connection per probe, as with a restarted service: a stop then finds no idle
        // keep-alive socket to cut under a probe that is just reusing it ("connection reset"),
        // so every probe after a stop is refused, and one already answering completes.
        res.shouldKeepAlive = false;
        res.statusCode = req.url === '/ready' ? fake.status : 404;
        res.end(JSON.stringify({ status: fake.status === 200 ? 'ready' : 'unavailable' }));
      });
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(fake.port, '127.0.0.1', () => resolve());
      });
      fake.port = (server.address() as AddressInfo).port;
      fake.url = `http://127.0.0.1:${fake.port}`;
    },
    async stop() {
      if (!server) return;
      const s = server;
      server = undefined;
      const closed = new Promise<void>((resolve) => s.close(() => resolve()));
      s.closeIdleConnections();
      await closed;
    },
  };
  await fake.start();
  return fake;
}
