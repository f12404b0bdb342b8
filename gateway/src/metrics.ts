import { Counter, createMetrics, Gauge, Histogram, type Metrics } from '@atrium/kit';

/** How one subgraph fetch went, recorded by {@link SubgraphDataSource}. */
export interface SubgraphFetchMetrics {
  /** `ok`: a response without errors; `error`: unreachable, timed out, non-2xx, or GraphQL errors. */
  record(subgraph: string, status: 'ok' | 'error', seconds: number): void;
}

export interface GatewayMetrics extends Metrics {
  subgraphs: SubgraphFetchMetrics;
  /** Sets `atrium_subgraph_circuit_open{subgraph}` (1 while the circuit is open or half-open). */
  circuitOpen(subgraph: string, open: boolean): void;
}

/**
 * The gateway's Prometheus metrics: the request metrics every Atrium service has
 * (`service="gateway"`), plus fetches per subgraph and open subscriptions.
 */
export function createGatewayMetrics(): GatewayMetrics {
  const metrics = createMetrics('gateway');
  const registers = [metrics.registry];
  const requests = new Counter({
    name: 'atrium_subgraph_requests_total',
    help: 'Requests from the gateway to each subgraph, by status (error: unreachable, timed out, non-2xx, or GraphQL errors).',
    labelNames: ['subgraph', 'status'] as const,
    registers,
  });
  const duration = new Histogram({
    name: 'atrium_subgraph_request_duration_seconds',
    help: 'Duration of the gateway\'s requests to each subgraph.',
    labelNames: ['subgraph'] as const,
    registers,
  });
  new Gauge({
    name: 'atrium_subscriptions_open',
    help: 'GraphQL subscriptions open on this gateway (always 0 for now: the gateway does not serve subscriptions yet).',
    registers,
  });
  const circuits = new Gauge({
    name: 'atrium_subgraph_circuit_open',
    help: 'Whether the circuit breaker of each subgraph is open (1: fetches fail fast, or only a trial one goes through) or closed (0).',
    labelNames: ['subgraph'] as const,
    registers,
  });
  return {
    ...metrics,
    circuitOpen: (subgraph, open) => circuits.set({ subgraph }, open ? 1 : 0),
    subgraphs: {
      // Subgraph names come from the supergraph: a bounded set.
      record(subgraph, status, seconds) {
        requests.inc({ subgraph, status });
        duration.observe({ subgraph }, seconds);
      },
    },
  };
}
