import { Scope } from '@atrium/kit';
import { RequiresScopes } from '@atrium/kit/subgraph';
import { Ctx, Query, Resolver } from 'type-graphql';
import type { HealthContext } from '../context';
import { Status } from '../status/service-status.entity';
import { overallState } from './system-health.service';
import { SystemHealth } from './system-health.types';

@Resolver(() => SystemHealth)
export class SystemHealthResolver {
  @RequiresScopes([Scope.SYSTEM_ADMIN])
  // Nullable, like every field a caller may be refused: a refusal nulls this field, not the response.
  @Query(() => SystemHealth, { nullable: true, description: 'Services, Postgres, Redis, the event stream and the job queues at a glance. ADMIN.' })
  async systemHealth(@Ctx() ctx: HealthContext): Promise<SystemHealth> {
    const { system } = ctx;
    const [services, redis, postgres] = await Promise.all([ctx.statuses.list(ctx.targets), system.redisStatus(), system.postgresStatus()]);
    // Without Redis there is no stream or queue to inspect: report it DOWN rather than hang.
    const [eventStream, queues] =
      redis.status === Status.UP ? await Promise.all([system.eventStream(), system.queues()]) : [{ length: 0, deadLetters: 0, groups: [] }, []];
    return { status: overallState(services, [redis, postgres]), services, redis, postgres, eventStream, queues };
  }
}
