import { buildFederatedSchema } from '@atrium/kit/subgraph';
import type { CatalogContext } from './context';
import { LocationResolver } from './location/location.resolver';
import { UserStub } from './user/user.stub';
import { WorkspaceResolver } from './workspace/workspace.resolver';

/** catalog's subgraph schema; needs no database, so `npm run compose` can print it. */
export function buildSchema() {
  return buildFederatedSchema({
    resolvers: [LocationResolver, WorkspaceResolver],
    orphanedTypes: [UserStub],
    references: {
      Location: (ids, ctx) => (ctx as CatalogContext).locations.byIds(ids),
      Workspace: (ids, ctx) => (ctx as CatalogContext).workspaces.byIds(ids),
    },
  });
}
