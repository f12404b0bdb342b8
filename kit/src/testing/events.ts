import IORedis from 'ioredis';
import { randomBytes, randomUUID } from 'node:crypto';
import type { EventCatalog, EventType } from '../subgraph/events/catalog';
import { testEnv } from './env';
import type { EventEnvelope } from '../subgraph/events/envelope';

export interface TestEvents {
  /** Environment giving a suite its own stream and job prefix on the shared Redis. */
  env: { EVENTS_STREAM: string; JOBS_PREFIX: string; EVENTS_RETRY_IDLE_MS: string; REDIS_URL: string };
  /** Publishes an event straight onto the stream, as another subgraph's relay would. */
  publish<T extends EventType>(type: T, data: EventCatalog[T], meta?: Partial<Omit<EventEnvelope<T>, 'type' | 'data'>>): Promise<EventEnvelope<T>>;
  /** Every event on the stream so far, oldest first. */
  all(): Promise<EventEnvelope[]>;
  /** Dead-lettered entries. */
  dead(): Promise<{ event: EventEnvelope; group: string; error: string }[]>;
  /** Deletes the suite's stream and job keys. Call in afterAll. */
  close(): Promise<void>;
}

const REDIS_URL = testEnv.redisUrl;

/** A private event stream and job prefix for one test suite. */
export function createTestEvents(label = 'suite'): TestEvents {
  const suffix = `${label}-${randomBytes(4).toString('hex')}`;
  const stream = `atrium-test:${suffix}:events`;
  const prefix = `atrium-test-${suffix}`;
  const redis = new IORedis(REDIS_URL, { maxRetriesPerRequest: null, lazyConnect: true });
  const parse = (fields: string[]) => JSON.parse(fields[fields.indexOf('event') + 1]) as EventEnvelope;
  return {
    env: { EVENTS_STREAM: stream, JOBS_PREFIX: prefix, EVENTS_RETRY_IDLE_MS: '500', REDIS_URL },
    async publish(type, data, meta = {}) {
      const event = {
        id: randomUUID(),
        version: 1,
        occurredAt: new Date().toISOString(),
        producer: 'test',
        correlationId: randomUUID(),
        actorId: null,
        ...meta,
        type,
        data,
      } as EventEnvelope<typeof type>;
      await redis.xadd(stream, '*', 'event', JSON.stringify(event));
      return event;
    },
    async all() {
      const entries = (await redis.xrange(stream, '-', '+')) as [string, string[]][];
      return entries.map(([, fields]) => parse(fields));
    },
    async dead() {
      const entries = (await redis.xrange(`${stream}:dead`, '-', '+')) as [string, string[]][];
      return entries.map(([, f]) => ({ event: parse(f), group: f[f.indexOf('group') + 1], error: f[f.indexOf('error') + 1] }));
    },
    async close() {
      const keys = [stream, `${stream}:dead`, ...(await redis.keys(`${prefix}:*`))];
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    },
  };
}

/** Polls `probe` until it returns a truthy value (or throws after `timeoutMs`). */
export async function waitFor<T>(
  probe: () => Promise<T> | T,
  { timeoutMs = 10_000, intervalMs = 50, what = 'condition' } = {},
): Promise<Exclude<T, false | null | undefined | 0 | ''>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value as Exclude<T, false | null | undefined | 0 | ''>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
