import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NotReadyError, waitUntilReady } from './readiness';
import type { ExitInfo } from './service-process';

let server: Server;
let url: string;
let readyAfter: number;
let calls: number;

beforeAll(async () => {
  server = createServer((_req, res) => {
    calls++;
    const ready = calls > readyAfter;
    res.writeHead(ready ? 200 : 503).end(ready ? 'ok' : '{"status":"migrating"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ready`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));
beforeEach(() => {
  calls = 0;
});

const running = (): Promise<ExitInfo> => new Promise(() => undefined);

describe('waitUntilReady', () => {
  it('resolves once /ready answers 200', async () => {
    readyAfter = 2;
    await waitUntilReady({ name: 'catalog', url, timeoutMs: 5_000, exited: running(), intervalMs: 10 });
    expect(calls).toBe(3);
  });

  it('times out naming the service and its last answer', async () => {
    readyAfter = Infinity;
    const wait = waitUntilReady({ name: 'catalog', url, timeoutMs: 100, exited: running(), intervalMs: 10 });
    await expect(wait).rejects.toThrow(NotReadyError);
    await expect(wait).rejects.toThrow(/^catalog was not ready after 0 s: .* answered 503 \{"status":"migrating"\}/);
  });

  it('reports a refused connection by its code', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const wait = waitUntilReady({
      name: 'identity',
      url: `http://127.0.0.1:${port}/ready`,
      timeoutMs: 100,
      exited: running(),
      intervalMs: 10,
    });
    await expect(wait).rejects.toThrow(/answered ECONNREFUSED/);
  });

  it('stops waiting as soon as the service exits', async () => {
    readyAfter = Infinity;
    const wait = waitUntilReady({
      name: 'booking',
      url,
      timeoutMs: 60_000,
      exited: Promise.resolve({ code: 1, signal: null }),
      intervalMs: 10,
    });
    await expect(wait).rejects.toThrow('booking exited with code 1 before it was ready (its output is above)');
  });

  it('stops waiting when aborted', async () => {
    readyAfter = Infinity;
    const abort = new AbortController();
    const wait = waitUntilReady({ name: 'booking', url, timeoutMs: 60_000, exited: running(), signal: abort.signal });
    abort.abort();
    await expect(wait).rejects.toThrow(/abort/i);
  });
});
