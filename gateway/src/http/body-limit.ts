import { bodyTooLarge, malformedBody, sendBodyRefused } from '@atrium/kit';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';

/**
 * JSON body parsing bounded to `maxBytes`. A larger body gets a 413 and a GraphQL-shaped
 * JSON error, a malformed one a 400 — never Express's HTML error page; the same answers as
 * a request served without Express (kit's http-direct.ts).
 */
export function jsonBody(maxBytes: number): [RequestHandler, ErrorRequestHandler] {
  const onError: ErrorRequestHandler = (err, _req, res, next) => {
    const { type, status } = err as { type?: string; status?: number };
    if (type === 'entity.too.large') {
      sendBodyRefused(res, bodyTooLarge(maxBytes));
    } else if (typeof status === 'number' && status >= 400 && status < 500) {
      sendBodyRefused(res, malformedBody(status));
    } else {
      next(err);
    }
  };
  return [express.json({ limit: maxBytes }), onError];
}
