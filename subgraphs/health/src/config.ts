import { loadConfig, subgraphEnv, z } from '@atrium/kit';

/** health's environment: the common subgraph variables plus the monitor's (see .env.example). */
export const healthEnv = {
  ...subgraphEnv(4007, 'atrium_health'),
  /** How often the cluster polls every service's `/ready` (one BullMQ job scheduler). */
  HEALTH_POLL_INTERVAL_MS: z.coerce.number().int().positive().default(5_000),
  /** A probe that gets no answer within this many ms counts the service DOWN ("timeout"). */
  HEALTH_TIMEOUT_MS: z.coerce.number().int().positive().default(2_000),
  /** How long each probe's result is kept for `serviceHealthHistory` (older ones are pruned by the poll). */
  HEALTH_HISTORY_RETENTION_MS: z.coerce.number().int().positive().default(24 * 3600_000),
  /** The one list of subgraphs (rover's format): every one of them is monitored. */
  SUPERGRAPH_CONFIG: z.string().min(1).default('supergraph.yaml'),
  /** The gateway's base URL: monitored too, through its `/ready`. */
  GATEWAY_URL: z.string().url().default('http://127.0.0.1:4000'),
};

export type HealthConfig = z.infer<z.ZodObject<typeof healthEnv>> & {
  /**
   * Base URLs by service name from `HEALTH_SERVICE_<NAME>_URL` (NAME upper-cased, `-` as
   * `_`): they replace the `routing_url` of supergraph.yaml minus `/graphql`, or GATEWAY_URL.
   */
  serviceUrls: Record<string, string>;
};

const OVERRIDE = /^HEALTH_SERVICE_([A-Z0-9_]+)_URL$/;

/**
 * Parses health's environment once. The per-service URL overrides are open-ended (one per
 * subgraph in supergraph.yaml), so they are collected by pattern and each must be a URL.
 */
export function loadHealthConfig(env: Record<string, string | undefined> = process.env): HealthConfig {
  const overrides = Object.fromEntries(Object.entries(env).filter(([key, value]) => OVERRIDE.test(key) && value !== undefined)) as Record<string, string>;
  const shape = Object.fromEntries(Object.keys(overrides).map((key) => [key, z.string().url()]));
  const urls = loadConfig(shape, env) as Record<string, string>;
  const serviceUrls = Object.fromEntries(Object.entries(urls).map(([key, url]) => [key.match(OVERRIDE)![1], url]));
  return { ...loadConfig(healthEnv, env), serviceUrls };
}

/** The override key of a service name: `booking` → `BOOKING`, `my-svc` → `MY_SVC`. */
export const overrideKey = (service: string) => service.toUpperCase().replace(/-/g, '_');
