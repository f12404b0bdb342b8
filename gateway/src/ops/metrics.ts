import { Counter, createMetrics, Gauge, Histogram, type Metrics } from '@atrium/kit';

/** How one subgraph fetch went, recorded by {@link SubgraphDataSource}. */
export interface SubgraphFetchMetrics {
  /** `ok`: a response without errors; `error`: unreachable, timed out, non-2xx, or GraphQL errors. */
  record(subgraph: string, status: 'ok' | 'error', seconds: number): void;
}

/** What the subscription hub counts (subscriptions/hub.ts). */
export interface SubscriptionMetrics {
  /** +1 / -1 as client subscriptions open and close. */
  open(delta: number): void;
  upstreamStarted(subgraph: string): void;
  eventReceived(subgraph: string): void;
  /** `n` results queued for delivery (one event fanned out to n subscribers). */
  delivered(n: number): void;
  /** A result not delivered because its subscriber's queue was full (the subscriber is dropped). */
  dropped(): void;
}

export interface GatewayMetrics extends Metrics {
  subgraphs: SubgraphFetchMetrics;
  subscriptions: SubscriptionMetrics;
  /** Sets `atrium_subgraph_circuit_open{subgraph}` (1 while the circuit is open or half-open). */
  circuitOpen(subgraph: string, open: boolean): void;
  /** Counts a query plan computed (a plan-cache miss). */
  planBuilt(): void;
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
  const open = new Gauge({
    name: 'atrium_subscriptions_open',
    help: 'GraphQL subscriptions open on this gateway (client side).',
    registers,
  });
  const upstreams = new Counter({
    name: 'atrium_subscription_upstreams_total',
    help: 'Upstream subscriptions opened to each subgraph (identical client subscriptions share one).',
    labelNames: ['subgraph'] as const,
    registers,
  });
  const received = new Counter({
    name: 'atrium_subscription_events_received_total',
    help: 'Subscription events received from each subgraph.',
    labelNames: ['subgraph'] as const,
    registers,
  });
  const delivered = new Counter({
    name: 'atrium_subscription_events_delivered_total',
    help: 'Subscription results queued for delivery to clients.',
    registers,
  });
  const dropped = new Counter({
    name: 'atrium_subscription_events_dropped_total',
    help: 'Subscription results dropped because a client fell too far behind (the client is disconnected).',
    registers,
  });
  const plans = new Counter({
    name: 'atrium_query_plans_built_total',
    help: 'Query plans computed (plan-cache misses); flat under steady traffic, since each operation shape is planned once.',
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
    circuitOpen: (subgraph, isOpen) => circuits.set({ subgraph }, isOpen ? 1 : 0),
    planBuilt: () => plans.inc(),
    subscriptions: {
      open: (delta) => open.inc(delta),
      upstreamStarted: (subgraph) => upstreams.inc({ subgraph }),
      eventReceived: (subgraph) => received.inc({ subgraph }),
      delivered: (n) => delivered.inc(n),
      dropped: () => dropped.inc(),
    },
    subgraphs: {
      // Subgraph names come from the supergraph: a bounded set.
      record(subgraph, status, seconds) {
        requests.inc({ subgraph, status });
        duration.observe({ subgraph }, seconds);
      },
    },
  };
}
