import { type SubgraphConfig } from '@atrium/kit';
import { createSubgraph, type Subgraph, type SubgraphOptions } from '@atrium/kit/subgraph';
import { reportingContext } from './context';
import { entities } from './entities';
import { migrations } from './migrations';
import { handlers } from './projection/projector';
import { buildSchema } from './schema';
import { DAILY_ROLLUP, DAILY_ROLLUP_PATTERN, dailyRollup } from './stats/daily-rollup.job';

/**
 * Builds and starts the reporting subgraph: it consumes every domain event into its read
 * model (activity log, daily statistics, workspace occupancy) and schedules the nightly
 * rollup that recomputes yesterday's statistics from the log.
 */
export async function createServer(config: SubgraphConfig, extra: Pick<SubgraphOptions, 'plugins' | 'observe' | 'log' | 'verifier'> = {}): Promise<Subgraph> {
  return createSubgraph({
    name: 'reporting',
    config,
    schema: await buildSchema(),
    entities,
    migrations,
    events: { handlers },
    jobs: { [DAILY_ROLLUP]: dailyRollup },
    // A BullMQ job scheduler, upserted by name: every replica may register it, it runs once.
    schedules: [{ name: DAILY_ROLLUP, pattern: DAILY_ROLLUP_PATTERN }],
    context: reportingContext,
    ...extra,
  });
}
