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
import { trackCommits } from '../after-commit';
import type { Caller } from '../auth/caller';
import { resolveSigning, signedJsonBody } from '../auth/signature';
import { authenticate, createTokenVerifier, type TokenVerifier } from '../auth/verify';
import type { SubgraphConfig } from '../config';
import type { Context } from './context';
import { openDatabase } from './db';
import { startConsumer, type Consumer, type EventHandlers } from './events/consumer';
import { kitMigrations } from './events/migration';
import { OutboxEvent, ProcessedEvent } from './events/outbox.entity';
import { createRecorder } from './events/recorder';
import { startRelay } from './events/relay';
import { createJobs, type JobProcessor } from './jobs';
import { liveChanges, type LiveEntity } from './live-changes';
import { createPubSub, type PubSub } from '../pubsub';
import { serveProbes } from './readiness';
import { connectRedis, type Redis } from '../redis';
import type { Jobs } from './jobs';
import { createErrorFormatter } from '../errors';
import { refuseUnsafeStrings } from '../input-strings';
import { jsonErrors, listen, type HttpService } from '../http';
import { createLogger } from '../logger';
import { createMetrics, serveMetrics, type Metrics } from '../metrics';
import { serveSubscriptions, type SubscriptionServer } from './subscription-server';

/** Largest request body, and WebSocket frame, a subgraph accepts (1 MiB). */
const REQUEST_MAX_BYTES = 1_048_576;

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
  /** Entities whose committed changes are published as live events (for its `@Subscription`s). */
  live?: LiveEntity[];
}

export interface Subgraph extends HttpService {
  orm: MikroORM;
  redis: Redis;
  jobs: Jobs;
  /** Live events (Redis pub/sub) behind its subscriptions. */
  pubSub: PubSub;
  /** Its Prometheus metrics, served at `/metrics`. */
  metrics: Metrics;
}

/**
 * The one bootstrap of every Atrium subgraph: opens (creating and migrating) its database,
 * serves its federated schema with Apollo Server 5 at `/graphql` with a fresh `em.fork()`,
 * the verified caller and a request-scoped logger per request, serves its subscriptions
 * over graphql-ws on the same port and path (see subscription-server.ts), serves `/health`,
 * `/ready` and Prometheus `/metrics`, and closes everything in order on `close()`. Listens on `config.PORT`
 * (0 picks a free port, as tests do).
 */
export async function createSubgraph(options: SubgraphOptions): Promise<Subgraph> {
  const { config, name } = options;
  const log = options.log ?? createLogger({ name, level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  // Before anything opens: a production subgraph without its signing secret must not start.
  const signing = resolveSigning(config);
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
  // Before anything forks the entity manager: transactions clone its subscribers.
  trackCommits(orm, log);
  let pubSub: PubSub;
  try {
    pubSub = await createPubSub({ redisUrl: config.REDIS_URL, prefix: config.PUBSUB_PREFIX, log, name });
  } catch (err) {
    redis.disconnect();
    await orm.close();
    throw err;
  }
  if (options.live?.length) orm.em.getEventManager().registerSubscriber(liveChanges(pubSub, options.live, log));
  const jobs = createJobs({ redis, prefix: config.JOBS_PREFIX, service: name, log });
  let consumer: Consumer | undefined;
  let subscriptions: SubscriptionServer | undefined;
  const metrics = createMetrics(name);
  const relay = startRelay({ orm, redis, stream: config.EVENTS_STREAM, log, metrics, retainMs: config.EVENTS_RETAIN * 1000 });
  // Publish as soon as a transaction that wrote events commits, rather than at the next poll.
  orm.em.getEventManager().registerSubscriber({ afterTransactionCommit: () => relay.wake(), afterFlush: () => relay.wake() });
  try {
    await options.onStart?.(orm, log);
    const verify = options.verifier?.(orm) ??
      createTokenVerifier({ jwks: config.JWKS_URL, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE });

    const app = express();
    app.disable('x-powered-by');
    serveProbes(app, { name, orm, redis, metrics });
    app.get('/metrics', serveMetrics(metrics.registry));
    options.routes?.(app, orm);

    /** A request's context — an HTTP request's, or one subscription's over the WebSocket. */
    const contextFor = (caller: Caller | null, requestId: string): Context => {
      const em = orm.em.fork();
      const events = createRecorder(em, { producer: name, correlationId: requestId, actorId: caller?.userId ?? null });
      const base: Context = { em, caller, requestId, log: log.child({ requestId }), loaders: new Map(), events, jobs, pubSub };
      return options.context ? options.context(base) : base;
    };

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
        refuseUnsafeStrings<Context>(),
        production ? ApolloServerPluginLandingPageDisabled() : ApolloServerPluginLandingPageLocalDefault({ embed: true }),
        ...(options.plugins ?? []),
      ],
    });
    await server.start();
    app.use(
      '/graphql',
      // In production only the gateway's signed requests get through (`_service`, `_entities` included).
      ...signedJsonBody(signing, { limit: REQUEST_MAX_BYTES }),
      expressMiddleware(server, {
        context: async ({ req, res }): Promise<Context> => {
          const requestId = req.header('x-request-id') || randomUUID();
          res.setHeader('x-request-id', requestId);
          return contextFor(await authenticate(req.header('authorization'), verify), requestId);
        },
      }),
    );
    app.use(jsonErrors(log));

    const service = await listen(httpServer, { port: config.PORT, host: config.HOST, log, name });
    // Attached once listening: a taken port fails in `listen` alone, with its clear message.
    subscriptions = serveSubscriptions({ httpServer, path: '/graphql', schema: options.schema, verify, context: contextFor, log, metrics, signing, maxPayload: REQUEST_MAX_BYTES });
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
      pubSub,
      metrics,
      close: async () => {
        // Sockets first: their clients (the gateway) see the close and end those subscriptions.
        await subscriptions?.close();
        await server.stop(); // drains the HTTP server
        await service.close();
        await consumer?.stop();
        await relay.stop();
        await jobs.close();
        // After the consumer and jobs: what they commit on the way out is still announced.
        await pubSub.close();
        redis.disconnect();
        await orm.close();
      },
    };
  } catch (err) {
    await subscriptions?.close();
    await consumer?.stop();
    await relay.stop();
    await jobs.close();
    await pubSub.close();
    redis.disconnect();
    await orm.close();
    throw err;
  }
}
