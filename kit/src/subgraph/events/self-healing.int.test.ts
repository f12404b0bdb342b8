import type { MikroORM } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { openDatabase } from '../db';
import { createJobs } from '../jobs';
import { connectRedis, type Redis } from '../../redis';
import { createTestDatabase, testLogger, waitFor, type TestDatabase } from '../../testing';
import { startPrivateRedis, type PrivateRedis } from '../../testing/private-redis';
import type { EventEnvelope } from './envelope';
import { startConsumer, type EventHandlers } from './consumer';
import { kitMigrations } from './migration';
import { OutboxEvent, ProcessedEvent } from './outbox.entity';
import { createRecorder } from './recorder';
import { startRelay } from './relay';

/**
 * Redis loses its data — FLUSHALL, or a restart with nothing on disk — while consumers,
 * the relay and job schedules keep running: everything carries on with no restart, and
 * what was relayed before the loss is handled once by every group. A redis-server of the
 * suite's own: the shared one is never wiped.
 */
jest.setTimeout(90_000);

const log = testLogger('self-healing');
let db: TestDatabase;
let orm: MikroORM;
let server: PrivateRedis;
let redis: Redis;
let stream: string;
const stoppers: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  db = await createTestDatabase('self_healing');
  orm = await openDatabase({ url: db.url, entities: [OutboxEvent, ProcessedEvent], migrations: kitMigrations, log });
  server = await startPrivateRedis();
  redis = await connectRedis(server.url, 'self-healing-test');
});

// One stream per test, and an outbox that starts empty with it (rows relayed to an
// earlier test's stream would rightly look lost from this one's).
beforeEach(async () => {
  stream = `heal:${randomUUID()}`;
  await orm.em.fork().execute('delete from outbox_event');
});

afterEach(async () => {
  while (stoppers.length) await stoppers.pop()!();
});

afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
  await orm?.close();
  await db?.drop();
});

/** How many times each group's handler ran, per event id. */
const handled = new Map<string, Map<string, number>>();
const countOf = (group: string) => handled.get(group) ?? new Map<string, number>();

function jobsFor(prefix = `heal-${randomUUID().slice(0, 8)}`, scheduleCheckMs = 200) {
  const jobs = createJobs({ redis, prefix, service: 'heal', log, scheduleCheckMs });
  stoppers.push(() => jobs.close());
  return jobs;
}

async function consumer(group: string) {
  const counts = new Map<string, number>();
  handled.set(group, counts);
  const count = async (event: EventEnvelope) => void counts.set(event.id, (counts.get(event.id) ?? 0) + 1);
  const handlers: EventHandlers = { 'location.created': count };
  const c = await startConsumer({ orm, redis, stream, group, consumer: `${group}-1`, handlers, jobs: jobsFor(), log, retryIdleMs: 300 });
  stoppers.push(() => c.stop());
}

function relay(options: { retainMs?: number; pruneMs?: number; checkMs?: number } = {}) {
  const r = startRelay({ orm, redis, stream, log, pollMs: 20, checkMs: 200, maxLength: 3, ...options });
  stoppers.push(() => r.stop());
  return r;
}

/** Records `n` events in the outbox in one committed transaction; returns their ids. */
async function record(n: number): Promise<string[]> {
  const em = orm.em.fork();
  const recorder = createRecorder(em, { producer: 'catalog', correlationId: randomUUID(), actorId: null });
  for (let i = 0; i < n; i++) recorder.record('location.created', { locationId: randomUUID(), name: `L${i}`, city: 'Lyon', timezone: 'UTC' });
  await em.flush();
  const rows = await orm.em.fork().find(OutboxEvent, {}, { orderBy: { occurredAt: 'desc' }, limit: n });
  return rows.map((r) => r.id);
}

/** Publishes an event straight onto the stream, as another producer would. */
async function publish(): Promise<string> {
  const id = randomUUID();
  const event = { id, type: 'location.created', version: 1, occurredAt: new Date().toISOString(), producer: 'test', correlationId: id, actorId: null, data: {} };
  await redis.xadd(stream, '*', 'event', JSON.stringify(event));
  return id;
}

const handledAll = (group: string, ids: string[]) => () => ids.every((id) => countOf(group).get(id) === 1);

/** The group has read the whole stream and acknowledged it all. */
async function drained(group: string): Promise<boolean> {
  const groups = (await redis.xinfo('GROUPS', stream)) as unknown[][];
  const info = groups.map((g) => new Map(Array.from({ length: g.length / 2 }, (_, i) => [String(g[2 * i]), g[2 * i + 1]]))).find((g) => g.get('name') === group);
  return !!info && info.get('lag') === 0 && info.get('pending') === 0;
}

const unpublished = () => orm.em.fork().count(OutboxEvent, { publishedAt: null });

describe('when Redis loses its data', () => {
  it('a consumer whose group was wiped by FLUSHALL creates it again and handles new events', async () => {
    await consumer('reporting');
    const before = await publish();
    await waitFor(() => countOf('reporting').get(before) === 1, { what: 'the first event' });

    await redis.flushall();
    const after = await publish();
    await waitFor(() => countOf('reporting').get(after) === 1, { timeoutMs: 15_000, what: 'an event after FLUSHALL' });
    expect(countOf('reporting').get(before)).toBe(1);
  });

  it('relays again what was relayed before a wipe, and every group handles each event exactly once', async () => {
    relay();
    await consumer('booking');
    const ids = await record(5);
    await waitFor(handledAll('booking', ids), { what: 'booking to handle the first events' });

    // Trimmed at the cap after other producers wrote more: nothing was lost, nothing is relayed again.
    for (let i = 0; i < 3; i++) await publish();
    await redis.xtrim(stream, 'MAXLEN', 3);
    await new Promise((r) => setTimeout(r, 1_000)); // several checks of the relay
    expect(await unpublished()).toBe(0);
    expect(await redis.xlen(stream)).toBe(3);

    await redis.flushall();
    // A group that had not read those events yet (it was late, or is new) must still get them.
    await consumer('notification');
    await waitFor(handledAll('notification', ids), { timeoutMs: 20_000, what: 'the events relayed again after the wipe' });
    const more = await record(2);
    await waitFor(handledAll('notification', more), { what: 'events recorded after the wipe' });
    await waitFor(async () => (await drained('booking')) && (await drained('notification')), { timeoutMs: 15_000, what: 'both groups to read the stream' });
    // booking received the lost events twice and handled them once; nothing twice anywhere.
    expect([...countOf('booking').values()].every((n) => n === 1)).toBe(true);
    expect([...countOf('notification').values()].every((n) => n === 1)).toBe(true);
    expect(handledAll('booking', [...ids, ...more])()).toBe(true);
  });

  it('relays what a wipe took ahead of what is recorded after it, however soon after, in order', async () => {
    // A slow check: only the epoch looked at before each batch can notice the wipe in time.
    relay({ checkMs: 3_600_000 });
    const before = await record(3);
    await waitFor(async () => (await unpublished()) === 0, { what: 'the first events to be relayed' });
    await redis.flushall();
    const after = await record(2);
    await waitFor(async () => (await unpublished()) === 0 && (await redis.xlen(stream)) >= 5, { timeoutMs: 15_000, what: 'the next batch' });
    const entries = (await redis.xrange(stream, '-', '+')) as [string, string[]][];
    const order = entries.map(([, fields]) => (JSON.parse(fields[1]) as EventEnvelope).id);
    const oldest = (ids: string[]) => [...ids].reverse(); // record() returns the newest first
    expect(order).toEqual([...oldest(before), ...oldest(after)]);
  });

  it('keeps relayed events for the retention window and deletes older ones', async () => {
    const [recent] = await record(1);
    const old = await record(2);
    await orm.em.fork().execute(`update outbox_event set occurred_at = now() - interval '2 hours' where id in (?, ?)`, old);
    relay({ retainMs: 3_600_000, pruneMs: 200 });
    await waitFor(async () => (await orm.em.fork().count(OutboxEvent, { id: old })) === 0, { what: 'rows past retention to be deleted' });
    expect(await orm.em.fork().findOne(OutboxEvent, { id: recent })).toMatchObject({ publishedAt: expect.any(Date) });
  });

  it('after a restart with nothing on disk: groups, lost events, schedules and workers all come back', async () => {
    relay();
    await consumer('payment');
    const jobs = jobsFor();
    let ticks = 0;
    const done: string[] = [];
    jobs.startWorkers(
      {
        tick: async () => void ticks++,
        work: async (job) => void done.push((job.data as { id: string }).id),
      },
      orm,
    );
    await jobs.schedule('tick', { every: 250 });
    await waitFor(() => ticks > 0, { what: 'the schedule to run' });
    const ids = await record(3);
    await waitFor(handledAll('payment', ids), { what: 'the first events' });

    await server.restart({ keepData: false }); // kill -9, then an empty redis-server on the same port

    await waitFor(async () => !!(await jobs.queue('tick').getJobScheduler('tick')), { timeoutMs: 20_000, what: 'the schedule to be registered again' });
    const ticksAfterRestart = ticks;
    await waitFor(() => ticks > ticksAfterRestart, { timeoutMs: 20_000, what: 'the schedule to run again' });
    await jobs.add('work', { id: 'after-restart' });
    await waitFor(() => done.includes('after-restart'), { timeoutMs: 20_000, what: 'a worker to run a job after the restart' });

    await consumer('reporting');
    await waitFor(handledAll('reporting', ids), { timeoutMs: 20_000, what: 'the lost events, relayed again' });
    const more = await record(2);
    await waitFor(() => handledAll('payment', more)() && handledAll('reporting', more)(), { timeoutMs: 20_000, what: 'new events' });
    await waitFor(async () => (await drained('payment')) && (await drained('reporting')), { timeoutMs: 15_000, what: 'both groups to read the stream' });
    expect([...countOf('payment').values()].every((n) => n === 1)).toBe(true);
  });
});
