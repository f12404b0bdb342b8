import type { Subgraph } from '@atrium/kit/subgraph';
import { createTestDatabase, createTestEvents, createTestIssuer, graphql, testLogger, type GraphQLResponse, type TestDatabase, type TestEvents } from '@atrium/kit/testing';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadHealthConfig } from '../config';
import { createServer } from '../server';
import { startFakeService, type FakeService } from './fake-service';

/** A started health subgraph polling two fake subgraphs and a fake gateway every 200 ms. */
export interface Harness {
  server: Subgraph;
  events: TestEvents;
  fakes: { identity: FakeService; catalog: FakeService; gateway: FakeService };
  tokens: { admin: string; member: string };
  /** One GraphQL operation against health, as an admin unless `token` says otherwise (null: anonymous). */
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<GraphQLResponse<T>>;
  close(): Promise<void>;
}

/** A supergraph.yaml listing identity, catalog and health itself (which must not be polled). */
const SUPERGRAPH = `federation_version: =2.11.0
subgraphs:
  identity:
    routing_url: http://127.0.0.1:4001/graphql
    schema:
      file: ./identity.graphql
  catalog:
    routing_url: http://127.0.0.1:4002/graphql
    schema:
      file: ./catalog.graphql
  health:
    routing_url: http://127.0.0.1:4007/graphql
    schema:
      file: ./health.graphql
`;

export async function startHealth(label: string): Promise<Harness> {
  const dir = mkdtempSync(path.join(tmpdir(), 'atrium-health-'));
  writeFileSync(path.join(dir, 'supergraph.yaml'), SUPERGRAPH);
  const fakes = { identity: await startFakeService(), catalog: await startFakeService(), gateway: await startFakeService() };
  const db: TestDatabase = await createTestDatabase(label);
  const events = createTestEvents(label);
  const issuer = await createTestIssuer();
  const config = loadHealthConfig({
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    PORT: '0',
    LOG_LEVEL: 'silent',
    ...events.env,
    // Live events of this suite only (other suites' monitors publish too).
    PUBSUB_PREFIX: `atrium-test-${label}-${randomUUID()}`,
    HEALTH_POLL_INTERVAL_MS: '200',
    HEALTH_TIMEOUT_MS: '1000',
    SUPERGRAPH_CONFIG: path.join(dir, 'supergraph.yaml'),
    GATEWAY_URL: fakes.gateway.url,
    HEALTH_SERVICE_IDENTITY_URL: fakes.identity.url,
    // As a routing URL would read: the monitor strips `/graphql`.
    HEALTH_SERVICE_CATALOG_URL: `${fakes.catalog.url}/graphql`,
  });
  const server = await createServer(config, { verifier: issuer.verifier, log: testLogger('health') });
  const tokens = { admin: await issuer.token({ roles: ['ADMIN'] }), member: await issuer.token({ roles: ['MEMBER'] }) };
  const url = `${server.url}/graphql`;
  return {
    server,
    events,
    fakes,
    tokens,
    gql: (query, variables = {}, token = tokens.admin) => graphql(url, query, variables, token ? { token } : {}),
    close: async () => {
      await server?.close();
      await events.close();
      await db.drop();
      await Promise.all(Object.values(fakes).map((f) => f.stop()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
