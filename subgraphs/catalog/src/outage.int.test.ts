import { loadConfig } from '@atrium/kit';
import { createTestDatabase, createTestEvents, graphql, testLogger, type TestDatabase, type TestEvents } from '@atrium/kit/testing';
import { createServer as listenTcp, createConnection, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { catalogEnv } from './config';
import { createServer } from './server';

// A subgraph whose PostgreSQL goes away under it: clients must get SERVICE_UNAVAILABLE, a
// code they may retry on, not INTERNAL_SERVER_ERROR (issue 8, D10).

/** A TCP forwarder to PostgreSQL that a test can cut (every connection dropped, new ones refused) and mend. */
async function cuttableProxy(target: { host: string; port: number }) {
  const sockets = new Set<Socket>();
  const serve = (port = 0) =>
    new Promise<Server>((resolve) => {
      const server = listenTcp((client) => {
        const upstream = createConnection(target);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s)).on('error', () => undefined);
        }
        client.pipe(upstream).pipe(client);
        const end = () => (client.destroy(), upstream.destroy());
        client.on('close', end);
        upstream.on('close', end);
      });
      server.listen(port, '127.0.0.1', () => resolve(server));
    });
  let server = await serve();
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    async cut() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
    async mend() {
      server = await serve(port);
    },
    close: () => new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve())),
  };
}

let db: TestDatabase;
let events: TestEvents;
let proxy: Awaited<ReturnType<typeof cuttableProxy>>;
let server: Awaited<ReturnType<typeof createServer>>;

beforeAll(async () => {
  db = await createTestDatabase('catalog_outage');
  events = createTestEvents('catalog_outage');
  const target = new URL(db.url);
  proxy = await cuttableProxy({ host: target.hostname, port: Number(target.port || 5432) });
  target.port = String(proxy.port);
  server = await createServer(loadConfig(catalogEnv, { ...events.env, DATABASE_URL: target.toString(), PORT: '0' }), { log: testLogger() });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await proxy?.close();
  await events?.close();
  await db?.drop();
}, 60_000);

const WORKSPACES = '{ workspaces(first: 1) { totalCount } }';

describe('a subgraph whose database is down', () => {
  it('answers SERVICE_UNAVAILABLE at the field, with no SQL or driver text, and serves again once the database is back', async () => {
    const url = `${server.url}/graphql`;
    expect(await graphql(url, WORKSPACES)).toMatchObject({ data: { workspaces: { totalCount: 0 } } });

    await proxy.cut(); // pooled connections dropped, new ones refused
    const down = await graphql(url, WORKSPACES);
    expect(down.data).toBeNull();
    expect(down.errors).toEqual([
      { message: 'A service this request needs is temporarily unavailable: retry later', path: ['workspaces'], locations: expect.any(Array), extensions: { code: 'SERVICE_UNAVAILABLE' } },
    ]);
    expect(JSON.stringify(down.errors)).not.toMatch(/select|ECONNREFUSED|Connection terminated|workspace"/i);

    await proxy.mend();
    expect(await graphql(url, WORKSPACES)).toMatchObject({ data: { workspaces: { totalCount: 0 } } });
  });
});
