import type { ApolloServerPlugin } from '@apollo/server';
import { createLogger, type HttpService, type Logger } from '@atrium/kit';
import { authentication } from './authenticate/authentication';
import type { GatewayConfig } from './config';
import type { GatewayContext } from './context';
import { entityCache } from './fetch/entity-cache-module';
import { rootCache } from './fetch/root-cache-module';
import { subgraphFetch } from './fetch/subgraph-fetch';
import { GatewayHost } from './host';
import { createHttpApp } from './http/app';
import { graphqlEndpoint } from './http/graphql-endpoint';
import { requestProtection } from './http/request-protection';
import { responseCache } from './http/response-cache-module';
import { createGatewayMetrics, type GatewayMetrics } from './ops/metrics';
import { operations } from './ops/endpoints';
import type { AuthorizingGateway } from './plan/authorizing-gateway';
import { supergraph } from './plan/supergraph';
import type { SubscriptionHub } from './subscriptions/hub';
import { subscriptions } from './subscriptions/subscriptions';

export interface GatewayOptions {
  /** Apollo Server plugins, after the gateway's own. */
  plugins?: ApolloServerPlugin<GatewayContext>[];
  log?: Logger;
}

export interface Gateway extends HttpService {
  gateway: AuthorizingGateway;
  /** Open subscriptions and their upstream streams. */
  hub: SubscriptionHub;
  /** Its Prometheus metrics, served at `/metrics`. */
  metrics: GatewayMetrics;
}

/**
 * Builds and starts Atrium's gateway: Apollo Server 5 over @apollo/gateway on the
 * supergraph at `SUPERGRAPH_PATH`, one module per feature (module.ts), started in the
 * order a request meets them — as far as each needs the ones before it: data sources exist
 * before the supergraph that uses them — then listening on PORT. `close()` closes them in
 * reverse; a module that fails to start, or a port that is taken, closes those already
 * started before the error is rethrown (host.ts).
 */
export async function createGateway(config: GatewayConfig, options: GatewayOptions = {}): Promise<Gateway> {
  const log = options.log ?? createLogger({ name: 'gateway', level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  const host = new GatewayHost({ config, log, metrics: createGatewayMetrics(), ...createHttpApp(config) });
  return host.serve(async (use) => {
    const protection = await use(requestProtection());
    const auth = await use(authentication());
    const { cache, invalidation } = await use(entityCache());
    const { responses } = await use(responseCache(invalidation));
    const { roots } = await use(rootCache(invalidation));
    const subgraphs = await use(subgraphFetch(cache, roots));
    const { gateway } = await use(supergraph(subgraphs));
    cache?.follow(gateway);
    roots?.follow(gateway);
    responses?.follow(gateway);
    const endpoint = await use(graphqlEndpoint(gateway, protection, options.plugins));
    const { hub } = await use(subscriptions({ endpoint, gateway, authentication: auth, validationRules: protection.validationRules, trustedDocuments: protection.trustedDocuments, sign: subgraphs.sign }));
    await use(operations(subgraphs, protection));
    return { gateway, hub, metrics: host.metrics };
  });
}
