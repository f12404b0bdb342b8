import { composeServices } from '@apollo/composition';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { buildSubgraphSchema } from '@apollo/subgraph';
import express from 'express';
import { parse } from 'graphql';
import { PubSub } from 'graphql-subscriptions';
import { useServer } from 'graphql-ws/use/ws';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WebSocketServer } from 'ws';

// A supergraph unrelated to Atrium, with a subscription: `prices` owns `Product` and
// `Subscription.priceChanged`; `reviews` adds `Product.reviews`, so each event needs a
// second subgraph to complete. Its pub/sub is graphql-subscriptions' in-process one: the
// gateway, which is what these tests are about, sees a real graphql-ws subgraph.
const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])';

export interface PriceEvent {
  id: string;
  name: string;
  price: number;
  /** Padding, to make events as large as a test needs. */
  blob?: string;
}

function modules(pubsub: PubSub) {
  return {
    prices: {
      typeDefs: parse(`${LINK}
        type Query { product(id: ID!): Product }
        type Subscription { priceChanged(productId: ID): Product! }
        type Product @key(fields: "id") { id: ID! name: String! price: Int! blob: String }`),
      resolvers: {
        Query: { product: (_: unknown, { id }: { id: string }) => ({ id, name: `Product ${id}`, price: 0 }) },
        Subscription: {
          priceChanged: {
            subscribe: async function* (_: unknown, { productId }: { productId?: string }) {
              for await (const event of pubsub.asyncIterableIterator<PriceEvent>('PRICE') as AsyncIterable<PriceEvent>) {
                if (!productId || event.id === productId) yield { priceChanged: event };
              }
            },
          },
        },
        Product: { __resolveReference: (ref: { id: string }) => ({ id: ref.id, name: `Product ${ref.id}`, price: 0 }) },
      },
    },
    reviews: {
      typeDefs: parse(`${LINK}
        type Product @key(fields: "id") { id: ID! reviews: [Review!]! }
        type Review { stars: Int! }`),
      resolvers: { Product: { reviews: (p: { id: string }) => [{ stars: p.id.length }] } },
    },
  };
}

type Name = 'prices' | 'reviews';

export interface LiveSupergraph {
  urls: Record<Name, string>;
  supergraphPath: string;
  /** Subscribe messages the prices subgraph received (how dedup is counted), with their headers. */
  upstreamSubscribes: { query: string; headers: Record<string, string> }[];
  /** Queries the reviews subgraph answered (entity fetches completing events). */
  reviewFetches: number;
  publish(event: PriceEvent): Promise<void>;
  /** Stops one subgraph (its sockets close). */
  stop(name: Name): Promise<void>;
  close(): Promise<void>;
}

export async function startLiveSupergraph(): Promise<LiveSupergraph> {
  const pubsub = new PubSub();
  const defs = modules(pubsub);
  const upstreamSubscribes: LiveSupergraph['upstreamSubscribes'] = [];
  const running = new Map<Name, { stop(): Promise<void> }>();
  const state = { reviewFetches: 0 };

  const serve = async (name: Name): Promise<string> => {
    const schema = buildSubgraphSchema(defs[name]);
    const app = express();
    const httpServer: Server = createServer(app);
    const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql' });
    const ws = useServer(
      {
        schema,
        onSubscribe: (_ctx, _id, payload) => {
          upstreamSubscribes.push({ query: payload.query, headers: (payload.extensions?.headers ?? {}) as Record<string, string> });
        },
      },
      wsServer,
    );
    const apollo = new ApolloServer({
      schema,
      plugins: [
        ApolloServerPluginInlineTraceDisabled(),
        {
          async requestDidStart() {
            if (name === 'reviews') state.reviewFetches++;
          },
        },
      ],
    });
    await apollo.start();
    app.use('/graphql', express.json(), expressMiddleware(apollo));
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    running.set(name, {
      stop: async () => {
        for (const client of wsServer.clients) client.terminate();
        await ws.dispose();
        await apollo.stop();
        httpServer.closeAllConnections();
        await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      },
    });
    return `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}/graphql`;
  };

  const urls = { prices: await serve('prices'), reviews: await serve('reviews') };
  const composed = composeServices([
    { name: 'prices', url: urls.prices, typeDefs: defs.prices.typeDefs },
    { name: 'reviews', url: urls.reviews, typeDefs: defs.reviews.typeDefs },
  ]);
  if (composed.errors) throw composed.errors[0];
  const supergraphPath = path.join(mkdtempSync(path.join(tmpdir(), 'atrium-live-')), 'supergraph.graphql');
  writeFileSync(supergraphPath, composed.supergraphSdl);

  const stop = async (name: Name) => {
    await running.get(name)?.stop();
    running.delete(name);
  };
  return {
    urls,
    supergraphPath,
    upstreamSubscribes,
    get reviewFetches() {
      return state.reviewFetches;
    },
    publish: (event) => pubsub.publish('PRICE', event),
    stop,
    close: async () => {
      for (const name of [...running.keys()]) await stop(name);
    },
  };
}
