import type { MikroORM } from '@mikro-orm/postgresql';
import { Queue, Worker, type Job, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Telemetry } from '../telemetry';
import { jobTrace, withJobTrace } from '../telemetry-events';
import { asBackgroundWork } from './db';

export type { Job, JobsOptions };

/** What a job processor gets besides the job. */
export interface JobContext {
  orm: MikroORM;
  log: Logger;
  jobs: Jobs;
}
export type JobProcessor = (job: Job, ctx: JobContext) => Promise<unknown>;

/** Delayed and scheduled work on BullMQ, in queues named after the subgraph. */
export interface Jobs {
  /**
   * Enqueues `data` on queue `name`. A `jobId` makes it idempotent: the same id is
   * accepted once, so scheduling from a redelivered event is harmless, and each job runs
   * once per cluster whatever the number of instances.
   */
  add(name: string, data: object, options?: JobsOptions): Promise<void>;
  /**
   * Makes sure a job of `options.jobId` is waiting, delayed or running: adds it unless one
   * is. A finished one (completed or failed) of that id is removed first — BullMQ silently
   * ignores an id it still holds, so re-enqueuing work whose earlier job is done (the row
   * says it is not) needs this, not `add`. Returns whether it added one.
   */
  ensure(name: string, data: object, options: JobsOptions & { jobId: string }): Promise<boolean>;
  /**
   * A repeatable job on a cron `pattern` (UTC) or `{ every: ms }`, registered once per
   * cluster by name. Remembered, and registered again when Redis lost it (checked every
   * few seconds), so a Redis that lost its data gets its schedules back with no restart.
   */
  schedule(name: string, repeat: string | { every: number }, data?: object, opts?: JobsOptions): Promise<void>;
  /** Removes the schedule of `name` (one an earlier configuration registered) and forgets it. */
  unschedule(name: string): Promise<void>;
  /** The BullMQ queue behind `name` (for counts and inspection). */
  queue(name: string): Queue;
  close(): Promise<void>;
}

export interface JobsOptions_ {
  redis: Redis;
  /** Key prefix in Redis (tests use a unique one). */
  prefix: string;
  service: string;
  log: Logger;
  /** How often to check that the schedules are still registered in Redis (ms). */
  scheduleCheckMs?: number;
  /** The subgraph's tracing: a job carries the trace of what added it, and runs in a span of it (telemetry-events.ts). */
  telemetry?: Telemetry;
}

/** BullMQ refuses ':' in custom job ids; Atrium's ids read better with it. */
const safeJobId = (id: string | undefined) => id?.replace(/:/g, '.');

/** Job states in which the job will still run: `ensure` leaves those alone. */
const LIVE_STATES = new Set(['waiting', 'delayed', 'active', 'prioritized', 'waiting-children']);

export function createJobs(options: JobsOptions_): Jobs & { startWorkers(processors: Record<string, JobProcessor>, orm: MikroORM): void } {
  const { redis, prefix, service, log } = options;
  const queues = new Map<string, Queue>();
  const workers: Worker[] = [];
  // BullMQ leaves connections it was given open: ours to close.
  const connections: Redis[] = [];
  const queueName = (name: string) => `${service}-${name}`;
  const schedules = new Map<string, { repeat: { pattern: string; tz: string } | { every: number }; data: object; opts: JobsOptions }>();
  const register = (name: string) => {
    const { repeat, data, opts } = schedules.get(name)!;
    return queue(name).upsertJobScheduler(name, repeat, { name, data, opts });
  };
  // Redis may lose its data (FLUSHALL, a restart without persistence): put back any
  // schedule it no longer has. A cheap lookup per schedule; upserting is idempotent.
  let checking = false;
  const scheduleWatch = setInterval(async () => {
    if (checking || schedules.size === 0) return;
    checking = true;
    try {
      for (const name of schedules.keys()) {
        if (await queue(name).getJobScheduler(name)) continue;
        await register(name);
        log.warn({ queue: queueName(name) }, 'job schedule lost with Redis data: registered it again');
      }
    } catch (err) {
      log.debug({ err }, 'could not check job schedules; will try again');
    } finally {
      checking = false;
    }
  }, options.scheduleCheckMs ?? 5_000);
  scheduleWatch.unref();
  const queue = (name: string) => {
    let q = queues.get(name);
    if (!q) {
      q = new Queue(queueName(name), { connection: redis, prefix });
      queues.set(name, q);
    }
    return q;
  };
  const jobs: Jobs & { startWorkers(processors: Record<string, JobProcessor>, orm: MikroORM): void } = {
    queue,
    async add(name, data, opts = {}) {
      // Tracing: the data carries the active span's traceparent (unchanged when not tracing).
      await queue(name).add(name, withJobTrace(data), {
        removeOnComplete: { age: 24 * 3600, count: 10_000 },
        removeOnFail: { age: 7 * 24 * 3600 },
        ...opts,
        jobId: safeJobId(opts.jobId),
      });
    },
    async ensure(name, data, opts) {
      const id = safeJobId(opts.jobId)!;
      const state = await queue(name).getJobState(id);
      if (LIVE_STATES.has(state)) return false;
      if (state !== 'unknown') await queue(name).remove(id);
      await jobs.add(name, data, opts);
      return true;
    },
    // Runs every few seconds must not pile up in Redis: by default keep the last ones, for inspection.
    async schedule(name, repeat, data = {}, opts = { removeOnComplete: { count: 100 }, removeOnFail: { count: 1_000 } }) {
      schedules.set(name, { repeat: typeof repeat === 'string' ? { pattern: repeat, tz: 'UTC' } : repeat, data, opts });
      await register(name);
    },
    async unschedule(name) {
      schedules.delete(name);
      await queue(name).removeJobScheduler(name);
    },
    startWorkers(processors, orm) {
      for (const [name, process] of Object.entries(processors)) {
        const connection = redis.duplicate({ maxRetriesPerRequest: null });
        connections.push(connection);
        const worker = new Worker(
          queueName(name),
          (job) => jobTrace(options.telemetry, queueName(name), job, () => asBackgroundWork(() => process(job, { orm, log: log.child({ job: name, jobId: job.id }), jobs }))),
          { connection, prefix, concurrency: 5 },
        );
        worker.on('failed', (job, err) => log.warn({ err, job: name, jobId: job?.id, attempts: job?.attemptsMade }, 'job failed'));
        workers.push(worker);
      }
    },
    async close() {
      clearInterval(scheduleWatch);
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all([...queues.values()].map((q) => q.close()));
      for (const c of connections) c.disconnect();
    },
  };
  return jobs;
}
