// The migration step of Atrium on Kubernetes (deploy/kubernetes): an entry point, compiled to
// dist/scripts/lib/kubernetes-migrate.js and run from the image.
//
//   node dist/scripts/lib/kubernetes-migrate.js <subgraph>         the migration Job: applies
//        the subgraph's pending migrations (kit's outbox tables included) and exits
//   node dist/scripts/lib/kubernetes-migrate.js --wait <subgraph>  each subgraph pod's init
//        container: exits once no migration is pending, so a Deployment (DB_MIGRATE=false)
//        never serves a schema older than its code, nor races the Job
//
// Both read the subgraph's own configuration (DATABASE_URL, LOG_*), parsed like the service's.
import 'reflect-metadata';
import { createLogger, type Logger } from '@atrium/kit';
import { kitMigrations, openDatabase, OutboxEvent, ProcessedEvent } from '@atrium/kit/subgraph';
import type { MigrationObject } from '@mikro-orm/core';
import { setTimeout as sleep } from 'node:timers/promises';
import { isSubgraphName, SUBGRAPHS, type SubgraphName } from '../../subgraphs';
import { entities as bookingEntities } from '../../subgraphs/booking/src/entities';
import { migrations as bookingMigrations } from '../../subgraphs/booking/src/migrations';
import { entities as catalogEntities } from '../../subgraphs/catalog/src/entities';
import { migrations as catalogMigrations } from '../../subgraphs/catalog/src/migrations';
import { entities as healthEntities } from '../../subgraphs/health/src/entities';
import { migrations as healthMigrations } from '../../subgraphs/health/src/migrations';
import { entities as identityEntities } from '../../subgraphs/identity/src/entities';
import { migrations as identityMigrations } from '../../subgraphs/identity/src/migrations';
import { entities as notificationEntities } from '../../subgraphs/notification/src/entities';
import { migrations as notificationMigrations } from '../../subgraphs/notification/src/migrations';
import { entities as paymentEntities } from '../../subgraphs/payment/src/entities';
import { migrations as paymentMigrations } from '../../subgraphs/payment/src/migrations';
import { entities as reportingEntities } from '../../subgraphs/reporting/src/entities';
import { migrations as reportingMigrations } from '../../subgraphs/reporting/src/migrations';

/** Each subgraph's entities and migrations, keyed like the registry (the compiler checks that every subgraph is here). */
const SCHEMAS: Record<SubgraphName, { entities: Function[]; migrations: MigrationObject[] }> = {
  identity: { entities: identityEntities, migrations: identityMigrations },
  catalog: { entities: catalogEntities, migrations: catalogMigrations },
  booking: { entities: bookingEntities, migrations: bookingMigrations },
  payment: { entities: paymentEntities, migrations: paymentMigrations },
  notification: { entities: notificationEntities, migrations: notificationMigrations },
  reporting: { entities: reportingEntities, migrations: reportingMigrations },
  health: { entities: healthEntities, migrations: healthMigrations },
};

/** Opens the subgraph's database as the service does (same entities and migrations, kit's included). */
function open(name: SubgraphName, url: string, log: Logger, migrate: boolean) {
  return openDatabase({
    url,
    entities: [...SCHEMAS[name].entities, OutboxEvent, ProcessedEvent],
    migrations: [...kitMigrations, ...SCHEMAS[name].migrations],
    migrate,
    log,
  });
}

/** The subgraph's database URL, from its environment parsed as the service parses it. */
const databaseUrlOf = (name: SubgraphName, env: Record<string, string | undefined>) => (SUBGRAPHS[name].loadConfig(env) as { DATABASE_URL: string }).DATABASE_URL;

/**
 * Applies the subgraph's pending migrations, creating its database when missing. Under
 * kit's advisory lock: a second Job (or a service with DB_MIGRATE=true) waits its turn.
 */
export async function migrateSubgraph(name: SubgraphName, env: Record<string, string | undefined>, log: Logger): Promise<void> {
  const orm = await open(name, databaseUrlOf(name, env), log, true);
  await orm.close();
  log.info('migrations applied');
}

/** The names of the subgraph's migrations not yet applied to its database. */
export async function pendingMigrations(name: SubgraphName, env: Record<string, string | undefined>, log: Logger): Promise<string[]> {
  const orm = await open(name, databaseUrlOf(name, env), log, false);
  try {
    return (await orm.getMigrator().getPendingMigrations()).map((m) => m.name);
  } finally {
    await orm.close();
  }
}

/**
 * Resolves once no migration of the subgraph is pending: what each subgraph pod's init
 * container waits for. An unreachable database is waited for too (it may be starting).
 */
export async function waitForMigrations(name: SubgraphName, env: Record<string, string | undefined>, log: Logger, intervalMs = 3_000): Promise<void> {
  for (;;) {
    try {
      const pending = await pendingMigrations(name, env, log);
      if (pending.length === 0) {
        log.info('database is migrated');
        return;
      }
      log.info({ pending }, 'waiting for the migration Job');
    } catch (err) {
      log.warn({ err }, 'database not reachable yet');
    }
    await sleep(intervalMs);
  }
}

async function main(args: string[]): Promise<void> {
  const wait = args.includes('--wait');
  const name = args.find((a) => !a.startsWith('--'));
  if (!name || !isSubgraphName(name)) throw new Error(`usage: kubernetes-migrate.js [--wait] <subgraph>  (one of ${Object.keys(SUBGRAPHS).join(', ')})`);
  const config = SUBGRAPHS[name].loadConfig(process.env) as { LOG_LEVEL: string; LOG_FORMAT: 'json' | 'pretty' };
  const log = createLogger({ name: `${name}-migrate`, level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  await (wait ? waitForMigrations(name, process.env, log) : migrateSubgraph(name, process.env, log));
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`kubernetes-migrate: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
