import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { printSchema, type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema } from 'graphql';
import { createHash } from 'node:crypto';
import type { GatewayContext } from '../context';
import type { ResponseCacheMetrics } from '../ops/metrics';
import type { AuthorizingGateway } from '../plan/authorizing-gateway';
import { cachePolicy, type CacheHints, type CachePolicy } from '../plan/cache-policy';
import { fragmentsOf, isIncremental, MAX_BODY_CHARS, responseKey, ttlOf, whyUncacheable } from './response-cache-keys';
import type { LookupStart, ResponseStore } from './response-cache-store';
import { responseTags } from './response-cache-tags';

/** Set on every response the cache could answer: `hit` (served from it) or `miss` (executed, then kept). */
export const CACHE_HEADER = 'x-atrium-cache';

/** What the response cache needs of the loaded supergraph (plan/authorizing-gateway.ts). */
export type ResponseCacheSource = Pick<AuthorizingGateway, 'cacheHints' | 'authorizer'>;

/** What is computed once per document, operation name and supergraph. */
interface OperationFacts {
  policy: CachePolicy;
  incremental: boolean;
  fragments: Map<string, FragmentDefinitionNode>;
}

/**
 * The response cache (issue 13, item 4), an Apollo Server plugin: a whole response served
 * before execution (`responseForOperation`), and kept on its way out (`willSendResponse`), for
 * the operations {@link whyUncacheable} allows — an anonymous query whose every field the hints
 * make PUBLIC, without `@defer`, that authorization leaves whole (decided here, before the
 * cache, with the same authorizer the executor uses). Responses with errors are never kept.
 *
 * Keyed by the operation (supergraph, document hash, name, variables: response-cache-keys.ts),
 * tagged by the entities it holds and the types of the lists it holds (response-cache-tags.ts),
 * and invalidated by the domain events that change them, for every replica
 * (response-cache-store.ts, fed by fetch/cache-invalidation.ts). Served with the headers an
 * uncached response gets (Cache-Control from the same hints, http/cache-control.ts), plus
 * {@link CACHE_HEADER}.
 */
export class ResponseCache {
  private source: ResponseCacheSource | undefined;
  private readonly facts = new WeakMap<CacheHints, WeakMap<DocumentNode, Map<string, OperationFacts>>>();
  private readonly supergraphs = new WeakMap<GraphQLSchema, string>();

  constructor(
    private readonly store: ResponseStore,
    private readonly prefix: string,
    private readonly metrics: ResponseCacheMetrics,
  ) {}

  /** Reads the hints and authorizer of the supergraph the gateway has loaded, as it changes. */
  follow(source: ResponseCacheSource): void {
    this.source = source;
  }

  plugin(): ApolloServerPlugin<GatewayContext> {
    return {
      requestDidStart: async () => {
        let pending: { key: string; start: LookupStart; policy: CachePolicy; fragments: Map<string, FragmentDefinitionNode> } | undefined;
        return {
          responseForOperation: async ({ document, operation, operationName, request, contextValue, schema, queryHash }) => {
            const hints = this.source?.cacheHints;
            if (!hints || !operation || !queryHash) return null;
            const facts = this.factsOf(hints, schema, document, operationName);
            const reason = whyUncacheable({
              operation: operation.operation,
              anonymous: !contextValue.caller && !contextValue.authorization,
              incremental: facts.incremental,
              policy: facts.policy,
              authorized: () => this.authorizedWhole(document, operationName, request.variables),
            });
            if (reason) return null;
            contextValue.responseCached = true;
            const key = responseKey(this.prefix, this.supergraphOf(schema), queryHash, operationName, request.variables);
            const { hit, start } = await this.store.lookup(key);
            if (!hit) {
              this.metrics.miss();
              pending = { key, start, policy: facts.policy, fragments: facts.fragments };
              return null;
            }
            this.metrics.hit(hit.tier);
            return { http: { status: undefined, headers: new HeaderMap([[CACHE_HEADER, 'hit']]) }, body: { kind: 'single', singleResult: { data: JSON.parse(hit.body) as Record<string, unknown> } } };
          },
          willSendResponse: async ({ response, operation, schema }) => {
            if (!pending) return;
            response.http.headers.set(CACHE_HEADER, 'miss');
            const { body } = response;
            if (body.kind !== 'single' || body.singleResult.errors?.length || !body.singleResult.data || !operation) return;
            const data = JSON.stringify(body.singleResult.data);
            if (data.length > MAX_BODY_CHARS) return;
            const tags = responseTags(schema, operation, pending.fragments, body.singleResult.data);
            this.store.store(pending.key, data, tags, ttlOf(pending.policy), pending.start);
          },
        };
      },
    };
  }

  /** Whether the gateway's authorization, for an anonymous caller, refuses nothing of the operation. */
  private authorizedWhole(document: DocumentNode, operationName: string | null, variables: Record<string, unknown> | undefined): boolean {
    try {
      const decision = this.source!.authorizer().authorize({ document, operationName, variables, caller: null });
      return decision.document === document && !decision.skipExecution;
    } catch {
      return false;
    }
  }

  private factsOf(hints: CacheHints, schema: GraphQLSchema, document: DocumentNode, operationName: string | null): OperationFacts {
    let byDocument = this.facts.get(hints);
    if (!byDocument) this.facts.set(hints, (byDocument = new WeakMap()));
    let byName = byDocument.get(document);
    if (!byName) byDocument.set(document, (byName = new Map()));
    let facts = byName.get(operationName ?? '');
    if (!facts) {
      facts = { policy: cachePolicy(schema, hints, document, operationName), incremental: isIncremental(document), fragments: fragmentsOf(document) };
      byName.set(operationName ?? '', facts);
    }
    return facts;
  }

  /** The API schema's hash: responses of another supergraph (a replica not yet reloaded, or one reloaded) are not shared. */
  private supergraphOf(schema: GraphQLSchema): string {
    let id = this.supergraphs.get(schema);
    if (!id) this.supergraphs.set(schema, (id = createHash('sha256').update(printSchema(schema)).digest('base64url').slice(0, 16)));
    return id;
  }
}
