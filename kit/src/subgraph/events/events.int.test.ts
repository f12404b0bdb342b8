import { Entity, PrimaryKey, Property, type MigrationObject } from '@mikro-orm/core';
import { Migration } from '@mikro-orm/migrations';
import type { MikroORM } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { openDatabase } from '../db';
import { createJobs } from '../jobs';
import { createMetrics, type Metrics } from '../../metrics';
import { connectRedis, type Redis } from '../../redis';
import { createTestDatabase, createTestEvents, testEnv, testLogger, waitFor, type TestDatabase, type TestEvents } from '../../testing';
import { startConsumer, type Consumer, type EventHandlers } from './consumer';
import { kitMigrations } from './migration';
import { OutboxEvent, ProcessedEvent } from './outbox.entity';
import { createRecorder } from './recorder';
import { startRelay, type Relay } from './relay';

/** The visible effect of handling an event: one row per handling. */
@Entity({ tableName: 'effect' })
class Effect {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'text' })
  eventId!: string;

  @Property({ type: 'text' })
  consumer!: string;
}

class EffectMigration extends Migration {
  override async up() {
    this.addSql('create table "effect" ("id" uuid primary key, "event_id" text not null, "consumer" text not null)');
  }
}
const migrations: MigrationObject[] = [...kitMigrations, { name: 'Migration20261122000009_effect', class: EffectMigration }];

const log = testLogger('events');
let db: TestDatabase;
let events: TestEvents;
let orm: MikroORM;
let redis: Redis;
const stoppers: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  db = await createTestDatabase('events');
  orm = await openDatabase({ url: db.url, entities: [OutboxEvent, ProcessedEvent, Effect], migrations, log });
  redis = await connectRedis(testEnv.redisUrl, 'test');
});

// Each test has a stream of its own: consumer groups read a stream from its start. The
// outbox starts empty with it: rows relayed to an earlier test's stream would rightly look
// lost from this one's, and be relayed again.
beforeEach(async () => {
  events = createTestEvents('kit');
  await orm.em.fork().execute('delete from outbox_event');
});

afterEach(async () => {
  while (stoppers.length) await stoppers.pop()!();
  await events.close();
});

afterAll(async () => {
  redis?.disconnect();
  await orm?.close();
  await db?.drop();
});

const jobs = () => {
  const j = createJobs({ redis, prefix: events.env.JOBS_PREFIX, service: 'test', log });
  stoppers.push(() => j.close());
  return j;
};

function relay(metrics?: Metrics): Relay {
  const r = startRelay({ orm, redis, stream: events.env.EVENTS_STREAM, log, pollMs: 20, metrics });
  stoppers.push(() => r.stop());
  return r;
}

async function consumer(group: string, name: string, handlers: EventHandlers, extra: { maxDeliveries?: number; metrics?: Metrics } = {}): Promise<Consumer> {
  const c = await startConsumer({ orm, redis, stream: events.env.EVENTS_STREAM, group, consumer: name, handlers, jobs: jobs(), log, retryIdleMs: 300, ...extra });
  stoppers.push(() => c.stop());
  return c;
}

const effects = async (group: string) => (await orm.em.fork().find(Effect, { consumer: group })).map((e) => e.eventId);

const recordEffect = (group: string): EventHandlers['workspace.created'] => async (event, { em }) => {
  em.persist(em.create(Effect, { eventId: event.id, consumer: group }));
};

describe('the event backbone', () => {
  it('publishes outbox rows written in a committed transaction, in order, and stamps them', async () => {
    const em = orm.em.fork();
    const recorder = createRecorder(em, { producer: 'catalog', correlationId: 'req-1', actorId: null });
    // Recorded within one millisecond, as one request usually does: the order must hold.
    for (const name of ['A', 'B', 'C', 'D', 'E', 'F']) recorder.record('location.created', { locationId: randomUUID(), name, city: 'Paris', timezone: 'Europe/Paris' });
    await em.flush();
    relay();
    const published = await waitFor(async () => {
      const all = (await events.all()).filter((e) => e.correlationId === 'req-1');
      return all.length === 6 && all;
    });
    expect(published.map((e) => (e.data as { name: string }).name)).toEqual(['A', 'B', 'C', 'D', 'E', 'F']);
    expect(published[0]).toMatchObject({ type: 'location.created', producer: 'catalog', version: 1, correlationId: 'req-1' });
    // The stream can show the events a moment before the relay's transaction stamps them.
    await waitFor(async () => (await orm.em.fork().count(OutboxEvent, { publishedAt: null })) === 0, { what: 'the outbox rows to be stamped' });
  });

  it('records into the running transaction when called with the outer entity manager', async () => {
    const em = orm.em.fork();
    const recorder = createRecorder(em, { producer: 'payment', correlationId: 'req-tx', actorId: null });
    await em.transactional(async () => {
      recorder.record('location.created', { locationId: randomUUID(), name: 'In tx', city: 'Oslo', timezone: 'UTC' });
    });
    expect(await orm.em.fork().count(OutboxEvent, { correlationId: 'req-tx' })).toBe(1);
  });

  it('publishes nothing of a transaction that rolled back', async () => {
    relay();
    await expect(
      orm.em.fork().transactional(async (em) => {
        createRecorder(em, { producer: 'catalog', correlationId: 'req-rollback', actorId: null }).record('location.created', {
          locationId: randomUUID(),
          name: 'X',
          city: 'Y',
          timezone: 'UTC',
        });
        await em.flush();
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    await new Promise((r) => setTimeout(r, 200));
    expect((await events.all()).filter((e) => e.correlationId === 'req-rollback')).toEqual([]);
  });

  it('lets two relays run without publishing any event twice', async () => {
    relay();
    relay();
    const em = orm.em.fork();
    const recorder = createRecorder(em, { producer: 'catalog', correlationId: 'req-two-relays', actorId: null });
    for (let i = 0; i < 50; i++) recorder.record('location.created', { locationId: randomUUID(), name: `L${i}`, city: 'Paris', timezone: 'UTC' });
    await em.flush();
    const mine = () => events.all().then((all) => all.filter((e) => e.correlationId === 'req-two-relays'));
    await waitFor(async () => (await mine()).length >= 50);
    await new Promise((r) => setTimeout(r, 200));
    const ids = (await mine()).map((e) => e.id);
    expect(ids).toHaveLength(50);
    expect(new Set(ids).size).toBe(50);
  });

  it('handles each event once per consumer group, even when it is delivered twice', async () => {
    await consumer('reporting', 'r1', { 'workspace.created': recordEffect('reporting') });
    await consumer('notification', 'n1', { 'workspace.created': recordEffect('notification') });
    const event = await events.publish('workspace.created', workspaceData());
    await events.publish('workspace.created', workspaceData(), { id: event.id }); // the same event again
    await waitFor(async () => (await effects('reporting')).includes(event.id) && (await effects('notification')).includes(event.id));
    await new Promise((r) => setTimeout(r, 300));
    expect((await effects('reporting')).filter((id) => id === event.id)).toHaveLength(1);
    expect((await effects('notification')).filter((id) => id === event.id)).toHaveLength(1);
  });

  it('retries a handler that failed half-way, and its effect happens exactly once', async () => {
    let attempts = 0;
    await consumer('flaky', 'f1', {
      'workspace.created': async (event, ctx) => {
        attempts++;
        ctx.em.persist(ctx.em.create(Effect, { eventId: event.id, consumer: 'flaky' }));
        await ctx.em.flush(); // written…
        if (attempts === 1) throw new Error('crash after writing'); // …then rolled back
      },
    });
    const event = await events.publish('workspace.created', workspaceData());
    await waitFor(async () => (await effects('flaky')).includes(event.id), { timeoutMs: 5_000 });
    expect(attempts).toBe(2);
    expect(await effects('flaky')).toEqual([event.id]);
  });

  it('gives the pending events of a consumer that died mid-handling to a live one', async () => {
    let release!: () => void;
    const stuck = new Promise<void>((r) => (release = r));
    const dying = await consumer('group-x', 'dying', {
      'workspace.created': async () => {
        await stuck;
        throw new Error('process killed'); // the transaction dies with the instance
      },
    });
    const event = await events.publish('workspace.created', workspaceData());
    await new Promise((r) => setTimeout(r, 200)); // delivered to "dying", not acknowledged
    const stopped = dying.stop();
    release(); // its transaction rolls back; the entry stays pending, unacknowledged
    await stopped;
    await consumer('group-x', 'survivor', { 'workspace.created': recordEffect('group-x') });
    await waitFor(async () => (await effects('group-x')).includes(event.id), { timeoutMs: 5_000 });
    expect(await effects('group-x')).toEqual([event.id]);
  });

  it('moves an event that keeps failing to the dead-letter stream after bounded retries', async () => {
    let attempts = 0;
    await consumer(
      'doomed',
      'd1',
      {
        'workspace.created': async () => {
          attempts++;
          throw new Error('poison');
        },
      },
      { maxDeliveries: 3 },
    );
    const event = await events.publish('workspace.created', workspaceData());
    const dead = await waitFor(async () => (await events.dead()).find((d) => d.event.id === event.id), { timeoutMs: 8_000 });
    expect(dead).toMatchObject({ group: 'doomed', error: 'poison' });
    expect(attempts).toBe(3);
  });
});

describe('event metrics', () => {
  it('count published events, deliveries by outcome, and report the group\'s lag at scrape time', async () => {
    const metrics = createMetrics('reporting');
    await consumer('metered', 'm1', { 'workspace.created': recordEffect('metered') }, { metrics });
    const event = await events.publish('workspace.created', workspaceData());
    await events.publish('location.created', { locationId: randomUUID(), name: 'L', city: 'Paris', timezone: 'UTC' });
    await waitFor(async () => (await metrics.registry.metrics()).includes('type="location.created",outcome="skipped"} 1'));
    let text = await metrics.registry.metrics();
    expect(await effects('metered')).toEqual([event.id]);
    expect(text).toContain('atrium_events_handled_total{service="reporting",type="workspace.created",outcome="handled"} 1');
    expect(text).toContain('atrium_event_stream_lag{service="reporting",group="metered"} 0');

    // A group that nobody reads lags by the whole stream.
    await redis.xgroup('CREATE', events.env.EVENTS_STREAM, 'idle', '0');
    metrics.watchStreamLag(redis, events.env.EVENTS_STREAM, 'idle');
    expect(await metrics.registry.metrics()).toContain(`atrium_event_stream_lag{service="reporting",group="idle"} ${await redis.xlen(events.env.EVENTS_STREAM)}`);

    const em = orm.em.fork();
    createRecorder(em, { producer: 'catalog', correlationId: 'req-metered', actorId: null }).record('location.created', {
      locationId: randomUUID(),
      name: 'N',
      city: 'Nice',
      timezone: 'UTC',
    });
    await em.flush();
    const pending = await orm.em.fork().count(OutboxEvent, { publishedAt: null });
    relay(metrics);
    await waitFor(async () => (await orm.em.fork().count(OutboxEvent, { publishedAt: null })) === 0);
    text = await metrics.registry.metrics();
    expect(text).toContain(`atrium_events_published_total{service="reporting"} ${pending}`);
  });
});

function workspaceData() {
  return {
    workspaceId: randomUUID(),
    locationId: randomUUID(),
    name: 'Desk',
    kind: 'DESK',
    capacity: 1,
    hourlyRate: { amount: 100, currency: 'EUR' },
    active: true,
    createdById: randomUUID(),
    city: 'Paris',
    timezone: 'Europe/Paris',
  };
}
