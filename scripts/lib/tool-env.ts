/**
 * The command-line tools' settings from the environment, each read once here (documented
 * in .env.example). The dev runner's are in runner-args.ts; the services parse their own.
 */

/** `http://host:4000/graphql` or `http://host:4000/` → `http://host:4000`. */
export const gatewayBaseUrl = (url: string) => url.replace(/\/graphql\/?$/, '').replace(/\/$/, '');

/** `npm run seed`: which gateway to load the demo data through, and as which admin. */
export interface SeedEnv {
  /** GATEWAY_URL: the gateway's base URL (default http://127.0.0.1:4000; a trailing /graphql is tolerated). */
  gatewayUrl: string;
  /** The gateway's GraphQL endpoint, `<GATEWAY_URL>/graphql`. */
  graphqlUrl: string;
  /** ATRIUM_ADMIN_EMAIL / ATRIUM_ADMIN_PASSWORD, by default the development admin `npm start` creates. */
  admin: { email: string; password: string };
}

export function loadSeedEnv(defaultAdmin: { email: string; password: string }, env: NodeJS.ProcessEnv = process.env): SeedEnv {
  const gatewayUrl = gatewayBaseUrl(env.GATEWAY_URL ?? 'http://127.0.0.1:4000');
  return {
    gatewayUrl,
    graphqlUrl: `${gatewayUrl}/graphql`,
    admin: { email: env.ATRIUM_ADMIN_EMAIL ?? defaultAdmin.email, password: env.ATRIUM_ADMIN_PASSWORD ?? defaultAdmin.password },
  };
}

/** `npm run events`: the Redis and stream the services use (their REDIS_URL and EVENTS_STREAM). */
export interface EventsEnv {
  redisUrl: string;
  stream: string;
}

export function loadEventsEnv(env: NodeJS.ProcessEnv = process.env): EventsEnv {
  return { redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379', stream: env.EVENTS_STREAM ?? 'atrium:events' };
}

/** The dev runner's private redis-server (redis-host.ts), as the runner starts it. */
export interface RedisHostEnv {
  /** ATRIUM_REDIS_BIN: the redis-server binary the runner found on PATH. */
  bin: string;
  /** ATRIUM_REDIS_PORT: a free port the runner chose. */
  port: string;
  /** ATRIUM_REDIS_DIR: where the server may write (in the data folder). */
  dir: string;
}

export function loadRedisHostEnv(env: NodeJS.ProcessEnv = process.env): RedisHostEnv {
  return { bin: env.ATRIUM_REDIS_BIN ?? 'redis-server', port: env.ATRIUM_REDIS_PORT ?? '6380', dir: env.ATRIUM_REDIS_DIR ?? '.atrium/redis' };
}
