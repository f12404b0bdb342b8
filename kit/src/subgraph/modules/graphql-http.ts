import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import type { GraphQLSchema } from 'graphql';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { checkSignedBody, signedJsonBody, type Signing } from '../../auth/signature';
import { authenticate, type TokenVerifier } from '../../auth/verify';
import type { SubgraphConfig } from '../../config';
import { createErrorFormatter } from '../../errors';
import { jsonErrors, listen, type HttpService } from '../../http';
import { answerGraphQL, directRoute, parseJsonBody, readBody, requestIdOf, sendJson, servesDirectly, type DirectRoute } from '../../http-direct';
import { refuseUnsafeStrings } from '../../input-strings';
import type { Module } from '../../lifecycle';
import type { Metrics } from '../../metrics';
import type { Telemetry } from '../../telemetry';
import { serverSpans } from '../../telemetry-http';
import { traceRootFields } from '../../telemetry-resolvers';
import type { Context, ContextFactory } from '../context';
import { directExecution } from './direct-execution';
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
  /** More Apollo Server plugins: with any, every request goes through Apollo Server's pipeline (they hook into it). */
  plugins?: ApolloServerPlugin<Context>[];
  /** Told the text of each operation received over HTTP, before it runs (tests count the gateway's fetches with it). */
  observe?: (query: string) => void;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number;
  /** The subgraph's tracing: when on, each `/graphql` request is a server span and root fields have spans. */
  telemetry?: Telemetry;
}

/**
 * Apollo Server 5 at `/graphql` on an Express app with the given routes, listening on
 * `config.PORT` (0 picks a free port, as tests do). Each request gets its own context
 * with the verified caller and its `x-request-id` (one is made up when absent). Closing
 * drains the requests in flight before the server closes. The gateway's requests (plain
 * JSON POSTs) skip Express (http-direct.ts): same body limit, signature check and errors;
 * and, when valid, Apollo Server's request pipeline too (direct-execution.ts).
 */
export const graphqlOverHttp = (options: GraphQLHttpOptions): Module<HttpService & { apollo: ApolloServer<Context> }> => ({
  name: 'http',
  async start() {
    const { config, log, name } = options;
    const app = express();
    app.disable('x-powered-by');
    for (const routes of options.routes) routes(app);
    // Offered each request before Express, once Apollo Server has started (below).
    let direct: DirectRoute | undefined;
    const httpServer = createServer((req, res) => {
      if (!direct?.(req, res)) app(req, res);
    });
    const production = config.NODE_ENV === 'production';
    // Tracing (when on): root-field resolvers in spans of their own (telemetry-resolvers.ts).
    const schema = options.telemetry?.enabled ? traceRootFields(options.schema) : options.schema;
    const formatError = createErrorFormatter(log);
    const apollo = new ApolloServer<Context>({
      schema,
      introspection: !production,
      includeStacktraceInErrorResponses: false,
      formatError,
      plugins: [
        ApolloServerPluginDrainHttpServer({ httpServer }),
        // Traces are for Apollo Studio, which Atrium does not use: don't pay for them.
        ApolloServerPluginInlineTraceDisabled(),
        // Apollo's cache-control plugin (on by default) wraps every field resolver of the schema
        // and computes a hint per resolved value; nobody reads a subgraph's Cache-Control: the
        // gateway takes its hints from the supergraph (gateway/src/plan/cache-policy.ts).
        ApolloServerPluginCacheControlDisabled(),
        options.metrics.plugin,
        refuseUnsafeStrings<Context>(),
        production ? ApolloServerPluginLandingPageDisabled() : ApolloServerPluginLandingPageLocalDefault({ embed: true }),
        ...(options.plugins ?? []),
        ...(options.observe ? [observing(options.observe)] : []),
      ],
    });
    await apollo.start();
    // Tracing (when on): each request a server span continuing the gateway's `traceparent`, first of all.
    if (options.telemetry?.enabled) app.use('/graphql', serverSpans(options.telemetry));
    const contextOf = async (req: IncomingMessage, res: ServerResponse): Promise<Context> => {
      // First, so that even a refused request (a bad token: 401) carries its id.
      const requestId = requestIdOf(req, res);
      return options.context(await authenticate(req.headers.authorization, options.verify), requestId);
    };
    app.use(
      '/graphql',
      // In production only the gateway's signed requests get through (`_service`, `_entities` included).
      ...signedJsonBody(options.signing, { limit: options.maxBodyBytes }),
      expressMiddleware(apollo, { context: ({ req, res }) => contextOf(req, res) }),
    );
    // The gateway's requests (plain JSON POSTs) skip Express; not while tracing: a request's
    // server span is Express middleware (telemetry-http.ts).
    const tracing = !!options.telemetry?.enabled;
    // And, unless plugins need Apollo Server's pipeline, Apollo Server too when the request is
    // a valid query or mutation it would run as it is: compiled by graphql-jit, answered as
    // Apollo Server answers (direct-execution.ts).
    const executor = options.plugins?.length ? undefined : directExecution({ schema, introspection: !production, formatError, metrics: options.metrics, observe: options.observe });
    direct = directRoute(
      log,
      (req) => !tracing && servesDirectly(req),
      async (req, res) => {
        const raw = await readBody(req, options.maxBodyBytes);
        const body = parseJsonBody(raw);
        const signed = checkSignedBody(options.signing, req, raw);
        if (!signed.ok) return sendJson(res, 401, signed.body);
        const context = contextOf(req, res);
        context.catch(() => undefined); // refused callers are answered by whichever path awaits it
        if (executor && (await executor.answer(body, req.headers.accept, res, context))) return;
        await answerGraphQL(apollo, req, res, body, () => context);
      },
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

/** The `observe` option for requests Apollo Server runs (Express's path, and those the direct path hands over). */
const observing = (observe: (query: string) => void): ApolloServerPlugin<Context> => ({
  async requestDidStart({ request }) {
    if (request.query) observe(request.query);
  },
});
