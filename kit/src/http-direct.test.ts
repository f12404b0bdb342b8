import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BodyRefused, directRoute, malformedBody, readJsonBody, requestIdOf, sendJson, servesDirectly } from './http-direct';
import type { Logger } from './logger';

const req = (method: string, url: string, headers: Record<string, string>) => ({ method, url, headers }) as unknown as IncomingMessage;

describe('servesDirectly: which requests skip Express', () => {
  const json = { 'content-type': 'application/json' };
  it('takes a plain JSON POST to /graphql from a client that is no browser', () => {
    expect(servesDirectly(req('POST', '/graphql', json))).toBe(true);
    expect(servesDirectly(req('POST', '/graphql', { 'content-type': 'application/json; charset=utf-8', accept: 'application/graphql-response+json, application/json' }))).toBe(true);
  });
  it.each([
    ['a browser (Origin: CORS answers it)', req('POST', '/graphql', { ...json, origin: 'https://app.example' })],
    ['a GET', req('GET', '/graphql?query=%7B__typename%7D', {})],
    ['another path', req('POST', '/graphql/', json)],
    ['a query string', req('POST', '/graphql?x=1', json)],
    ['a form post (CSRF prevention answers it)', req('POST', '/graphql', { 'content-type': 'text/plain' })],
    ['a compressed body', req('POST', '/graphql', { ...json, 'content-encoding': 'gzip' })],
    ['another charset', req('POST', '/graphql', { 'content-type': 'application/json; charset=latin1' })],
    ['@defer or a multipart subscription', req('POST', '/graphql', { ...json, accept: 'multipart/mixed;deferSpec=20220824, application/json' })],
    ['an SSE subscription', req('POST', '/graphql', { ...json, accept: 'text/event-stream' })],
  ])('leaves %s to Express', (_what, message) => {
    expect(servesDirectly(message)).toBe(false);
  });
});

describe('readJsonBody (as express.json reads it)', () => {
  let server: Server;
  let port: number;
  const limit = 64;
  beforeAll(async () => {
    server = createServer((message, res) => {
      readJsonBody(message, limit).then(
        (body) => res.end(JSON.stringify({ body })),
        (err: unknown) => res.end(JSON.stringify(err instanceof BodyRefused ? { status: err.status, code: err.code } : { other: String(err) })),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const send = (body: string, chunked = false) =>
    new Promise<unknown>((resolve, reject) => {
      const headers: Record<string, string | number> = { 'content-type': 'application/json' };
      if (!chunked) headers['content-length'] = Buffer.byteLength(body);
      const call = request({ port, host: '127.0.0.1', method: 'POST', path: '/graphql', headers }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c)).on('end', () => resolve(JSON.parse(text)));
      });
      call.on('error', reject);
      if (chunked) for (let i = 0; i < body.length; i += 16) call.write(body.slice(i, i + 16));
      call.end(chunked ? undefined : body);
    });

  it('parses an object or an array; an empty body is {}', async () => {
    await expect(send('{"query":"{ a }"}')).resolves.toEqual({ body: { query: '{ a }' } });
    await expect(send('[{"query":"{ a }"}]')).resolves.toEqual({ body: [{ query: '{ a }' }] });
    await expect(send('')).resolves.toEqual({ body: {} });
  });
  it('refuses what is not a JSON object or array: 400 BAD_REQUEST', async () => {
    for (const body of ['{"query":', '"a string"', '42', 'null', '   ']) await expect(send(body)).resolves.toEqual({ status: 400, code: 'BAD_REQUEST' });
  });
  it('refuses a body over the limit, declared or streamed: 413 PAYLOAD_TOO_LARGE', async () => {
    const big = JSON.stringify({ query: 'x'.repeat(limit) });
    await expect(send(big)).resolves.toEqual({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    await expect(send(big, true)).resolves.toEqual({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
  });
});

describe('directRoute (a request taken before Express)', () => {
  let server: Server;
  let port: number;
  const logged: unknown[] = [];
  const log = { error: (fields: unknown) => void logged.push(fields) } as unknown as Logger;
  const route = directRoute(
    log,
    (message) => message.url !== '/not-mine',
    async (message, res) => {
      if (message.url === '/refused') throw malformedBody();
      if (message.url === '/fails') throw new Error('SELECT * FROM secrets failed');
      sendJson(res, 200, { requestId: requestIdOf(message, res) });
    },
  );
  beforeAll(async () => {
    server = createServer((message, res) => {
      if (!route(message, res)) sendJson(res, 404, { passed: true });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const call = async (path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers });
    return { status: res.status, requestId: res.headers.get('x-request-id'), body: (await res.json()) as Record<string, unknown> };
  };

  it('passes on what it does not accept', async () => {
    expect(await call('/not-mine')).toMatchObject({ status: 404, body: { passed: true } });
  });
  it("echoes the caller's x-request-id, or makes one up", async () => {
    expect(await call('/', { 'x-request-id': 'trace-1' })).toEqual({ status: 200, requestId: 'trace-1', body: { requestId: 'trace-1' } });
    const made = await call('/');
    expect(made.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(made.body.requestId).toBe(made.requestId);
  });
  it('answers a refused body as the Express path does, and anything else as a bare 500 that shows no internals', async () => {
    expect(await call('/refused')).toMatchObject({ status: 400, body: { errors: [{ message: 'Malformed request body', extensions: { code: 'BAD_REQUEST' } }] } });
    const failed = await call('/fails');
    expect(failed).toMatchObject({ status: 500, body: { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] } });
    expect(JSON.stringify(failed.body)).not.toContain('secrets');
    expect(logged).toHaveLength(1);
  });
});
