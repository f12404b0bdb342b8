import type { MikroORM } from '@mikro-orm/postgresql';
import type { Express } from 'express';
import type { Redis } from 'ioredis';
import type { Metrics } from '../metrics';

/** A probe's answer within `ms`, whatever the dependency does: a hung one is `down`. */
export async function within(ms: number, check: () => Promise<unknown>): Promise<'up' | 'down'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'down'>((resolve) => {
    timer = setTimeout(() => resolve('down'), ms);
    timer.unref();
  });
  try {
    return await Promise.race([check().then(() => 'up' as const, () => 'down' as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export interface ProbeOptions {
  name: string;
  orm: MikroORM;
  redis: Redis;
  /** Gets `atrium_dependency_up` for postgres and redis. */
  metrics?: Metrics;
  /** Each check's budget, so every probe answers within a second whatever is down. */
  timeoutMs?: number;
}

/**
 * A subgraph's probes. `/health` (liveness): the process answers. `/ready` (readiness):
 * *this* process can serve, which is its own database answering — and nothing else, so a
 * Redis outage (events and jobs wait, requests still work) takes no pod out of its Service.
 * `/status` shows every dependency for operators; neither probe waits on a hung one.
 */
export function serveProbes(app: Express, options: ProbeOptions): void {
  const { name, orm, redis } = options;
  const timeoutMs = options.timeoutMs ?? 800;
  const database = () => within(timeoutMs, () => orm.em.getConnection().execute('select 1'));
  // ioredis queues commands while disconnected: a ping then waits, so check the state first.
  const cache = () => (redis.status === 'ready' ? within(timeoutMs, () => redis.ping()) : Promise.resolve('down' as const));
  options.metrics?.watchDependencies(async () => {
    const [postgres, redisState] = await Promise.all([database(), cache()]);
    return { postgres, redis: redisState };
  });
  app.get('/health', (_req, res) => void res.json({ status: 'ok', service: name }));
  app.get('/ready', async (_req, res) => {
    const postgres = await database();
    const ready = postgres === 'up';
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', service: name, postgres });
  });
  app.get('/status', async (_req, res) => {
    const [postgres, redisState] = await Promise.all([database(), cache()]);
    res.json({ service: name, ready: postgres === 'up', postgres, redis: redisState });
  });
}
