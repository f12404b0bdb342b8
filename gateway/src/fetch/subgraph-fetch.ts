import type { GatewayModule } from '../module';
import { createCircuitBreakers, type CircuitState } from './circuit-breaker';
import { SubgraphDataSource } from './data-source';
import type { EntityCache } from './entity-cache';
import { createSubgraphFetcher } from './pooled-fetcher';
import type { RootFetchCache } from './root-cache';
import { createSigner, type Signer } from './sign';

export interface SubgraphFetch {
  /**
   * @apollo/gateway's `buildService`: the data source of one subgraph, at its routing URL
   * unless `SUBGRAPH_<NAME>_URL` overrides it.
   */
  dataSource(service: { name: string; url?: string }): SubgraphDataSource;
  /** The URL of each subgraph a data source was built for, for `/status`. */
  readonly urls: ReadonlyMap<string, string>;
  /** Each subgraph's circuit, for `/status`. */
  circuits(): Record<string, CircuitState>;
  /** Signs requests and WebSocket handshakes to subgraphs; undefined when signing is off. */
  readonly sign: Signer | undefined;
}

/**
 * How the gateway reaches subgraphs: one data source per subgraph (data-source.ts: headers,
 * retries of queries, a subgraph's refusal as the caller's error) over pooled keep-alive
 * connections (pooled-fetcher.ts, bounded by SUBGRAPH_TIMEOUT_MS), behind a circuit breaker
 * per subgraph (circuit-breaker.ts), every request signed (sign.ts), identical queries in
 * flight shared (dedup.ts, SUBGRAPH_DEDUP), `_entities` answered from the entity cache when
 * one is given (entity-cache.ts, CACHE), other root query fetches from the root cache when
 * one is given (root-cache.ts, ROOT_CACHE).
 */
export function subgraphFetch(cache?: EntityCache, roots?: RootFetchCache): GatewayModule<SubgraphFetch> {
  return {
    name: 'subgraph fetch',
    async start({ config, log, metrics }) {
      // Checked before anything here is opened: in production the gateway needs its signing secret
      // (or an explicit SUBGRAPH_SIGNATURE=off); subgraphs that require signatures answer only requests signed with it.
      const sign = createSigner(config);
      const circuits = createCircuitBreakers(
        {
          resetMs: config.CIRCUIT_RESET_MS,
          errorPercentage: config.CIRCUIT_ERROR_PERCENTAGE,
          volumeThreshold: config.CIRCUIT_VOLUME_THRESHOLD,
          windowMs: config.CIRCUIT_WINDOW_MS,
        },
        (subgraph, state) => metrics.circuitOpen(subgraph, state !== 'closed'),
        log,
      );
      const fetcher = createSubgraphFetcher({ timeoutMs: config.SUBGRAPH_TIMEOUT_MS });
      const urls = new Map<string, string>();
      return {
        sign,
        urls,
        circuits: () => circuits.states(),
        dataSource({ name, url }) {
          const target = config.subgraphUrls[name.toLowerCase()] ?? url;
          if (!target) throw new Error(`subgraph "${name}" has no routing URL: set SUBGRAPH_${name.toUpperCase()}_URL`);
          urls.set(name, target);
          return new SubgraphDataSource(name, target, fetcher, metrics.subgraphs, circuits.for(name), config.SUBGRAPH_RETRIES, sign, config.SUBGRAPH_DEDUP === 'on', cache, roots);
        },
        async close() {
          circuits.shutdown();
          await fetcher.close();
        },
      };
    },
  };
}
