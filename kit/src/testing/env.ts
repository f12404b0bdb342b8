/**
 * The test suites' own settings, read once from the environment (documented in
 * .env.example). Tests never read the services' variables (REDIS_URL, DATABASE_URL…):
 * those belong to the servers a suite starts, with settings of its own.
 */
export interface TestEnv {
  /** TEST_DATABASE_URL: the PostgreSQL server suites create their databases on. */
  databaseUrl: string;
  /** TEST_REDIS_URL: the Redis suites keep their private streams, queues and channels on. */
  redisUrl: string;
  /** TEST_LOG_LEVEL: the level of test servers' logs (pino), silent by default. */
  logLevel: string;
}

export function loadTestEnv(env: Record<string, string | undefined> = process.env): TestEnv {
  return {
    databaseUrl: env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    redisUrl: env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    logLevel: env.TEST_LOG_LEVEL ?? 'silent',
  };
}

export const testEnv: TestEnv = loadTestEnv();
