// The registry of Atrium's subgraphs: how the tools and tests that run them in-process —
// composition (scripts/compose.ts), the e2e supergraph (test/support/supergraph.ts) — reach
// each one's code. supergraph.yaml lists the same names (a test checks it); the tools that
// run subgraphs as processes (the dev runner, the bench, the fault tier) read supergraph.yaml
// and run `dist/subgraphs/<name>/src/main.js`, without loading any subgraph's code.
import { loadConfig } from '@atrium/kit';
import type { Subgraph, SubgraphOptions } from '@atrium/kit/subgraph';
import type { GraphQLSchema } from 'graphql';
import { bookingEnv } from './booking/src/config';
import { buildSchema as bookingSchema } from './booking/src/schema';
import { createServer as createBooking } from './booking/src/server';
import { catalogEnv } from './catalog/src/config';
import { buildSchema as catalogSchema } from './catalog/src/schema';
import { createServer as createCatalog } from './catalog/src/server';
import { loadHealthConfig } from './health/src/config';
import { buildSchema as healthSchema } from './health/src/schema';
import { createServer as createHealth } from './health/src/server';
import { identityEnv } from './identity/src/config';
import { buildSchema as identitySchema } from './identity/src/schema';
import { createServer as createIdentity } from './identity/src/server';
import { notificationEnv } from './notification/src/config';
import { buildSchema as notificationSchema } from './notification/src/schema';
import { createServer as createNotification } from './notification/src/server';
import { paymentEnv } from './payment/src/config';
import { buildSchema as paymentSchema } from './payment/src/schema';
import { createServer as createPayment } from './payment/src/server';
import { reportingEnv } from './reporting/src/config';
import { buildSchema as reportingSchema } from './reporting/src/schema';
import { createServer as createReporting } from './reporting/src/server';

/** An environment, as `process.env` holds it. */
export type Env = Record<string, string | undefined>;

/** What the tools and tests need of one subgraph. */
export interface SubgraphModule<Config, Server extends Subgraph> {
  /** Its federated schema, built from its code alone (no server, no database): what compose prints. */
  buildSchema(): Promise<GraphQLSchema>;
  /** Parses its environment, defaults applied (throws a ConfigError naming every bad variable). */
  loadConfig(env: Env): Config;
  /** Starts it, as its `main.ts` does. */
  createServer(config: Config, extra?: Pick<SubgraphOptions, 'plugins' | 'log'>): Promise<Server>;
}

const subgraph = <Config, Server extends Subgraph>(module: SubgraphModule<Config, Server>) => module;

/** Every subgraph, by its name in supergraph.yaml (in the same order). */
export const SUBGRAPHS = {
  identity: subgraph({ buildSchema: identitySchema, loadConfig: (env) => loadConfig(identityEnv, env), createServer: createIdentity }),
  catalog: subgraph({ buildSchema: catalogSchema, loadConfig: (env) => loadConfig(catalogEnv, env), createServer: createCatalog }),
  booking: subgraph({ buildSchema: bookingSchema, loadConfig: (env) => loadConfig(bookingEnv, env), createServer: createBooking }),
  payment: subgraph({ buildSchema: paymentSchema, loadConfig: (env) => loadConfig(paymentEnv, env), createServer: createPayment }),
  notification: subgraph({ buildSchema: notificationSchema, loadConfig: (env) => loadConfig(notificationEnv, env), createServer: createNotification }),
  reporting: subgraph({ buildSchema: reportingSchema, loadConfig: (env) => loadConfig(reportingEnv, env), createServer: createReporting }),
  health: subgraph({ buildSchema: healthSchema, loadConfig: loadHealthConfig, createServer: createHealth }),
};

export type SubgraphName = keyof typeof SUBGRAPHS;

/** The server `createServer` of subgraph `N` resolves to (`IdentityServer` for identity…). */
export type ServerOf<N extends SubgraphName> = Awaited<ReturnType<(typeof SUBGRAPHS)[N]['createServer']>>;

export const isSubgraphName = (name: string): name is SubgraphName => Object.hasOwn(SUBGRAPHS, name);

/** Starts subgraph `name` in-process on the environment `env` (tests use port 0). */
export function startSubgraph<N extends SubgraphName>(name: N, env: Env, extra?: Pick<SubgraphOptions, 'plugins' | 'observe' | 'log'>): Promise<ServerOf<N>> {
  const module = SUBGRAPHS[name] as SubgraphModule<unknown, Subgraph>;
  return module.createServer(module.loadConfig(env), extra) as Promise<ServerOf<N>>;
}
