import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Fetcher } from '@apollo/utils.fetcher';
import { ErrorCode } from '@atrium/kit';
import { GraphQLError } from 'graphql';
import { isSubgraphFailure, type SubgraphCircuit } from './circuit-breaker';
import type { GatewayContext } from './context';
import type { SubgraphFetchMetrics } from './metrics';
import { signRequest, type Signer } from './fetch/sign';

/** Wait before the first retry of a failed query fetch (doubling after each). */
const RETRY_DELAY_MS = 25;

/**
 * How the gateway talks to one subgraph: forwards the caller's `authorization` header
 * (subgraphs verify the token again) and the request id (one id across every log line of
 * a request), fetches through `fetcher` (subgraph-fetcher.ts: pooled keep-alive
 * connections, bounded by the subgraph timeout), and turns a subgraph that cannot be reached
 * into a clear SUBGRAPH_UNAVAILABLE error instead of a raw network message. Counts and
 * times every fetch when given `metrics`. With a `circuit`, fetches go through it, so a
 * subgraph that keeps failing is not called at all until its circuit half-opens. A query
 * whose fetch failed (network, timeout, 5xx; not a 4xx or GraphQL errors) is tried again up
 * to `retries` times; a mutation never is.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    readonly name: string,
    url: string,
    fetcher: Fetcher,
    private readonly metrics?: SubgraphFetchMetrics,
    private readonly circuit?: SubgraphCircuit,
    /** Extra attempts for a query whose fetch failed (network, timeout, 5xx); mutations are never retried. */
    private readonly retries = 0,
    /** Signs each request (its exact body), so subgraphs that require it answer (fetch/sign.ts). */
    private readonly sign?: Signer,
  ) {
    super({ url, fetcher });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = request.http?.headers;
    if (!headers) return;
    // Every request, with a caller's context or not; each retry is signed afresh (set, not appended).
    if (this.sign) signRequest(request, this.sign);
    if (!context) return;
    if (context.authorization) headers.set('authorization', context.authorization);
    if (context.requestId) headers.set('x-request-id', context.requestId);
  }

  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>) {
    const attempt = () => (this.circuit ? this.circuit.run(() => this.fetch(options)) : this.fetch(options));
    // Only a query is safe to send twice: a mutation may have taken effect before its answer was lost.
    const idempotent = !/^\s*mutation\b/.test(options.request.query ?? '');
    for (let retry = 0; ; retry++) {
      try {
        return await attempt();
      } catch (err) {
        const open = err instanceof GraphQLError && err.extensions.circuit === 'open';
        if (!idempotent || open || retry >= this.retries || !isSubgraphFailure(err)) throw err;
        await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS * 2 ** retry));
      }
    }
  }

  private async fetch(options: GraphQLDataSourceProcessOptions<GatewayContext>) {
    const start = performance.now();
    try {
      const response = await super.process(options);
      this.metrics?.record(this.name, response.errors?.length ? 'error' : 'ok', (performance.now() - start) / 1000);
      return response;
    } catch (err) {
      this.metrics?.record(this.name, 'error', (performance.now() - start) / 1000);
      if (err instanceof GraphQLError && err.extensions.code) throw err;
      // The circuit breaker judges the original (network error, timeout or non-2xx answer).
      throw new GraphQLError(`Subgraph "${this.name}" is unavailable`, {
        extensions: { code: ErrorCode.SUBGRAPH_UNAVAILABLE, serviceName: this.name },
        originalError: err instanceof Error ? err : undefined,
      });
    }
  }
}
