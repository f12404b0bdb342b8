import type { MikroORM } from '@mikro-orm/postgresql';
import { createTestDatabase, testLogger, type TestDatabase } from '../testing';
import { asBackgroundWork, countStatements, openDatabase } from './db';
import { kitMigrations } from './events/migration';
import { OutboxEvent, ProcessedEvent } from './events/outbox.entity';

// Exact SQL counts are what tests assert "no N+1" with: background work that happens to run
// during a measured request (a sweep, an event handler) must not show in them.
let db: TestDatabase;
let orm: MikroORM;

beforeAll(async () => {
  db = await createTestDatabase('count_statements');
  orm = await openDatabase({ url: db.url, entities: [OutboxEvent, ProcessedEvent], migrations: kitMigrations, log: testLogger('db') });
});

afterAll(async () => {
  await orm?.close();
  await db?.drop();
});

describe('countStatements', () => {
  it('counts a request\'s statements and leaves out those of background work running meanwhile, however deep in its async chain', async () => {
    const counter = countStatements(orm);
    try {
      const sweep = asBackgroundWork(async () => {
        await orm.em.fork().execute('select 2 as sweep');
        await new Promise((resolve) => setImmediate(resolve));
        await orm.em.fork().execute("select 'expire' as kind");
      });
      await orm.em.fork().execute('select 3 as request');
      await sweep;
      expect(counter.statements).toEqual(['select 3 as request']);
    } finally {
      counter.stop();
    }
  });
});
