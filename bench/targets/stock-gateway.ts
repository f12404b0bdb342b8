/**
 * Target B of `npm run bench`: a stock `@apollo/gateway` behind `@apollo/server`'s
 * standalone server, no plugins — the baseline Atrium's gateway is built on. Run as a
 * process of its own: `node dist/bench/targets/stock-gateway.js` with
 *   SUPERGRAPH_PATH  a supergraph file (the benchmark gives it a copy with the subgraphs'
 *                    routing URLs and without the security specs, which stock refuses)
 *   PORT, HOST       where to listen (127.0.0.1 by default)
 *
 * The one addition to the stock setup: the caller's `Authorization` and `x-request-id`
 * headers are passed on to the subgraphs (a RemoteGraphQLDataSource with willSendRequest),
 * as every real deployment does and as Atrium's gateway does, so the subgraphs can verify
 * the token and answer the same data as through Atrium.
 */
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { readFileSync } from 'node:fs';
import { loadTargetEnv } from '../args';

interface StockContext {
  authorization?: string;
  requestId?: string;
}

async function main(): Promise<void> {
  const { supergraphPath: file, port = 4000, host } = loadTargetEnv();
  if (!file) throw new Error('SUPERGRAPH_PATH is required');
  const gateway = new ApolloGateway({
    supergraphSdl: readFileSync(file, 'utf8'),
    buildService: ({ url }) =>
      new RemoteGraphQLDataSource<StockContext>({
        url,
        willSendRequest({ request, context }) {
          if (context.authorization) request.http?.headers.set('authorization', context.authorization);
          if (context.requestId) request.http?.headers.set('x-request-id', context.requestId);
        },
      }),
  });
  const server = new ApolloServer<StockContext>({ gateway });
  const { url } = await startStandaloneServer(server, {
    listen: { port, host },
    context: async ({ req }) => ({ authorization: req.headers.authorization, requestId: req.headers['x-request-id'] as string | undefined }),
  });
  process.stdout.write(`stock gateway listening on ${url}\n`);
  const stop = () => void server.stop().finally(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`stock gateway failed to start: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
