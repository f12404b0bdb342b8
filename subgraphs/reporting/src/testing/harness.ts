import { loadConfig } from '@atrium/kit';
import { type BookingSnapshot, type EventCatalog, type EventEnvelope, type EventType, type PaymentSnapshot, type Subgraph } from '@atrium/kit/subgraph';
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
} from '@atrium/kit/testing';
import { randomUUID } from 'node:crypto';
import { ActivityLog } from '../activity/activity-log.entity';
import { reportingEnv } from '../config';
import { createServer } from '../server';

/** The subgraph that produces each kind of event (what a real envelope would say). */
const producerOf = (type: EventType) =>
  ({ user: 'identity', location: 'catalog', workspace: 'catalog', booking: 'booking', payment: 'payment' })[type.split('.')[0]] ?? 'test';

/** A started reporting subgraph on a fresh database and a private event stream. */
export interface Harness {
  server: Subgraph;
  events: TestEvents;
  tokens: { manager: string; admin: string; member: string };
  managerId: string;
  /** One GraphQL operation against reporting, as a manager unless `token` says otherwise (null: anonymous). */
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<GraphQLResponse<T>>;
  /** Publishes an event as its producer would (`meta` overrides id, occurredAt, actorId, correlationId…). */
  publish<T extends EventType>(type: T, data: EventCatalog[T], meta?: Partial<Omit<EventEnvelope<T>, 'type' | 'data'>>): Promise<EventEnvelope<T>>;
  /** Waits until every given event has its activity-log entry. */
  settle(events: { id: string }[]): Promise<void>;
  close(): Promise<void>;
}

export async function startReporting(label: string): Promise<Harness> {
  const db: TestDatabase = await createTestDatabase(label);
  const events = createTestEvents(label);
  const issuer = await createTestIssuer();
  const config = loadConfig(reportingEnv, { NODE_ENV: 'test', DATABASE_URL: db.url, PORT: '0', LOG_LEVEL: 'silent', ...events.env });
  const server = await createServer(config, { verifier: issuer.verifier, log: testLogger('reporting') });
  const managerId = randomUUID();
  const tokens = {
    manager: await issuer.token({ userId: managerId, roles: ['MANAGER'] }),
    admin: await issuer.token({ roles: ['ADMIN'] }),
    member: await issuer.token({ roles: ['MEMBER'] }),
  };
  const url = `${server.url}/graphql`;
  return {
    server,
    events,
    tokens,
    managerId,
    gql: (query, variables = {}, token = tokens.manager) => graphql(url, query, variables, token ? { token } : {}),
    publish: (type, data, meta = {}) => events.publish(type, data, { producer: producerOf(type), ...meta }),
    settle: async (published) => {
      const ids = published.map((e) => e.id);
      await waitFor(async () => (await server.orm.em.fork().count(ActivityLog, { id: ids })) === ids.length, {
        what: `${ids.length} activity-log entries`,
      });
    },
    close: async () => {
      await server?.close();
      await events.close();
      await db.drop();
    },
  };
}

export const uuid = () => randomUUID();

/** A booking.* payload; times and money as the booking subgraph sends them. */
export function bookingData(over: Partial<BookingSnapshot> = {}): BookingSnapshot {
  return {
    bookingId: uuid(),
    userId: uuid(),
    workspaceId: uuid(),
    workspaceName: 'Desk A1',
    startsAt: '2031-01-10T09:00:00.000Z',
    endsAt: '2031-01-10T11:00:00.000Z',
    price: { amount: 3000, currency: 'EUR' },
    status: 'PENDING_PAYMENT',
    ...over,
  };
}

/** A payment.* payload. */
export function paymentData(over: Partial<PaymentSnapshot> = {}): PaymentSnapshot {
  return { paymentId: uuid(), bookingId: uuid(), userId: uuid(), amount: { amount: 3000, currency: 'EUR' }, last4: '4242', status: 'SUCCEEDED', ...over };
}

/** A workspace.* payload. */
export function workspaceData(over: Partial<EventCatalog['workspace.created']> = {}): EventCatalog['workspace.created'] {
  return {
    workspaceId: uuid(),
    locationId: uuid(),
    name: 'Board room',
    kind: 'MEETING_ROOM',
    capacity: 12,
    hourlyRate: { amount: 9000, currency: 'EUR' },
    active: true,
    createdById: uuid(),
    city: 'Paris',
    timezone: 'Europe/Paris',
    ...over,
  };
}
