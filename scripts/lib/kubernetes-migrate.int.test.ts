// The migration step of deploy/kubernetes against a real PostgreSQL: the Job's
// `migrateSubgraph` and the init containers' `waitForMigrations` (scripts/lib/kubernetes-migrate.ts).
import { createTestDatabase, testLogger, type TestDatabase } from '@atrium/kit/testing';
import { Client } from 'pg';
import { migrateSubgraph, pendingMigrations, waitForMigrations } from './kubernetes-migrate';
import { migrations as catalogMigrations } from '../../subgraphs/catalog/src/migrations';

const log = testLogger('kubernetes-migrate');
let db: TestDatabase;
let env: Record<string, string>;

beforeAll(async () => {
  db = await createTestDatabase('k8s_migrate');
  env = { DATABASE_URL: db.url };
});
afterAll(() => db?.drop());

describe('the Kubernetes migration step', () => {
  it('leaves a subgraph pod waiting while migrations are pending, and lets it start once the Job has applied them', async () => {
    const pending = await pendingMigrations('catalog', env, log);
    expect(pending).toEqual(expect.arrayContaining(catalogMigrations.map((m) => m.name)));

    let waited = false;
    const waiting = waitForMigrations('catalog', env, log, 50).then(() => (waited = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(waited).toBe(false);

    await migrateSubgraph('catalog', env, log);
    await waiting;
    expect(await pendingMigrations('catalog', env, log)).toEqual([]);
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query(`select to_regclass('workspace') as workspace, to_regclass('outbox_event') as outbox`);
      expect(rows[0]).toEqual({ workspace: 'workspace', outbox: 'outbox_event' });
    } finally {
      await client.end();
    }
  });

  it('is idempotent: running the Job again applies nothing and fails nothing', async () => {
    await expect(migrateSubgraph('catalog', env, log)).resolves.toBeUndefined();
    expect(await pendingMigrations('catalog', env, log)).toEqual([]);
  });
});
