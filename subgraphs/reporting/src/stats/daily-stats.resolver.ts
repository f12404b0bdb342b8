import { Scope } from '@atrium/kit';
import { RequiresScopes } from '@atrium/kit/subgraph';
import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import { DateScalar } from '../common/date.scalar';
import type { ReportingContext } from '../context';
import { MAX_DAYS } from './daily-stats.service';
import { DailyStats } from './daily-stats.types';

@Resolver(() => DailyStats)
export class DailyStatsResolver {
  @RequiresScopes([Scope.REPORTS_READ])
  // Nullable, like every field a caller may be refused: a refusal nulls this field, not the response.
  @Query(() => [DailyStats], {
    nullable: true,
    description: `One entry per UTC day from \`from\` to \`to\` (both included, at most ${MAX_DAYS} days), days without events included. MANAGER or ADMIN.`,
  })
  dailyStats(
    @Arg('from', () => DateScalar) from: string,
    @Arg('to', () => DateScalar) to: string,
    @Ctx() ctx: ReportingContext,
  ): Promise<DailyStats[]> {
    return ctx.dailyStats.range(from, to);
  }
}
