import { loadConfig, type Logger } from '@atrium/kit';
import { createTestDatabase, createTestEvents, graphql, type GraphQLResponse, type TestDatabase, type TestEvents } from '@atrium/kit/testing';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { identityEnv, type IdentityConfig } from '../config';
import { createServer, type IdentityServer } from '../server';

export const ADMIN_EMAIL = 'root@atrium.test';
export const ADMIN_PASSWORD = 'correct horse battery staple';

/** identity's configuration for tests: port 0, the given database, the first admin set. */
export function testConfig(databaseUrl: string, env: Record<string, string> = {}): IdentityConfig {
  return loadConfig(identityEnv, {
    NODE_ENV: 'test',
    PORT: '0',
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'silent',
    ATRIUM_ADMIN_EMAIL: ADMIN_EMAIL,
    ATRIUM_ADMIN_PASSWORD: ADMIN_PASSWORD,
    // Never the shared default stream: a dev stack on this Redis would consume test events.
    ...createTestEvents('identity').env,
    // Nor the shared live-event channels: a dev gateway would hear the suite's revocations.
    PUBSUB_PREFIX: `identity:test:${randomUUID()}`,
    ...env,
  });
}

/** A logger that keeps every line, to assert on what is (and is not) logged. */
export function captureLogger(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  return { log: pino({ level: 'info' }, { write: (line: string) => void lines.push(line) }), lines };
}

export const AUTH_FIELDS = 'accessToken refreshToken expiresAt user { id name roles }';

export interface Session {
  accessToken: string;
  refreshToken: string;
  expiresAt: string;
  user: { id: string; name: string; roles: string[] };
}

/** A started identity subgraph on a fresh database, with helpers bound to it. */
export interface Harness {
  db: TestDatabase;
  server: IdentityServer;
  config: IdentityConfig;
  /** The suite's own event stream: what identity announced. */
  events: TestEvents;
  /** One GraphQL operation against this identity, as `token`'s bearer when given. */
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GraphQLResponse<T>>;
  /** register, expecting success. */
  register(email: string, password?: string, name?: string): Promise<Session>;
  /** login, expecting success. */
  login(email: string, password: string, totp?: string): Promise<Session>;
  close(): Promise<void>;
}

/** Starts identity on a fresh database. Call `close()` in afterAll. */
export async function startIdentity(label: string, env: Record<string, string> = {}): Promise<Harness> {
  const db = await createTestDatabase(label);
  const events = createTestEvents(label);
  const config = testConfig(db.url, { ...events.env, ...env });
  const server = await createServer(config);
  const call: Harness['gql'] = (query, variables, token) => graphql(`${server.url}/graphql`, query, variables, { token });
  const expectOk = async (field: string, res: GraphQLResponse): Promise<Session> => {
    if (res.errors?.length || !res.data?.[field]) throw new Error(`${field} failed: ${JSON.stringify(res.errors)}`);
    return res.data[field] as Session;
  };
  return {
    db,
    server,
    config,
    events,
    gql: call,
    register: async (email, password = 'a long enough password', name = 'Test User') =>
      expectOk(
        'register',
        await call(`mutation($input: RegisterInput!) { register(input: $input) { ${AUTH_FIELDS} } }`, { input: { email, password, name } }),
      ),
    login: async (email, password, totp) =>
      expectOk(
        'login',
        await call(`mutation($input: LoginInput!) { login(input: $input) { ${AUTH_FIELDS} } }`, { input: { email, password, totp } }),
      ),
    close: async () => {
      await server.close();
      await events.close();
      await db.drop();
    },
  };
}

/** The payload of a JWT, decoded without verification (tests look at claims). */
export function claims(token: string): Record<string, any> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

export function header(token: string): Record<string, any> {
  return JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8'));
}
