import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { getOperationAST, getVariableValues, GraphQLError, parse, validate, type DocumentNode, type ExecutionArgs, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import type { ServerOptions } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { Caller } from '../auth/caller';
import { checkHandshake, type Signing } from '../auth/signature';
import { authenticate, type TokenVerifier } from '../auth/verify';
import type { Context } from './context';
import { createErrorFormatter, ErrorCode } from '../errors';
import { findUnsafeString, unsafeStringError } from '../input-strings';
import { warnOnOversizedFrames } from '../ws-frames';
import { metricsOn, type Metrics } from '../metrics';

export interface SubscriptionServerOptions {
  httpServer: Server;
  path: string;
  schema: GraphQLSchema;
  verify: TokenVerifier;
  /** An operation's context, built exactly as for an HTTP request. */
  context: (caller: Caller | null, requestId: string) => Context;
  log: Logger;
  metrics: Metrics;
  /** When required, a socket opens only with the gateway's signed handshake (see auth/signature.ts). */
  signing?: Signing;
  /** Largest frame accepted, in bytes (ws's default is 100 MiB); a larger one closes the socket with 1009. */
  maxPayload?: number;
}

export interface SubscriptionServer {
  /** Closes every socket (clients see 1001 "Going away") and stops accepting new ones. */
  close(): Promise<void>;
}

/** A frame larger than this (1 MiB, the HTTP body limit) closes the socket, unless told otherwise. */
const DEFAULT_MAX_PAYLOAD = 1_048_576;
/** How long a closing socket may take to answer the close frame before it is cut. */
const CLOSE_GRACE_MS = 1_000;
/** A client-chosen request id longer than this is replaced (it ends up in every log line). */
const MAX_REQUEST_ID_LENGTH = 200;

/**
 * A header of one subscription: from the subscribe message's `extensions.headers` (how the
 * gateway, which multiplexes many callers on one socket, says who is asking), else from the
 * connection's `connectionParams` (how a client talking to the subgraph directly does).
 * Names are case-insensitive, as HTTP headers are.
 */
function headerOf(name: string, ...sources: unknown[]): unknown {
  for (const source of sources) {
    if (!source || typeof source !== 'object') continue;
    const key = Object.keys(source).find((k) => k.toLowerCase() === name);
    if (key !== undefined && (source as Record<string, unknown>)[key] != null) return (source as Record<string, unknown>)[key];
  }
  return undefined;
}

/** An error refusing a subscription before it runs, with its code and, when known, where in the document. */
const requestError = (message: string, code: string, from?: GraphQLError) =>
  new GraphQLError(message, { nodes: from?.nodes, source: from?.source, positions: from?.positions, extensions: { code } });

/**
 * graphql-ws on the subgraph's HTTP server (same port, same path). Each subscribe message
 * is authenticated on its own with kit's `authenticate()` — a present but invalid token
 * refuses that subscription with UNAUTHENTICATED (a graphql-ws `error` message), never the
 * socket — then parsed and validated here, so a bad document is a clean error too. Errors go
 * through kit's error formatter (no stack traces, unexpected ones masked and logged).
 */
export function serveSubscriptions(options: SubscriptionServerOptions): SubscriptionServer {
  const { schema, verify, log, metrics } = options;
  const format = createErrorFormatter(log);
  const formatErrors = (errors: readonly GraphQLError[]): GraphQLFormattedError[] =>
    errors.map((e) => {
      const formatted = format(e.toJSON(), e);
      // `http` is for Apollo's HTTP responses (a 401 status); a WebSocket has none.
      const { http: _status, ...extensions } = (formatted.extensions ?? {}) as Record<string, unknown>;
      return { ...formatted, extensions };
    });
  const open = metricsOn(metrics.registry)
    .gauge('atrium_subscriptions_open', "GraphQL subscriptions open on this subgraph over graphql-ws (the gateway's upstream ones, or direct clients).", ['service'])
    .labels({ service: metrics.service });
  // Subscriptions counted open, per socket, so each is counted down exactly once.
  const counted = new WeakMap<object, Set<string>>();

  const onSubscribe: ServerOptions['onSubscribe'] = async (ctx, _id, payload) => {
    const headers = (payload.extensions as { headers?: unknown } | undefined)?.headers;
    const authorization = headerOf('authorization', headers, ctx.connectionParams);
    if (authorization !== undefined && typeof authorization !== 'string') return [requestError('authorization must be a string', ErrorCode.UNAUTHENTICATED)];
    let caller: Caller | null;
    try {
      caller = await authenticate(authorization, verify);
    } catch (err) {
      return [err instanceof GraphQLError ? err : requestError('Invalid access token', ErrorCode.UNAUTHENTICATED)];
    }
    const id = headerOf('x-request-id', headers, ctx.connectionParams);
    const requestId = typeof id === 'string' && id && id.length <= MAX_REQUEST_ID_LENGTH ? id : randomUUID();

    let document: DocumentNode;
    try {
      document = parse(payload.query);
    } catch (err) {
      return [err instanceof GraphQLError ? requestError(err.message, 'GRAPHQL_PARSE_FAILED', err) : requestError('Syntax error', 'GRAPHQL_PARSE_FAILED')];
    }
    const invalid = validate(schema, document);
    if (invalid.length) return invalid.map((e) => requestError(e.message, 'GRAPHQL_VALIDATION_FAILED', e));
    const operation = getOperationAST(document, payload.operationName);
    if (!operation) return [requestError('Unable to identify the operation to run', 'GRAPHQL_VALIDATION_FAILED')];
    const variables = getVariableValues(schema, operation.variableDefinitions ?? [], payload.variables ?? {});
    if (variables.errors) return variables.errors.map((e) => requestError(e.message, ErrorCode.BAD_USER_INPUT, e));
    // The same refusal as over HTTP (the refuseUnsafeStrings plugin): a string no database can store.
    const unsafe = findUnsafeString(document, payload.variables ?? undefined);
    if (unsafe) return [unsafeStringError(unsafe)];

    const args: ExecutionArgs = {
      schema,
      document,
      operationName: payload.operationName,
      variableValues: payload.variables,
      contextValue: options.context(caller, requestId),
    };
    return args;
  };

  const { signing } = options;
  const wss = new WebSocketServer({
    server: options.httpServer,
    path: options.path,
    maxPayload: options.maxPayload ?? DEFAULT_MAX_PAYLOAD,
    // Refused before the upgrade, with a 401: an unsigned socket never reaches graphql-ws.
    verifyClient: signing?.mode === 'required'
      ? (info, done) => {
          const check = checkHandshake(signing, info.req);
          if (check.ok) done(true);
          else done(false, 401, `This subgraph answers only the gateway: ${check.reason}`);
        }
      : undefined,
  });
  warnOnOversizedFrames(wss, log);
  const server = useServer(
    {
      schema,
      onSubscribe,
      onOperation: (ctx, id, _payload, _args, result) => {
        if (!result || typeof (result as AsyncIterable<unknown>)[Symbol.asyncIterator] !== 'function') return;
        const ids = counted.get(ctx) ?? new Set<string>();
        counted.set(ctx, ids.add(id));
        open.inc();
      },
      onComplete: (ctx, id) => {
        if (counted.get(ctx)?.delete(id)) open.dec();
      },
      onNext: (_ctx, _id, _payload, args, result) => {
        // One context serves the whole subscription: what one event loaded must not be
        // served, stale, to the next.
        const context = args.contextValue as Context;
        context.loaders.clear();
        context.em.clear();
        return result.errors ? { ...result, errors: formatErrors(result.errors) } : undefined;
      },
      onError: (_ctx, _id, _payload, errors) => formatErrors(errors),
    },
    wss,
  );

  return {
    async close() {
      // A client that never answers the close frame must not keep the subgraph from stopping.
      const cut = setTimeout(() => {
        for (const socket of wss.clients) socket.terminate();
      }, CLOSE_GRACE_MS);
      try {
        await server.dispose();
      } finally {
        clearTimeout(cut);
      }
    },
  };
}
