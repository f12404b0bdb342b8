import { z, type ZodRawShape } from 'zod';

/** Services extend `serviceEnv` / `subgraphEnv` with the kit's own zod (one version everywhere). */
export { z };

const SECONDS_PER_UNIT = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/**
 * A duration in seconds: a plain number of seconds (`604800`) or a number with a unit
 * `s`, `m`, `h` or `d` (`7d`, `12h`). Parses to seconds.
 */
export const durationSeconds = () =>
  z
    .string()
    .trim()
    .regex(/^[1-9]\d*[smhd]?$/, 'must be a positive number of seconds, or a number with s, m, h or d (e.g. 7d)')
    .transform((value) => {
      const unit = value.at(-1) as string;
      return unit in SECONDS_PER_UNIT ? Number(value.slice(0, -1)) * SECONDS_PER_UNIT[unit as keyof typeof SECONDS_PER_UNIT] : Number(value);
    });

/**
 * Variables every Atrium service understands. A service extends this with its own
 * (see `loadConfig`) and documents each one in `.env.example`.
 */
export const serviceEnv = {
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty']).default('json'),
  /** identity's JWKS endpoint: every service verifies bearer tokens against it. */
  JWKS_URL: z.string().url().default('http://127.0.0.1:4001/.well-known/jwks.json'),
  JWT_ISSUER: z.string().min(1).default('atrium-identity'),
  JWT_AUDIENCE: z.string().min(1).default('atrium'),
  // OpenTelemetry traces (telemetry.ts; README "Tracing"): off, and free, unless an endpoint is set.
  /** Base URL of an OTLP/HTTP receiver (spans go to `<it>/v1/traces` as JSON). Unset: no tracing at all. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  /** The traces URL itself, when it is not `<OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces`. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.string().url().optional(),
  /** `service.name` of the spans (default: the service's own name). */
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  /** Milliseconds between two exports of ended spans. */
  OTEL_BSP_SCHEDULE_DELAY: z.coerce.number().int().positive().default(5_000),
};

/**
 * Request signing between the gateway and the subgraphs (auth/signature.ts): the gateway
 * signs with the first secret, subgraphs accept any of them (rotation: add the new one
 * first, drop the old one once every gateway signs with the new).
 */
export const signingEnv = {
  /** `required`: subgraphs refuse unsigned requests. Unset: required when NODE_ENV=production, off otherwise. */
  SUBGRAPH_SIGNATURE: z.enum(['off', 'required']).optional(),
  /** Comma-separated HMAC secrets; the first signs. */
  SUBGRAPH_SIGNING_SECRETS: z
    .string()
    .default('')
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean)),
};

/** The environment of a subgraph with a database: `serviceEnv` plus port and database. */
export function subgraphEnv(defaultPort: number, database: string) {
  return {
    ...serviceEnv,
    ...signingEnv,
    PORT: z.coerce.number().int().min(0).max(65535).default(defaultPort),
    DATABASE_URL: z.string().url().default(`postgres://postgres@127.0.0.1:5432/${database}`),
    /** Run pending migrations at start (under an advisory lock, so replicas may all do it). */
    DB_MIGRATE: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
    /** Redis for domain events (Streams), jobs (BullMQ) and live events (pub/sub). */
    REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
    /** The Redis Stream all domain events travel on (tests use their own). */
    EVENTS_STREAM: z.string().min(1).default('atrium:events'),
    /** Key prefix of the BullMQ queues (tests use their own). */
    JOBS_PREFIX: z.string().min(1).default('atrium'),
    /** Namespace of the live-event (pub/sub) channels behind subscriptions (tests use their own). */
    PUBSUB_PREFIX: z.string().min(1).default('atrium'),
    /** A failed or orphaned event delivery is retried after this many ms. */
    EVENTS_RETRY_IDLE_MS: z.coerce.number().int().positive().default(5_000),
    /** Deliveries before an event is moved to the dead-letter stream. */
    EVENTS_MAX_DELIVERIES: z.coerce.number().int().positive().default(5),
    /**
     * How long relayed outbox rows are kept (seconds, or `7d`-style): if Redis loses the
     * stream, the relay publishes again what it relayed within this window.
     */
    EVENTS_RETAIN: durationSeconds().default('7d'),
  };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Parses the environment once against `shape`, applying defaults. Fails fast with one
 * message naming every bad variable, so a misconfigured service never half-starts.
 */
export function loadConfig<S extends ZodRawShape>(
  shape: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<z.ZodObject<S>> {
  const parsed = z.object(shape).safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new ConfigError(`Invalid configuration:\n${problems}`);
  }
  return parsed.data;
}

export type ServiceConfig = z.infer<z.ZodObject<typeof serviceEnv>>;
export type SubgraphConfig = z.infer<z.ZodObject<ReturnType<typeof subgraphEnv>>>;
