import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Fetcher } from '@apollo/utils.fetcher';
import { ErrorCode } from '@atrium/kit';
import { GraphQLError } from 'graphql';
import type { SubgraphCircuit } from './circuit-breaker';
import type { GatewayContext } from './context';
import type { SubgraphFetchMetrics } from './metrics';

/**
 * How the gateway talks to one subgraph: forwards the caller's `authorization` header
 * (subgraphs verify the token again) and the request id (one id across every log line of
 * a request), fetches through `fetcher` (subgraph-fetcher.ts: pooled keep-alive
 * connections, bounded by the subgraph timeout), and turns a subgraph that cannot be reached
 * into a clear SUBGRAPH_UNAVAILABLE error instead of a raw network message. Counts and
 * times every fetch when given `metrics`. With a `circuit`, fetches go through it, so a
 * subgraph that keeps failing is not called at all until its circuit half-opens.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    readonly name: string,
    url: string,
    fetcher: Fetcher,
    private readonly metrics?: SubgraphFetchMetrics,
    private readonly circuit?: SubgraphCircuit,
  ) {
    super({ url, fetcher });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = request.http?.headers;
    if (!headers || !context) return;
    if (context.authorization) headers.set('authorization', context.authorization);
    if (context.requestId) headers.set('x-request-id', context.requestId);
  }

  override process(options: GraphQLDataSourceProcessOptions<GatewayContext>) {
    return this.circuit ? this.circuit.run(() => this.fetch(options)) : this.fetch(options);
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
