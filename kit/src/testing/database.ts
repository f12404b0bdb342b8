import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { ensureDatabase, splitDatabaseUrl } from '../subgraph/db';
import { testEnv } from './env';

/** The PostgreSQL server tests use: the machine's own (127.0.0.1:5432, trust) unless TEST_DATABASE_URL says otherwise. */
export const TEST_DATABASE_SERVER = testEnv.databaseUrl;

export interface TestDatabase {
  url: string;
  /** Drops the database (terminating leftover connections). Call in afterAll. */
  drop(): Promise<void>;
}

/** A fresh, uniquely named database for one test suite, e.g. `atrium_test_catalog_3f9a1c`. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const url = new URL(TEST_DATABASE_SERVER);
  const name = `atrium_test_${label.replace(/\W/g, '_')}_${randomBytes(4).toString('hex')}`;
  url.pathname = `/${name}`;
  await ensureDatabase(url.toString());
  return {
    url: url.toString(),
    drop: async () => {
      const client = new Client({ connectionString: splitDatabaseUrl(url.toString()).serverUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}
