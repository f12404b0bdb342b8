import { warnOnOversizedFrames, type Caller, type Logger } from '@atrium/kit';
import type { ExecutionResult } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AdmittedOperation, GatewayOperations, Session } from './operations';

export interface WebSocketOptions {
  httpServer: Server;
  operations: GatewayOperations;
  /**
   * The caller behind an `Authorization` value (null: anonymous); throws for a token that
   * does not verify or whose session was revoked — the gateway's one check, as over HTTP.
   */
  authenticate(authorization: string | undefined): Promise<Caller | null>;
  log: Logger;
  /** Largest frame accepted (REQUEST_MAX_BYTES, as for HTTP bodies); a larger one closes the socket with 1009. */
  maxPayload: number;
}

/** What the gateway keeps per WebSocket connection (set in `onConnect`). */
type Connection = Session & { socket: WebSocket; request: { socket: { remoteAddress?: string } } };

/** An operation's context over the socket (graphql-ws hands `execute`/`subscribe` only this). */
interface SocketOperation {
  op: AdmittedOperation;
  connection: Connection;
}

/** The graphql-ws close code for a client dropped because it could not keep up. */
export const SLOW_CONSUMER_CLOSE_CODE = 4503;

/** The graphql-ws close code for a connection whose token does not verify (at connect, or a renewal). */
export const UNAUTHORIZED_CLOSE_CODE = 4401;

/**
 * The key of a graphql-ws `ping` payload that renews the connection's access token (opt-in,
 * README "Subscriptions"): `{"type":"ping","payload":{"atrium.renewToken":"<access token>"}}`.
 */
export const RENEW_TOKEN_KEY = 'atrium.renewToken';

const bearer = (raw: unknown): string | undefined => (typeof raw === 'string' && raw ? (raw.startsWith('Bearer ') ? raw : `Bearer ${raw}`) : undefined);

/**
 * graphql-ws on the gateway's `/graphql` (same port as HTTP). The token comes once, in
 * `connectionParams.authorization`, and is verified at connect; a bad one, or one whose
 * session was revoked, closes the socket with 4401 (and once its session is revoked, no
 * operation runs on an open socket). A client may renew the token on the open socket with a
 * `ping` carrying {@link RENEW_TOKEN_KEY}: a valid token of the same user and scopes moves its
 * subscriptions' expiry to the new token's; any other closes the socket with 4401.
 * Admission, authorization and planning are the transport-free part (operations.ts).
 */
export function serveWebSocket(options: WebSocketOptions): { close(): Promise<void> } {
  const { operations, log } = options;
  // ws accepts 100 MiB frames by default: a frame is bounded like an HTTP body.
  const wsServer = new WebSocketServer({ server: options.httpServer, path: '/graphql', maxPayload: options.maxPayload });
  warnOnOversizedFrames(wsServer, log);
  const unauthorized = (socket: WebSocket, why: string) => socket.close(UNAUTHORIZED_CLOSE_CODE, `Unauthorized: ${why}`.slice(0, 120));
  const disposable = useServer<Record<string, unknown> | undefined, Session>(
    {
      onConnect: async (ctx) => {
        const authorization = bearer(ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization);
        try {
          ctx.extra.caller = await options.authenticate(authorization);
        } catch (err) {
          unauthorized(ctx.extra.socket, (err as Error).message);
          return false;
        }
        ctx.extra.authorization = authorization;
        ctx.extra.ip = ctx.extra.request.socket.remoteAddress;
        ctx.extra.open = 0;
        return true;
      },

      onPing: async (ctx, payload) => {
        if (!payload || !(RENEW_TOKEN_KEY in payload)) return;
        const conn = ctx.extra as Connection;
        const authorization = bearer(payload[RENEW_TOKEN_KEY]);
        let caller: Caller | null;
        try {
          caller = await options.authenticate(authorization);
        } catch (err) {
          return unauthorized(conn.socket, (err as Error).message);
        }
        const before = conn.caller;
        if (!caller || !authorization || !before || caller.userId !== before.userId || !sameScopes(caller, before)) {
          return unauthorized(conn.socket, 'a renewed token must be of the same user, with the same scopes');
        }
        conn.caller = caller;
        conn.authorization = authorization;
        const renewed = operations.hub.renew(conn, caller, authorization);
        log.debug({ renewed }, 'renewed the access token of a WebSocket connection');
      },

      onSubscribe: (ctx, _id, payload) => {
        const conn = ctx.extra as Connection;
        const op = operations.admit(payload, conn);
        if (Array.isArray(op)) return op;
        const context: SocketOperation = { op, connection: conn };
        return { schema: operations.schema!, document: op.document, variableValues: op.variables, operationName: op.operationName, contextValue: context };
      },

      // Queries and mutations over the socket: Apollo Server runs them as it runs HTTP ones.
      execute: (args) => {
        const { op, connection } = args.contextValue as SocketOperation;
        return operations.execute(op, connection);
      },

      onNext: (_ctx, _id, _payload, _args, result) => (result.errors?.length ? (operations.formatResult(result as ExecutionResult) as never) : undefined),
      onError: (_ctx, _id, _payload, errors) => operations.formatErrors(errors),

      subscribe: (args) => {
        const { op, connection } = args.contextValue as SocketOperation;
        return operations.subscribe(op, connection, {
          transport: 'websocket',
          drop: (reason) => {
            log.warn({ reason }, 'dropping a slow subscriber');
            connection.socket.close(SLOW_CONSUMER_CLOSE_CODE, 'Subscriber too slow');
          },
        }) as AsyncIterable<ExecutionResult>;
      },
    },
    wsServer,
  );

  return {
    close: async () => {
      await disposable.dispose();
      // A client that stopped reading never completes the close handshake: don't wait for it.
      for (const socket of wsServer.clients) socket.terminate();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
    },
  };
}

const sameScopes = (a: Caller, b: Caller) => a.scopes.length === b.scopes.length && a.scopes.every((s) => b.scopes.includes(s));
