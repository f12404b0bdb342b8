import type { ApolloServer } from '@apollo/server';
import { warnOnOversizedFrames, type Caller, type Logger } from '@atrium/kit';
import { GraphQLError, OperationTypeNode, getOperationAST, parse, specifiedRules, validate, type ExecutionResult, type GraphQLFormattedError, type ValidationRule } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { Server } from 'node:http';
import { createHash, randomUUID } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Authentication } from '../authenticate/authentication';
import { SESSION_REVOKED_MESSAGE } from '../authenticate/revocations';
import type { GatewayContext } from '../context';
import { asGraphQLError, ErrorCode } from '../errors';
import type { Signer } from '../fetch/sign';
import { hideSuggestions } from '../http/query-limits';
import type { TrustedDocuments } from '../http/trusted-documents';
import type { GatewayModule } from '../module';
import type { AuthorizingGateway } from '../plan/authorizing-gateway';
import { closing, SubscriptionHub } from './hub';
import { UpstreamPool } from './upstream';

export interface Subscriptions {
  /** Open subscriptions and their upstream streams. */
  hub: SubscriptionHub;
}

/**
 * Subscriptions over graphql-ws on `/graphql` (serveSubscriptions below), served by one hub
 * (hub.ts: deduplication, fan-out, bounded queues) over one multiplexed, signed connection
 * per subgraph (upstream.ts). Their subscriptions end when identity revokes their session,
 * and all of them when a new supergraph is loaded. Started after the GraphQL endpoint, whose
 * Apollo Server runs the queries and mutations sent over the socket.
 */
export function webSocketSubscriptions(deps: {
  apollo: ApolloServer<GatewayContext>;
  gateway: AuthorizingGateway;
  authentication: Authentication;
  /** graphql-armor's rules, as over HTTP. */
  validationRules: ValidationRule[];
  /** The trusted-documents manifest, as over HTTP (`enforce`: only its subscriptions open). */
  trustedDocuments?: TrustedDocuments;
  sign: Signer | undefined;
}): GatewayModule<Subscriptions> {
  return {
    name: 'subscriptions',
    async start({ config, log, metrics, httpServer }) {
      const { gateway, authentication } = deps;
      const pool = new UpstreamPool({ keepAliveMs: config.SUBSCRIPTION_KEEPALIVE_MS, log, sign: deps.sign });
      const hub = new SubscriptionHub(gateway.subscriptionPlanner, pool, {
        dedup: config.SUBSCRIPTION_DEDUP === 'on',
        queueLimit: config.SUBSCRIPTION_QUEUE_LIMIT,
        metrics: metrics.subscriptions,
        log,
      });
      const server = serveSubscriptions({
        httpServer,
        apollo: deps.apollo,
        gateway,
        hub,
        authenticate: authentication.identify,
        revoked: authentication.revoked,
        log,
        validationRules: deps.validationRules,
        trustedDocuments: deps.trustedDocuments,
        maxTokens: config.GRAPHQL_MAX_TOKENS,
        perConnection: config.SUBSCRIPTIONS_PER_CONNECTION,
        max: config.SUBSCRIPTIONS_MAX,
        maxPayload: config.REQUEST_MAX_BYTES,
        hideSuggestions: config.NODE_ENV === 'production',
      });
      // The first supergraph is loaded by now: every later one may change or remove what open
      // subscriptions select, so they end clearly.
      const unwatch = gateway.onSchemaLoadOrUpdate(() => hub.closeAll(closing('The supergraph was updated: subscribe again', ErrorCode.SUPERGRAPH_UPDATED)));
      const unlisten = authentication.onRevoked((sessionIds) => {
        const ended = hub.endWhere((caller) => !!caller?.sessionId && sessionIds.has(caller.sessionId), closing(SESSION_REVOKED_MESSAGE, ErrorCode.UNAUTHENTICATED));
        if (ended > 0) log.info({ ended }, 'ended the subscriptions of revoked sessions');
      });
      return {
        hub,
        async close() {
          unwatch();
          unlisten();
          await server.close();
          await pool.close();
        },
      };
    },
  };
}

interface SubscriptionServerOptions {
  httpServer: Server;
  apollo: ApolloServer<GatewayContext>;
  gateway: AuthorizingGateway;
  hub: SubscriptionHub;
  /**
   * The caller behind an `Authorization` value (null: anonymous); throws for a token that
   * does not verify or whose session was revoked — the gateway's one check, as over HTTP.
   */
  authenticate(authorization: string | undefined): Promise<Caller | null>;
  /** Whether the caller's session has been revoked since (checked for every operation on an open socket). */
  revoked(caller: Caller | null): boolean;
  log: Logger;
  /** The same limits as HTTP operations (graphql-armor rules, token limit). */
  validationRules: ValidationRule[];
  trustedDocuments?: TrustedDocuments;
  maxTokens: number;
  /** Most subscriptions open at once on one connection, and on the whole gateway. */
  perConnection: number;
  max: number;
  /** Largest frame accepted (REQUEST_MAX_BYTES, as for HTTP bodies); a larger one closes the socket with 1009. */
  maxPayload: number;
  /** Hide "Did you mean …?" in every error sent (production), as over HTTP. */
  hideSuggestions: boolean;
}

/** What the gateway keeps per WebSocket connection (set in `onConnect`). */
type ConnectionState = { caller: Caller | null; authorization?: string; open: number };
type Connection = ConnectionState & { socket: WebSocket; request: { socket: { remoteAddress?: string } } };

/** An operation's context over the socket (graphql-ws hands `execute`/`subscribe` only this). */
type OperationContext = GatewayContext & { query: string; connection: Connection; release(): void };

/** The graphql-ws close code for a client dropped because it could not keep up. */
export const SLOW_CONSUMER_CLOSE_CODE = 4503;

/**
 * graphql-ws on the gateway's `/graphql` (same port as HTTP). The token comes once, in
 * `connectionParams.authorization`, and is verified at connect; a bad one, or one whose
 * session was revoked, closes the socket with 4401 (and once its session is revoked, no
 * operation runs on an open socket). Subscriptions are authorized field by field like any
 * operation, then planned and served by the hub; queries and mutations sent over the
 * socket run through Apollo Server exactly as over HTTP (same plugins, limits and
 * authorization).
 */
function serveSubscriptions(options: SubscriptionServerOptions): { close(): Promise<void> } {
  const { hub, gateway, log } = options;
  const rules = [...specifiedRules, ...options.validationRules];
  // ws accepts 100 MiB frames by default: a frame is bounded like an HTTP body.
  const wsServer = new WebSocketServer({ server: options.httpServer, path: '/graphql', maxPayload: options.maxPayload });
  warnOnOversizedFrames(wsServer, log);
  // Validation here uses its own rules, and results bypass Apollo's plugins: suggestions are hidden on the way out.
  const hidden = (errors: readonly GraphQLError[]): GraphQLFormattedError[] =>
    errors.map((e) => {
      const formatted = typeof e.toJSON === 'function' ? e.toJSON() : (e as GraphQLFormattedError);
      return { ...formatted, message: hideSuggestions(formatted.message) };
    });
  const disposable = useServer<Record<string, unknown> | undefined, ConnectionState>(
    {
      onConnect: async (ctx) => {
        const raw = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        const authorization = typeof raw === 'string' && raw ? (raw.startsWith('Bearer ') ? raw : `Bearer ${raw}`) : undefined;
        try {
          ctx.extra.caller = await options.authenticate(authorization);
        } catch (err) {
          ctx.extra.socket.close(4401, `Unauthorized: ${(err as Error).message}`.slice(0, 120));
          return false;
        }
        ctx.extra.authorization = authorization;
        ctx.extra.open = 0;
        return true;
      },

      onSubscribe: (ctx, _id, payload) => {
        const schema = gateway.schema;
        if (!schema) return [new GraphQLError('The supergraph is not loaded yet', { extensions: { code: ErrorCode.SUBGRAPH_UNAVAILABLE } })];
        // An id alone is filled in from the manifest; under enforce, anything not in it is refused.
        const untrusted = options.trustedDocuments?.admit(payload);
        if (untrusted) return [untrusted];
        let document;
        try {
          document = parse(payload.query, { maxTokens: options.maxTokens });
        } catch (err) {
          const message = err instanceof GraphQLError ? err.message : 'Malformed query';
          return [new GraphQLError(message, { extensions: { code: ErrorCode.GRAPHQL_PARSE_FAILED } })];
        }
        // The codes Apollo Server gives the same failures over HTTP, so clients handle one set.
        const errors = validate(schema, document, rules).map((e) => (e.extensions.code ? e : new GraphQLError(e.message, { nodes: e.nodes, extensions: { ...e.extensions, code: ErrorCode.GRAPHQL_VALIDATION_FAILED } })));
        if (errors.length > 0) return errors;
        const operation = getOperationAST(document, payload.operationName);
        if (!operation) return [new GraphQLError('Unknown operation', { extensions: { code: ErrorCode.BAD_USER_INPUT } })];
        const conn = ctx.extra as Connection;
        // The socket outlived its session: nothing more runs on it (its subscriptions were ended).
        if (options.revoked(conn.caller)) return [new GraphQLError(SESSION_REVOKED_MESSAGE, { extensions: { code: ErrorCode.UNAUTHENTICATED } })];
        if (operation.operation === OperationTypeNode.SUBSCRIPTION) {
          if (conn.caller && conn.caller.expiresAt.getTime() <= Date.now()) {
            return [new GraphQLError('The access token expired: reconnect with a fresh token', { extensions: { code: ErrorCode.UNAUTHENTICATED } })];
          }
          if (conn.open >= options.perConnection) return [tooMany(`at most ${options.perConnection} subscriptions per connection`)];
          if (hub.size >= options.max) return [tooMany('the gateway is at its subscription limit')];
          // Counted from here, not once subscribed: a burst of subscribe messages can't slip past the limit.
          conn.open++;
        }
        let counted = operation.operation === OperationTypeNode.SUBSCRIPTION;
        const release = () => {
          if (counted) conn.open--;
          counted = false;
        };
        const contextValue: OperationContext = {
          caller: conn.caller,
          authorization: conn.authorization,
          requestId: randomUUID(),
          ip: conn.request.socket.remoteAddress,
          query: payload.query,
          connection: conn,
          release,
        };
        return { schema, document, variableValues: payload.variables ?? {}, operationName: payload.operationName ?? undefined, contextValue };
      },

      // Queries and mutations over the socket: Apollo Server runs them as it runs HTTP ones.
      execute: async (args) => {
        const { connection: _, release: __, ...context } = args.contextValue as OperationContext;
        const response = await options.apollo.executeOperation(
          { query: context.query, variables: args.variableValues as Record<string, unknown>, operationName: args.operationName ?? undefined },
          { contextValue: context },
        );
        if (response.body.kind !== 'single') return { errors: [new GraphQLError('Incremental delivery is not supported over WebSocket')] };
        // graphql-ws serializes errors with their toJSON(): Apollo Server's are plain objects.
        const { errors, ...rest } = response.body.singleResult;
        return { ...rest, errors: errors?.map(asGraphQLError) } as ExecutionResult;
      },

      onNext: options.hideSuggestions ? (_ctx, _id, _payload, _args, result) => (result.errors?.length ? { ...result, errors: hidden(result.errors) } : undefined) : undefined,
      onError: options.hideSuggestions ? (_ctx, _id, _payload, errors) => hidden(errors) : undefined,

      subscribe: (args) => {
        const context = args.contextValue as OperationContext;
        const conn = context.connection;
        const variables = (args.variableValues ?? {}) as Record<string, unknown>;
        const decision = gateway.authorizer().authorize({ document: args.document, operationName: args.operationName ?? undefined, variables, caller: context.caller });
        if (decision.skipExecution) {
          context.release();
          const refused = decision.complete({});
          return { data: refused.data, errors: refused.errors?.map(asGraphQLError) } as ExecutionResult;
        }
        const key = `${createHash('sha256').update(context.query).digest('base64url')}:${decision.signature}`;
        let plan;
        try {
          plan = gateway.subscriptionPlanner.plan(decision.document, args.operationName ?? undefined, key);
        } catch (err) {
          context.release();
          log.error({ err }, 'subscription could not be planned');
          return closing('This subscription could not be planned', ErrorCode.INTERNAL_SERVER_ERROR);
        }
        return hub.subscribe({
          plan,
          variables,
          caller: context.caller,
          authorization: context.authorization,
          requestId: context.requestId,
          complete: (result) => {
            const completed = decision.complete(result as Parameters<typeof decision.complete>[0]);
            return { ...completed, errors: completed.errors?.map(asGraphQLError) } as ExecutionResult;
          },
          drop: (reason) => {
            log.warn({ reason }, 'dropping a slow subscriber');
            conn.socket.close(SLOW_CONSUMER_CLOSE_CODE, 'Subscriber too slow');
          },
          closed: context.release,
        }) as AsyncIterable<ExecutionResult>;
      },
    },
    wsServer,
  );

  return {
    close: async () => {
      hub.closeAll(closing('The gateway is shutting down: reconnect', ErrorCode.SUBGRAPH_UNAVAILABLE));
      await disposable.dispose();
      // A client that stopped reading never completes the close handshake: don't wait for it.
      for (const socket of wsServer.clients) socket.terminate();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
    },
  };
}

const tooMany = (why: string) => new GraphQLError(`Too many subscriptions: ${why}`, { extensions: { code: ErrorCode.TOO_MANY_SUBSCRIPTIONS } });
