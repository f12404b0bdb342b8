import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { getOperationAST, parse, type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import type { GatewayContext } from '../context';
import { fragmentsOf, MAX_BODY_CHARS, ttlOf } from '../http/response-cache-keys';
import type { ResponseStore } from '../http/response-cache-store';
import { responseTags } from '../http/response-cache-tags';
import type { RootCacheMetrics } from '../ops/metrics';
import { rootFetchPolicy, type CachePolicy } from '../plan/cache-policy';
import { incomingOperation, type CacheHintSource } from './entity-cache';
import { callerKey, keepable, rootFetchKey, whyRootUncacheable } from './root-cache-keys';

type Send = (options: GraphQLDataSourceProcessOptions<GatewayContext>) => Promise<GatewayGraphQLResponse>;

/** What is computed once per fetch operation and supergraph. */
interface FetchFacts {
  policy: CachePolicy;
  operation: OperationDefinitionNode | undefined;
  fragments: Map<string, FragmentDefinitionNode>;
}

const UNCACHEABLE: FetchFacts = { policy: { maxAge: 0, scope: 'PUBLIC' }, operation: undefined, fragments: new Map() };

/**
 * The root cache of the fetch stage: a root fetch of a client's query — one that is not
 * `_entities`, whose every field the schema's hints allow (plan/cache-policy.ts
 * `rootFetchPolicy`) — answered whole from the cache, for signed-in callers as for anonymous
 * ones: a member's workspace search, `workspace(id:)`, `booking(id:)`, `recentBookings`. The
 * entity cache (entity-cache.ts) answers `_entities` fetches; the response cache
 * (http/response-cache.ts) whole anonymous responses, before any plan — an operation it keeps
 * is left to it (`responseCached` in the context), not cached twice.
 *
 * Every answer is its caller's (root-cache-keys.ts `callerKey`): subgraphs apply row rules
 * per caller even on PUBLIC fields, so a root answer is never shared across users, whatever
 * its scope — anonymous callers share one key, since no credentials reach the subgraph.
 * Authorization ran before planning (the gateway removed the fields this caller may not see),
 * so the fetch is what this caller may see. Kept only without errors and with no root field
 * null; never for a mutation or a subscription event. TTL: the policy's max age (at most an
 * hour); answers over 512 K characters are not kept.
 *
 * Never stale after a change: each answer is tagged by the entities it holds and the types of
 * its lists (http/response-cache-tags.ts, walked along the fetch operation and the API
 * schema), and kept in the response cache's tiers and tag marks (http/response-cache-store.ts,
 * entries under `<prefix>:q:`): the lookup reads the invalidation sequence before the fetch
 * is sent, and an answer one of whose tags was invalidated after that number is neither
 * written nor served. Fail-open as the store is: Redis away, every fetch goes to its subgraph.
 */
export class RootFetchCache {
  private source: CacheHintSource | undefined;
  private readonly facts = new WeakMap<GraphQLSchema, Map<string, FetchFacts>>();

  constructor(
    private readonly store: ResponseStore,
    private readonly prefix: string,
    private readonly metrics: Pick<RootCacheMetrics, 'hit' | 'miss'>,
  ) {}

  /** Reads the API schema and hints of the supergraph the gateway has loaded, as it changes. */
  follow(source: CacheHintSource): void {
    this.source = source;
  }

  /** One subgraph fetch through the cache: `send` is the data source's own fetch. */
  async fetch(subgraph: string, options: GraphQLDataSourceProcessOptions<GatewayContext>, send: Send): Promise<GatewayGraphQLResponse> {
    const { query, variables } = options.request;
    const schema = this.source?.schema;
    const incoming = incomingOperation(options);
    // Cheap checks first: most fetches that are not a query's root fetch end here.
    if (incoming !== 'query' || !query || !schema || variables?.representations !== undefined) return send(options);
    // An operation the response cache keeps whole: a second copy of its root answers would be invalidated with it.
    if ((options.context as GatewayContext | undefined)?.responseCached) return send(options);
    const facts = this.factsOf(schema, query, 'document' in options ? options.document : undefined);
    const caller = callerKey(options.context as GatewayContext | undefined);
    if (whyRootUncacheable({ incoming, entities: false, policy: facts.policy, caller }) || !facts.operation) return send(options);

    const key = rootFetchKey(this.prefix, subgraph, caller!, query, variables);
    const { hit, start } = await this.store.lookup(key);
    if (hit) {
      this.metrics.hit(subgraph, hit.tier);
      return { data: JSON.parse(hit.body) as Record<string, unknown> };
    }
    this.metrics.miss(subgraph);
    const answer = await send(options);
    if (!keepable(answer)) return answer;
    // Serialized now, before the executor merges into (and mutates) the answer.
    const body = JSON.stringify(answer.data);
    if (body.length > MAX_BODY_CHARS) return answer;
    let tags: string[];
    try {
      tags = responseTags(schema, facts.operation, facts.fragments, answer.data);
    } catch {
      return answer; // a shape the walker cannot follow: not kept, as nothing could invalidate it
    }
    this.store.store(key, body, tags, ttlOf(facts.policy), start);
    return answer;
  }

  /** A fetch operation's policy and parsed operation, once per operation and supergraph. */
  private factsOf(schema: GraphQLSchema, query: string, document: DocumentNode | undefined): FetchFacts {
    const hints = this.source?.cacheHints;
    if (!hints) return UNCACHEABLE;
    let byQuery = this.facts.get(schema);
    if (!byQuery) this.facts.set(schema, (byQuery = new Map()));
    let facts = byQuery.get(query);
    if (!facts) {
      // Bounded by the plans' fetches; a cap all the same, for a gateway given endless distinct documents.
      if (byQuery.size >= 10_000) byQuery.clear();
      try {
        const parsed = document ?? parse(query);
        const policy = rootFetchPolicy(schema, hints, parsed);
        facts = policy.maxAge > 0 ? { policy, operation: getOperationAST(parsed) ?? undefined, fragments: fragmentsOf(parsed) } : UNCACHEABLE;
      } catch {
        facts = UNCACHEABLE;
      }
      byQuery.set(query, facts);
    }
    return facts;
  }
}
