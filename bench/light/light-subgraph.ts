/**
 * A light subgraph for `npm run bench -- --light`: one of Atrium's subgraph schemas (its
 * generated SDL, schema/<name>.graphql, so the same supergraph composes and every gateway
 * runs unchanged) served by a plain `node:http` server from memory (resolvers.ts over
 * data.ts), with a memo of whole responses keyed by the caller's token and the request
 * body. The benchmark's bodies are the same for every request of a query, so after the
 * first one a fetch costs a lookup and a write: the gateways, not the subgraphs, bound the
 * rate. Request signatures (Atrium's gateway signs every fetch) are not checked.
 */
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { execute, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { lightData } from './data';
import { lightResolvers, subjectOf, type LightContext } from './resolvers';

export interface LightSubgraphOptions {
  /** The subgraph's name in supergraph.yaml (picks its resolvers). */
  name: string;
  /** Its SDL as composition reads it (schema/<name>.graphql). */
  sdl: string;
  /** Responses kept at most (oldest out first); the benchmark needs a handful per query. */
  memoSize?: number;
}

export interface LightSubgraph {
  server: Server;
  schema: GraphQLSchema;
  /** Answers one GraphQL request body for a caller (memoized): the HTTP handler's core, exported for tests. */
  answer(body: string, authorization: string | undefined): Promise<string>;
  listen(port: number, host: string): Promise<string>;
  close(): Promise<void>;
}

interface GraphQLRequest {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
}

const errorBody = (message: string) => JSON.stringify({ errors: [{ message }] });

/** Builds the subgraph (nothing listens until {@link LightSubgraph.listen}). */
export function createLightSubgraph(options: LightSubgraphOptions): LightSubgraph {
  // buildSubgraphSchema types its context `unknown`; ours is always a LightContext (see `run`).
  const resolvers = lightResolvers(options.name, lightData()) as GraphQLResolverMap<unknown>;
  const schema = buildSubgraphSchema({ typeDefs: parse(options.sdl), resolvers });
  const memoSize = options.memoSize ?? 1_000;
  const memo = new Map<string, string>();
  const documents = new Map<string, DocumentNode | string>();

  /** A parsed and validated document, or the reason it is not one (both remembered). */
  const documentFor = (query: string): DocumentNode | string => {
    let document = documents.get(query);
    if (document === undefined) {
      try {
        const parsed = parse(query);
        const errors = validate(schema, parsed);
        document = errors.length ? errors.map((e) => e.message).join('; ') : parsed;
      } catch (err) {
        document = (err as Error).message;
      }
      if (documents.size >= memoSize) documents.delete(documents.keys().next().value!);
      documents.set(query, document);
    }
    return document;
  };

  const run = async (body: string, authorization: string | undefined): Promise<string> => {
    let request: GraphQLRequest;
    try {
      request = JSON.parse(body) as GraphQLRequest;
    } catch {
      return errorBody('the body is not JSON');
    }
    if (typeof request.query !== 'string') return errorBody('no query');
    const document = documentFor(request.query);
    if (typeof document === 'string') return errorBody(document);
    const contextValue: LightContext = { userId: subjectOf(authorization) };
    const result = await execute({
      schema,
      document,
      variableValues: (request.variables ?? undefined) as Record<string, unknown> | undefined,
      operationName: typeof request.operationName === 'string' ? request.operationName : undefined,
      contextValue,
    });
    return JSON.stringify(result);
  };

  const answer = async (body: string, authorization: string | undefined): Promise<string> => {
    // The token decides `me`; the body everything else.
    const key = `${authorization ?? ''}\n${body}`;
    let text = memo.get(key);
    if (text === undefined) {
      text = await run(body, authorization);
      if (memo.size >= memoSize) memo.delete(memo.keys().next().value!);
      memo.set(key, text);
    }
    return text;
  };

  const send = (res: ServerResponse, status: number, text: string) =>
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) }).end(text);

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = req.url?.split('?')[0];
    if (req.method === 'GET' && (path === '/health' || path === '/ready')) return send(res, 200, '{"status":"ok"}');
    if (req.method !== 'POST' || path !== '/graphql') return send(res, 404, errorBody('not found'));
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      answer(Buffer.concat(chunks).toString('utf8'), req.headers.authorization).then(
        (text) => send(res, 200, text),
        (err: unknown) => send(res, 500, errorBody(err instanceof Error ? err.message : String(err))),
      );
    });
  };

  const server = createServer(handle);
  // Longer than the gateways' pooled connections stay idle: a fetch never meets a socket the server is closing.
  server.keepAliveTimeout = 65_000;
  return {
    server,
    schema,
    answer,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve(`http://${host}:${(server.address() as AddressInfo).port}/graphql`));
      }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
