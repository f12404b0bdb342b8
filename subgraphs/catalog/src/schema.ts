import { buildFederatedSchema } from '@atrium/kit/subgraph';
import { Location } from './location/location.entity';
import { LocationResolver } from './location/location.resolver';
import { UserStub } from './user/user.stub';
import { Workspace } from './workspace/workspace.entity';
import { WorkspaceResolver } from './workspace/workspace.resolver';

/** catalog's subgraph schema; needs no database, so `npm run compose` can print it. */
export function buildSchema() {
  return buildFederatedSchema({
    resolvers: [LocationResolver, WorkspaceResolver],
    orphanedTypes: [UserStub],
    references: {
      Location: (ids, { em }) => em.find(Location, { id: ids as string[] }),
      Workspace: (ids, { em }) => em.find(Workspace, { id: ids as string[] }),
    },
  });
}
