import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261122000000 } from './Migration20261122000000';

/** Every payment migration, oldest first (listed, not discovered). */
export const migrations: MigrationObject[] = [{ name: 'Migration20261122000000', class: Migration20261122000000 }];
