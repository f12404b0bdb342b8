import { Migrator } from '@mikro-orm/migrations';
import { MikroORM, type EntityManager, type Options } from '@mikro-orm/postgresql';
import type { MigrationObject } from '@mikro-orm/core';
import { AsyncLocalStorage } from 'node:async_hooks';
import { Client } from 'pg';
import type { Logger } from 'pino';

export type { EntityManager };

export interface DatabaseOptions {
  /** URL of the subgraph's own database; it is created when missing. */
  url: string;
  entities: Options['entities'];
  /** The subgraph's migrations, listed explicitly (no folder scanning). */
  migrations: MigrationObject[];
  log: Logger;
  /** Apply pending migrations before returning (under an advisory lock). */
  migrate?: boolean;
}

/** Splits a database URL into the server URL (its `postgres` database) and the database name. */
export function splitDatabaseUrl(url: string): { serverUrl: string; database: string } {
  const parsed = new URL(url);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!database) throw new Error(`DATABASE_URL must name a database: ${parsed.protocol}//${parsed.host}/<database>`);
  parsed.pathname = '/postgres';
  return { serverUrl: parsed.toString(), database };
}

/** Creates the database named by `url` if it does not exist (safe when replicas race). */
export async function ensureDatabase(url: string): Promise<void> {
  const { serverUrl, database } = splitDatabaseUrl(url);
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (!rowCount) await client.query(`create database "${database.replace(/"/g, '""')}"`);
  } catch (err) {
    // 42P04 duplicate_database / 23505: another replica created it first.
    const code = (err as { code?: string }).code;
    if (code !== '42P04' && code !== '23505') throw err;
  } finally {
    await client.end();
  }
}

/**
 * Applies pending migrations while holding a PostgreSQL advisory lock on a separate
 * session, so several replicas starting at once migrate one after the other.
 */
export async function migrate(orm: MikroORM, url: string, log: Logger): Promise<void> {
  const lock = new Client({ connectionString: url });
  await lock.connect();
  try {
    await lock.query(`select pg_advisory_lock(hashtext('atrium:migrations'))`);
    const applied = await orm.getMigrator().up();
    if (applied.length) log.info({ migrations: applied.map((m) => m.name) }, 'applied migrations');
  } finally {
    await lock.query(`select pg_advisory_unlock(hashtext('atrium:migrations'))`).catch(() => undefined);
    await lock.end();
  }
}

/** Opens the subgraph's ORM: creates its database if needed and migrates it. */
export async function openDatabase(options: DatabaseOptions): Promise<MikroORM> {
  await ensureDatabase(options.url);
  const orm = await MikroORM.init({
    clientUrl: options.url,
    entities: options.entities,
    extensions: [Migrator],
    migrations: { migrationsList: options.migrations, transactional: true, allOrNothing: true, snapshot: false },
    // Entities carry explicit types; no folder discovery, no TS source reading at run time.
    discovery: { warnWhenNoEntities: true },
    allowGlobalContext: false,
    pool: { min: 0, max: 10 },
    logger: (message) => options.log.debug({ orm: message }),
  });
  if (options.migrate ?? true) await migrate(orm, options.url, options.log);
  return orm;
}

/**
 * What runs in the background, whatever the request: the event relay and consumer, and the
 * `/ready` probe (`select 1`) that the health subgraph polls every few seconds.
 */
const BACKGROUND = /outbox_event|processed_event|pg_try_advisory_xact_lock|^(begin|commit|rollback)\b|^select 1$/i;

const background = new AsyncLocalStorage<true>();

/**
 * Runs `work` as background work — a job, an event handler — whose SQL is not a request's:
 * `countStatements` leaves it out, however its statements look (a sweep that happens to run
 * during a measured request must not change the request's exact count).
 */
export function asBackgroundWork<T>(work: () => Promise<T>): Promise<T> {
  return background.run(true, work);
}

/**
 * Counts the SQL statements the ORM sends — how tests assert "no N+1" with exact numbers.
 * Background work (jobs and event handlers run through `asBackgroundWork`, the relay's
 * outbox polling, advisory lock and transactions, readiness probes) is left out, so the
 * count is the request's own. Returns a reader and a function that stops counting.
 */
export function countStatements(orm: MikroORM): { readonly count: number; readonly statements: string[]; stop(): void } {
  const knex = orm.em.getConnection().getKnex();
  const statements: string[] = [];
  const onQuery = (q: { sql: string }) => {
    if (!background.getStore() && !BACKGROUND.test(q.sql.trim())) statements.push(q.sql);
  };
  knex.on('query', onQuery);
  return {
    get count() {
      return statements.length;
    },
    statements,
    stop: () => void knex.off('query', onQuery),
  };
}
