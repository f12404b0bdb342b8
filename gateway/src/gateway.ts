import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { expressMiddleware } from '@as-integrations/express5';
import { authenticate, createErrorFormatter, refuseUnsafeStrings, createLogger, createTokenVerifier, listen, policies, serveMetrics, type HttpService, type Logger } from '@atrium/kit';
import cors from 'cors';
import express from 'express';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { AuthorizingGateway } from './plan/authorizing-gateway';
import { createCircuitBreakers } from './fetch/circuit-breaker';
import type { GatewayConfig } from './config';
import type { GatewayContext } from './context';
import { ErrorCode } from './errors';
import { dashboard } from './ops/dashboard';
import { jsonBody } from './http/body-limit';
import { queryLimits } from './http/query-limits';
import { createGatewayMetrics, type GatewayMetrics } from './ops/metrics';
import { connectFailOpenRedis } from './http/fail-open-redis';
import { createPersistedQueryCache } from './http/persisted-queries';
import { createRateLimit } from './http/rate-limit';
import { createDependencyStatus, createReadiness } from './ops/readiness';
import { SESSION_REVOKED_MESSAGE, startRevocations } from './authenticate/revocations';
import { SubgraphDataSource } from './fetch/data-source';
import { createSubgraphFetcher } from './fetch/pooled-fetcher';
import { createSigner } from './fetch/sign';
import { closing, SubscriptionHub } from './subscriptions/hub';
import { serveSubscriptions } from './subscriptions/websocket';
import { UpstreamPool } from './subscriptions/upstream';
import { watchSupergraph } from './plan/supergraph-watch';

export interface GatewayOptions {
  plugins?: ApolloServerPlugin<GatewayContext>[];
  log?: Logger;
}

export interface Gateway extends HttpService {
  gateway: AuthorizingGateway;
  /** Open subscriptions and their upstream streams. */
  hub: SubscriptionHub;
  /** Its Prometheus metrics, served at `/metrics`. */
  metrics: GatewayMetrics;
}

/**
 * Builds and starts Atrium's gateway: Apollo Server 5 over @apollo/gateway on the
 * supergraph at `SUPERGRAPH_PATH`, with bearer-token verification against identity's
 * JWKS, field-level authorization (`@authenticated`, `@requiresScopes`, `@policy`),
 * `/health`, `/ready`, Prometheus `/metrics`, CORS, and Sandbox at `/graphql` outside production.
 * Protected by query limits and a body size limit (limits.ts), rate limits in Redis
 * (rate-limit.ts) and a circuit breaker per subgraph (circuit-breaker.ts). Tokens of
 * sessions identity revoked are refused, and their subscriptions ended (revocations.ts).
 */
export async function createGateway(config: GatewayConfig, options: GatewayOptions = {}): Promise<Gateway> {
  const log = options.log ?? createLogger({ name: 'gateway', level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  const production = config.NODE_ENV === 'production';
  // Before anything starts: in production the gateway needs its signing secret (or an explicit SUBGRAPH_SIGNATURE=off);
  // subgraphs that require signatures answer only requests signed with it (fetch/sign.ts).
  const sign = createSigner(config);
  const supergraphFile = path.resolve(config.SUPERGRAPH_PATH);
  let supergraphSdl: string;
  try {
    supergraphSdl = readFileSync(supergraphFile, 'utf8');
  } catch {
    throw new Error(`SUPERGRAPH_PATH: cannot read ${supergraphFile} (run \`npm run compose\`, or point it at a supergraph file)`);
  }
  const source = config.SUPERGRAPH_WATCH === 'on' ? watchSupergraph(supergraphFile, supergraphSdl, log) : supergraphSdl;
  const urls = new Map<string, string>();
  const metrics = createGatewayMetrics();
  const circuits = createCircuitBreakers(
    {
      resetMs: config.CIRCUIT_RESET_MS,
      errorPercentage: config.CIRCUIT_ERROR_PERCENTAGE,
      volumeThreshold: config.CIRCUIT_VOLUME_THRESHOLD,
      windowMs: config.CIRCUIT_WINDOW_MS,
    },
    (subgraph, state) => metrics.circuitOpen(subgraph, state !== 'closed'),
    log,
  );
  const fetcher = createSubgraphFetcher({ timeoutMs: config.SUBGRAPH_TIMEOUT_MS });
  const gateway = new AuthorizingGateway(
    {
      supergraphSdl: source,
      validateSupergraph: config.NODE_ENV !== 'production',
      buildService: ({ name, url }: { name: string; url?: string }) => {
        const target = config.subgraphUrls[name.toLowerCase()] ?? url;
        if (!target) throw new Error(`subgraph "${name}" has no routing URL: set SUBGRAPH_${name.toUpperCase()}_URL`);
        urls.set(name, target);
        return new SubgraphDataSource(name, target, fetcher, metrics.subgraphs, circuits.for(name), config.SUBGRAPH_RETRIES, sign);
      },
      logger: log,
    },
    policies,
    () => metrics.planBuilt(),
  );
  const verify = createTokenVerifier({ jwks: config.JWKS_URL, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE });

  const limits = queryLimits({
    maxDepth: config.GRAPHQL_MAX_DEPTH,
    maxAliases: config.GRAPHQL_MAX_ALIASES,
    maxTokens: config.GRAPHQL_MAX_TOKENS,
    maxDirectives: config.GRAPHQL_MAX_DIRECTIVES,
    maxCost: config.GRAPHQL_MAX_COST,
    blockFieldSuggestions: production,
  });
  // One fail-open Redis connection for the rate limits and the persisted-query cache.
  const sharedRedis = config.RATE_LIMIT === 'on' || config.APQ === 'redis' ? await connectFailOpenRedis(config.REDIS_URL, log) : undefined;
  const rateLimit =
    sharedRedis && config.RATE_LIMIT === 'on'
      ? createRateLimit(
          {
            keyPrefix: config.RATE_LIMIT_PREFIX,
            windowSeconds: config.RATE_LIMIT_WINDOW_S,
            perUser: config.RATE_LIMIT_USER,
            perIp: config.RATE_LIMIT_IP,
            credentialsPerIp: config.RATE_LIMIT_LOGIN_IP,
            credentialsPerAccount: config.RATE_LIMIT_LOGIN,
          },
          sharedRedis,
        )
      : undefined;
  const apqCache =
    sharedRedis && config.APQ === 'redis' ? createPersistedQueryCache({ keyPrefix: config.APQ_PREFIX, ttlSeconds: config.APQ_TTL_S }, sharedRedis) : undefined;

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.TRUST_PROXY);
  const httpServer = createServer(app);
  const server = new ApolloServer<GatewayContext>({
    gateway,
    introspection: !production,
    includeStacktraceInErrorResponses: false,
    formatError: createErrorFormatter(log),
    validationRules: limits.validationRules,
    parseOptions: limits.parseOptions,
    persistedQueries: config.APQ === 'off' ? false : { cache: apqCache, ttl: config.APQ_TTL_S },
    plugins: [
      ...limits.plugins,
      ...(rateLimit ? [rateLimit.plugin] : []),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      metrics.plugin,
      refuseUnsafeStrings<GatewayContext>(),
      production ? ApolloServerPluginLandingPageDisabled() : ApolloServerPluginLandingPageLocalDefault({ embed: true }),
      ...(options.plugins ?? []),
    ],
  });
  const hub = new SubscriptionHub(gateway.subscriptionPlanner, new UpstreamPool({ keepAliveMs: config.SUBSCRIPTION_KEEPALIVE_MS, log, sign }), {
    dedup: config.SUBSCRIPTION_DEDUP === 'on',
    queueLimit: config.SUBSCRIPTION_QUEUE_LIMIT,
    metrics: metrics.subscriptions,
    log,
  });
  // A new supergraph may change or remove what open subscriptions select: end them clearly.
  let loads = 0;
  gateway.onSchemaLoadOrUpdate(() => {
    if (loads++ > 0) hub.closeAll(closing('The supergraph was updated: subscribe again', ErrorCode.SUPERGRAPH_UPDATED));
  });
  // Whatever RATE_LIMIT says; without Redis the gateway still starts (revocation not enforced).
  const revocations = await startRevocations({
    redisUrl: config.REDIS_URL,
    prefix: config.PUBSUB_PREFIX,
    memoryMs: config.REVOCATION_MEMORY_S * 1000,
    log,
    onRevoked: (sessionIds) => {
      const ended = hub.endWhere((caller) => !!caller?.sessionId && sessionIds.has(caller.sessionId), closing(SESSION_REVOKED_MESSAGE, ErrorCode.UNAUTHENTICATED));
      if (ended > 0) log.info({ ended }, 'ended the subscriptions of revoked sessions');
    },
  });
  /** The caller behind an Authorization header, over HTTP and at WebSocket connect: 401 for a bad token or a revoked session. */
  const identify = async (authorization: string | undefined) => revocations.admit(await authenticate(authorization, verify));
  try {
    await server.start();
  } catch (err) {
    circuits.shutdown();
    await fetcher.close();
    sharedRedis?.close();
    await revocations.close();
    throw err;
  }
  const subscriptions = serveSubscriptions({
    httpServer,
    apollo: server,
    gateway,
    hub,
    authenticate: identify,
    revoked: revocations.revoked,
    log,
    validationRules: limits.validationRules ?? [],
    maxTokens: config.GRAPHQL_MAX_TOKENS,
    perConnection: config.SUBSCRIPTIONS_PER_CONNECTION,
    max: config.SUBSCRIPTIONS_MAX,
    maxPayload: config.REQUEST_MAX_BYTES,
    hideSuggestions: production,
  });
  let draining = false;
  let closed: Promise<void> | undefined;
  // Loaded: `server.start()` above has loaded and validated the supergraph.
  const readiness = createReadiness({ loaded: () => true, draining: () => draining });
  const dependencies = createDependencyStatus(urls, { circuits: () => circuits.states(), redis: sharedRedis?.status });
  metrics.watchDependencies(async () => {
    const { subgraphs, redis } = await dependencies();
    return { ...subgraphs, ...(redis ? { redis } : {}) };
  });

  app.get('/health', (_req, res) => void res.json({ status: 'ok', service: 'gateway' }));
  app.get('/ready', (_req, res) => {
    const report = readiness();
    res.status(report.ready ? 200 : 503).json(report);
  });
  app.get('/status', async (_req, res) => void res.json({ service: 'gateway', ...readiness(), ...(await dependencies()) }));
  app.get('/metrics', serveMetrics(metrics.registry));
  app.use('/dashboard', dashboard());
  app.get('/', (_req, res) => res.redirect(production ? '/health' : '/graphql'));
  app.use(
    '/graphql',
    cors({ origin: config.CORS_ORIGINS, credentials: true }),
    ...jsonBody(config.REQUEST_MAX_BYTES),
    expressMiddleware(server, {
      context: async ({ req, res }): Promise<GatewayContext> => {
        const requestId = req.header('x-request-id') || randomUUID();
        res.setHeader('x-request-id', requestId);
        const authorization = req.header('authorization');
        return { caller: await identify(authorization), authorization, requestId, ip: req.ip };
      },
    }),
  );

  const service = await listen(httpServer, { port: config.PORT, host: config.HOST, log, name: 'gateway' });
  return {
    ...service,
    gateway,
    hub,
    metrics,
    // Once: a second call (a test's afterAll after the test closed it) waits for the first.
    close: () =>
      (closed ??= (async () => {
        draining = true;
        await subscriptions.close();
        await hub.pool.close();
        await server.stop(); // drains HTTP, stops the gateway
        await service.close();
        circuits.shutdown();
        await fetcher.close();
        sharedRedis?.close();
        await revocations.close();
      })()),
  };
}
