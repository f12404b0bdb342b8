import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { SubgraphConfig } from '../../config';
import type { Module } from '../../lifecycle';
import type { Redis } from '../../redis';
import type { Telemetry } from '../../telemetry';
import { createJobs, type JobProcessor, type Jobs, type JobsOptions } from '../jobs';

/**
 * A job on a schedule, registered once the subgraph's workers run: on a cron `pattern`
 * (UTC; a leading sixth field counts seconds) or `every` so many ms, remembered and
 * registered again if Redis loses it (see `Jobs.schedule`). `off` removes a schedule of
 * that name an earlier configuration registered.
 */
export type JobSchedule = {
  /** The queue, and the scheduler's name: a processor of that name runs its jobs. */
  name: string;
  /** Each job's data. */
  data?: object;
  /** Each job's options (by default the last 100 completed and 1,000 failed jobs are kept). */
  opts?: JobsOptions;
} & ({ pattern: string } | { every: number } | { off: true });

type SubgraphJobs = ReturnType<typeof createJobs>;

/** The subgraph's BullMQ queues (named after it); closing them closes the workers too. */
export const jobQueues = (options: { redis: Redis; config: SubgraphConfig; name: string; log: Logger; telemetry?: Telemetry }): Module<SubgraphJobs> => ({
  name: 'jobs',
  start: () => createJobs({ redis: options.redis, prefix: options.config.JOBS_PREFIX, service: options.name, log: options.log, telemetry: options.telemetry }),
  close: (jobs) => jobs.close(),
});

/** Starts a worker per processor, then registers the schedules (closed with the queues). */
export const jobWorkers = (options: { jobs: SubgraphJobs; processors?: Record<string, JobProcessor>; schedules?: JobSchedule[]; orm: MikroORM }): Module<Jobs> => ({
  name: 'job workers',
  async start() {
    const { jobs } = options;
    jobs.startWorkers(options.processors ?? {}, options.orm);
    for (const schedule of options.schedules ?? []) {
      if ('off' in schedule) await jobs.unschedule(schedule.name);
      else await jobs.schedule(schedule.name, 'pattern' in schedule ? schedule.pattern : { every: schedule.every }, schedule.data, schedule.opts);
    }
    return jobs;
  },
});
