import { HeaderMap, type HTTPGraphQLRequest, type HTTPGraphQLResponse } from '@apollo/server';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode } from './errors';

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

/** Why a body was refused, answered as the Express path answers it (body-limit.ts). */
export class BodyRefused extends Error {
  constructor(
    readonly status: 400 | 413,
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** The body of `req`, at most `maxBytes` long (a longer one: 413 PAYLOAD_TOO_LARGE). */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const tooLarge = () => new BodyRefused(413, `Request body too large (at most ${maxBytes} bytes)`, ErrorCode.PAYLOAD_TOO_LARGE);
  const declared = Number(req.headers['content-length']);
  if (declared > maxBytes) {
    req.resume(); // drained, not read
    return Promise.reject(tooLarge());
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
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', () => {
      if (!refused) reject(new BodyRefused(400, 'Malformed request body', ErrorCode.BAD_REQUEST));
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
  throw new BodyRefused(400, 'Malformed request body', ErrorCode.BAD_REQUEST);
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
  const body = JSON.stringify({ errors: [{ message: refused.message, extensions: { code: refused.code } }] });
  res.statusCode = refused.status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(body));
  // A body left unread (too large) is not waited for: the connection closes after the answer.
  if (refused.status === 413) res.setHeader('connection', 'close');
  res.end(body);
}
