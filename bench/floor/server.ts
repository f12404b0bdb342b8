/**
 * The HTTP shell both floors share: `node:http`, GraphQL over HTTP POST (JSON) at
 * `/graphql`, `GET /ready` (the pool answers `select 1`) and `/health`. Documents are
 * parsed and validated once per distinct query text (remembered, bounded), then executed
 * with graphql-js's `execute`. The caller comes from the `Authorization` header, verified
 * as Atrium does (./auth.ts); a bad token is a 401 for the whole request.
 *
 * What it leaves out on purpose (Atrium's subgraphs do it, the floor measures without it):
 * request signatures (the benchmark turns them off for every subgraph), metrics, tracing,
 * logging, CSRF prevention, query limits, persisted queries, federation (`_service`,
 * `_entities`), subscriptions.
 */
import { execute, GraphQLError, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Pool } from 'pg';
import { AuthenticationFailure, bearerToken, type FloorCaller } from './auth';

/** What every resolver of a floor gets. */
export interface FloorContext {
  pool: Pool;
  caller: FloorCaller | null;
}

export interface FloorServerOptions {
  schema: GraphQLSchema;
  pool: Pool;
  /** Verifies a bearer token (absent: any Authorization header is refused). */
  verify?: (token: string) => Promise<FloorCaller>;
  /** Distinct query texts remembered parsed and validated (oldest out first). */
  documentCacheSize?: number;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes?: number;
}

export interface FloorServer {
  server: Server;
  /** Answers one request body for an Authorization header: HTTP status and JSON text (the handler's core). */
  answer(body: string, authorization: string | undefined): Promise<{ status: number; text: string }>;
  listen(port: number, host: string): Promise<string>;
  close(): Promise<void>;
}

interface GraphQLRequest {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
}

const errorsBody = (errors: readonly { message: string; extensions?: Record<string, unknown> }[]) => JSON.stringify({ errors });

export function createFloorServer(options: FloorServerOptions): FloorServer {
  const { schema, pool, verify } = options;
  const cacheSize = options.documentCacheSize ?? 1_000;
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const documents = new Map<string, DocumentNode | readonly GraphQLError[]>();

  /** The parsed and validated document of `query`, or its errors (both remembered). */
  const documentFor = (query: string): DocumentNode | readonly GraphQLError[] => {
    let document = documents.get(query);
    if (document === undefined) {
      try {
        const parsed = parse(query);
        const errors = validate(schema, parsed);
        document = errors.length ? errors : parsed;
      } catch (err) {
        document = [err instanceof GraphQLError ? err : new GraphQLError(String(err))];
      }
      if (documents.size >= cacheSize) documents.delete(documents.keys().next().value!);
      documents.set(query, document);
    }
    return document;
  };

  const answer = async (body: string, authorization: string | undefined): Promise<{ status: number; text: string }> => {
    let request: GraphQLRequest;
    try {
      request = JSON.parse(body) as GraphQLRequest;
    } catch {
      return { status: 400, text: errorsBody([{ message: 'the body is not JSON', extensions: { code: 'BAD_REQUEST' } }]) };
    }
    if (typeof request.query !== 'string') return { status: 400, text: errorsBody([{ message: 'no query', extensions: { code: 'BAD_REQUEST' } }]) };
    let caller: FloorCaller | null = null;
    try {
      const token = bearerToken(authorization);
      if (token) {
        if (!verify) throw new AuthenticationFailure('this floor accepts no tokens');
        caller = await verify(token);
      }
    } catch (err) {
      if (!(err instanceof AuthenticationFailure)) throw err;
      return { status: 401, text: errorsBody([{ message: err.message, extensions: { code: 'UNAUTHENTICATED' } }]) };
    }
    const document = documentFor(request.query);
    if (!('kind' in document)) return { status: 400, text: errorsBody(document.map((e) => ({ message: e.message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }))) };
    const contextValue: FloorContext = { pool, caller };
    const result = await execute({
      schema,
      document,
      variableValues: (request.variables ?? undefined) as Record<string, unknown> | undefined,
      operationName: typeof request.operationName === 'string' ? request.operationName : undefined,
      contextValue,
    });
    return { status: 200, text: JSON.stringify(result) };
  };

  const send = (res: ServerResponse, status: number, text: string) =>
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) }).end(text);

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = req.url?.split('?')[0];
    if (req.method === 'GET' && path === '/health') return send(res, 200, '{"status":"ok"}');
    if (req.method === 'GET' && path === '/ready') {
      pool.query('select 1').then(
        () => send(res, 200, '{"status":"ready"}'),
        () => send(res, 503, '{"status":"database unavailable"}'),
      );
      return;
    }
    if (req.method !== 'POST' || path !== '/graphql') return send(res, 404, errorsBody([{ message: 'not found' }]));
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        send(res, 413, errorsBody([{ message: 'request body too large', extensions: { code: 'PAYLOAD_TOO_LARGE' } }]));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => {
      answer(Buffer.concat(chunks).toString('utf8'), req.headers.authorization).then(
        ({ status, text }) => send(res, status, text),
        (err: unknown) => send(res, 500, errorsBody([{ message: err instanceof Error ? err.message : String(err), extensions: { code: 'INTERNAL_SERVER_ERROR' } }])),
      );
    });
  };

  const server = createServer(handle);
  // Longer than clients' pooled connections stay idle: a request never meets a socket the server is closing.
  server.keepAliveTimeout = 65_000;
  return {
    server,
    answer,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve(`http://${host}:${(server.address() as AddressInfo).port}/graphql`));
      }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
