import type { ApolloServerPlugin } from '@apollo/server';
import type { MigrationObject } from '@mikro-orm/core';
import type { MikroORM, Options } from '@mikro-orm/postgresql';
import type { Express } from 'express';
import type { GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import { resolveSigning } from '../auth/signature';
import { createTokenVerifier, type TokenVerifier } from '../auth/verify';
import type { SubgraphConfig } from '../config';
import type { HttpService } from '../http';
import { startModules } from '../lifecycle';
import { createLogger } from '../logger';
import { createMetrics, type Metrics } from '../metrics';
import { startTelemetry } from '../telemetry';
import { sqlInstrumentation } from '../telemetry-sql';
import type { PubSub } from '../pubsub';
import type { Redis } from '../redis';
import { createContextFactory, type Context, type SubgraphResources } from './context';
import type { EventHandlers } from './events/consumer';
import type { JobProcessor, Jobs } from './jobs';
import type { LiveEntity } from './live-changes';
import { database, redisConnection } from './modules/database';
import { eventConsumer, outboxRelay } from './modules/events';
import { graphqlOverHttp } from './modules/graphql-http';
import { jobQueues, jobWorkers, type JobSchedule } from './modules/jobs';
import { livePubSub } from './modules/live';
import { ops } from './modules/ops';
import { subscriptions } from './modules/subscriptions';

export type { JobSchedule };

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
   * Closes what the subgraph opened besides the kit's resources (a mail transport, for
   * instance): last, when the subgraph closes or when its start fails.
   */
  onClose?: () => Promise<void> | void;
  /**
   * Extends each request's context (with the subgraph's services, for instance); returns
   * `base` with more fields, built on what the subgraph started (`resources`: its Redis
   * connection, for instance). Resolvers then declare `@Ctx() ctx: TheirContext`.
   */
  context?: (base: Context, resources: SubgraphResources) => Context;
  /** More Apollo Server plugins; with any, every request goes through Apollo Server's pipeline (graphql-http.ts). */
  plugins?: ApolloServerPlugin<Context>[];
  /** Told the text of each operation received over HTTP, before it runs (tests count the gateway's fetches with it). */
  observe?: (query: string) => void;
  log?: Logger;
  /** Domain events this subgraph consumes (its consumer group is its name). */
  events?: { handlers: EventHandlers };
  /** BullMQ processors, by queue name (queues are named after the subgraph). */
  jobs?: Record<string, JobProcessor>;
  /** Repeated jobs, registered once the workers run (see `JobSchedule`). */
  schedules?: JobSchedule[];
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
 * The one bootstrap of every Atrium subgraph, as a list of modules started in order and
 * closed in reverse (a start that fails half-way closes what already started): its Redis
 * connection and database (created and migrated), live events, job queues, the outbox
 * relay, then its federated schema with Apollo Server 5 at `/graphql` (a fresh
 * `em.fork()`, the verified caller and a request-scoped logger per request) beside
 * `/health`, `/ready`, `/status` and Prometheus `/metrics`, its subscriptions over
 * graphql-ws on the same port and path, its job workers and schedules, and its event
 * consumer. Listens on `config.PORT` (0 picks a free port, as tests do).
 */
export async function createSubgraph(options: SubgraphOptions): Promise<Subgraph> {
  const { config, name } = options;
  const log = options.log ?? createLogger({ name, level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  // Before anything opens: a production subgraph without its signing secret must not start.
  const signing = resolveSigning(config);
  const metrics = createMetrics(name);
  return startModules(log, async (use) => {
    // Tracing first (closed last, exporting what is left): a no-op unless OTEL_EXPORTER_OTLP_ENDPOINT
    // is set. `pg` is already loaded by now; telemetry-sql.ts patches it in place (see there).
    const telemetry = await use({ name: 'telemetry', start: () => startTelemetry(name, config, [sqlInstrumentation]), close: (t) => t.close() });
    if (options.onClose) await use({ name: 'onClose', start: () => undefined, close: options.onClose });
    const redis = await use(redisConnection(config.REDIS_URL, name));
    const orm = await use(database({ config, entities: options.entities, migrations: options.migrations, log }));
    const pubSub = await use(livePubSub({ config, name, log, orm, live: options.live }));
    const jobs = await use(jobQueues({ redis, config, name, log, telemetry }));
    await use(outboxRelay({ config, orm, redis, log, metrics, telemetry }));
    if (options.onStart) await use({ name: 'onStart', start: () => options.onStart!(orm, log) });

    const verify = options.verifier?.(orm) ?? createTokenVerifier({ jwks: config.JWKS_URL, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE });
    const resources: SubgraphResources = { orm, redis, pubSub, jobs, log };
    const extend = options.context && ((base: Context) => options.context!(base, resources));
    const context = createContextFactory({ name, orm, log, jobs, pubSub, extend });
    const routes = [await use(ops({ name, orm, redis, metrics })), (app: Express) => options.routes?.(app, orm)];
    const http = await use(graphqlOverHttp({ name, config, log, schema: options.schema, metrics, signing, verify, context, routes, plugins: options.plugins, observe: options.observe, maxBodyBytes: REQUEST_MAX_BYTES, telemetry }));
    await use(subscriptions({ httpServer: http.httpServer, path: '/graphql', schema: options.schema, verify, context, log, metrics, signing, maxPayload: REQUEST_MAX_BYTES }));
    await use(jobWorkers({ jobs, processors: options.jobs, schedules: options.schedules, orm }));
    if (options.events) {
      const consumer = `${name}-${process.pid}-${http.port}`;
      await use(eventConsumer({ config, orm, redis, log, metrics, group: name, consumer, handlers: options.events.handlers, jobs, telemetry }));
    }
    return { httpServer: http.httpServer, port: http.port, url: http.url, orm, redis, jobs, pubSub, metrics };
  });
}
