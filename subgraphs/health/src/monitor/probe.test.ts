import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { failureReason, probe } from './probe';

describe('probe', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/ready') res.end('{}');
      // Any other path: never answer (a hung service).
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('is UP with a latency when /ready answers 200', async () => {
    expect(await probe('a', url, 1000)).toEqual({ service: 'a', status: 'UP', latencyMs: expect.any(Number), reason: null, at: expect.any(Date) });
  });

  it('is DOWN with "timeout" when no answer comes in time', async () => {
    expect(await probe('a', `${url}/hung`, 100)).toMatchObject({ status: 'DOWN', latencyMs: null, reason: 'timeout after 100 ms' });
  });

  it('names refused connections plainly', () => {
    expect(failureReason(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }), 1)).toBe('connection refused');
  });
});
