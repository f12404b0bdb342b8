import type { JobProcessor } from '@atrium/kit/subgraph';
import { HistoryService } from '../history/history.service';
import { StatusService } from '../status/status.service';
import { probe } from './probe';
import type { Target } from './targets';

/** The poll's queue name (`health-poll` in BullMQ): one job scheduler for the whole cluster. */
export const POLL = 'poll';

/**
 * The poll job: probes every target's `/ready` concurrently, applies what it saw in one
 * transaction (see StatusService.record), then appends it to the probe history and prunes
 * the samples older than `retentionMs` (a small indexed delete: only what aged out since the
 * last poll). Returns the changes, which BullMQ keeps briefly.
 */
export function pollJob(targets: Target[], timeoutMs: number, retentionMs: number): JobProcessor {
  return async (job, { orm, log }) => {
    const observations = await Promise.all(targets.map((t) => probe(t.name, t.url, timeoutMs)));
    const changes = await new StatusService(orm.em.fork()).record(observations, `health-poll-${job.id ?? 'manual'}`);
    for (const c of changes) {
      const level = c.to === 'DOWN' ? 'warn' : 'info';
      log[level]({ service: c.service, from: c.from, to: c.to, latencyMs: c.latencyMs, reason: c.reason }, 'service status changed');
    }
    const history = new HistoryService(orm.em.fork());
    await history.append(observations);
    await history.prune(new Date(Date.now() - retentionMs));
    return changes.map((c) => ({ service: c.service, from: c.from, to: c.to }));
  };
}
