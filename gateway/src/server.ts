import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { expressMiddleware } from '@as-integrations/express5';
import { authenticate, createErrorFormatter, createLogger, createTokenVerifier, listen, policies, serveMetrics, type HttpService, type Logger } from '@atrium/kit';
import cors from 'cors';
import express from 'express';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { AuthorizingGateway } from './authorizing-gateway';
import { createCircuitBreakers } from './circuit-breaker';
import type { GatewayConfig } from './config';
import type { GatewayContext } from './context';
import { jsonBody, queryLimits } from './limits';
import { createGatewayMetrics, type GatewayMetrics } from './metrics';
import { createRateLimit } from './rate-limit';
import { createReadiness } from './readiness';
import { SubgraphDataSource } from './subgraph-datasource';

export interface GatewayOptions {
  plugins?: ApolloServerPlugin<GatewayContext>[];
  log?: Logger;
}

export interface Gateway extends HttpService {
  gateway: AuthorizingGateway;
  /** Its Prometheus metrics, served at `/metrics`. */
  metrics: GatewayMetrics;
}

/**
 * Builds and starts Atrium's gateway: Apollo Server 5 over @apollo/gateway on the
 * supergraph at `SUPERGRAPH_PATH`, with bearer-token verification against identity's
 * JWKS, field-level authorization (`@authenticated`, `@requiresScopes`, `@policy`),
 * `/health`, `/ready`, Prometheus `/metrics`, CORS, and Sandbox at `/graphql` outside production.
 * Protected by query limits and a body size limit (limits.ts), rate limits in Redis
 * (rate-limit.ts) and a circuit breaker per subgraph (circuit-breaker.ts).
 */
export async function createGateway(config: GatewayConfig, options: GatewayOptions = {}): Promise<Gateway> {
  const log = options.log ?? createLogger({ name: 'gateway', level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  const production = config.NODE_ENV === 'production';
  const supergraphFile = path.resolve(config.SUPERGRAPH_PATH);
  let supergraphSdl: string;
  try {
    supergraphSdl = readFileSync(supergraphFile, 'utf8');
  } catch {
    throw new Error(`SUPERGRAPH_PATH: cannot read ${supergraphFile} (run \`npm run compose\`, or point it at a supergraph file)`);
  }
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
  const gateway = new AuthorizingGateway(
    {
      supergraphSdl,
      buildService: ({ name, url }: { name: string; url?: string }) => {
        const target = config.subgraphUrls[name.toLowerCase()] ?? url;
        if (!target) throw new Error(`subgraph "${name}" has no routing URL: set SUBGRAPH_${name.toUpperCase()}_URL`);
        urls.set(name, target);
        return new SubgraphDataSource(name, target, config.SUBGRAPH_TIMEOUT_MS, metrics.subgraphs, circuits.for(name));
      },
      logger: log,
    },
    policies,
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
  const rateLimit =
    config.RATE_LIMIT === 'on'
      ? await createRateLimit(
          {
            redisUrl: config.REDIS_URL,
            keyPrefix: config.RATE_LIMIT_PREFIX,
            windowSeconds: config.RATE_LIMIT_WINDOW_S,
            perUser: config.RATE_LIMIT_USER,
            perIp: config.RATE_LIMIT_IP,
            credentialsPerIp: config.RATE_LIMIT_LOGIN,
          },
          log,
        )
      : undefined;

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
    plugins: [
      ...limits.plugins,
      ...(rateLimit ? [rateLimit.plugin] : []),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      metrics.plugin,
      production ? ApolloServerPluginLandingPageDisabled() : ApolloServerPluginLandingPageLocalDefault({ embed: true }),
      ...(options.plugins ?? []),
    ],
  });
  try {
    await server.start();
  } catch (err) {
    circuits.shutdown();
    await rateLimit?.close();
    throw err;
  }
  const readiness = createReadiness(urls, { circuits: () => circuits.states(), redis: rateLimit?.redisStatus });

  app.get('/health', (_req, res) => void res.json({ status: 'ok', service: 'gateway' }));
  app.get('/ready', async (_req, res) => {
    const report = await readiness();
    res.status(report.ready ? 200 : 503).json(report);
  });
  app.get('/metrics', serveMetrics(metrics.registry));
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
        return { caller: await authenticate(authorization, verify), authorization, requestId, ip: req.ip };
      },
    }),
  );

  const service = await listen(httpServer, { port: config.PORT, host: config.HOST, log, name: 'gateway' });
  return {
    ...service,
    gateway,
    metrics,
    close: async () => {
      await server.stop(); // drains HTTP, stops the gateway
      await service.close();
      circuits.shutdown();
      await rateLimit?.close();
    },
  };
}
