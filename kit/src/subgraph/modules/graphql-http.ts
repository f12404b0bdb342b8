import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import type { GraphQLSchema } from 'graphql';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { Logger } from 'pino';
import { signedJsonBody, type Signing } from '../../auth/signature';
import { authenticate, type TokenVerifier } from '../../auth/verify';
import type { SubgraphConfig } from '../../config';
import { createErrorFormatter } from '../../errors';
import { jsonErrors, listen, type HttpService } from '../../http';
import { refuseUnsafeStrings } from '../../input-strings';
import type { Module } from '../../lifecycle';
import type { Metrics } from '../../metrics';
import type { Telemetry } from '../../telemetry';
import { serverSpans } from '../../telemetry-http';
import { traceRootFields } from '../../telemetry-resolvers';
import type { Context, ContextFactory } from '../context';
import type { Routes } from './ops';

export interface GraphQLHttpOptions {
  name: string;
  config: SubgraphConfig;
  log: Logger;
  schema: GraphQLSchema;
  metrics: Metrics;
  signing: Signing;
  verify: TokenVerifier;
  context: ContextFactory;
  /** Mounted in order, before `/graphql`. */
  routes: Routes[];
  plugins?: ApolloServerPlugin<Context>[];
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number;
  /** The subgraph's tracing: when on, each `/graphql` request is a server span and root fields have spans. */
  telemetry?: Telemetry;
}

/**
 * Apollo Server 5 at `/graphql` on an Express app with the given routes, listening on
 * `config.PORT` (0 picks a free port, as tests do). Each request gets its own context
 * with the verified caller and its `x-request-id` (one is made up when absent). Closing
 * drains the requests in flight before the server closes.
 */
export const graphqlOverHttp = (options: GraphQLHttpOptions): Module<HttpService & { apollo: ApolloServer<Context> }> => ({
  name: 'http',
  async start() {
    const { config, log, name } = options;
    const app = express();
    app.disable('x-powered-by');
    for (const routes of options.routes) routes(app);
    const httpServer = createServer(app);
    const production = config.NODE_ENV === 'production';
    // Tracing (when on): root-field resolvers in spans of their own (telemetry-resolvers.ts).
    const schema = options.telemetry?.enabled ? traceRootFields(options.schema) : options.schema;
    const apollo = new ApolloServer<Context>({
      schema,
      introspection: !production,
      includeStacktraceInErrorResponses: false,
      formatError: createErrorFormatter(log),
      plugins: [
        ApolloServerPluginDrainHttpServer({ httpServer }),
        // Traces are for Apollo Studio, which Atrium does not use: don't pay for them.
        ApolloServerPluginInlineTraceDisabled(),
        options.metrics.plugin,
        refuseUnsafeStrings<Context>(),
        production ? ApolloServerPluginLandingPageDisabled() : ApolloServerPluginLandingPageLocalDefault({ embed: true }),
        ...(options.plugins ?? []),
      ],
    });
    await apollo.start();
    // Tracing (when on): each request a server span continuing the gateway's `traceparent`, first of all.
    if (options.telemetry?.enabled) app.use('/graphql', serverSpans(options.telemetry));
    app.use(
      '/graphql',
      // In production only the gateway's signed requests get through (`_service`, `_entities` included).
      ...signedJsonBody(options.signing, { limit: options.maxBodyBytes }),
      expressMiddleware(apollo, {
        context: async ({ req, res }): Promise<Context> => {
          const requestId = req.header('x-request-id') || randomUUID();
          res.setHeader('x-request-id', requestId);
          return options.context(await authenticate(req.header('authorization'), options.verify), requestId);
        },
      }),
    );
    app.use(jsonErrors(log));
    try {
      return { ...(await listen(httpServer, { port: config.PORT, host: config.HOST, log, name })), apollo };
    } catch (err) {
      await apollo.stop();
      throw err;
    }
  },
  async close({ apollo, close }) {
    await apollo.stop(); // drains the HTTP server
    await close();
  },
});
