import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { Fetcher } from '@apollo/utils.fetcher';
import { inSpan, injectTraceHeaders, SpanKind, tracingOn } from '@atrium/kit';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { isSubgraphFailure, type SubgraphCircuit } from './circuit-breaker';
import type { GatewayContext } from '../context';
import { ErrorCode } from '../errors';
import type { SubgraphFetchMetrics } from '../ops/metrics';
import { dedupKey, InFlight, isQuery } from './dedup';
import type { EntityCache } from './entity-cache';
import { placeErrors } from './place-errors';
import type { RootFetchCache } from './root-cache';
import { sentBody, signRequest, type Signer } from './sign';

/** Wait before the first retry of a failed query fetch (doubling after each). */
const RETRY_DELAY_MS = 25;

/**
 * How the gateway talks to one subgraph: forwards the caller's `authorization` header
 * (subgraphs verify the token again) and the request id (one id across every log line of
 * a request), fetches through `fetcher` (pooled-fetcher.ts: pooled keep-alive
 * connections, bounded by the subgraph timeout), and turns a subgraph that cannot be reached
 * into a clear SUBGRAPH_UNAVAILABLE error instead of a raw network message. Counts and
 * times every fetch when given `metrics`. With a `circuit`, fetches go through it, so a
 * subgraph that keeps failing is not called at all until its circuit half-opens. A query
 * whose fetch failed (network, timeout, 5xx; not a 4xx or GraphQL errors) is tried again up
 * to `retries` times; a mutation never is.
 *
 * A subgraph that refuses a request as invalid (a 400 with GraphQL errors: a value its
 * scalars refused, say) is not down: its errors reach the caller as theirs, BAD_USER_INPUT,
 * and the refusal is neither retried nor counted by the circuit.
 * Whatever a fetch ends with, errors of the whole fetch are placed at the fields it would
 * have provided (place-errors.ts), so only what the schema forces is nulled around them.
 *
 * With `cache` (CACHE), `_entities` fetches are answered per entity from the entity cache
 * (entity-cache.ts); with `roots` (ROOT_CACHE), other fetches of a query whole from the root
 * cache, per caller (root-cache.ts). Both come before everything below.
 *
 * With `dedup` (SUBGRAPH_DEDUP), a client's query identical to one in flight — same body,
 * same forwarded `authorization` — waits for that one's answer and gets a copy of it
 * (dedup.ts). What is shared is the whole fetch below: its retries, its passage through the
 * circuit, its signature, its failure; so one underlying request is retried, counted and
 * signed once, and each sharer gets what it would have got alone. The request carries the
 * sender's `x-request-id`: the subgraph logs one request, under the first caller's id.
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
    /** Share identical client queries in flight (SUBGRAPH_DEDUP). */
    dedup = false,
    /** Answers `_entities` fetches per entity from the entity cache, sending only what it lacks (CACHE). */
    private readonly cache?: EntityCache,
    /** Answers root query fetches (not `_entities`) whose hints allow it, per caller (CACHE, ROOT_CACHE). */
    private readonly roots?: RootFetchCache,
  ) {
    super({ url, fetcher });
    this.inFlight = dedup ? new InFlight(copyResponse, () => this.metrics?.deduplicated(this.name)) : undefined;
  }

  private readonly inFlight: InFlight<GatewayGraphQLResponse> | undefined;

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = request.http?.headers;
    if (!headers) return;
    // Every request, with a caller's context or not; each retry is signed afresh (set, not appended).
    if (this.sign) signRequest(request, this.sign);
    // Tracing: the fetch span's `traceparent`, which the subgraph continues (headers are not signed: the body is).
    if (tracingOn()) injectTraceHeaders(headers);
    if (!context) return;
    if (context.authorization) headers.set('authorization', context.authorization);
    if (context.requestId) headers.set('x-request-id', context.requestId);
  }

  override process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    // The caches sit before everything else: what they lack is fetched as below (traced, shared in flight, retried).
    if (!forClient(options)) return this.uncached(options);
    const send = (sent: GraphQLDataSourceProcessOptions<GatewayContext>) => this.uncached(sent);
    // Representations: an `_entities` fetch, answered per entity; anything else of a query, whole, per caller.
    if (options.request.variables?.representations !== undefined) return this.cache ? this.cache.fetch(this.name, options, send) : send(options);
    return this.roots ? this.roots.fetch(this.name, options, send) : send(options);
  }

  private uncached(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    if (tracingOn() && forClient(options)) return this.traced(options);
    return this.deduplicated(options);
  }

  /**
   * Tracing: a client's fetch as a CLIENT span `fetch <subgraph>` (its name, the circuit's state
   * when it began, whether it sent its own request or shared one in flight, how many attempts it
   * made), the parent of the subgraph's server span.
   */
  private traced(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const attributes = { 'atrium.subgraph.name': this.name, 'atrium.fetch.circuit': this.circuit?.state ?? 'none', 'url.full': this.url ?? '' };
    return inSpan(`fetch ${this.name}`, { kind: SpanKind.CLIENT, attributes }, async (span) => {
      const fetch: FetchTrace = { sent: false, attempts: 0 };
      const response = await this.deduplicated(options, fetch);
      span.setAttributes({ 'atrium.fetch.dedup': fetch.sent ? 'sent' : 'shared', 'atrium.fetch.attempts': fetch.attempts, 'atrium.fetch.errors': response.errors?.length ?? 0 });
      return response;
    });
  }

  private deduplicated(options: GraphQLDataSourceProcessOptions<GatewayContext>, fetch?: FetchTrace): Promise<GatewayGraphQLResponse> {
    // Only a client's query: a health check or a schema load is a probe of its own, a mutation never shared.
    if (!this.inFlight || !forClient(options) || !isQuery(options.request.query)) return this.send(options, fetch);
    // The identity and body the subgraph would see: willSendRequest forwards `authorization` when set, the body is final.
    const key = dedupKey(options.context?.authorization || undefined, sentBody(options.request));
    return this.inFlight.run(key, () => this.send(options, fetch));
  }

  /** One fetch, retries included, with its failure answered as the client's error. */
  private async send(options: GraphQLDataSourceProcessOptions<GatewayContext>, fetch?: FetchTrace): Promise<GatewayGraphQLResponse> {
    if (fetch) fetch.sent = true;
    const attempt = () => {
      if (fetch) fetch.attempts++;
      return this.circuit ? this.circuit.run(() => this.fetch(options)) : this.fetch(options);
    };
    // Only a query is safe to send twice: a mutation may have taken effect before its answer was lost.
    const idempotent = !/^\s*mutation\b/.test(options.request.query ?? '');
    for (let retry = 0; ; retry++) {
      try {
        return await attempt();
      } catch (err) {
        const open = err instanceof GraphQLError && err.extensions.circuit === 'open';
        if (idempotent && !open && retry < this.retries && isSubgraphFailure(err)) {
          await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS * 2 ** retry));
          continue;
        }
        if (!forClient(options)) throw err;
        // Answered rather than thrown: @apollo/gateway files a thrown error under no path at
        // all, and its missing data then nulls whatever non-null parent it has.
        const { response: _response, http: _http, ...extensions } = err instanceof GraphQLError ? err.extensions : {};
        const failure: GraphQLFormattedError = {
          message: err instanceof GraphQLError ? err.message : `Subgraph "${this.name}" is unavailable`,
          extensions: { code: ErrorCode.SUBGRAPH_UNAVAILABLE, ...extensions },
        };
        return { errors: this.place(options, [failure]) };
      }
    }
  }

  private place(options: GraphQLDataSourceProcessOptions<GatewayContext>, errors: GraphQLFormattedError[]): GraphQLFormattedError[] {
    return placeErrors(options.request.query ?? '', options.request.variables, errors);
  }

  private async fetch(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const start = performance.now();
    try {
      const response = await super.process(options);
      this.metrics?.record(this.name, response.errors?.length ? 'error' : 'ok', (performance.now() - start) / 1000);
      return response;
    } catch (err) {
      this.metrics?.record(this.name, 'error', (performance.now() - start) / 1000);
      const refused = refusal(err);
      // Returned, not thrown: the circuit breaker sees a subgraph that answered, and nothing retries it.
      if (refused) return { errors: forClient(options) ? this.place(options, refused) : refused };
      if (err instanceof GraphQLError && err.extensions.code && !err.extensions.response) throw err;
      // The circuit breaker judges the original (network error, timeout or non-2xx answer).
      throw new GraphQLError(`Subgraph "${this.name}" is unavailable`, {
        extensions: { code: ErrorCode.SUBGRAPH_UNAVAILABLE, serviceName: this.name },
        originalError: err instanceof Error ? err : undefined,
      });
    }
  }
}

/** What a traced fetch reports on its span: whether it sent its own request (or shared one in flight), and its attempts. */
interface FetchTrace {
  sent: boolean;
  attempts: number;
}

/**
 * A sharer's own answer: its data copied (the executor merges into it), its errors and
 * extensions copied through JSON (rare; errors keep their `extensions`), the raw HTTP
 * response (read-only, and not cloneable) shared. The data is copied by a walk over its
 * plain JSON tree: several times faster than a JSON round trip or `structuredClone` on 20
 * users (bench/results/2026-12-04-profiles.txt, section 5), and the copy was 4 % of the
 * gateway's CPU under load with dedup on (section 2 there).
 */
function copyResponse(response: GatewayGraphQLResponse): GatewayGraphQLResponse {
  const { http, data, errors, extensions } = response as GatewayGraphQLResponse & { http?: unknown };
  const copy: GatewayGraphQLResponse = {};
  if (data !== undefined) copy.data = copyJson(data) as GatewayGraphQLResponse['data'];
  if (errors !== undefined) copy.errors = JSON.parse(JSON.stringify(errors)) as GatewayGraphQLResponse['errors'];
  if (extensions !== undefined) copy.extensions = JSON.parse(JSON.stringify(extensions)) as GatewayGraphQLResponse['extensions'];
  return http === undefined ? copy : Object.assign(copy, { http });
}

/** A deep copy of a value parsed from JSON (objects, arrays, scalars). */
export function copyJson(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const list = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) list[i] = copyJson(value[i]);
    return list;
  }
  const object: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const item = copyJson((value as Record<string, unknown>)[key]);
    // JSON.parse makes `__proto__` an own key; assigning it would set the copy's prototype.
    if (key === '__proto__') Object.defineProperty(object, key, { value: item, enumerable: true, writable: true, configurable: true });
    else object[key] = item;
  }
  return object;
}

/** A fetch of a client's operation (not a health check or schema load): @apollo/gateway does not export the enum that says so. */
const forClient = (options: GraphQLDataSourceProcessOptions<GatewayContext>) => (options.kind as string) === 'incoming operation';

/** Codes of a 400 answer that say nothing more than "this request is invalid": the caller's BAD_USER_INPUT. */
const INVALID_REQUEST = new Set<unknown>([
  undefined,
  ErrorCode.GRAPHQL_VALIDATION_FAILED,
  ErrorCode.GRAPHQL_PARSE_FAILED,
  ErrorCode.BAD_REQUEST,
  ErrorCode.OPERATION_RESOLUTION_FAILURE,
  ErrorCode.INTERNAL_SERVER_ERROR,
]);

/**
 * The GraphQL errors of a 400 answer (RemoteGraphQLDataSource throws them as `400:` with
 * the body attached): the subgraph refused the request as invalid — a value a scalar
 * refused, a string no database can store — so the subgraph is not down and the error is
 * the caller's: BAD_USER_INPUT, unless the subgraph said more precisely. Undefined for
 * anything else: a network error, a 5xx, and other 4xx (a 401 there refuses the gateway
 * itself, an unsigned or wrongly signed request: to its caller that subgraph is unavailable).
 */
function refusal(err: unknown): GraphQLFormattedError[] | undefined {
  if (!(err instanceof GraphQLError)) return undefined;
  const { status, body } = (err.extensions.response ?? {}) as { status?: number; body?: unknown };
  if (status !== 400) return undefined;
  const errors = (body as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors) || errors.length === 0 || !errors.every((e) => typeof (e as GraphQLFormattedError)?.message === 'string')) return undefined;
  return (errors as GraphQLFormattedError[]).map(({ message, locations, extensions = {} }) => {
    const { stacktrace: _stacktrace, exception: _exception, http: _http, ...rest } = extensions;
    return { message, locations, extensions: { ...rest, code: INVALID_REQUEST.has(rest.code) ? ErrorCode.BAD_USER_INPUT : rest.code } };
  });
}
