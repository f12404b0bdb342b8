import type { Redis } from '@atrium/kit';
import type { EntityManager } from '@atrium/kit/subgraph';
import { Queue } from 'bullmq';
import { Status, type ServiceStatus } from '../status/service-status.entity';
import { SystemState, type ConsumerGroupLag, type DependencyStatus, type EventStreamHealth, type QueueStats } from './system-health.types';

/** At most this many queues are reported (a guard against a prefix shared with something else). */
export const MAX_QUEUES = 50;

/** Where the platform's events and jobs live in Redis (the common subgraph variables). */
export interface RedisLayout {
  EVENTS_STREAM: string;
  JOBS_PREFIX: string;
}

/** The platform-wide view behind `systemHealth`: health's own dependencies, the event stream and the job queues. */
export class SystemHealthService {
  constructor(
    private readonly redis: Redis,
    private readonly em: EntityManager,
    private readonly layout: RedisLayout,
    /** A check with no answer by then is DOWN (the kit's Redis client queues commands forever while disconnected). */
    private readonly timeoutMs: number,
  ) {}

  redisStatus(): Promise<DependencyStatus> {
    return timed(() => this.redis.ping(), this.timeoutMs);
  }

  postgresStatus(): Promise<DependencyStatus> {
    return timed(() => this.em.getConnection().execute('select 1'), this.timeoutMs);
  }

  /** XLEN of the stream and its dead letters, and XINFO GROUPS (pending and lag per consumer group). */
  async eventStream(): Promise<EventStreamHealth> {
    const stream = this.layout.EVENTS_STREAM;
    const [length, deadLetters, groups] = await Promise.all([
      this.redis.xlen(stream),
      this.redis.xlen(`${stream}:dead`),
      // XINFO fails on a stream that does not exist yet: no groups then.
      (this.redis.xinfo('GROUPS', stream) as Promise<unknown[][]>).catch(() => [] as unknown[][]),
    ]);
    return { length, deadLetters, groups: groups.map(groupLag) };
  }

  /**
   * Counts of every BullMQ queue under JOBS_PREFIX, found by their `<prefix>:<queue>:meta`
   * keys (SCAN, never KEYS), sorted by name, at most MAX_QUEUES.
   */
  async queues(): Promise<QueueStats[]> {
    const prefix = this.layout.JOBS_PREFIX;
    const names = new Set<string>();
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${escapeGlob(prefix)}:*:meta`, 'COUNT', 500);
      cursor = next;
      for (const key of keys) names.add(key.slice(prefix.length + 1, -':meta'.length));
    } while (cursor !== '0' && names.size < MAX_QUEUES);
    const sorted = [...names].sort().slice(0, MAX_QUEUES);
    return Promise.all(
      sorted.map(async (name) => {
        // A shared connection: closing the queue leaves it open.
        const queue = new Queue(name, { connection: this.redis, prefix });
        try {
          const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
          return { name, waiting: counts.waiting ?? 0, active: counts.active ?? 0, delayed: counts.delayed ?? 0, failed: counts.failed ?? 0, completed: counts.completed ?? 0 };
        } finally {
          await queue.close();
        }
      }),
    );
  }
}

/** UP when every service and dependency is; DOWN when a dependency or every service is down; else DEGRADED. */
export function overallState(services: Pick<ServiceStatus, 'status'>[], dependencies: DependencyStatus[]): SystemState {
  if (dependencies.some((d) => d.status !== Status.UP)) return SystemState.DOWN;
  if (services.length > 0 && services.every((s) => s.status === Status.DOWN)) return SystemState.DOWN;
  return services.every((s) => s.status === Status.UP) ? SystemState.UP : SystemState.DEGRADED;
}

async function timed(check: () => Promise<unknown>, timeoutMs: number): Promise<DependencyStatus> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
  });
  try {
    await Promise.race([check(), timeout]);
    return { status: Status.UP, latencyMs: Math.round(performance.now() - started) };
  } catch {
    return { status: Status.DOWN, latencyMs: null };
  } finally {
    clearTimeout(timer);
  }
}

/** One XINFO GROUPS entry (a flat field/value list) as a ConsumerGroupLag. */
function groupLag(entry: unknown[]): ConsumerGroupLag {
  const field = (name: string) => {
    const at = entry.indexOf(name);
    return at < 0 ? undefined : entry[at + 1];
  };
  const lag = field('lag');
  return { name: String(field('name')), pending: Number(field('pending') ?? 0), lag: lag === null || lag === undefined ? null : Number(lag) };
}

const escapeGlob = (s: string) => s.replace(/[*?[\]\\]/g, '\\$&');
