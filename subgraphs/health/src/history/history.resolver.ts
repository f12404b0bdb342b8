import { Scope } from '@atrium/kit';
import { RequiresScopes } from '@atrium/kit/subgraph';
import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import type { HealthContext } from '../context';
import { MAX_POINTS, MAX_WINDOW_MINUTES } from './history.service';
import { HealthHistory } from './history.types';

@Resolver(() => HealthHistory)
export class HistoryResolver {
  @RequiresScopes([Scope.SYSTEM_ADMIN])
  // Nullable, like every field a caller may be refused: a refusal nulls this field, not the response.
  @Query(() => HealthHistory, {
    nullable: true,
    description: `Latency and status of every monitored service over the last \`windowMinutes\` (1 to ${MAX_WINDOW_MINUTES}), in at most ${MAX_POINTS} steps. ADMIN.`,
  })
  serviceHealthHistory(
    @Arg('windowMinutes', () => Int, { defaultValue: 60 }) windowMinutes: number,
    @Ctx() ctx: HealthContext,
  ): Promise<HealthHistory> {
    return ctx.history.window(ctx.targets, windowMinutes);
  }
}
