import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { ErrorCode } from '../errors';

/**
 * JSON body parsing bounded to `maxBytes`. A larger body gets a 413 and a GraphQL-shaped
 * JSON error, a malformed one a 400 — never Express's HTML error page.
 */
export function jsonBody(maxBytes: number): [RequestHandler, ErrorRequestHandler] {
  const onError: ErrorRequestHandler = (err, _req, res, next) => {
    const { type, status } = err as { type?: string; status?: number };
    if (type === 'entity.too.large') {
      res.status(413).json({
        errors: [{ message: `Request body too large (at most ${maxBytes} bytes)`, extensions: { code: ErrorCode.PAYLOAD_TOO_LARGE } }],
      });
    } else if (typeof status === 'number' && status >= 400 && status < 500) {
      res.status(status).json({ errors: [{ message: 'Malformed request body', extensions: { code: ErrorCode.BAD_REQUEST } }] });
    } else {
      next(err);
    }
  };
  return [express.json({ limit: maxBytes }), onError];
}
