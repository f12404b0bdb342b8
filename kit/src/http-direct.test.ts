import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BodyRefused, readJsonBody, servesDirectly } from './http-direct';

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
