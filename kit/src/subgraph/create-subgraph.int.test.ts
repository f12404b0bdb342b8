import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import IORedis from 'ioredis';
import { createHook } from 'node:async_hooks';
import { createServer, type Server } from 'node:net';
import { Client } from 'pg';
import { loadConfig, subgraphEnv } from '../config';
import { createTestDatabase, createTestEvents, startPrivateRedis, testLogger, waitFor, type PrivateRedis, type TestDatabase, type TestEvents } from '../testing';
import { TEST_DATABASE_SERVER } from '../testing/database';
import { createSubgraph, type SubgraphOptions } from './create-subgraph';

// createSubgraph starts its modules in order; whatever fails half-way, what had started is
// closed: no Redis connection, database connection, socket or interval outlives the start.

const schema = buildSubgraphSchema({ typeDefs: parse('type Query { ping: String! }'), resolvers: { Query: { ping: () => 'pong' } } });

let db: TestDatabase;
let events: TestEvents;
let redis: PrivateRedis;
let redisProbe: IORedis;
let pg: Client;

beforeAll(async () => {
  db = await createTestDatabase('lifecycle');
  events = createTestEvents('lifecycle');
  redis = await startPrivateRedis();
  redisProbe = new IORedis(redis.url, { lazyConnect: true });
  await redisProbe.connect();
  pg = new Client({ connectionString: TEST_DATABASE_SERVER });
  await pg.connect();
});

afterAll(async () => {
  redisProbe?.disconnect();
  await pg?.end();
  await redis?.stop();
  await events?.close();
  await db?.drop();
});

const start = (config: Record<string, string>, options: Partial<SubgraphOptions> = {}) =>
  createSubgraph({
    name: 'lifecycle',
    config: loadConfig(subgraphEnv(0, 'unused'), { DATABASE_URL: db.url, PORT: '0', ...events.env, REDIS_URL: redis.url, PUBSUB_PREFIX: `${events.env.JOBS_PREFIX}:live`, ...config }),
    schema,
    entities: [],
    migrations: [],
    log: testLogger(),
    jobs: { tick: async () => undefined },
    events: { handlers: {} },
    ...options,
  });

/** Redis connections other than the probe's own. */
const redisClients = async () => String(await redisProbe.client('LIST')).trim().split('\n').length - 1;

/** Connections to the subgraph's database. */
const databaseConnections = async () => Number((await pg.query('select count(*) from pg_stat_activity where datname = $1', [new URL(db.url).pathname.slice(1)])).rows[0].count);

/** Sockets, servers and timers keeping the process alive, by kind. */
const handles = () => {
  const kinds = process.getActiveResourcesInfo().filter((kind) => /TCP|Timeout|Pipe/.test(kind));
  return Object.fromEntries([...new Set(kinds)].sort().map((kind) => [kind, kinds.filter((k) => k === kind).length]));
};

/** The kinds of handle there are more of now than `before`. */
const moreHandlesThan = (before: Record<string, number>) =>
  Object.entries(handles())
    .filter(([kind, count]) => count > (before[kind] ?? 0))
    .map(([kind, count]) => `${kind}: ${count} (${before[kind] ?? 0} before)`);

/** Checks that no Redis connection, database connection, socket or timer is left open. */
async function expectNothingOpen(before: Record<string, number>) {
  await waitFor(async () => (await redisClients()) === 0 && (await databaseConnections()) === 0, { what: 'Redis and database connections to close' }).catch(() => undefined);
  expect({ redis: await redisClients(), database: await databaseConnections() }).toEqual({ redis: 0, database: 0 });
  await waitFor(() => moreHandlesThan(before).length === 0, { timeoutMs: 2_000 }).catch(() => undefined);
  expect(moreHandlesThan(before)).toEqual([]);
}

/** Intervals created while `run` runs that are still set afterwards (unref'd ones included). */
async function intervalsLeftBy(run: () => Promise<unknown>): Promise<string[]> {
  const live = new Map<number, string>();
  const hook = createHook({
    init(id, type, _trigger, resource) {
      if (type === 'Timeout' && (resource as { _repeat?: number | null })._repeat) live.set(id, new Error('interval set').stack ?? '');
    },
    destroy: (id) => void live.delete(id),
  }).enable();
  try {
    await run();
  } finally {
    hook.disable();
  }
  return [...live.values()];
}

/** Starts a subgraph that must fail, and checks it left nothing open. */
async function expectFailedStartToLeaveNothingOpen(config: Record<string, string>, options: Partial<SubgraphOptions>, error: RegExp) {
  const onClose = jest.fn();
  const before = handles();
  const intervals = await intervalsLeftBy(() => expect(start(config, { ...options, onClose })).rejects.toThrow(error));
  expect(onClose).toHaveBeenCalledTimes(1);
  expect(intervals).toEqual([]);
  await expectNothingOpen(before);
}

describe('a subgraph whose start fails half-way', () => {
  it('closes its Redis connections, database pool, sockets and timers when its port is taken', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      await expectFailedStartToLeaveNothingOpen({ PORT: String(port), HOST: '127.0.0.1' }, {}, /already in use/);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('closes everything it had started when its onStart throws', async () => {
    await expectFailedStartToLeaveNothingOpen({}, { onStart: async () => Promise.reject(new Error('bootstrap failed')) }, /bootstrap failed/);
  });

  it('closes everything, its HTTP server and job workers included, when a schedule is refused', async () => {
    await expectFailedStartToLeaveNothingOpen({}, { schedules: [{ name: 'tick', pattern: 'not a cron pattern' }] }, /./);
  });
});

describe('a started subgraph', () => {
  it('closes every module it started, its own resources last', async () => {
    const closed: string[] = [];
    const before = handles();
    const intervals = await intervalsLeftBy(async () => {
      const subgraph = await start({}, { schedules: [{ name: 'tick', every: 60_000 }], onClose: () => void closed.push('onClose') });
      expect(await redisClients()).toBeGreaterThan(0);
      expect(await databaseConnections()).toBeGreaterThan(0);
      expect((await fetch(`${subgraph.url}/ready`)).status).toBe(200);
      await subgraph.close();
      closed.push('closed');
    });
    expect(closed).toEqual(['onClose', 'closed']);
    expect(intervals).toEqual([]);
    await expectNothingOpen(before);
  });
});
