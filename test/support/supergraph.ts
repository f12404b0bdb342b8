import { freePort } from '@atrium/kit';
import { type Subgraph } from '@atrium/kit/subgraph';
import { createTestDatabase, createTestEvents, graphql, testLogger, type TestDatabase, type TestEvents } from '@atrium/kit/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { loadGatewayConfig } from '../../gateway/src/config';
import { createGateway, type Gateway } from '../../gateway/src/gateway';
import { startSubgraph, SUBGRAPHS, type SubgraphName } from '../../subgraphs';
import type { IdentityServer } from '../../subgraphs/identity/src/server';
import { startCaptureServer, type CaptureServer } from '../../scripts/lib/mail-catcher';

export const ADMIN = { email: 'admin@atrium.test', password: 'admin-password-123' };
export const SUPERGRAPH_FILE = path.join(__dirname, '..', '..', 'schema', 'supergraph.graphql');

type Env = Record<string, string>;

export type { SubgraphName };
const NAMES = Object.keys(SUBGRAPHS) as SubgraphName[];

export interface RunningSupergraph {
  /** The gateway's GraphQL endpoint. */
  url: string;
  gateway: Gateway;
  identity: IdentityServer;
  subgraphs: Record<SubgraphName, Subgraph>;
  /** Every operation each subgraph received, in order: proves what the gateway fetched. */
  received: Record<SubgraphName, string[]>;
  /** Mail notification sent. */
  mail: CaptureServer;
  events: TestEvents;
  /** Stops one subgraph (as a crash or a deploy would). */
  stop(name: SubgraphName): Promise<void>;
  /** Starts it again on the same port and database. */
  restart(name: SubgraphName): Promise<Subgraph>;
  /** Starts one more instance of a subgraph (same database, stream and Redis; a port of its own), as a scaled-out deployment runs. */
  another(name: SubgraphName): Promise<Subgraph>;
  /** Starts one more gateway with the same configuration, plus `env` (e.g. another instance's URL). */
  anotherGateway(env?: Env): Promise<Gateway>;
  close(): Promise<void>;
}

/** Records the operations a subgraph receives (the gateway's fetches). */
const recorder = (into: string[]) => (query: string) => void into.push(query);

/**
 * The whole supergraph as production runs it, in-process: every subgraph on a fresh
 * database, one private event stream, a mail catcher for notification, and the gateway
 * on the committed schema/supergraph.graphql — all on port 0. `env` reaches every service.
 */
export async function startSupergraph(env: Env = {}): Promise<RunningSupergraph> {
  const events = createTestEvents('e2e');
  // Live events (subscriptions) of this supergraph only, as its stream and job prefix are.
  const PUBSUB_PREFIX = `e2e:pubsub:${randomUUID()}`;
  // One signing secret for the whole supergraph, as production has: the gateway signs every
  // subgraph request, and a suite that runs in production mode (or sets SUBGRAPH_SIGNATURE)
  // gets subgraphs that refuse anything unsigned.
  const SUBGRAPH_SIGNING_SECRETS = randomBytes(32).toString('hex');
  const mail = await startCaptureServer({ port: 0, host: '127.0.0.1' });
  const dbs: TestDatabase[] = [];
  let started: { close(): Promise<void> }[] = [];
  const how = new Map<SubgraphName, { env: Env }>();
  const received = Object.fromEntries(NAMES.map((n) => [n, [] as string[]])) as Record<SubgraphName, string[]>;
  const closeAll = async () => {
    for (const s of started.reverse()) await s.close();
    for (const db of dbs) await db.drop();
    await mail.close();
    await events.close();
  };
  try {
    const start = async (name: SubgraphName, extra: Env) => {
      const db = await createTestDatabase(`e2e_${name}`);
      dbs.push(db);
      const serviceEnv = { PORT: '0', DATABASE_URL: db.url, ...events.env, PUBSUB_PREFIX, SUBGRAPH_SIGNING_SECRETS, ...extra, ...env };
      const server = await startSubgraph(name, serviceEnv, { observe: recorder(received[name]), log: testLogger(name) });
      how.set(name, { env: serviceEnv });
      started.push(server);
      return server;
    };
    // identity first: the others verify tokens against its JWKS.
    const identity = (await start('identity', { ATRIUM_ADMIN_EMAIL: ADMIN.email, ATRIUM_ADMIN_PASSWORD: ADMIN.password })) as IdentityServer;
    const JWKS_URL = `${identity.url}/.well-known/jwks.json`;
    const shared = { JWKS_URL, SMTP_URL: `smtp://127.0.0.1:${mail.port}`, DELIVERY_BACKOFF_MS: '200' };
    const rest = NAMES.filter((n) => n !== 'identity' && n !== 'health');
    const others = await Promise.all(rest.map((name) => start(name, shared)));
    const subgraphs = { identity, ...Object.fromEntries(rest.map((n, i) => [n, others[i]])) } as unknown as Record<SubgraphName, Subgraph>;
    // health and the gateway each need the other's address: health's port is chosen first.
    const healthPort = await freePort();
    const gatewayEnv: Env = {
      PORT: '0',
      SUPERGRAPH_PATH: SUPERGRAPH_FILE,
      JWKS_URL,
      ...Object.fromEntries(NAMES.filter((n) => n !== 'health').map((n) => [`SUBGRAPH_${n.toUpperCase()}_URL`, `${subgraphs[n].url}/graphql`])),
      SUBGRAPH_HEALTH_URL: `http://127.0.0.1:${healthPort}/graphql`,
      // The subgraphs' live-event channels: the gateway hears identity's session revocations.
      PUBSUB_PREFIX,
      // Rate limits stay on, with budgets of their own per supergraph; the suites sign in
      // far more often than the production login limit allows one IP.
      RATE_LIMIT_PREFIX: `e2e:ratelimit:${randomUUID()}`,
      RATE_LIMIT_LOGIN: '10000',
      RATE_LIMIT_LOGIN_IP: '10000',
      SUBGRAPH_SIGNING_SECRETS,
      ...env,
    };
    const gateway = await createGateway(loadGatewayConfig(gatewayEnv), { log: testLogger('gateway') });
    started.push(gateway);
    subgraphs.health = await start('health', {
      ...shared,
      PORT: String(healthPort),
      GATEWAY_URL: gateway.url,
      ...Object.fromEntries(['identity', ...rest].map((n) => [`HEALTH_SERVICE_${n.toUpperCase()}_URL`, subgraphs[n as SubgraphName].url])),
    });
    const stop = async (name: SubgraphName) => {
      await subgraphs[name].close();
      started = started.filter((s) => s !== subgraphs[name]);
    };
    const restart = async (name: SubgraphName) => {
      const { env: serviceEnv } = how.get(name)!;
      const server = await startSubgraph(name, { ...serviceEnv, PORT: String(subgraphs[name].port) }, { observe: recorder(received[name]), log: testLogger(name) });
      subgraphs[name] = server;
      started.push(server);
      return server;
    };
    const another = async (name: SubgraphName) => {
      const server = await startSubgraph(name, { ...how.get(name)!.env, PORT: '0' }, { observe: recorder(received[name]), log: testLogger(name) });
      started.push(server);
      return server;
    };
    const anotherGateway = async (extra: Env = {}) => {
      const next = await createGateway(loadGatewayConfig({ ...gatewayEnv, ...extra }), { log: testLogger('gateway') });
      started.push(next);
      return next;
    };
    return { url: `${gateway.url}/graphql`, gateway, identity, subgraphs, received, mail, events, stop, restart, another, anotherGateway, close: closeAll };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

export interface Session {
  userId: string;
  accessToken: string;
  refreshToken: string;
}

// No `user { email }`: the request is anonymous, and e-mail is @authenticated (read `me` afterwards).
const AUTH_FIELDS = 'accessToken refreshToken expiresAt user { id name roles }';

export async function register(url: string, email: string, name = email.split('@')[0], password = 'correct-horse-battery'): Promise<Session> {
  const res = await graphql(url, `mutation($input: RegisterInput!) { register(input: $input) { ${AUTH_FIELDS} } }`, {
    input: { email, password, name },
  });
  if (res.errors) throw new Error(`register failed: ${JSON.stringify(res.errors)}`);
  const p = res.data!.register;
  return { userId: p.user.id, accessToken: p.accessToken, refreshToken: p.refreshToken };
}

export async function login(url: string, email: string, password: string): Promise<Session> {
  const res = await graphql(url, `mutation($input: LoginInput!) { login(input: $input) { ${AUTH_FIELDS} } }`, { input: { email, password } });
  if (res.errors) throw new Error(`login failed: ${JSON.stringify(res.errors)}`);
  const p = res.data!.login;
  return { userId: p.user.id, accessToken: p.accessToken, refreshToken: p.refreshToken };
}

/** An anonymous caller plus a signed-in member, manager and admin, through the gateway. */
export async function castOfUsers(url: string) {
  const admin = await login(url, ADMIN.email, ADMIN.password);
  const member = await register(url, 'member@atrium.test', 'Mia Member');
  await register(url, 'manager@atrium.test', 'Max Manager');
  const managerId = (await login(url, 'manager@atrium.test', 'correct-horse-battery')).userId;
  const promoted = await graphql(url, `mutation($id: ID!) { setUserRoles(userId: $id, roles: [MANAGER]) { roles } }`, { id: managerId }, { token: admin.accessToken });
  if (promoted.errors) throw new Error(`setUserRoles failed: ${JSON.stringify(promoted.errors)}`);
  const manager = await login(url, 'manager@atrium.test', 'correct-horse-battery'); // a token with the new scopes
  return { admin, member, manager };
}
