import { forbidden, hasScope, Scope, unauthenticated, isUuid } from '@atrium/kit';
import { buildFederatedSchema } from '@atrium/kit/subgraph';
import { ActivityLogResolver } from './activity/activity-log.resolver';
import type { ReportingContext } from './context';
import { DailyStatsResolver } from './stats/daily-stats.resolver';
import { HourlyStatsResolver } from './stats/hourly-stats.resolver';
import { UserStub } from './user/user.stub';
import { WorkspaceStatsResolver } from './workspace/workspace-stats.resolver';
import { WorkspaceExtension } from './workspace/workspace.extension';

/** reporting's subgraph schema; needs no database, so `npm run compose` can print it. */
export function buildSchema() {
  return buildFederatedSchema({
    resolvers: [ActivityLogResolver, DailyStatsResolver, HourlyStatsResolver, WorkspaceStatsResolver],
    // Workspace is reached only through `_entities`: list it so its `stats` is emitted.
    orphanedTypes: [UserStub, WorkspaceExtension],
    references: {
      // The audit trail by key, for the same callers as `activityLog` (defense in depth:
      // `_entities` reaches here without going through a guarded query field).
      ActivityLog: (ids, ctx) => {
        const { caller } = ctx;
        if (!caller) throw unauthenticated('Authentication required to access ActivityLog');
        if (!hasScope(caller, Scope.REPORTS_READ)) throw forbidden('Not authorized to access ActivityLog: requires scope reports:read');
        return (ctx as ReportingContext).activityLog.byIds(ids.filter(isUuid));
      },
      // catalog's Workspace, which reporting extends with `stats`: any key is a workspace here.
      Workspace: async (ids) => ids.map((id) => ({ id })),
    },
  });
}
