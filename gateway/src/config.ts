import { loadConfig, serviceEnv, signingEnv } from '@atrium/kit';
import { z } from 'zod';

/** The gateway's environment (documented in .env.example). */
export const gatewayEnv = {
  ...serviceEnv,
  /** Signs every subgraph request (HTTP and WebSocket) with the first secret, see fetch/sign.ts. */
  ...signingEnv,
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  /** Any valid supergraph file, not only Atrium's. */
  SUPERGRAPH_PATH: z.string().min(1).default('schema/supergraph.graphql'),
  /** Comma-separated browser origins allowed by CORS, in addition to the gateway's own. */
  CORS_ORIGINS: z
    .string()
    .default('http://localhost:3000,http://localhost:5173')
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean)),
  /** Abort a subgraph fetch after this many milliseconds. */
  SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** Extra attempts for a failed query fetch (network, timeout, 5xx); mutations are never retried. */
  SUBGRAPH_RETRIES: z.coerce.number().int().min(0).max(5).default(1),
  /**
   * `on`: concurrent identical query fetches (same subgraph, body and forwarded Authorization)
   * share one request (fetch/dedup.ts); mutations and different callers never do.
   */
  SUBGRAPH_DEDUP: z.enum(['on', 'off']).default('on'),
  /**
   * What executes query plans: `atrium` (execute/plan-executor.ts) or `apollo`
   * (@apollo/gateway's own `executeQueryPlan`). Planning is @apollo/gateway's either way.
   */
  EXECUTOR: z.enum(['atrium', 'apollo']).default('atrium'),
  /**
   * `@apollo/gateway` sends uptime, CPU, OS and cloud-host metrics to Apollo's servers unless
   * this is `true`/`1` (it reads the variable itself, when the gateway is built). Atrium
   * sends nothing anywhere by default: `false` opts in.
   */
  APOLLO_TELEMETRY_DISABLED: z.enum(['true', 'false', '1', '0']).default('true'),
  /** Redis for rate limits and session revocations (the gateway starts, and fails open, without it). */
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  /** Namespace of the live-event (pub/sub) channels: the subgraphs' PUBSUB_PREFIX, to hear identity's revocations. */
  PUBSUB_PREFIX: z.string().min(1).default('atrium'),
  /**
   * Seconds a revoked session is remembered at least (its access tokens refused); longer when
   * identity announces that its tokens live longer. Default: a 15-minute token plus clock skew.
   */
  REVOCATION_MEMORY_S: z.coerce.number().int().positive().default(900 + 60),
  /**
   * Express's `trust proxy`: `false` (req.ip is the socket's peer), `true`, a hop count, or
   * comma-separated addresses/subnets. Set it behind a load balancer, or every caller shares
   * the proxy's IP budget.
   */
  TRUST_PROXY: z
    .string()
    .default('false')
    .transform((v): boolean | number | string => (v === 'true' ? true : v === 'false' ? false : /^\d+$/.test(v) ? Number(v) : v)),

  // Query limits (graphql-armor), see http/query-limits.ts and http/body-limit.ts.
  GRAPHQL_MAX_DEPTH: z.coerce.number().int().positive().default(12),
  GRAPHQL_MAX_ALIASES: z.coerce.number().int().min(0).default(15),
  GRAPHQL_MAX_TOKENS: z.coerce.number().int().positive().default(2000),
  GRAPHQL_MAX_DIRECTIVES: z.coerce.number().int().min(0).default(50),
  GRAPHQL_MAX_COST: z.coerce.number().int().positive().default(5000),
  /** Largest accepted request body, in bytes (larger → 413). */
  REQUEST_MAX_BYTES: z.coerce.number().int().positive().default(1_048_576),

  // Rate limits in Redis, see http/rate-limit.ts.
  /** `off` disables rate limiting (session revocations still use Redis). */
  RATE_LIMIT: z.enum(['on', 'off']).default('on'),
  /** Prefix of the rate-limit keys in Redis. */
  RATE_LIMIT_PREFIX: z.string().min(1).default('atrium:ratelimit'),
  /** Window of every rate limit, in seconds. */
  RATE_LIMIT_WINDOW_S: z.coerce.number().int().positive().default(60),
  /** Requests per window for a signed-in user (by token subject). */
  RATE_LIMIT_USER: z.coerce.number().int().positive().default(600),
  /** Requests per window for anonymous callers, per IP. */
  RATE_LIMIT_IP: z.coerce.number().int().positive().default(300),
  /**
   * `login` / `register` operations per window for one account (the e-mail of their input):
   * what stops password guessing, however many addresses it comes from.
   */
  RATE_LIMIT_LOGIN: z.coerce.number().int().positive().default(10),
  /**
   * `login` / `register` / `refreshSession` operations per window from one IP — every field
   * counts, aliases and batches included. Generous, as many people may share one address.
   */
  RATE_LIMIT_LOGIN_IP: z.coerce.number().int().positive().default(60),

  // Automatic persisted queries, see http/persisted-queries.ts.
  /** `redis`: APQ shared by every replica; `memory`: per process; `off`: hashes alone are refused. */
  APQ: z.enum(['redis', 'memory', 'off']).default('redis'),
  /** Prefix of the APQ keys in Redis. */
  APQ_PREFIX: z.string().min(1).default('atrium:apq'),
  /** How long a registered query is kept in Redis, in seconds. */
  APQ_TTL_S: z.coerce.number().int().positive().default(86_400),

  // Trusted documents, see http/trusted-documents.ts.
  /**
   * `off` (the default, for development): the manifest is not read. `allow`: its operations
   * may be sent by id alone, anything else still runs. `enforce` (production): only its
   * operations run, sent by id or by their exact body.
   */
  TRUSTED_DOCUMENTS: z.enum(['off', 'allow', 'enforce']).default('off'),
  /** The trusted-documents manifest (Apollo's persisted-query format), written by `npm run documents`. */
  TRUSTED_DOCUMENTS_MANIFEST: z.string().min(1).default('documents/manifest.json'),

  // Subscriptions over graphql-ws, multipart HTTP and SSE, see subscriptions/.
  /** Most subscriptions open at once on one WebSocket connection. */
  SUBSCRIPTIONS_PER_CONNECTION: z.coerce.number().int().positive().default(100),
  /** Most subscriptions open at once on this gateway process. */
  SUBSCRIPTIONS_MAX: z.coerce.number().int().positive().default(50_000),
  /** Results a subscriber may fall behind before it is disconnected (close code 4503). */
  SUBSCRIPTION_QUEUE_LIMIT: z.coerce.number().int().positive().default(100),
  /** `on`: identical subscriptions (operation, variables, caller) share one upstream stream. */
  SUBSCRIPTION_DEDUP: z.enum(['on', 'off']).default('on'),
  /** Ping interval of the gateway's WebSocket connections to subgraphs, in milliseconds. */
  SUBSCRIPTION_KEEPALIVE_MS: z.coerce.number().int().positive().default(10_000),
  /** Interval of the heartbeat parts (`{}`) on multipart HTTP subscriptions, in milliseconds (proxies close idle streams). */
  SUBSCRIPTION_HEARTBEAT_MS: z.coerce.number().int().positive().default(5_000),
  /**
   * `on`: reload the supergraph when SUPERGRAPH_PATH changes (checked every second). Open
   * subscriptions then end with SUPERGRAPH_UPDATED, and clients subscribe again.
   */
  SUPERGRAPH_WATCH: z.enum(['on', 'off']).default('off'),

  // Entity cache of the fetch stage, see fetch/entity-cache.ts and fetch/cache-invalidation.ts.
  /**
   * `redis` (recommended in production): entity answers shared by every replica in Redis, with
   * a small memory tier in front; `memory`: this process only; `off` (the default): no entity
   * cache. Either way domain events invalidate what changed, for every replica.
   */
  CACHE: z.enum(['off', 'memory', 'redis']).default('off'),
  /** Prefix of the entity cache's keys and invalidation channel in Redis. */
  CACHE_PREFIX: z.string().min(1).default('atrium:cache'),
  /** Entities kept by each process's memory tier (an LRU); 0 turns the tier off (with CACHE=redis). */
  CACHE_MEMORY_ENTITIES: z.coerce.number().int().min(0).default(10_000),
  /** The gateways' consumer group on the event stream, which deletes changed entities from Redis once per event. */
  CACHE_GROUP: z.string().min(1).default('gateway-cache'),
  /** The subgraphs' domain-event stream (their EVENTS_STREAM), read to invalidate the entity cache. */
  EVENTS_STREAM: z.string().min(1).default('atrium:events'),

  // Response cache of the HTTP stage, see http/response-cache.ts (on whenever CACHE is memory or redis).
  /**
   * `on` (the default): whole responses of anonymous queries whose every field the hints make
   * PUBLIC are answered from the cache (CACHE's tiers), invalidated by the same events; `off`:
   * only the entity cache.
   */
  RESPONSE_CACHE: z.enum(['on', 'off']).default('on'),
  /** Responses kept by each process's memory tier (an LRU); 0 turns the tier off (with CACHE=redis). */
  RESPONSE_CACHE_MEMORY_ENTRIES: z.coerce.number().int().min(0).default(1_000),

  // Root cache of the fetch stage, see fetch/root-cache.ts (on whenever CACHE is memory or redis).
  /**
   * `on` (the default): root query fetches (not `_entities`) whose every field the hints allow
   * are answered from the cache (CACHE's tiers), per caller — signed in or not — and
   * invalidated by the same events; `off`: root fetches always go to their subgraph.
   */
  ROOT_CACHE: z.enum(['on', 'off']).default('on'),
  /** Root answers kept by each process's memory tier (an LRU); 0 turns the tier off (with CACHE=redis). */
  ROOT_CACHE_MEMORY_ENTRIES: z.coerce.number().int().min(0).default(5_000),

  // Circuit breakers per subgraph, see fetch/circuit-breaker.ts.
  /** How long an open circuit fails fast before letting one trial request through. */
  CIRCUIT_RESET_MS: z.coerce.number().int().positive().default(10_000),
  /** Percentage of failed fetches (within CIRCUIT_WINDOW_MS) that opens the circuit. */
  CIRCUIT_ERROR_PERCENTAGE: z.coerce.number().min(1).max(100).default(50),
  /** Fewest fetches within the window before the circuit may open. */
  CIRCUIT_VOLUME_THRESHOLD: z.coerce.number().int().min(1).default(5),
  /** The rolling window failures are counted in. */
  CIRCUIT_WINDOW_MS: z.coerce.number().int().positive().default(10_000),
};

export type GatewayConfig = ReturnType<typeof loadGatewayConfig>;

const OVERRIDE = /^SUBGRAPH_([A-Z0-9_]+)_URL$/;

/**
 * Parses the gateway's environment. `SUBGRAPH_<NAME>_URL` variables override the routing
 * URL of the subgraph `<name>` (lower-cased, `_` → `-` also tried) from the supergraph.
 */
export function loadGatewayConfig(env: Record<string, string | undefined> = process.env) {
  const base = loadConfig(gatewayEnv, env);
  const subgraphUrls: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    const match = OVERRIDE.exec(key);
    if (match && value) {
      try {
        new URL(value);
      } catch {
        throw new Error(`Invalid configuration:\n  ${key}: not a URL (${value})`);
      }
      subgraphUrls[match[1].toLowerCase()] = value;
    }
  }
  return { ...base, subgraphUrls };
}
