import { policies } from '@atrium/kit';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SubgraphFetch } from '../fetch/subgraph-fetch';
import type { GatewayModule } from '../module';
import { AuthorizingGateway } from './authorizing-gateway';
import { watchSupergraph } from './supergraph-watch';

export interface Supergraph {
  gateway: AuthorizingGateway;
}

/**
 * The supergraph at SUPERGRAPH_PATH (any valid supergraph file, not only Atrium's), followed
 * when it changes with SUPERGRAPH_WATCH=on (supergraph-watch.ts), behind the authorizing
 * gateway that plans operations over it. Its subgraphs are reached through `fetch`'s data
 * sources. The GraphQL endpoint loads it as it starts; the gateway is ready once it has.
 */
export function supergraph(fetch: Pick<SubgraphFetch, 'dataSource'>): GatewayModule<Supergraph> {
  return {
    name: 'supergraph',
    async start({ config, log, metrics }) {
      const file = path.resolve(config.SUPERGRAPH_PATH);
      let sdl: string;
      try {
        sdl = readFileSync(file, 'utf8');
      } catch {
        throw new Error(`SUPERGRAPH_PATH: cannot read ${file} (run \`npm run compose\`, or point it at a supergraph file)`);
      }
      // Read by @apollo/gateway's constructor, from the environment only (config.ts says why it defaults to off).
      process.env.APOLLO_TELEMETRY_DISABLED = config.APOLLO_TELEMETRY_DISABLED;
      const gateway = new AuthorizingGateway(
        {
          supergraphSdl: config.SUPERGRAPH_WATCH === 'on' ? watchSupergraph(file, sdl, log) : sdl,
          buildService: (service) => fetch.dataSource(service),
          validateSupergraph: config.NODE_ENV !== 'production',
          logger: log,
          // Plans with Defer nodes for @defer: Atrium's executor runs them (execute/incremental.ts), @apollo/gateway's refuses them.
          queryPlannerConfig: config.EXECUTOR === 'atrium' ? { incrementalDelivery: { enableDefer: true } } : undefined,
        },
        policies,
        () => metrics.planBuilt(),
        config.EXECUTOR,
      );
      return {
        gateway,
        ready: () => gateway.schema !== undefined,
        // Apollo Server stops its gateway as it stops (a no-op then); this stops one whose
        // endpoint failed to start after loading it (its supergraph watch, say).
        close: () => gateway.stop(),
      };
    },
  };
}
