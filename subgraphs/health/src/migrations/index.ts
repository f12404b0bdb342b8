import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261122100000 } from './Migration20261122100000';
import { Migration20261203180000 } from './Migration20261203180000';

/** Every health migration, oldest first (listed, not discovered). */
export const migrations: MigrationObject[] = [
  { name: 'Migration20261122100000', class: Migration20261122100000 },
  { name: 'Migration20261203180000', class: Migration20261203180000 },
];
