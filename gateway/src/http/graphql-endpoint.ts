import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { expressMiddleware } from '@as-integrations/express5';
import { answerGraphQL, createErrorFormatter, directRoute, readJsonBody, refuseUnsafeStrings, requestIdOf, servesDirectly, tracingOn } from '@atrium/kit';
import cors from 'cors';
import type { RequestHandler } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayContext } from '../context';
import type { GatewayModule } from '../module';
import type { AuthorizingGateway } from '../plan/authorizing-gateway';
import { incrementalDelivery } from '../execute/incremental-delivery';
import { jsonBody } from './body-limit';
import { cacheControl } from './cache-control';
import type { RequestProtection } from './request-protection';

export interface GraphQLEndpoint {
  /** Also runs the queries and mutations sent over WebSocket (subscriptions/websocket.ts). */
  apollo: ApolloServer<GatewayContext>;
  /**
   * Puts a handler on `/graphql` in front of Apollo Server (after CORS and the body limit),
   * for the streaming transports it does not speak (subscriptions over multipart HTTP and
   * SSE): the handler answers the requests it recognises and passes the others on (`next()`).
   */
  inFront(handler: RequestHandler): void;
}

/**
 * Apollo Server on `/graphql`, over the authorizing gateway — starting it loads the
 * supergraph. In front of it: CORS for CORS_ORIGINS, the body limit (body-limit.ts), and
 * Apollo Server's CSRF prevention (on by default: a request must be JSON, or carry a header
 * that forces a preflight). Its plugins: those of the modules started before it (request
 * protection), HTTP draining, metrics, the refusal of unsafe strings, Sandbox outside
 * production, then `extraPlugins`. Each request's context is the request id (the caller's
 * `x-request-id`, or a new one, echoed back), the caller's IP, and what the other modules add
 * (authentication: the caller).
 */
export function graphqlEndpoint(
  gateway: AuthorizingGateway,
  protection: RequestProtection,
  extraPlugins: ApolloServerPlugin<GatewayContext>[] = [],
): GatewayModule<GraphQLEndpoint> {
  return {
    name: 'GraphQL endpoint',
    async start(host) {
      const { config, log, metrics, httpServer } = host;
      const production = config.NODE_ENV === 'production';
      const formatError = createErrorFormatter(log);
      const apollo = new ApolloServer<GatewayContext>({
        gateway,
        introspection: !production,
        includeStacktraceInErrorResponses: false,
        formatError,
        ...protection.apolloOptions,
        plugins: [
          ...host.plugins(),
          ApolloServerPluginDrainHttpServer({ httpServer }),
          metrics.plugin,
          refuseUnsafeStrings<GatewayContext>(),
          incrementalDelivery(formatError),
          cacheControl(gateway),
          // Apollo's own cache-control plugin (on by default) would compute a second policy per request: ours above is the one.
          ApolloServerPluginCacheControlDisabled(),
          production ? ApolloServerPluginLandingPageDisabled() : ApolloServerPluginLandingPageLocalDefault({ embed: true }),
          ...extraPlugins,
        ],
      });
      await apollo.start();
      // Registered by modules started later; the route is mounted now, so it reads the list per request.
      const front: RequestHandler[] = [];
      const inFront: RequestHandler = (req, res, next) => {
        let i = 0;
        const pass = (err?: unknown): void => (err !== undefined || i >= front.length ? next(err) : void front[i++](req, res, pass));
        pass();
      };
      /** Each request's context, whichever way it came (Express or direct). */
      const contextOf = async (req: IncomingMessage, res: ServerResponse, ip: string | undefined): Promise<GatewayContext> => {
        // First, so that even a refused request (a bad token: 401) carries its id.
        const requestId = requestIdOf(req, res);
        return { caller: null, ...(await host.context(req, res)), requestId, ip };
      };
      return {
        apollo,
        inFront: (handler) => void front.push(handler),
        // A plain JSON POST of a client that is no browser, straight to Apollo Server (kit's http-direct.ts
        // says why and which); not while tracing: a request's server span is Express middleware (ops/tracing.ts).
        direct: directRoute(
          log,
          (req) => !tracingOn() && servesDirectly(req),
          async (req, res) => {
            const body = await readJsonBody(req, config.REQUEST_MAX_BYTES);
            const ip = host.clientIp(req);
            await answerGraphQL(apollo, req, res, body, () => contextOf(req, res, ip));
          },
        ),
        routes(app) {
          app.use(
            '/graphql',
            cors({ origin: config.CORS_ORIGINS, credentials: true }),
            ...jsonBody(config.REQUEST_MAX_BYTES),
            inFront,
            expressMiddleware(apollo, {
              context: ({ req, res }) => contextOf(req, res, req.ip),
            }),
          );
        },
        // Drains HTTP (no new connections; in-flight requests finish) and stops the gateway.
        close: () => apollo.stop(),
      };
    },
  };
}
