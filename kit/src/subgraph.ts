import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { expressMiddleware } from '@as-integrations/express5';
import type { MigrationObject } from '@mikro-orm/core';
import type { MikroORM, Options } from '@mikro-orm/postgresql';
import express, { type Express } from 'express';
import type { GraphQLSchema } from 'graphql';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { Logger } from 'pino';
import { authenticate, createTokenVerifier, type TokenVerifier } from './auth/verify';
import type { SubgraphConfig } from './config';
import type { Context } from './context';
import { openDatabase } from './db';
import { startConsumer, type Consumer, type EventHandlers } from './events/consumer';
import { kitMigrations } from './events/migration';
import { OutboxEvent, ProcessedEvent } from './events/outbox.entity';
import { createRecorder } from './events/recorder';
import { startRelay } from './events/relay';
import { createJobs, type JobProcessor } from './jobs';
import { connectRedis, type Redis } from './redis';
import type { Jobs } from './jobs';
import { createErrorFormatter } from './errors';
import { listen, type HttpService } from './http';
import { createLogger } from './logger';
import { createMetrics, serveMetrics, type Metrics } from './metrics';

export interface SubgraphOptions {
  name: string;
  config: SubgraphConfig;
  /** The subgraph schema, from the subgraph's own `buildSchema()` (see `buildFederatedSchema`). */
  schema: GraphQLSchema;
  entities: Options['entities'];
  migrations: MigrationObject[];
  /** Verifies bearer tokens; defaults to identity's JWKS at `config.JWKS_URL`. */
  verifier?: (orm: MikroORM) => TokenVerifier;
  /** Extra HTTP routes mounted before GraphQL (identity's JWKS, for instance). */
  routes?: (app: Express, orm: MikroORM) => void;
  /** Runs once after migrations and before listening (bootstrap data, for instance). */
  onStart?: (orm: MikroORM, log: Logger) => Promise<void>;
  /**
   * Extends each request's context (with the subgraph's services, for instance); returns
   * `base` with more fields. Resolvers then declare `@Ctx() ctx: TheirContext`.
   */
  context?: (base: Context) => Context;
  plugins?: ApolloServerPlugin<Context>[];
  log?: Logger;
  /** Domain events this subgraph consumes (its consumer group is its name). */
  events?: { handlers: EventHandlers };
  /** BullMQ processors, by queue name (queues are named after the subgraph). */
  jobs?: Record<string, JobProcessor>;
}

export interface Subgraph extends HttpService {
  orm: MikroORM;
  redis: Redis;
  jobs: Jobs;
  /** Its Prometheus metrics, served at `/metrics`. */
  metrics: Metrics;
}

/**
 * The one bootstrap of every Atrium subgraph: opens (creating and migrating) its database,
 * serves its federated schema with Apollo Server 5 at `/graphql` with a fresh `em.fork()`,
 * the verified caller and a request-scoped logger per request, serves `/health`,
 * `/ready` and Prometheus `/metrics`, and closes everything in order on `close()`. Listens on `config.PORT`
 * (0 picks a free port, as tests do).
 */
export async function createSubgraph(options: SubgraphOptions): Promise<Subgraph> {
  const { config, name } = options;
  const log = options.log ?? createLogger({ name, level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  const redis = await connectRedis(config.REDIS_URL, name);
  const orm = await openDatabase({
    url: config.DATABASE_URL,
    entities: [...(options.entities as Function[]), OutboxEvent, ProcessedEvent],
    migrations: [...kitMigrations, ...options.migrations],
    migrate: config.DB_MIGRATE,
    log,
  }).catch((err) => {
    redis.disconnect();
    throw err;
  });
  const jobs = createJobs({ redis, prefix: config.JOBS_PREFIX, service: name, log });
  let consumer: Consumer | undefined;
  const metrics = createMetrics(name);
  const relay = startRelay({ orm, redis, stream: config.EVENTS_STREAM, log, metrics });
  // Publish as soon as a transaction that wrote events commits, rather than at the next poll.
  orm.em.getEventManager().registerSubscriber({ afterTransactionCommit: () => relay.wake(), afterFlush: () => relay.wake() });
  try {
    await options.onStart?.(orm, log);
    const verify = options.verifier?.(orm) ??
      createTokenVerifier({ jwks: config.JWKS_URL, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE });

    const app = express();
    app.disable('x-powered-by');
    app.get('/health', (_req, res) => void res.json({ status: 'ok', service: name }));
    app.get('/ready', async (_req, res) => {
      const [db, cache] = await Promise.all([
        orm.em.getConnection().execute('select 1').then(() => 'up', () => 'down'),
        redis.ping().then(() => 'up', () => 'down'),
      ]);
      const ready = db === 'up' && cache === 'up';
      res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', service: name, postgres: db, redis: cache });
    });
    app.get('/metrics', serveMetrics(metrics.registry));
    options.routes?.(app, orm);

    const httpServer = createServer(app);
    const production = config.NODE_ENV === 'production';
    const server = new ApolloServer<Context>({
      schema: options.schema,
      introspection: !production,
      includeStacktraceInErrorResponses: false,
      formatError: createErrorFormatter(log),
      plugins: [
        ApolloServerPluginDrainHttpServer({ httpServer }),
        // Traces are for Apollo Studio, which Atrium does not use: don't pay for them.
        ApolloServerPluginInlineTraceDisabled(),
        metrics.plugin,
        production ? ApolloServerPluginLandingPageDisabled() : ApolloServerPluginLandingPageLocalDefault({ embed: true }),
        ...(options.plugins ?? []),
      ],
    });
    await server.start();
    app.use(
      '/graphql',
      express.json({ limit: '1mb' }),
      expressMiddleware(server, {
        context: async ({ req, res }): Promise<Context> => {
          const requestId = req.header('x-request-id') || randomUUID();
          res.setHeader('x-request-id', requestId);
          const caller = await authenticate(req.header('authorization'), verify);
          const em = orm.em.fork();
          const events = createRecorder(em, { producer: name, correlationId: requestId, actorId: caller?.userId ?? null });
          const base: Context = { em, caller, requestId, log: log.child({ requestId }), loaders: new Map(), events, jobs };
          return options.context ? options.context(base) : base;
        },
      }),
    );

    const service = await listen(httpServer, { port: config.PORT, host: config.HOST, log, name });
    jobs.startWorkers(options.jobs ?? {}, orm);
    if (options.events) {
      consumer = await startConsumer({
        orm,
        redis,
        stream: config.EVENTS_STREAM,
        group: name,
        consumer: `${name}-${process.pid}-${service.port}`,
        handlers: options.events.handlers,
        jobs,
        log,
        retryIdleMs: config.EVENTS_RETRY_IDLE_MS,
        maxDeliveries: config.EVENTS_MAX_DELIVERIES,
        metrics,
      });
    }
    return {
      ...service,
      orm,
      redis,
      jobs,
      metrics,
      close: async () => {
        await server.stop(); // drains the HTTP server first
        await service.close();
        await consumer?.stop();
        await relay.stop();
        await jobs.close();
        redis.disconnect();
        await orm.close();
      },
    };
  } catch (err) {
    await consumer?.stop();
    await relay.stop();
    await jobs.close();
    redis.disconnect();
    await orm.close();
    throw err;
  }
}
