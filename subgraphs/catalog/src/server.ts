import { createSubgraph, type SubgraphConfig, type SubgraphOptions } from '@atrium/kit';
import { entities } from './entities';
import { migrations } from './migrations';
import { buildSchema } from './schema';

/** Builds and starts the catalog subgraph (locations and workspaces). */
export async function createServer(config: SubgraphConfig, extra: Pick<SubgraphOptions, 'plugins' | 'log' | 'verifier'> = {}) {
  return createSubgraph({ name: 'catalog', config, schema: await buildSchema(), entities, migrations, ...extra });
}
