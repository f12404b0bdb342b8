import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261122100000 } from './Migration20261122100000';
import { Migration20261122200000 } from './Migration20261122200000';

/** Every notification migration, oldest first (listed, not discovered). */
export const migrations: MigrationObject[] = [{ name: 'Migration20261122100000', class: Migration20261122100000 },
  { name: 'Migration20261122200000', class: Migration20261122200000 }];
