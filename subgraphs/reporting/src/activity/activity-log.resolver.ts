import { Scope } from '@atrium/kit';
import { connectionType, RequiresScopes } from '@atrium/kit/subgraph';
import { Args, Ctx, Directive, FieldResolver, ObjectType, Query, Resolver, Root } from 'type-graphql';
import type { ReportingContext } from '../context';
import { UserStub } from '../user/user.stub';
import { ActivityLog } from './activity-log.entity';
import { ActivityLogArgs } from './activity-log.input';

@Directive('@cacheControl(inheritMaxAge: true)')
@ObjectType()
export class ActivityLogConnection extends connectionType(ActivityLog, 'ActivityLog') {}

@Resolver(() => ActivityLog)
export class ActivityLogResolver {
  @RequiresScopes([Scope.REPORTS_READ])
  // Nullable, like every field a caller may be refused: a refusal nulls this field, not the response.
  @Query(() => ActivityLogConnection, { nullable: true, description: 'The audit trail, newest first. MANAGER or ADMIN.' })
  activityLog(@Args() { filter, first, after }: ActivityLogArgs, @Ctx() ctx: ReportingContext) {
    return ctx.activityLog.list(filter, first, after);
  }

  /** A reference into identity (no SQL here): the gateway fetches the user's fields there. */
  @FieldResolver(() => UserStub, { nullable: true, description: 'Who caused it; null for system work (hold expiry, completion).' })
  actor(@Root() entry: ActivityLog): UserStub | null {
    return entry.actorId ? { id: entry.actorId } : null;
  }
}
