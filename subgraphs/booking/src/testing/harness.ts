import { loadConfig } from '@atrium/kit';
import { countStatements, type EventEnvelope, type Subgraph, type WorkspaceSnapshot } from '@atrium/kit/subgraph';
import {
  createTestDatabase,
  createTestEvents,
  createTestIssuer,
  graphql,
  testLogger,
  waitFor,
  type GraphQLResponse,
  type TestDatabase,
  type TestEvents,
  type TestIssuer,
} from '@atrium/kit/testing';
import { randomUUID } from 'node:crypto';
import { bookingEnv, type BookingConfig } from '../config';
import { createServer } from '../server';
import { WorkspaceReplica } from '../workspace/workspace-replica.entity';

export const BOOKING_FIELDS = `id status startsAt endsAt expiresAt confirmedAt cancelledAt cancelReason failureReason createdAt
  price { amount currency } workspace { id } user { id }`;
export const CREATE = `mutation($input: CreateBookingInput!, $key: String) { createBooking(input: $input, idempotencyKey: $key) { ${BOOKING_FIELDS} } }`;
export const CANCEL = `mutation($id: ID!, $reason: String) { cancelBooking(id: $id, reason: $reason) { ${BOOKING_FIELDS} } }`;
export const GET = `query($id: ID!) { booking(id: $id) { ${BOOKING_FIELDS} } }`;

/** A started booking subgraph on a fresh database, its own event stream and job prefix. */
export interface Harness {
  db: TestDatabase;
  events: TestEvents;
  issuer: TestIssuer;
  server: Subgraph;
  config: BookingConfig;
  url: string;
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, token?: string, headers?: Record<string, string>): Promise<GraphQLResponse<T>>;
  /** A member (or other role) token for a new or given user id. */
  member(userId?: string): Promise<{ userId: string; token: string }>;
  manager(): Promise<{ userId: string; token: string }>;
  /** Publishes `workspace.created` as catalog would and waits until the replica has it. */
  addWorkspace(overrides?: Partial<WorkspaceSnapshot>): Promise<WorkspaceSnapshot>;
  /** The events booking produced about booking `id`, oldest first. */
  eventsOf(id: string): Promise<EventEnvelope[]>;
  /** Waits until every outbox row is published and booking's consumer group has handled the whole stream. */
  settle(): Promise<void>;
  /**
   * The SQL statements `work` sends, once the events have settled. The outbox relay polls
   * on its own (outbox_event, its advisory lock, their BEGIN/COMMIT) and the consumer marks
   * events processed: those are left out, so what remains is the request's own SQL.
   */
  statementsOf(work: () => Promise<unknown>): Promise<string[]>;
  /** Another instance of booking on the same database, event stream and pub/sub prefix, as a second replica (closed with the harness). */
  replica(): Promise<Subgraph>;
  close(): Promise<void>;
}

export async function startBooking(label: string, env: Record<string, string> = {}): Promise<Harness> {
  const db = await createTestDatabase(label);
  const events = createTestEvents(label);
  const issuer = await createTestIssuer();
  // Live events of this suite only: other suites' bookings must not reach its subscriptions.
  const PUBSUB_PREFIX = `atrium-test-${label}-${randomUUID()}`;
  const config = loadConfig(bookingEnv, { NODE_ENV: 'test', PORT: '0', DATABASE_URL: db.url, LOG_LEVEL: 'silent', ...events.env, PUBSUB_PREFIX, ...env });
  const server = await createServer(config, { verifier: issuer.verifier, log: testLogger('booking') });
  const replicas: Subgraph[] = [];
  const url = `${server.url}/graphql`;
  const user = async (roles: ('MEMBER' | 'MANAGER')[], userId: string = randomUUID()) => ({ userId, token: await issuer.token({ userId, roles }) });
  /** Waits until the outbox is published and booking's consumer group has handled the whole stream. */
  const settle = async () => {
    await waitFor(
      async () => {
        const [{ unpublished }] = await server.orm.em.fork().execute<{ unpublished: number }[]>(
          'select count(*)::int as unpublished from outbox_event where published_at is null',
        );
        if (unpublished > 0) return false;
        const groups = (await server.redis.xinfo('GROUPS', config.EVENTS_STREAM)) as unknown[][];
        const group = groups.map((g) => Object.fromEntries(pairs(g))).find((g) => g.name === 'booking');
        return !!group && group.pending === 0 && group.lag === 0;
      },
      { what: 'events to settle' },
    );
  };

  return {
    db,
    events,
    issuer,
    server,
    config,
    url,
    gql: (query, variables, token, headers) => graphql(url, query, variables, { token, headers }),
    member: (userId) => user(['MEMBER'], userId),
    manager: () => user(['MANAGER']),
    async addWorkspace(overrides = {}) {
      const workspace: WorkspaceSnapshot = {
        workspaceId: randomUUID(),
        locationId: randomUUID(),
        name: 'Desk A1',
        kind: 'DESK',
        capacity: 1,
        hourlyRate: { amount: 1200, currency: 'EUR' },
        active: true,
        createdById: randomUUID(),
        city: 'Paris',
        timezone: 'Europe/Paris',
        ...overrides,
      };
      await events.publish('workspace.created', workspace);
      await waitFor(() => server.orm.em.fork().findOne(WorkspaceReplica, { id: workspace.workspaceId }), { what: 'the workspace replica' });
      return workspace;
    },
    settle,
    eventsOf: async (id) => (await events.all()).filter((e) => e.producer === 'booking' && (e.data as { bookingId?: string }).bookingId === id),
    async statementsOf(work) {
      await settle();
      const counter = countStatements(server.orm);
      try {
        await work();
      } finally {
        counter.stop();
      }
      return counter.statements.filter((sql) => !EVENT_MACHINERY.test(sql));
    },
    async replica() {
      const started = await createServer(config, { verifier: issuer.verifier, log: testLogger('booking') });
      // A test may stop it itself (as a crash or deploy would): closing twice is closing once.
      let closing: Promise<void> | undefined;
      const replica: Subgraph = { ...started, close: () => (closing ??= started.close()) };
      replicas.push(replica);
      return replica;
    },
    async close() {
      for (const r of replicas) await r.close();
      await server.close();
      await events.close();
      await db.drop();
    },
  };
}

/** Statements of the outbox relay and of the consumer's bookkeeping (see `statementsOf`). */
const EVENT_MACHINERY = /outbox_event|processed_event|atrium:outbox-relay|^(BEGIN|COMMIT|ROLLBACK)\b/i;

/** `[k1, v1, k2, v2]` → `[[k1, v1], [k2, v2]]` (Redis's XINFO replies). */
function pairs(flat: unknown[]): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([String(flat[i]), flat[i + 1]]);
  return out;
}

const HOUR = 3600_000;

/** A whole-hour instant `hours` from now (rounded up to the hour, so ranges are on whole minutes). */
export function hoursFromNow(hours: number): Date {
  return new Date(Math.ceil(Date.now() / HOUR) * HOUR + hours * HOUR);
}

/** `{ workspaceId, startsAt, endsAt }` for `createBooking`, `hours` long from `start`. */
export const range = (workspaceId: string, start: Date, hours = 1) => ({
  workspaceId,
  startsAt: start.toISOString(),
  endsAt: new Date(start.getTime() + hours * HOUR).toISOString(),
});
