import type { Logger } from '@atrium/kit';
import type { RequestHandler, Response } from 'express';
import { OperationTypeNode, type ExecutionResult, type GraphQLError } from 'graphql';
import { ErrorCode } from '../errors';
import type { AdmittedOperation, GatewayOperations, OperationPayload, Session } from './operations';
import { httpStatusOf, identifyOrRefuse, isStreamEnd, type SessionOf } from './http-session';

/** Whether the client asked for Apollo's multipart subscription protocol (`Accept: multipart/mixed;subscriptionSpec=1.0`). */
export const acceptsMultipartSubscriptions = (accept: string | undefined) => !!accept && /multipart\/mixed[^,]*subscriptionSpec\s*=\s*"?1\.0/i.test(accept);

const BOUNDARY = 'graphql';
const DELIMITER = `\r\n--${BOUNDARY}`;
const PART_HEAD = '\r\ncontent-type: application/json; charset=utf-8\r\n\r\n';

/**
 * Subscriptions over Apollo's multipart HTTP protocol (what Apollo Client's HttpLink uses for
 * subscriptions by default): a POST of the subscription with
 * `Accept: multipart/mixed;subscriptionSpec=1.0` is answered with a `multipart/mixed` stream,
 * one part `{"payload": <result>}` per event, a heartbeat part `{}` every `heartbeatMs`, and
 * the closing delimiter when the subscription ends (the last result first, if it ended with
 * one: an expired token, a revoked session, a supergraph update). An error that refuses the
 * subscription before it starts is an ordinary JSON response, with the status Apollo Server
 * gives it over HTTP. Each part is followed at once by the next delimiter, which is what
 * makes a client's parser hand the part on. Queries and mutations go on to Apollo Server.
 */
export function multipartSubscriptions(options: { operations: GatewayOperations; session: SessionOf; heartbeatMs: number; log: Logger }): RequestHandler {
  const { operations, log } = options;
  return (req, res, next) => {
    if (req.method !== 'POST' || !acceptsMultipartSubscriptions(req.header('accept'))) return next();
    void (async () => {
      const session = await identifyOrRefuse(options.session, req, res);
      if (!session) return;
      const op = operations.admit((req.body ?? {}) as OperationPayload, session);
      if (!Array.isArray(op) && op.kind !== OperationTypeNode.SUBSCRIPTION) {
        // Not a subscription: Apollo Server answers it (and may stream @defer itself).
        op.release();
        return next();
      }
      if (Array.isArray(op)) return refuse(res, operations, op);
      stream(res, op, session, options);
    })().catch((err: unknown) => {
      log.error({ err }, 'multipart subscription failed');
      if (!res.headersSent) res.status(500).json({ errors: [{ message: 'Internal server error', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } }] });
      else res.end();
    });
  };
}

function refuse(res: Response, operations: GatewayOperations, errors: GraphQLError[]): void {
  res.status(httpStatusOf(errors)).json({ errors: operations.formatErrors(errors) });
}

function stream(res: Response, op: AdmittedOperation, session: Session, options: { operations: GatewayOperations; heartbeatMs: number; log: Logger }): void {
  const { operations } = options;
  const results = operations.subscribe(op, session, {
    transport: 'multipart',
    drop: (reason) => {
      options.log.warn({ reason }, 'dropping a slow multipart subscriber');
      res.destroy();
    },
  });
  res.writeHead(200, {
    'content-type': `multipart/mixed;boundary="${BOUNDARY}";subscriptionSpec="1.0"`,
    'cache-control': 'no-cache, no-store',
    // No proxy buffering: each part must reach the client when it is written.
    'x-accel-buffering': 'no',
  });
  res.write(DELIMITER);
  const part = (body: unknown) => res.write(`${PART_HEAD}${JSON.stringify(body)}${DELIMITER}`);
  if (isStreamEnd(results)) {
    // Nothing to subscribe to (every field refused, or no plan): one result, then the end.
    part({ payload: operations.formatResult(results) });
    res.end('--\r\n');
    return;
  }
  const heartbeat = setInterval(() => part({}), options.heartbeatMs);
  heartbeat.unref();
  const iterator = results as AsyncIterableIterator<ExecutionResult>;
  let ended = false;
  const finish = () => {
    if (ended) return;
    ended = true;
    clearInterval(heartbeat);
    void iterator.return?.();
  };
  // The client went away (the response's connection closed before it ended): the
  // subscription ends, its slot and its share of the upstream released. Not `req`'s
  // 'close': that one fires once the request body has been read.
  res.on('close', finish);
  void (async () => {
    try {
      for await (const result of iterator) part({ payload: operations.formatResult(result) });
    } finally {
      finish();
      if (!res.writableEnded && !res.destroyed) res.end('--\r\n');
    }
  })();
}
