import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { Logger } from '@atrium/kit';
import { parse, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { Redis } from 'ioredis';
import type { GatewayContext } from '../context';
import type { EntityCacheMetrics } from '../ops/metrics';
import { entityFetchPolicies, type CacheHints, type CachePolicy } from '../plan/cache-policy';
import { isQuery } from './dedup';
import { entityKey, entityName, entryOf, erroredEntities, fetchHash, freshEntry, mergeEntities, type EntityKey } from './entity-cache-keys';
import type { EntityRef } from './cache-invalidation-map';

/** What the cache needs of the loaded supergraph: its API schema and cache hints (plan/authorizing-gateway.ts). */
export interface CacheHintSource {
  readonly schema: GraphQLSchema | undefined;
  readonly cacheHints: CacheHints | undefined;
}

type Send = (options: GraphQLDataSourceProcessOptions<GatewayContext>) => Promise<GatewayGraphQLResponse>;

/** A `redis` write that succeeds only while the entity's generation is the one read before the fetch (keys: hash, generation). */
const WRITE_SCRIPT = `
local generation = redis.call('GET', KEYS[2]) or ''
if generation ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[4], 'NX')
redis.call('EXPIRE', KEYS[1], ARGV[4], 'GT')
return 1`;

type CacheRedis = Redis & { entityCacheWrite(hash: string, generation: string, expected: string, field: string, value: string, ttl: number): Promise<number> };

/** The kind of the client operation a fetch belongs to (`query`, `mutation`…), when there is one. */
export const incomingOperation = (options: GraphQLDataSourceProcessOptions<GatewayContext>): string | undefined =>
  (options as { incomingRequestContext?: { operation?: { operation?: string } } }).incomingRequestContext?.operation?.operation;

/** How long a local invalidation is remembered against fetches that began before it (longer than any fetch with its retries). */
const FORGET_MEMORY_MS = 10 * 60_000;

/**
 * A small LRU of entity answers in this process (the memory tier): by entity (`Type:id`), so
 * that an invalidation forgets every answer about it at once; bounded by entity count.
 */
export class MemoryTier {
  private readonly entities = new Map<string, Map<string, string>>();
  private size = 0;

  constructor(
    private readonly maxEntities: number,
    private readonly onBytes: (bytes: number) => void = () => {},
  ) {}

  get(entity: string, field: string): string | undefined {
    const answers = this.entities.get(entity);
    const stored = answers?.get(field);
    if (answers && stored !== undefined) {
      // Most recently used last: eviction takes the first.
      this.entities.delete(entity);
      this.entities.set(entity, answers);
    }
    return stored;
  }

  set(entity: string, field: string, stored: string): void {
    let answers = this.entities.get(entity);
    if (answers) this.entities.delete(entity);
    else answers = new Map();
    this.size += stored.length - (answers.get(field)?.length ?? 0);
    answers.set(field, stored);
    this.entities.set(entity, answers);
    while (this.entities.size > this.maxEntities) {
      const [oldest] = this.entities.keys();
      this.forget(oldest);
    }
    this.onBytes(this.size);
  }

  /** Forgets every answer about `entity`; whether there was any. */
  forget(entity: string): boolean {
    const answers = this.entities.get(entity);
    if (!answers) return false;
    for (const stored of answers.values()) this.size -= stored.length;
    this.entities.delete(entity);
    this.onBytes(this.size);
    return true;
  }

  clear(): void {
    this.entities.clear();
    this.size = 0;
    this.onBytes(0);
  }

  /** Bytes (UTF-16 code units) held. */
  get bytes(): number {
    return this.size;
  }
}

export interface EntityCacheOptions {
  mode: 'memory' | 'redis';
  /** Prefix of the cache's keys in Redis (CACHE_PREFIX). */
  prefix: string;
  /** The shared tier (mode `redis`): a connection without offline queue, so a Redis that is away fails at once. */
  redis?: Redis;
  /** Entities kept by the memory tier (CACHE_MEMORY_ENTITIES); 0: no memory tier. */
  memoryEntities: number;
  metrics: EntityCacheMetrics;
  log: Logger;
}

/**
 * The entity cache of the fetch stage: an `_entities` fetch whose selection the schema's
 * hints allow (plan/cache-policy.ts `entityFetchPolicies`) is answered per entity from the
 * cache — the memory tier of this process first, then Redis, shared by every replica — and
 * only the representations it did not have are sent to the subgraph (the same operation,
 * fewer representations), their answers merged back in the original order.
 *
 * What is cached, and for whom, is decided from the fetch alone: authorization ran before
 * planning (the gateway removed refused fields), so the fetch is what this caller may see;
 * row rules live in subgraphs, so a PRIVATE answer is keyed by the caller's user id and
 * never cached for an anonymous caller (entity-cache-keys.ts). An entity whose answer came
 * with an error, or null, is not cached; nothing is cached for a mutation, or for the
 * completion of a subscription event (sent at the moment of a change).
 *
 * Never stale after a change: each domain event that changes an entity deletes its Redis
 * hash (once, by the gateways' consumer group) and makes every process forget it (pub/sub,
 * {@link forget}), both before the next read (cache-invalidation.ts). A fetch that began
 * before an invalidation does not write its answer after it: the Redis write checks the
 * entity's generation read before the fetch, the memory write the local invalidations since.
 * The memory tier is used only while this process hears invalidations (its pub/sub
 * connection is up); it is emptied whenever that connection comes back, since messages may
 * have been missed meanwhile.
 *
 * Fail-open: a Redis that does not answer makes reads misses and skips writes, counted by
 * `atrium_cache_failures_total`; the gateway keeps serving, uncached.
 */
export class EntityCache {
  private source: CacheHintSource | undefined;
  private readonly policies = new WeakMap<GraphQLSchema, Map<string, Map<string, CachePolicy>>>();
  private readonly memory: MemoryTier | undefined;
  private readonly redis: CacheRedis | undefined;
  /** Local invalidations so far, and the count at which each entity was last forgotten. */
  private sequence = 0;
  private readonly forgotten = new Map<string, { sequence: number; at: number }>();
  /** Incremented when the memory tier is emptied: a fetch from before must not fill it. */
  private epoch = 0;
  /** Whether this process hears invalidations now (set by cache-invalidation.ts). */
  private listening = false;
  private readonly warn: (err: unknown) => void;

  constructor(private readonly options: EntityCacheOptions) {
    this.memory = options.memoryEntities > 0 ? new MemoryTier(options.memoryEntities, options.metrics.memoryBytes) : undefined;
    if (options.mode === 'redis' && options.redis) {
      options.redis.defineCommand('entityCacheWrite', { numberOfKeys: 2, lua: WRITE_SCRIPT });
      this.redis = options.redis as CacheRedis;
    }
    let last = 0;
    this.warn = (err) => {
      if (Date.now() - last < 30_000) return;
      last = Date.now();
      options.log.warn({ err }, 'entity cache: Redis unreachable, serving uncached');
    };
  }

  /** Reads the hints of the supergraph `source` has loaded (the authorizing gateway), as it changes. */
  follow(source: CacheHintSource): void {
    this.source = source;
  }

  /** Whether this process hears invalidations: the memory tier is used only while it does, and emptied when it starts again. */
  setListening(listening: boolean): void {
    if (listening && !this.listening) this.clearMemory();
    this.listening = listening;
  }

  /** Forgets what this process's memory tier holds about `entities` (an invalidation heard). */
  forget(entities: readonly EntityRef[]): void {
    const now = Date.now();
    for (const { type, id } of entities) {
      const name = entityName(type, id);
      this.sequence++;
      this.forgotten.delete(name);
      this.forgotten.set(name, { sequence: this.sequence, at: now });
      this.memory?.forget(name);
      this.options.metrics.invalidated(type, 'memory');
    }
    // Oldest first: drop what no fetch in flight can still be older than.
    for (const [name, { at }] of this.forgotten) {
      if (now - at < FORGET_MEMORY_MS) break;
      this.forgotten.delete(name);
    }
  }

  private clearMemory(): void {
    this.epoch++;
    this.memory?.clear();
  }

  /**
   * One subgraph fetch through the cache: `send` is the data source's own fetch. Anything
   * but a client's `_entities` query with a cacheable type goes straight to `send`.
   */
  async fetch(subgraph: string, options: GraphQLDataSourceProcessOptions<GatewayContext>, send: Send): Promise<GatewayGraphQLResponse> {
    // Only the fetches of a client's query: not a mutation's (its answer must show what it did), nor a
    // subscription event's (sent at the moment of a change, maybe before its invalidation is heard).
    if (incomingOperation(options) !== 'query') return send(options);
    const { query, variables } = options.request;
    const representations = variables?.representations;
    if (!query || !Array.isArray(representations) || representations.length === 0 || !isQuery(query)) return send(options);
    const policies = this.policiesOf(query, 'document' in options ? options.document : undefined);
    if (!policies || policies.size === 0) return send(options);
    const fetch = fetchHash(query, variables);
    const userId = options.context?.caller?.userId;
    const keys = representations.map((representation) => entityKey(this.options.prefix, subgraph, fetch, representation, policies, userId));
    if (keys.every((key) => !key)) return send(options);

    const start = { sequence: this.sequence, epoch: this.epoch };
    const useMemory = this.memory && this.listening;
    const cached = new Map<number, unknown>();
    const generations = new Map<number, string>();
    const fromRedis: number[] = [];
    keys.forEach((key, index) => {
      if (!key) return;
      const entry = useMemory ? freshEntry(this.memory!.get(entityName(key.type, key.id), key.field)) : undefined;
      if (entry) {
        cached.set(index, entry.data);
        this.options.metrics.hit(key.type, 'memory');
      } else fromRedis.push(index);
    });
    if (this.redis && fromRedis.length > 0) await this.read(keys, fromRedis, cached, generations, start);
    const missing: number[] = [];
    keys.forEach((key, index) => {
      if (cached.has(index)) return;
      missing.push(index);
      if (key) this.options.metrics.miss(key.type);
    });
    if (missing.length === 0) return mergeEntities(representations.length, cached, [], undefined);

    const all = missing.length === representations.length;
    const sent = all ? options : { ...options, request: { ...options.request, variables: { ...variables, representations: missing.map((i) => representations[i]) } } };
    const answer = await send(sent);
    this.store(answer, missing, keys, policies, generations, start);
    if (all) return answer;
    const merged = mergeEntities(representations.length, cached, missing, answer as Parameters<typeof mergeEntities>[3]);
    return answer.extensions ? { ...merged, extensions: answer.extensions } : merged;
  }

  /** The Redis tier's answers for `indexes` (and each entity's generation, for the write after the fetch). */
  private async read(keys: (EntityKey | undefined)[], indexes: number[], cached: Map<number, unknown>, generations: Map<number, string>, start: { sequence: number; epoch: number }) {
    const redis = this.redis!;
    if (redis.status !== 'ready') return this.options.metrics.failed('read');
    let results: [Error | null, unknown][] | null;
    try {
      const pipeline = redis.pipeline();
      for (const index of indexes) pipeline.hget(keys[index]!.hashKey, keys[index]!.field).get(keys[index]!.generationKey);
      results = await pipeline.exec();
    } catch (err) {
      this.warn(err);
      return this.options.metrics.failed('read');
    }
    indexes.forEach((index, i) => {
      const key = keys[index]!;
      const [stored, generation] = [results?.[2 * i], results?.[2 * i + 1]];
      if (!stored || stored[0] || !generation || generation[0]) return;
      const entry = freshEntry(stored[1] as string | null);
      if (entry) {
        cached.set(index, entry.data);
        this.options.metrics.hit(key.type, 'redis');
        this.remember(key, stored[1] as string, start);
      } else generations.set(index, (generation[1] as string | null) ?? '');
    });
  }

  /** Writes the fetched answers of cacheable, error-free, non-null entities to each tier. */
  private store(
    answer: GatewayGraphQLResponse,
    missing: number[],
    keys: (EntityKey | undefined)[],
    policies: Map<string, CachePolicy>,
    generations: Map<number, string>,
    start: { sequence: number; epoch: number },
  ): void {
    const fetched = (answer.data as { _entities?: unknown } | null | undefined)?._entities;
    const errored = erroredEntities(answer.errors);
    if (!Array.isArray(fetched) || !errored) return;
    missing.forEach((index, j) => {
      const key = keys[index];
      const value = fetched[j];
      if (!key || value === null || value === undefined || errored.has(j)) return;
      const maxAge = policies.get(key.type)!.maxAge;
      // Serialized now, before the executor merges into (and mutates) the answer.
      const stored = entryOf(value, maxAge);
      this.remember(key, stored, start);
      const generation = generations.get(index);
      if (!this.redis || generation === undefined) return;
      this.options.metrics.written('redis', stored.length);
      this.redis.entityCacheWrite(key.hashKey, key.generationKey, generation, key.field, stored, maxAge).catch((err: unknown) => {
        this.warn(err);
        this.options.metrics.failed('write');
      });
    });
  }

  /** Into the memory tier, unless the entity was forgotten (or the tier emptied) since the fetch began. */
  private remember(key: EntityKey, stored: string, start: { sequence: number; epoch: number }): void {
    if (!this.memory || !this.listening || this.epoch !== start.epoch) return;
    const name = entityName(key.type, key.id);
    if ((this.forgotten.get(name)?.sequence ?? 0) > start.sequence) return;
    this.memory.set(name, key.field, stored);
    this.options.metrics.written('memory', stored.length);
  }

  /** The cacheable entity types of a fetch operation and their policies, computed once per operation and supergraph. */
  private policiesOf(query: string, document: DocumentNode | undefined): Map<string, CachePolicy> | undefined {
    const schema = this.source?.schema;
    const hints = this.source?.cacheHints;
    if (!schema || !hints) return undefined;
    let bySchema = this.policies.get(schema);
    if (!bySchema) this.policies.set(schema, (bySchema = new Map()));
    let policies = bySchema.get(query);
    if (!policies) {
      // Bounded by the plans' fetches; a cap all the same, for a gateway given endless distinct documents.
      if (bySchema.size >= 10_000) bySchema.clear();
      try {
        policies = entityFetchPolicies(schema, hints, document ?? parse(query));
      } catch {
        policies = new Map();
      }
      bySchema.set(query, policies);
    }
    return policies;
  }
}
