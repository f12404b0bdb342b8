import { type SubgraphConfig } from '@atrium/kit';
import { createSubgraph, type SubgraphOptions } from '@atrium/kit/subgraph';
import { catalogContext } from './context';
import { entities } from './entities';
import { migrations } from './migrations';
import { buildSchema } from './schema';

/** Builds and starts the catalog subgraph (locations and workspaces). */
export async function createServer(config: SubgraphConfig, extra: Pick<SubgraphOptions, 'plugins' | 'observe' | 'log' | 'verifier'> = {}) {
  return createSubgraph({ name: 'catalog', config, schema: await buildSchema(), entities, migrations, ...extra, context: catalogContext });
}
