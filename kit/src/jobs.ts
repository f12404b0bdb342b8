import type { MikroORM } from '@mikro-orm/postgresql';
import { Queue, Worker, type Job, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

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
  /** A repeatable job on a cron `pattern` (UTC), registered once per cluster by name. */
  schedule(name: string, pattern: string, data?: object): Promise<void>;
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
}

/** BullMQ refuses ':' in custom job ids; Atrium's ids read better with it. */
const safeJobId = (id: string | undefined) => id?.replace(/:/g, '.');

export function createJobs(options: JobsOptions_): Jobs & { startWorkers(processors: Record<string, JobProcessor>, orm: MikroORM): void } {
  const { redis, prefix, service, log } = options;
  const queues = new Map<string, Queue>();
  const workers: Worker[] = [];
  // BullMQ leaves connections it was given open: ours to close.
  const connections: Redis[] = [];
  const queueName = (name: string) => `${service}-${name}`;
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
      await queue(name).add(name, data, {
        removeOnComplete: { age: 24 * 3600, count: 10_000 },
        removeOnFail: { age: 7 * 24 * 3600 },
        ...opts,
        jobId: safeJobId(opts.jobId),
      });
    },
    async schedule(name, pattern, data = {}) {
      await queue(name).upsertJobScheduler(name, { pattern, tz: 'UTC' }, { name, data });
    },
    startWorkers(processors, orm) {
      for (const [name, process] of Object.entries(processors)) {
        const connection = redis.duplicate({ maxRetriesPerRequest: null });
        connections.push(connection);
        const worker = new Worker(
          queueName(name),
          (job) => process(job, { orm, log: log.child({ job: name, jobId: job.id }), jobs }),
          { connection, prefix, concurrency: 5 },
        );
        worker.on('failed', (job, err) => log.warn({ err, job: name, jobId: job?.id, attempts: job?.attemptsMade }, 'job failed'));
        workers.push(worker);
      }
    },
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all([...queues.values()].map((q) => q.close()));
      for (const c of connections) c.disconnect();
    },
  };
  return jobs;
}
