import { createSubgraph, type Subgraph, type SubgraphOptions } from '@atrium/kit/subgraph';
import type { HealthConfig } from './config';
import { healthContext } from './context';
import { entities } from './entities';
import { migrations } from './migrations';
import { POLL, pollJob } from './monitor/poll.job';
import { monitoredServices } from './monitor/targets';
import { buildSchema } from './schema';
import { serviceHealthChanges } from './status/status.live';

/**
 * Builds and starts the health subgraph: the service registry and monitor. It polls the
 * `/ready` of every subgraph in supergraph.yaml and of the gateway on a BullMQ job
 * scheduler (once per cluster, whatever the number of replicas), keeps each service's
 * state, every probe's result (pruned by age), its history of changes and incidents, and records `service.status_changed` on every change.
 */
export async function createServer(config: HealthConfig, extra: Pick<SubgraphOptions, 'plugins' | 'observe' | 'log' | 'verifier'> = {}): Promise<Subgraph> {
  // Read before anything starts: a bad supergraph.yaml fails fast with its own message.
  const targets = monitoredServices(config);
  return createSubgraph({
    name: 'health',
    config,
    schema: await buildSchema(),
    entities,
    migrations,
    jobs: { [POLL]: pollJob(targets, config.HEALTH_TIMEOUT_MS, config.HEALTH_HISTORY_RETENTION_MS) },
    // Every replica may register the poll's scheduler, it runs once per interval. Completed
    // polls are not worth keeping; a few failed ones are.
    schedules: [{ name: POLL, every: config.HEALTH_POLL_INTERVAL_MS, opts: { removeOnComplete: 100, removeOnFail: 100 } }],
    context: (base, { redis }) => healthContext(base, { targets, redis, config }),
    live: [serviceHealthChanges],
    ...extra,
  });
}
