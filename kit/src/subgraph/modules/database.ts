import type { MigrationObject } from '@mikro-orm/core';
import type { MikroORM, Options } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { SubgraphConfig } from '../../config';
import type { Module } from '../../lifecycle';
import { connectRedis, type Redis } from '../../redis';
import { trackCommits } from '../../after-commit';
import { openDatabase } from '../db';
import { kitMigrations } from '../events/migration';
import { OutboxEvent, ProcessedEvent } from '../events/outbox.entity';

/** The subgraph's database, created and migrated (with kit's outbox tables) as configured. */
export const database = (options: { config: SubgraphConfig; entities: Options['entities']; migrations: MigrationObject[]; log: Logger }): Module<MikroORM> => ({
  name: 'database',
  async start() {
    const orm = await openDatabase({
      url: options.config.DATABASE_URL,
      entities: [...(options.entities as Function[]), OutboxEvent, ProcessedEvent],
      migrations: [...kitMigrations, ...options.migrations],
      migrate: options.config.DB_MIGRATE,
      log: options.log,
    });
    // Before anything forks the entity manager: transactions clone its subscribers.
    trackCommits(orm, options.log);
    return orm;
  },
  close: (orm) => orm.close(),
});

/** The Redis connection of domain events, jobs and probes (named after the subgraph in CLIENT LIST). */
export const redisConnection = (url: string, name: string): Module<Redis> => ({
  name: 'redis',
  start: () => connectRedis(url, name),
  close: (redis) => redis.disconnect(),
});
