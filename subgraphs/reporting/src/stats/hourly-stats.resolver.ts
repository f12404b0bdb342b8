import { Scope } from '@atrium/kit';
import { RequiresScopes } from '@atrium/kit/subgraph';
import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import type { ReportingContext } from '../context';
import { DEFAULT_HOURS, MAX_HOURS } from './hourly-stats.service';
import { HourlyStats } from './hourly-stats.types';

@Resolver(() => HourlyStats)
export class HourlyStatsResolver {
  @RequiresScopes([Scope.REPORTS_READ])
  // Nullable, like every field a caller may be refused: a refusal nulls this field, not the response.
  @Query(() => [HourlyStats], {
    nullable: true,
    description: `One entry per UTC hour overlapping [from, to) (default: the last ${DEFAULT_HOURS} hours up to now; at most ${MAX_HOURS} hours), hours without events included, oldest first. MANAGER or ADMIN.`,
  })
  hourlyStats(
    @Arg('from', () => Date, { nullable: true }) from: Date | null,
    @Arg('to', () => Date, { nullable: true }) to: Date | null,
    @Ctx() ctx: ReportingContext,
  ): Promise<HourlyStats[]> {
    return ctx.hourlyStats.range(from, to);
  }
}
