import type { Logger } from '@atrium/kit';
import type { RequestHandler, Response } from 'express';
import type { ExecutionResult } from 'graphql';
import { createHandler } from 'graphql-sse/lib/use/express';
import { ErrorCode } from '../errors';
import { httpStatusOf, sessionOf, type SessionOf } from './http-session';
import type { AdmittedOperation, GatewayOperations, Session } from './operations';

/** Whether the client asked for an event stream (GraphQL over SSE, distinct connections mode). */
export const acceptsEventStream = (accept: string | undefined) => !!accept && accept.includes('text/event-stream');

/** What graphql-sse hands `execute` and `subscribe`: the admitted operation, its session, and the response it streams on. */
interface StreamOperation extends Record<PropertyKey, unknown> {
  op: AdmittedOperation;
  session: Session;
  res: Response;
}

/**
 * GraphQL over Server-Sent Events (the graphql-sse protocol, "distinct connections mode":
 * one request per operation, GET or POST with `Accept: text/event-stream`), served by the
 * graphql-sse library on `/graphql` in front of Apollo Server. Authentication is the
 * request's `Authorization`; admission, authorization and planning are the transport-free
 * part (operations.ts), so subscriptions share the hub with graphql-ws and multipart, and
 * queries and mutations sent as streams run through Apollo Server. The library's "single
 * connection mode" (a stream reserved with PUT and addressed by a token) is off: its
 * reservations live in one process, which a second gateway replica behind a load balancer
 * would not know.
 */
export function sseSubscriptions(options: { operations: GatewayOperations; session: SessionOf; log: Logger }): RequestHandler {
  const { operations, log } = options;
  const handler = createHandler<StreamOperation>({
    // null: distinct connections mode only (see above).
    authenticate: () => null,
    onSubscribe: async (req, params) => {
      let session: Session;
      try {
        session = await sessionOf(options.session, req.raw);
      } catch (err) {
        return refusal(401, { errors: [{ message: (err as Error).message, extensions: { code: ErrorCode.UNAUTHENTICATED } }] });
      }
      const op = operations.admit(params, session);
      if (Array.isArray(op)) return refusal(httpStatusOf(op), { errors: operations.formatErrors(op) });
      const contextValue: StreamOperation = { op, session, res: req.context.res };
      return { schema: operations.schema!, document: op.document, operationName: op.operationName, variableValues: op.variables, contextValue };
    },
    execute: ({ contextValue: { op, session } }) => operations.execute(op, session),
    subscribe: ({ contextValue: { op, session, res } }) =>
      operations.subscribe(op, session, {
        transport: 'sse',
        drop: (reason) => {
          log.warn({ reason }, 'dropping a slow SSE subscriber');
          res.destroy();
        },
      }),
    onNext: (_ctx, _req, result) => operations.formatResult(result as ExecutionResult) as ExecutionResult,
  });
  return (req, res, next) => {
    if (!acceptsEventStream(req.header('accept'))) return next();
    handler(req, res).catch((err: unknown) => {
      log.error({ err }, 'SSE request failed');
      if (!res.headersSent) res.status(500).json({ errors: [{ message: 'Internal server error', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } }] });
      else res.end();
    });
  };
}

/** A refusal before any stream starts: an ordinary JSON response, with the status Apollo Server would give. */
const refusal = (status: number, body: unknown) =>
  [JSON.stringify(body), { status, statusText: status === 200 ? 'OK' : 'Refused', headers: { 'content-type': 'application/json; charset=utf-8' } }] as const;
