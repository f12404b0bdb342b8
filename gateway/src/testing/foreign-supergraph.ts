import { composeServices } from '@apollo/composition';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Gateway } from '../gateway';

// A supergraph that has nothing to do with Atrium (the gateway must serve any): products
// with `login` and `register` mutations (credential rate limits), an enum (suggestions), a
// failing field and a recursive one to build deep queries from; reviews adding
// `Product.reviews`.
const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])';
const PRODUCTS = [
  { id: 'p1', name: 'Lamp' },
  { id: 'p2', name: 'Chair' },
];

type Subgraph = 'products' | 'reviews';

function modules(p1Stars: number[]) {
  return {
    products: {
      typeDefs: parse(`${LINK}
        type Query { products(order: Order): [Product!]! broken: String }
        type Mutation { login(email: String!): String! register(input: AccountInput!): String! }
        enum Order { NAME PRICE }
        input AccountInput { email: String! }
        type Product @key(fields: "id") { id: ID! name: String! related: [Product!]! }`),
      resolvers: {
        Query: {
          products: () => PRODUCTS,
          broken: () => {
            throw new Error('broken on purpose');
          },
        },
        Mutation: { login: () => 'session', register: () => 'account' },
        Product: { related: () => PRODUCTS, __resolveReference: (ref: { id: string }) => PRODUCTS.find((p) => p.id === ref.id) },
      },
    },
    reviews: {
      typeDefs: parse(`${LINK}
        type Product @key(fields: "id") { id: ID! reviews: [Review!]! }
        type Review { stars: Int! }`),
      resolvers: { Product: { reviews: (p: { id: string }) => (p.id === 'p1' ? p1Stars.map((stars) => ({ stars })) : []) } },
    },
  };
}

export interface ForeignSupergraph {
  /** Where each subgraph listens (the supergraph's own routing URLs lead nowhere). */
  urls: Record<Subgraph, string>;
  supergraphPath: string;
  /** A gateway's environment for this supergraph (its file, and the subgraphs' real URLs). */
  env: Record<string, string>;
  /** Operations the products subgraph received: proves what the gateway fetched. */
  received: string[];
  /** Serves a subgraph (again), on `port` or a free one. */
  serve(name: Subgraph, port?: number): Promise<string>;
  close(): Promise<void>;
}

/** Starts both subgraphs and writes their composed supergraph to a temporary file. */
export async function startForeignSupergraph(options: { p1Stars: number[] }): Promise<ForeignSupergraph> {
  const subgraphs = modules(options.p1Stars);
  const servers: ApolloServer[] = [];
  const received: string[] = [];
  const serve = async (name: Subgraph, port = 0) => {
    const server = new ApolloServer({
      schema: buildSubgraphSchema(subgraphs[name]),
      plugins: [
        ApolloServerPluginInlineTraceDisabled(),
        name === 'products' ? { async requestDidStart({ request }) { received.push(request.query ?? ''); } } : {},
      ],
    });
    servers.push(server);
    return (await startStandaloneServer(server, { listen: { port, host: '127.0.0.1' } })).url;
  };
  const urls = { products: await serve('products'), reviews: await serve('reviews') };
  const composed = composeServices([
    // Routing URLs that lead nowhere: the SUBGRAPH_<NAME>_URL overrides must win.
    { name: 'products', url: 'http://127.0.0.1:9/graphql', typeDefs: subgraphs.products.typeDefs },
    { name: 'reviews', url: 'http://127.0.0.1:9/graphql', typeDefs: subgraphs.reviews.typeDefs },
  ]);
  if (composed.errors) throw composed.errors[0];
  const supergraphPath = path.join(mkdtempSync(path.join(tmpdir(), 'atrium-sg-')), 'supergraph.graphql');
  writeFileSync(supergraphPath, composed.supergraphSdl);
  return {
    urls,
    supergraphPath,
    env: { SUPERGRAPH_PATH: supergraphPath, SUBGRAPH_PRODUCTS_URL: urls.products, SUBGRAPH_REVIEWS_URL: urls.reviews },
    received,
    serve,
    close: async () => {
      for (const s of servers) await s.stop();
    },
  };
}

/** Scrapes a gateway's `/metrics`; gives a series' value by its text, e.g. `name{a="b"}` (0 when absent). */
export async function scrape(gateway: Gateway): Promise<(series: string) => number> {
  const res = await fetch(`${gateway.url}/metrics`);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  return (series) => {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line ? Number(line.slice(series.length + 1)) : 0;
  };
}
