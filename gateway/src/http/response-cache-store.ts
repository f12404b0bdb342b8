import type { Logger } from '@atrium/kit';
import type { Redis } from 'ioredis';
import type { EntityRef } from '../fetch/cache-invalidation-map';
import type { ResponseCacheMetrics } from '../ops/metrics';
import { tagsOfEntities } from './response-cache-tags';

/**
 * Never stale after a change, without knowing a response's entities before it is computed:
 * invalidations are numbered (a sequence in Redis, another in each process), each tag keeps
 * the number of its last invalidation, and a response holds the number read *before* its
 * operation began. It is served only while none of its tags was invalidated after that number
 * — so a response computed from data an event then changed is never served, whether the event
 * was handled before its write (the write is refused) or after (the read refuses it).
 */

/**
 * Reads a response — its data, tags and remaining TTL (ms) — and the sequence now (keys:
 * entry, sequence; ARGV: tag-key prefix). A response whose tags moved on is deleted.
 */
const READ_SCRIPT = `
local now = redis.call('GET', KEYS[2]) or '0'
local entry = redis.call('HMGET', KEYS[1], 's', 't', 'b')
if not entry[3] then return {now, false} end
local since = tonumber(entry[1])
for _, tag in ipairs(cjson.decode(entry[2])) do
  local at = redis.call('GET', ARGV[1] .. tag)
  if at and tonumber(at) > since then
    redis.call('DEL', KEYS[1])
    return {now, false}
  end
end
return {now, entry[3], entry[2], redis.call('PTTL', KEYS[1])}`;

/** Writes a response unless one of its tags was invalidated since `since` (keys: entry; ARGV: tag-key prefix, since, tags, body, ttl ms). */
const WRITE_SCRIPT = `
local since = tonumber(ARGV[2])
for _, tag in ipairs(cjson.decode(ARGV[3])) do
  local at = redis.call('GET', ARGV[1] .. tag)
  if at and tonumber(at) > since then return 0 end
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 's', ARGV[2], 't', ARGV[3], 'b', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1`;

/**
 * Marks tags invalidated now (keys: sequence; ARGV: tag-key prefix, mark TTL s, tags…). The
 * sequence never goes below Redis's clock in microseconds, so that it only grows even across a
 * restart that lost it: a response begun before the restart holds a smaller number than any
 * invalidation after it.
 */
const INVALIDATE_SCRIPT = `
local time = redis.call('TIME')
local floor = tonumber(time[1]) * 1000000 + tonumber(time[2])
local seq = redis.call('INCR', KEYS[1])
if seq < floor then seq = floor end
local text = string.format('%.0f', seq)
redis.call('SET', KEYS[1], text)
for i = 3, #ARGV do redis.call('SET', ARGV[1] .. ARGV[i], text, 'EX', ARGV[2]) end
return text`;

/** How long a tag's invalidation mark lives: longer than any response (MAX_TTL_S) plus any request. */
const MARK_TTL_S = 2 * 3600 + 600;

/** How long a local invalidation is remembered against operations that began before it (longer than any request). */
const FORGET_MEMORY_MS = 10 * 60_000;

type ResponseRedis = Redis & {
  responseCacheRead(entry: string, sequence: string, tagPrefix: string): Promise<[string, string | null, string?, number?]>;
  responseCacheWrite(entry: string, tagPrefix: string, since: string, tags: string, body: string, ttlMs: number): Promise<number>;
  responseCacheInvalidate(sequence: string, tagPrefix: string, ttl: number, ...tags: string[]): Promise<string>;
};

const defined = new WeakSet<Redis>();
function withScripts(redis: Redis): ResponseRedis {
  if (!defined.has(redis)) {
    redis.defineCommand('responseCacheRead', { numberOfKeys: 2, lua: READ_SCRIPT });
    redis.defineCommand('responseCacheWrite', { numberOfKeys: 1, lua: WRITE_SCRIPT });
    redis.defineCommand('responseCacheInvalidate', { numberOfKeys: 1, lua: INVALIDATE_SCRIPT });
    defined.add(redis);
  }
  return redis as ResponseRedis;
}

const sequenceKey = (prefix: string) => `${prefix}:rseq`;
const tagPrefix = (prefix: string) => `${prefix}:rt:`;

/**
 * The shared part of an invalidation: marks the tags of `entities` invalidated in Redis. Run by
 * the gateway that handles the event (fetch/cache-invalidation.ts), on the group's connection.
 */
export async function invalidateSharedResponses(redis: Redis, prefix: string, entities: readonly EntityRef[], metrics: StoreMetrics): Promise<void> {
  await withScripts(redis).responseCacheInvalidate(sequenceKey(prefix), tagPrefix(prefix), MARK_TTL_S, ...tagsOfEntities(entities));
  for (const { type } of entities) metrics.invalidated(type, 'redis');
}

interface MemoryEntry {
  body: string;
  tags: readonly string[];
  expiresAt: number;
}

/** This process's responses: an LRU by entry count, indexed by tag so that an invalidation drops every response holding it. */
export class ResponseMemoryTier {
  private readonly entries = new Map<string, MemoryEntry>();
  private readonly byTag = new Map<string, Set<string>>();
  private size = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly onBytes: (bytes: number) => void = () => {},
  ) {}

  get(key: string, now = Date.now()): string | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= now) {
      this.delete(key);
      return undefined;
    }
    // Most recently used last: eviction takes the first.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.body;
  }

  set(key: string, body: string, tags: readonly string[], expiresAt: number): void {
    this.delete(key);
    this.entries.set(key, { body, tags, expiresAt });
    this.size += body.length;
    for (const tag of tags) {
      let keys = this.byTag.get(tag);
      if (!keys) this.byTag.set(tag, (keys = new Set()));
      keys.add(key);
    }
    while (this.entries.size > this.maxEntries) {
      const [oldest] = this.entries.keys();
      this.delete(oldest);
    }
    this.onBytes(this.size);
  }

  /** Drops every response holding one of `tags`; how many. */
  forget(tags: readonly string[]): number {
    let dropped = 0;
    for (const tag of tags) {
      for (const key of this.byTag.get(tag) ?? []) dropped += this.delete(key) ? 1 : 0;
      this.byTag.delete(tag);
    }
    this.onBytes(this.size);
    return dropped;
  }

  clear(): void {
    this.entries.clear();
    this.byTag.clear();
    this.size = 0;
    this.onBytes(0);
  }

  get count(): number {
    return this.entries.size;
  }

  private delete(key: string): boolean {
    const entry = this.entries.get(key);
    if (!entry) return false;
    this.entries.delete(key);
    this.size -= entry.body.length;
    for (const tag of entry.tags) {
      const keys = this.byTag.get(tag);
      keys?.delete(key);
      if (keys?.size === 0) this.byTag.delete(tag);
    }
    return true;
  }
}

/** Where an operation's lookup began: what its write must find unchanged. */
export interface LookupStart {
  /** This process's invalidation count. */
  sequence: number;
  /** Incremented when the memory tier is emptied. */
  epoch: number;
  /** Redis's sequence, when Redis answered. */
  shared?: string;
}

export interface Lookup {
  /** The cached response's data (JSON), and the tier it came from; from Redis, its tags and remaining TTL (ms) too. */
  hit?: { body: string; tier: 'memory' | 'redis'; tags?: string[]; ttlMs?: number };
  start: LookupStart;
}

/** What a store counts itself (its user counts hits and misses): the response cache's metrics, or the root cache's. */
export type StoreMetrics = Pick<ResponseCacheMetrics, 'invalidated' | 'written' | 'memoryBytes' | 'failed'>;

export interface ResponseStoreOptions {
  mode: 'memory' | 'redis';
  /** CACHE_PREFIX: the tag marks and sequence under it are shared by every store of the same prefix. */
  prefix: string;
  /** The shared tier (mode `redis`): a connection without offline queue. */
  redis?: Redis;
  /** Responses kept by the memory tier; 0: none. */
  memoryEntries: number;
  metrics: StoreMetrics;
  log: Logger;
  /** What the store holds, for its log lines (`response cache`, `root cache`). */
  name?: string;
}

/**
 * The tiers of answers tagged by what they hold: this process's memory (used only while it
 * hears invalidations, emptied when it starts hearing them again, as the entity cache's) and
 * Redis, shared by every replica (mode `redis`). Used by the response cache (whole responses,
 * `<prefix>:r:` keys) and the fetch stage's root cache (root fetches, `<prefix>:q:` keys,
 * fetch/root-cache.ts): both read the same tag marks and sequence, which an event's handler
 * sets once for both ({@link invalidateSharedResponses}). Fail-open: a Redis that does not
 * answer makes a lookup a miss and skips the write, counted by the store's `failed` metric.
 */
export class ResponseStore {
  private readonly memory: ResponseMemoryTier | undefined;
  private readonly redis: ResponseRedis | undefined;
  private sequence = 0;
  /** Tags invalidated locally, with the sequence and time of the last invalidation (oldest first). */
  private readonly forgotten = new Map<string, { sequence: number; at: number }>();
  private epoch = 0;
  private listening = false;
  private readonly warn: (err: unknown) => void;

  constructor(private readonly options: ResponseStoreOptions) {
    this.memory = options.memoryEntries > 0 ? new ResponseMemoryTier(options.memoryEntries, options.metrics.memoryBytes) : undefined;
    if (options.mode === 'redis' && options.redis) this.redis = withScripts(options.redis);
    let last = 0;
    this.warn = (err) => {
      if (Date.now() - last < 30_000) return;
      last = Date.now();
      options.log.warn({ err }, `${options.name ?? 'response cache'}: Redis unreachable, serving uncached`);
    };
  }

  setListening(listening: boolean): void {
    if (listening && !this.listening) {
      this.epoch++;
      this.memory?.clear();
    }
    this.listening = listening;
  }

  /** An invalidation heard: forgets the responses holding these entities in this process. */
  forget(entities: readonly EntityRef[]): void {
    const now = Date.now();
    const tags = tagsOfEntities(entities);
    this.sequence++;
    for (const tag of tags) {
      this.forgotten.delete(tag);
      this.forgotten.set(tag, { sequence: this.sequence, at: now });
    }
    this.memory?.forget(tags);
    for (const { type } of entities) this.options.metrics.invalidated(type, 'memory');
    for (const [tag, { at }] of this.forgotten) {
      if (now - at < FORGET_MEMORY_MS) break;
      this.forgotten.delete(tag);
    }
  }

  /** The cached response of `key`, from the memory tier, else Redis; and where the lookup began. */
  async lookup(key: string): Promise<Lookup> {
    const start: LookupStart = { sequence: this.sequence, epoch: this.epoch };
    const useMemory = this.memory && this.listening;
    const local = useMemory ? this.memory!.get(key) : undefined;
    if (local !== undefined) return { hit: { body: local, tier: 'memory' }, start };
    if (!this.redis) return { start };
    if (this.redis.status !== 'ready') {
      this.options.metrics.failed('read');
      return { start };
    }
    try {
      const [shared, body, tags, ttlMs] = await this.redis.responseCacheRead(key, sequenceKey(this.options.prefix), tagPrefix(this.options.prefix));
      start.shared = String(shared);
      if (body === null) return { start };
      const hit = { body, tier: 'redis' as const, tags: JSON.parse(tags ?? '[]') as string[], ttlMs: Number(ttlMs) };
      this.remember(key, body, hit.tags, hit.ttlMs, start);
      return { hit, start };
    } catch (err) {
      this.warn(err);
      this.options.metrics.failed('read');
      return { start };
    }
  }

  /** Writes a computed response to each tier, unless one of its tags was invalidated since its lookup began. */
  store(key: string, body: string, tags: readonly string[], ttlS: number, start: LookupStart): void {
    this.remember(key, body, tags, ttlS * 1000, start);
    // Without the sequence read at the start (Redis was away), nothing tells whether an invalidation came meanwhile.
    if (!this.redis || start.shared === undefined) return;
    this.redis.responseCacheWrite(key, tagPrefix(this.options.prefix), start.shared, JSON.stringify(tags), body, ttlS * 1000).then(
      (written) => {
        if (written) this.options.metrics.written('redis', body.length);
      },
      (err: unknown) => {
        this.warn(err);
        this.options.metrics.failed('write');
      },
    );
  }

  /** Into the memory tier, unless one of its tags was invalidated here (or the tier emptied) since the lookup began. */
  private remember(key: string, body: string, tags: readonly string[], ttlMs: number, start: LookupStart): void {
    if (!this.memory || !this.listening || this.epoch !== start.epoch || !(ttlMs > 0)) return;
    for (const tag of tags) if ((this.forgotten.get(tag)?.sequence ?? 0) > start.sequence) return;
    this.memory.set(key, body, tags, Date.now() + ttlMs);
    this.options.metrics.written('memory', body.length);
  }
}
