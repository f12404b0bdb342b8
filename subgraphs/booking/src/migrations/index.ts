import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261201000000 } from './Migration20261201000000';
import { Migration20261203000000 } from './Migration20261203000000';
import { Migration20261203181000 } from './Migration20261203181000';

/** Every booking migration, oldest first (listed, not discovered). */
export const migrations: MigrationObject[] = [
  { name: 'Migration20261201000000', class: Migration20261201000000 },
  { name: 'Migration20261203000000', class: Migration20261203000000 },
  { name: 'Migration20261203181000', class: Migration20261203181000 },
];
