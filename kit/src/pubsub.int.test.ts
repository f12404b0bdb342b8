import { Entity, PrimaryKey, Property, type MigrationObject } from '@mikro-orm/core';
import { Migration } from '@mikro-orm/migrations';
import type { MikroORM } from '@mikro-orm/postgresql';
import { randomBytes, randomUUID } from 'node:crypto';
import { trackCommits } from './after-commit';
import { openDatabase } from './subgraph/db';
import { liveChanges, liveEntity } from './subgraph/live-changes';
import { createPubSub, topic, type LiveStream, type PubSub } from './pubsub';
import { createTestDatabase, testEnv, testLogger, type TestDatabase } from './testing';

/** A row whose committed changes are live events. */
@Entity({ tableName: 'lamp' })
class Lamp {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'text' })
  state!: string;

  @Property({ type: 'text' })
  room!: string;
}

class LampMigration extends Migration {
  override async up() {
    this.addSql('create table "lamp" ("id" uuid primary key, "state" text not null, "room" text not null)');
  }
}
const migrations: MigrationObject[] = [{ name: 'Migration20261201000009_lamp', class: LampMigration }];

interface LampState {
  id: string;
  state: string;
}
const LAMP = topic<LampState>('lamp.changed');
const MARK = topic<string>('mark');

const REDIS_URL = testEnv.redisUrl;
const log = testLogger('pubsub');
let db: TestDatabase;
let orm: MikroORM;
const closers: (() => Promise<unknown>)[] = [];
/** A prefix no other suite (or earlier test) uses. */
const prefix = () => `atrium-test-pubsub-${randomBytes(4).toString('hex')}`;

async function pubSub(p: string): Promise<PubSub> {
  const ps = await createPubSub({ redisUrl: REDIS_URL, prefix: p, log, name: 'test' });
  closers.push(() => ps.close());
  return ps;
}

/** Pulls the next value, or fails after `ms` (the stream must not be waiting forever). */
async function pull<T>(stream: LiveStream<T>, ms = 5_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`nothing within ${ms} ms`)), ms)));
  try {
    const result = await Promise.race([stream.next(), timeout]);
    if (result.done) throw new Error('the stream ended');
    return result.value;
  } finally {
    clearTimeout(timer);
  }
}

beforeAll(async () => {
  db = await createTestDatabase('pubsub');
  orm = await openDatabase({ url: db.url, entities: [Lamp], migrations, log });
  trackCommits(orm, log);
});

afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

afterAll(async () => {
  await orm?.close();
  await db?.drop();
});

describe('createPubSub', () => {
  it('delivers to every instance on the same prefix, once each, and nothing across prefixes', async () => {
    const shared = prefix();
    const [a, b, other] = await Promise.all([pubSub(shared), pubSub(shared), pubSub(prefix())]);
    const onA = a.subscribe(MARK);
    const onB = b.subscribe(MARK);
    const onOther = other.subscribe(MARK);
    await Promise.all([onA.ready, onB.ready, onOther.ready]);

    await b.publish(MARK, 'one');
    await other.publish(MARK, 'elsewhere');
    await a.publish(MARK, 'two');
    expect([await pull(onA), await pull(onA)]).toEqual(['one', 'two']);
    expect([await pull(onB), await pull(onB)]).toEqual(['one', 'two']);
    expect(await pull(onOther)).toBe('elsewhere');
    // Nothing more is queued anywhere: the next values are the ones published now.
    await a.publish(MARK, 'three');
    await other.publish(MARK, 'elsewhere again');
    expect(await pull(onA)).toBe('three');
    expect(await pull(onB)).toBe('three');
    expect(await pull(onOther)).toBe('elsewhere again');
  });

  it('tests each event against the filter as it arrives', async () => {
    const ps = await pubSub(prefix());
    const evens = ps.subscribe(MARK, (n) => Number(n) % 2 === 0);
    await evens.ready;
    for (const n of ['1', '2', '3', '4']) await ps.publish(MARK, n);
    expect([await pull(evens), await pull(evens)]).toEqual(['2', '4']);
  });

  it('ends a stream on return(), and every open stream on close()', async () => {
    const ps = await createPubSub({ redisUrl: REDIS_URL, prefix: prefix(), log });
    const first = ps.subscribe(MARK);
    const second = ps.subscribe(MARK);
    await Promise.all([first.ready, second.ready]);
    const waiting = second.next();
    await first.return();
    expect(await first.next()).toEqual({ value: undefined, done: true });
    await ps.close();
    expect(await waiting).toEqual({ value: undefined, done: true });
    expect(() => ps.subscribe(MARK)).toThrow('closed');
  });
});

describe('publishing after commit', () => {
  let ps: PubSub;
  let lamps: LiveStream<LampState>;
  let marks: LiveStream<string>;

  beforeEach(async () => {
    ps = await pubSub(prefix());
    lamps = ps.subscribe(LAMP);
    marks = ps.subscribe(MARK);
    await Promise.all([lamps.ready, marks.ready]);
  });

  /** Whether anything reached `lamps` so far: a marker published now arrives after anything published before. */
  async function nothingPublished(): Promise<void> {
    const marker = randomUUID();
    const probe = ps.subscribe(LAMP, (l) => l.id === marker);
    await probe.ready;
    await ps.publish(LAMP, { id: marker, state: 'marker' });
    await pull(probe);
    await probe.return();
    expect((await pull(lamps)).id).toBe(marker);
  }

  it('publishes when the transaction commits, not before', async () => {
    const id = randomUUID();
    await orm.em.fork().transactional(async (em) => {
      await ps.publishAfterCommit(em, LAMP, { id, state: 'on' });
      // Still inside the transaction: a marker sent now must come first.
      await ps.publish(MARK, 'inside');
      expect(await pull(marks)).toBe('inside');
      await ps.publish(LAMP, { id: 'before-commit', state: 'marker' });
    });
    expect((await pull(lamps)).id).toBe('before-commit');
    expect(await pull(lamps)).toEqual({ id, state: 'on' });
  });

  it('publishes nothing for a transaction that rolls back', async () => {
    await expect(
      orm.em.fork().transactional(async (em) => {
        await ps.publishAfterCommit(em, LAMP, { id: randomUUID(), state: 'on' });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await nothingPublished();
  });

  it('publishes nothing for a nested transaction whose outer one rolls back, and waits for the outer commit otherwise', async () => {
    await expect(
      orm.em.fork().transactional(async (outer) => {
        await outer.transactional(async (inner) => ps.publishAfterCommit(inner, LAMP, { id: randomUUID(), state: 'savepoint' }));
        throw new Error('outer rolled back');
      }),
    ).rejects.toThrow('outer rolled back');
    await nothingPublished();

    const id = randomUUID();
    await orm.em.fork().transactional(async (outer) => {
      await outer.transactional(async (inner) => ps.publishAfterCommit(inner, LAMP, { id, state: 'nested' }));
      await ps.publish(LAMP, { id: 'savepoint-released', state: 'marker' });
    });
    expect((await pull(lamps)).id).toBe('savepoint-released');
    expect((await pull(lamps)).id).toBe(id);
  });

  it('publishes at once outside a transaction (the change is committed already)', async () => {
    const id = randomUUID();
    await ps.publishAfterCommit(orm.em.fork(), LAMP, { id, state: 'on' });
    expect(await pull(lamps)).toEqual({ id, state: 'on' });
  });
});

describe('liveChanges', () => {
  let ps: PubSub;
  let lamps: LiveStream<LampState>;

  beforeAll(async () => {
    ps = await createPubSub({ redisUrl: REDIS_URL, prefix: prefix(), log });
    const subscriber = liveChanges(
      ps,
      [liveEntity({ entity: Lamp, topic: LAMP, publishes: (c) => c.type === 'create' || 'state' in c.changed, payload: (l) => ({ id: l.id, state: l.state }) })],
      log,
    );
    // The last suite of this file: the ORM keeps the subscriber until it closes.
    orm.em.getEventManager().registerSubscriber(subscriber);
    lamps = ps.subscribe(LAMP);
    await lamps.ready;
  });

  afterAll(async () => {
    await ps?.close();
  });

  it('publishes each committed state of the entity, a snapshot per flush, in order', async () => {
    const em = orm.em.fork();
    const lamp = em.create(Lamp, { state: 'off', room: 'hall' });
    await em.flush();
    await em.transactional(async (tx) => {
      const row = await tx.findOneOrFail(Lamp, { id: lamp.id });
      row.state = 'on';
      await tx.flush();
      row.room = 'kitchen'; // not news: `publishes` ignores it
      await tx.flush();
      row.state = 'dimmed';
    });
    expect([await pull(lamps), await pull(lamps), await pull(lamps)]).toEqual([
      { id: lamp.id, state: 'off' },
      { id: lamp.id, state: 'on' },
      { id: lamp.id, state: 'dimmed' },
    ]);
  });

  it('publishes nothing for a change that rolls back', async () => {
    const em = orm.em.fork();
    const lamp = em.create(Lamp, { state: 'off', room: 'attic' });
    await em.flush();
    expect(await pull(lamps)).toEqual({ id: lamp.id, state: 'off' });
    await expect(
      em.fork().transactional(async (tx) => {
        (await tx.findOneOrFail(Lamp, { id: lamp.id })).state = 'on';
        await tx.flush();
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    const after = orm.em.fork();
    (await after.findOneOrFail(Lamp, { id: lamp.id })).state = 'broken';
    await after.flush();
    expect(await pull(lamps)).toEqual({ id: lamp.id, state: 'broken' });
  });
});
