import { HeaderMap, type ApolloServer, type BaseContext, type HTTPGraphQLRequest, type HTTPGraphQLResponse } from '@apollo/server';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode } from './errors';
import type { Logger } from './logger';

/**
 * GraphQL over HTTP without Express, for the requests that need none of it — the gateway's
 * and the subgraphs' `/graphql` (gateway/src/http/graphql-endpoint.ts,
 * kit/src/subgraph/modules/graphql-http.ts). Why: Express's router, body parser and CORS
 * were ≈ 12 % of the gateway's CPU per request (docs/benchmarks.md, "Levers"), for nothing
 * a plain JSON POST needs. Everything else (browsers, GET, streams, other routes, traced
 * requests) still goes through Express.
 */

/**
 * A request the HTTP server hands to a module before Express sees it: returns whether it
 * took it — it then answers it whole.
 */
export type DirectRoute = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * The route that takes the requests `accepts` says yes to and answers them with `serve`:
 * a body `serve` refuses ({@link BodyRefused}) is answered as the Express path answers it;
 * anything else it throws is logged and answered as a GraphQL-shaped 500 (never a stack
 * trace, never a request left hanging).
 */
export function directRoute(log: Logger, accepts: (req: IncomingMessage) => boolean, serve: (req: IncomingMessage, res: ServerResponse) => Promise<void>): DirectRoute {
  return (req, res) => {
    if (!accepts(req)) return false;
    serve(req, res).catch((err: unknown) => {
      if (err instanceof BodyRefused && !res.headersSent) return sendBodyRefused(res, err);
      log.error({ err }, 'GraphQL request failed outside Apollo Server');
      if (res.headersSent) return void res.end();
      sendJson(res, 500, { errors: [{ message: 'Internal server error', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } }] });
    });
    return true;
  };
}

/** The request's `x-request-id` (a new one when it has none), echoed on the response: the id its logs and its subgraph fetches carry. */
export function requestIdOf(req: IncomingMessage, res: ServerResponse): string {
  const header = req.headers['x-request-id'];
  const requestId = (Array.isArray(header) ? header[0] : header) || randomUUID();
  res.setHeader('x-request-id', requestId);
  return requestId;
}

/**
 * Whether a request to `/graphql` can skip Express: a plain JSON POST from a client that is
 * no browser (no `Origin`: nothing for CORS to answer), not compressed, and asking for no
 * stream (`multipart/mixed` for @defer and multipart subscriptions, `text/event-stream` for
 * SSE: handled by the routes Express runs in front of Apollo Server).
 */
export function servesDirectly(req: IncomingMessage): boolean {
  if (req.method !== 'POST' || req.url !== '/graphql') return false;
  const { headers } = req;
  if (headers.origin !== undefined || headers['content-encoding'] !== undefined) return false;
  const type = headers['content-type'];
  if (!type || !/^application\/json\s*(;|$)/i.test(type)) return false;
  const charset = /;\s*charset=("?)([^";\s]+)\1/i.exec(type)?.[2];
  if (charset && charset.toLowerCase() !== 'utf-8') return false;
  const accept = headers.accept;
  return !accept || !/multipart\/mixed|text\/event-stream/i.test(accept);
}

/** Why a body was refused: its status, message and code, the same on every path (Express's too: gateway/src/http/body-limit.ts). */
export class BodyRefused extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** A body longer than the limit: 413 PAYLOAD_TOO_LARGE, naming the limit. */
export const bodyTooLarge = (maxBytes: number) => new BodyRefused(413, `Request body too large (at most ${maxBytes} bytes)`, ErrorCode.PAYLOAD_TOO_LARGE);

/** A body that cannot be read as JSON: BAD_REQUEST (400 unless the parser said otherwise). */
export const malformedBody = (status = 400) => new BodyRefused(status, 'Malformed request body', ErrorCode.BAD_REQUEST);

/** The body of `req`, at most `maxBytes` long (a longer one: 413 PAYLOAD_TOO_LARGE). */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (declared > maxBytes) {
    req.resume(); // drained, not read
    return Promise.reject(bodyTooLarge(maxBytes));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > maxBytes) {
        refused = true;
        chunks.length = 0;
        reject(bodyTooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', () => {
      if (!refused) reject(malformedBody());
      refused = true;
    });
    req.on('end', () => {
      if (!refused) resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
    });
  });
}

/** A JSON body as `express.json` reads it: strict (an object or an array), an empty body read as `{}`. */
export function parseJsonBody(raw: Buffer): unknown {
  if (raw.length === 0) return {};
  try {
    const body: unknown = JSON.parse(raw.toString('utf8'));
    if (body !== null && typeof body === 'object') return body;
  } catch {
    // refused below
  }
  throw malformedBody();
}

/** The JSON body of `req`, at most `maxBytes` long ({@link readBody}, {@link parseJsonBody}). */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  return parseJsonBody(await readBody(req, maxBytes));
}

/** The request as Apollo Server reads it (`executeHTTPGraphQLRequest`), as its Express integration builds it. */
export function httpGraphQLRequest(req: IncomingMessage, body: unknown): HTTPGraphQLRequest {
  const headers = new HeaderMap();
  for (const key in req.headers) {
    const value = req.headers[key];
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  return { method: 'POST', headers, search: '', body };
}

/** Runs a request's `body` through Apollo Server with its `context`, and writes the answer. */
export async function answerGraphQL<C extends BaseContext>(apollo: ApolloServer<C>, req: IncomingMessage, res: ServerResponse, body: unknown, context: () => Promise<C>): Promise<void> {
  await sendHttpGraphQLResponse(res, await apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest: httpGraphQLRequest(req, body), context }));
}

/** Writes Apollo Server's answer: its status and headers, then its body, whole or streamed. */
export async function sendHttpGraphQLResponse(res: ServerResponse, response: HTTPGraphQLResponse): Promise<void> {
  for (const [key, value] of response.headers) res.setHeader(key, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    res.setHeader('content-length', Buffer.byteLength(response.body.string));
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

/** A refused body's answer: a GraphQL-shaped JSON error, as the Express path gives it. */
export function sendBodyRefused(res: ServerResponse, refused: BodyRefused): void {
  // A body left unread (too large) is not waited for: the connection closes after the answer.
  if (refused.status === 413) res.setHeader('connection', 'close');
  sendJson(res, refused.status, { errors: [{ message: refused.message, extensions: { code: refused.code } }] });
}

/** A whole JSON answer with its status. */
export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(body);
}
