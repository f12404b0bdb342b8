import { Scope } from '@atrium/kit';
import { loader, RequiresScopes } from '@atrium/kit/subgraph';
import { Arg, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { ReportingContext } from '../context';
import { statsWindow } from './workspace-stats.service';
import { WorkspaceStats } from './workspace-stats.types';
import { WorkspaceExtension } from './workspace.extension';

/** Adds `stats` to catalog's Workspace. */
@Resolver(() => WorkspaceExtension)
export class WorkspaceStatsResolver {
  /** Batched: the stats of every workspace of a request, for one window, in two statements. */
  @RequiresScopes([Scope.REPORTS_READ])
  @FieldResolver(() => WorkspaceStats, {
    nullable: true,
    description: 'Bookings, occupancy and revenue in [from, to) (default: the last 30 days; at most 366 days). MANAGER or ADMIN.',
  })
  async stats(
    @Root() workspace: WorkspaceExtension,
    @Arg('from', () => Date, { nullable: true }) from: Date | null,
    @Arg('to', () => Date, { nullable: true }) to: Date | null,
    @Ctx() ctx: ReportingContext,
  ): Promise<WorkspaceStats | null> {
    const window = statsWindow(from, to);
    // Keyed by the arguments as given: defaults resolve to "now" once, in the first call,
    // whose batch function (and window) then serves every workspace of the request.
    const key = `WorkspaceStats:${from?.toISOString() ?? '-'}:${to?.toISOString() ?? 'now'}`;
    return loader(ctx, key, (ids) => ctx.workspaceStats.forWorkspaces(ids, window)).load(workspace.id);
  }
}
