import { createMetrics, metricsOn, type Metrics } from '@atrium/kit';

/** How one subgraph fetch went, recorded by {@link SubgraphDataSource}. */
export interface SubgraphFetchMetrics {
  /** `ok`: a response without errors; `error`: unreachable, timed out, non-2xx, or GraphQL errors. */
  record(subgraph: string, status: 'ok' | 'error', seconds: number): void;
  /** A fetch answered by an identical one already in flight (SUBGRAPH_DEDUP), no request of its own. */
  deduplicated(subgraph: string): void;
}

/** What the subscription hub counts (subscriptions/hub.ts). */
export interface SubscriptionMetrics {
  /** +1 / -1 as client subscriptions open and close, over one transport. */
  open(delta: number, transport: 'websocket' | 'multipart' | 'sse'): void;
  upstreamStarted(subgraph: string): void;
  eventReceived(subgraph: string): void;
  /** `n` results queued for delivery (one event fanned out to n subscribers). */
  delivered(n: number): void;
  /** A result not delivered because its subscriber's queue was full (the subscriber is dropped). */
  dropped(): void;
}

/** What the entity cache counts (fetch/entity-cache.ts); `type` is an entity type of the supergraph (a bounded set). */
export interface EntityCacheMetrics {
  /** An entity answered from the cache: `tier` memory (this process) or redis (shared). */
  hit(type: string, tier: 'memory' | 'redis'): void;
  /** A cacheable entity the cache did not have: fetched from its subgraph. */
  miss(type: string): void;
  /** An entity forgotten after a domain event: `tier` redis (the shared entries, once per event) or memory (this process). */
  invalidated(type: string, tier: 'memory' | 'redis'): void;
  /** Bytes of entity answers written to a tier. */
  written(tier: 'memory' | 'redis', bytes: number): void;
  /** Sets the bytes the memory tier holds now. */
  memoryBytes(bytes: number): void;
  /** A cache operation that failed (Redis unreachable): the fetch went on uncached. */
  failed(operation: 'read' | 'write' | 'invalidate'): void;
}

/** What the response cache counts (http/response-cache.ts); `type` is an entity type named by an event (a bounded set). */
export interface ResponseCacheMetrics {
  /** A whole response served from the cache: `tier` memory (this process) or redis (shared). */
  hit(tier: 'memory' | 'redis'): void;
  /** A cacheable operation the cache did not have: executed. */
  miss(): void;
  /** An entity's responses invalidated after a domain event: `tier` redis (the shared entries, once per event) or memory (this process). */
  invalidated(type: string, tier: 'memory' | 'redis'): void;
  /** Bytes of responses written to a tier. */
  written(tier: 'memory' | 'redis', bytes: number): void;
  /** Sets the bytes the memory tier holds now. */
  memoryBytes(bytes: number): void;
  /** A cache operation that failed (Redis unreachable): the request went on uncached. */
  failed(operation: 'read' | 'write' | 'invalidate'): void;
}

/**
 * What the root cache counts (fetch/root-cache.ts): its own families, so that the response
 * cache's and the entity cache's counters keep meaning what they meant; `subgraph` is a
 * subgraph of the supergraph and `type` an entity type named by an event (bounded sets).
 */
export interface RootCacheMetrics extends Omit<ResponseCacheMetrics, 'hit' | 'miss'> {
  /** A root fetch answered from the cache: `tier` memory (this process) or redis (shared). */
  hit(subgraph: string, tier: 'memory' | 'redis'): void;
  /** A cacheable root fetch the cache did not have: sent to its subgraph. */
  miss(subgraph: string): void;
}

export interface GatewayMetrics extends Metrics {
  subgraphs: SubgraphFetchMetrics;
  cache: EntityCacheMetrics;
  responseCache: ResponseCacheMetrics;
  rootCache: RootCacheMetrics;
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
  const { counter, gauge, histogram } = metricsOn(metrics.registry);
  const requests = counter('atrium_subgraph_requests_total', 'Requests from the gateway to each subgraph, by status (error: unreachable, timed out, non-2xx, or GraphQL errors).', ['subgraph', 'status']);
  const deduplicated = counter('atrium_subgraph_fetches_deduplicated_total', 'Subgraph query fetches answered by an identical one already in flight (same body and Authorization), without a request of their own (SUBGRAPH_DEDUP).', ['subgraph']);
  const duration = histogram('atrium_subgraph_request_duration_seconds', "Duration of the gateway's requests to each subgraph.", ['subgraph']);
  const open = gauge('atrium_subscriptions_open', 'GraphQL subscriptions open on this gateway (client side).');
  const openBy = gauge('atrium_subscriptions_open_by_transport', 'GraphQL subscriptions open on this gateway, by transport (websocket: graphql-ws; multipart: Apollo multipart HTTP; sse: GraphQL over SSE).', ['transport']);
  const opened = counter('atrium_subscriptions_opened_total', 'GraphQL subscriptions opened on this gateway, by transport.', ['transport']);
  const upstreams = counter('atrium_subscription_upstreams_total', 'Upstream subscriptions opened to each subgraph (identical client subscriptions share one).', ['subgraph']);
  const received = counter('atrium_subscription_events_received_total', 'Subscription events received from each subgraph.', ['subgraph']);
  const delivered = counter('atrium_subscription_events_delivered_total', 'Subscription results queued for delivery to clients.');
  const dropped = counter('atrium_subscription_events_dropped_total', 'Subscription results dropped because a client fell too far behind (the client is disconnected).');
  const plans = counter('atrium_query_plans_built_total', 'Query plans computed (plan-cache misses); flat under steady traffic, since each operation shape is planned once.');
  const circuits = gauge('atrium_subgraph_circuit_open', 'Whether the circuit breaker of each subgraph is open (1: fetches fail fast, or only a trial one goes through) or closed (0).', ['subgraph']);
  const cacheHits = counter('atrium_cache_hits_total', 'Entities of _entities fetches answered from the entity cache, by entity type and tier (memory: this process; redis: shared by every replica).', ['type', 'tier']);
  const cacheMisses = counter('atrium_cache_misses_total', 'Cacheable entities the entity cache did not have (fetched from their subgraph), by entity type.', ['type']);
  const cacheInvalidations = counter('atrium_cache_invalidations_total', 'Entities forgotten by the entity cache after a domain event, by entity type and tier (redis: shared entries deleted once per event; memory: this process).', ['type', 'tier']);
  const cacheWritten = counter('atrium_cache_written_bytes_total', 'Bytes of entity answers written to the entity cache, by tier.', ['tier']);
  const cacheBytes = gauge('atrium_cache_memory_bytes', "Bytes of entity answers held by this process's memory tier of the entity cache.");
  const cacheFailures = counter('atrium_cache_failures_total', 'Entity-cache operations that failed (Redis unreachable); the gateway went on uncached.', ['operation']);
  const responseHits = counter('atrium_response_cache_hits_total', 'Whole responses served from the response cache, by tier (memory: this process; redis: shared by every replica).', ['tier']);
  const responseMisses = counter('atrium_response_cache_misses_total', 'Cacheable operations (anonymous, every field PUBLIC) the response cache did not have: executed.');
  const responseInvalidations = counter('atrium_response_cache_invalidations_total', "Entities whose cached responses were invalidated after a domain event, by entity type and tier (redis: shared entries, once per event; memory: this process).", ['type', 'tier']);
  const responseWritten = counter('atrium_response_cache_written_bytes_total', 'Bytes of responses written to the response cache, by tier.', ['tier']);
  const responseBytes = gauge('atrium_response_cache_memory_bytes', "Bytes of responses held by this process's memory tier of the response cache.");
  const responseFailures = counter('atrium_response_cache_failures_total', 'Response-cache operations that failed (Redis unreachable); the gateway went on uncached.', ['operation']);
  const rootHits = counter('atrium_root_cache_hits_total', "Root query fetches (not _entities) answered from the fetch stage's root cache, by subgraph and tier (memory: this process; redis: shared by every replica).", ['subgraph', 'tier']);
  const rootMisses = counter('atrium_root_cache_misses_total', 'Cacheable root query fetches the root cache did not have: sent to their subgraph, by subgraph.', ['subgraph']);
  const rootInvalidations = counter('atrium_root_cache_invalidations_total', "Entities whose cached root answers this process forgot after a domain event, by entity type (tier memory; the shared tag marks are counted by atrium_response_cache_invalidations_total{tier=\"redis\"}).", ['type', 'tier']);
  const rootWritten = counter('atrium_root_cache_written_bytes_total', 'Bytes of root answers written to the root cache, by tier.', ['tier']);
  const rootBytes = gauge('atrium_root_cache_memory_bytes', "Bytes of root answers held by this process's memory tier of the root cache.");
  const rootFailures = counter('atrium_root_cache_failures_total', 'Root-cache operations that failed (Redis unreachable); the fetch went on uncached.', ['operation']);
  return {
    ...metrics,
    rootCache: {
      hit: (subgraph, tier) => rootHits.inc({ subgraph, tier }),
      miss: (subgraph) => rootMisses.inc({ subgraph }),
      invalidated: (type, tier) => rootInvalidations.inc({ type, tier }),
      written: (tier, bytes) => rootWritten.inc({ tier }, bytes),
      memoryBytes: (bytes) => rootBytes.set(bytes),
      failed: (operation) => rootFailures.inc({ operation }),
    },
    responseCache: {
      hit: (tier) => responseHits.inc({ tier }),
      miss: () => responseMisses.inc(),
      invalidated: (type, tier) => responseInvalidations.inc({ type, tier }),
      written: (tier, bytes) => responseWritten.inc({ tier }, bytes),
      memoryBytes: (bytes) => responseBytes.set(bytes),
      failed: (operation) => responseFailures.inc({ operation }),
    },
    cache: {
      hit: (type, tier) => cacheHits.inc({ type, tier }),
      miss: (type) => cacheMisses.inc({ type }),
      invalidated: (type, tier) => cacheInvalidations.inc({ type, tier }),
      written: (tier, bytes) => cacheWritten.inc({ tier }, bytes),
      memoryBytes: (bytes) => cacheBytes.set(bytes),
      failed: (operation) => cacheFailures.inc({ operation }),
    },
    circuitOpen: (subgraph, isOpen) => circuits.set({ subgraph }, isOpen ? 1 : 0),
    planBuilt: () => plans.inc(),
    subscriptions: {
      open: (delta, transport) => {
        open.inc(delta);
        openBy.inc({ transport }, delta);
        if (delta > 0) opened.inc({ transport }, delta);
      },
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
      deduplicated: (subgraph) => deduplicated.inc({ subgraph }),
    },
  };
}
