import type { Logger } from '@atrium/kit';
import type { Redis } from 'ioredis';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { EntityCacheMetrics } from '../ops/metrics';
import { changedEntities, type EntityRef } from './cache-invalidation-map';
import { entityHashKey } from './entity-cache-keys';

/** Deletes an entity's shared entries and moves its generation on (keys: hash, generation; ARGV: generation TTL). */
const INVALIDATE_SCRIPT = `
redis.call('DEL', KEYS[1])
redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], ARGV[1])
return 1`;

/** How long an entity's generation outlives its last change: longer than any fetch (that read it before) can take. */
const GENERATION_TTL_S = 3600;

type InvalidatingRedis = Redis & { entityCacheInvalidate(hash: string, generation: string, ttl: number): Promise<number> };
type StreamEntry = [id: string, fields: string[]];

/** The pub/sub channel that tells every gateway process which entities changed. */
export const invalidationChannel = (prefix: string) => `${prefix}:invalidate`;

export interface InvalidationOptions {
  /** A connection the consumer duplicates for its blocking reads, its invalidations and its messages. */
  redis: Redis;
  /** The domain-event stream (EVENTS_STREAM). */
  stream: string;
  /** The consumer group of the gateways (CACHE_GROUP): each event is handled by one gateway. */
  group: string;
  prefix: string;
  metrics: EntityCacheMetrics;
  log: Logger;
  /** An invalidation heard on the channel (every process hears every one, its own included). */
  onForget(entities: EntityRef[]): void;
  /** Whether this process hears the channel now (false while its connection is down). */
  onListening(listening: boolean): void;
  /** A pending delivery this old, of a gateway that stopped mid-way, is claimed by another (ms). */
  claimIdleMs?: number;
}

/**
 * Another cache invalidated by the same events (the response cache, http/response-cache*.ts),
 * added once invalidation has started: no second reader of the stream.
 */
export interface InvalidationListener {
  /**
   * Its shared entries of these entities, invalidated in Redis by the gateway that handles the
   * event (once per event, before the event is published and acknowledged; a failure leaves
   * the entry pending, handled again). `redis` is the group's own connection.
   */
  shared?(redis: Redis, entities: EntityRef[]): Promise<void>;
  /** An invalidation heard on the channel, by this process (as `onForget`). */
  forget?(entities: EntityRef[]): void;
  /** Whether this process hears the channel now (as `onListening`); told the current state when added. */
  listening?(listening: boolean): void;
}

export interface Invalidation {
  /** Adds a cache that the same events invalidate. */
  add(listener: InvalidationListener): void;
  close(): Promise<void>;
}

/**
 * Invalidation of the entity cache by domain events, for every replica (entity-cache.ts):
 *
 * - the gateways read the event stream as one consumer group (XREADGROUP, at-least-once;
 *   no database: invalidating twice is harmless, so no processed-event record is needed).
 *   For each event that changes entities (cache-invalidation-map.ts), the gateway that got
 *   it deletes each entity's Redis hash and moves its generation on (one script), then
 *   publishes the entities on the channel, and only then acknowledges the entry: a gateway
 *   that dies mid-way leaves it pending, and another claims it after `claimIdleMs`.
 *   A group lost with Redis's data is created again.
 * - every process subscribes to the channel and forgets those entities in its memory tier.
 *
 * Nothing here blocks serving: with Redis away the loop waits and tries again, and the
 * memory tier is not used until the channel is heard again.
 */
export async function startInvalidation(options: InvalidationOptions): Promise<Invalidation> {
  const { stream, group, prefix, metrics, log } = options;
  const claimIdleMs = options.claimIdleMs ?? 30_000;
  const consumer = `gateway-${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const channel = invalidationChannel(prefix);
  // Blocking reads hold their connection; commands and messages get theirs.
  const reader = options.redis.duplicate({ connectionName: 'gateway:cache-events', enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true, commandTimeout: undefined });
  const writer = options.redis.duplicate({ connectionName: 'gateway:cache-invalidate', enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true }) as InvalidatingRedis;
  writer.defineCommand('entityCacheInvalidate', { numberOfKeys: 2, lua: INVALIDATE_SCRIPT });
  const subscriber = options.redis.duplicate({ connectionName: 'gateway:cache-subscriber', lazyConnect: true });
  let lastWarning = 0;
  const warn = (err: unknown) => {
    if (Date.now() - lastWarning < 30_000) return;
    lastWarning = Date.now();
    log.warn({ err }, 'entity cache invalidation: Redis unreachable; the memory tier is off until it answers');
  };
  for (const connection of [reader, writer, subscriber]) connection.on('error', warn);

  const listeners: InvalidationListener[] = [];
  let listening = false;
  const setListening = (now: boolean) => {
    listening = now;
    options.onListening(now);
    for (const listener of listeners) listener.listening?.(now);
  };
  subscriber.on('message', (from: string, message: string) => {
    if (from !== channel) return;
    let entities: EntityRef[];
    try {
      entities = JSON.parse(message) as EntityRef[];
    } catch (err) {
      log.warn({ err }, 'entity cache: unreadable invalidation message');
      return;
    }
    options.onForget(entities);
    for (const listener of listeners) listener.forget?.(entities);
  });
  // Subscribed on every (re)connection: what was published meanwhile is lost, so the memory tier starts empty again.
  subscriber.on('ready', () => {
    subscriber.subscribe(channel).then(
      () => setListening(true),
      (err: unknown) => warn(err),
    );
  });
  subscriber.on('close', () => setListening(false));
  subscriber.on('end', () => setListening(false));

  const ensureGroup = async (from: '$' | '0') => {
    try {
      await writer.xgroup('CREATE', stream, group, from, 'MKSTREAM');
    } catch (err) {
      if (!String(err).includes('BUSYGROUP')) throw err;
    }
  };

  const handle = async ([id, fields]: StreamEntry) => {
    let entities: EntityRef[] = [];
    try {
      const event = JSON.parse(fields[fields.indexOf('event') + 1] ?? '') as { type?: string; data?: unknown };
      entities = changedEntities(String(event.type), event.data);
    } catch {
      // Unreadable: nothing to invalidate (the subgraphs' consumers dead-letter it).
    }
    for (const { type, id: entityId } of entities) {
      const { hashKey, generationKey } = entityHashKey(prefix, type, entityId);
      await writer.entityCacheInvalidate(hashKey, generationKey, GENERATION_TTL_S);
      metrics.invalidated(type, 'redis');
    }
    if (entities.length > 0) for (const listener of listeners) await listener.shared?.(writer, entities);
    if (entities.length > 0) await writer.publish(channel, JSON.stringify(entities));
    await writer.xack(stream, group, id);
  };

  let running = true;
  let wake: (() => void) | undefined;
  // A command in flight when Redis went away may never settle once its connection is closed
  // during a reconnect wait (ioredis leaves it queued): the loop stops waiting for it on close.
  let stop: () => void = () => undefined;
  const stopped = new Promise<undefined>((resolve) => (stop = () => resolve(undefined)));
  const unlessStopped = <T>(command: Promise<T>): Promise<T | undefined> => Promise.race([command, stopped]);
  const pause = (ms: number) => new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    wake = () => {
      clearTimeout(timer);
      resolve();
    };
  });

  /** A bound on what closing waits for (unref'd: it keeps nothing alive). */
  const giveUp = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

  await Promise.all([reader.connect(), writer.connect(), subscriber.connect()].map((p) => p.catch(warn)));
  // From now on (`$`): what changed before this group existed is not in any entry written after it.
  await ensureGroup('$').catch(warn);

  const loop = (async () => {
    let lastClaim = 0;
    while (running) {
      try {
        const result = (await unlessStopped(reader.xreadgroup('GROUP', group, consumer, 'COUNT', 100, 'BLOCK', 1_000, 'STREAMS', stream, '>'))) as [string, StreamEntry[]][] | null | undefined;
        for (const [, entries] of result ?? []) for (const entry of entries) if (running) await unlessStopped(handle(entry));
        if (running && Date.now() - lastClaim >= claimIdleMs / 2) {
          lastClaim = Date.now();
          const [, claimed] = ((await unlessStopped(writer.xautoclaim(stream, group, consumer, claimIdleMs, '0-0', 'COUNT', 100))) ?? []) as [string?, StreamEntry[]?];
          for (const entry of claimed ?? []) if (entry && running) await unlessStopped(handle(entry));
        }
      } catch (err) {
        if (!running) break;
        // NOGROUP: Redis lost the group with its data; from the start, as the relay publishes again what was lost.
        if (String(err).includes('NOGROUP')) await ensureGroup('0').catch(warn);
        else warn(err);
        await pause(500);
      }
    }
  })();

  return {
    add(listener) {
      listeners.push(listener);
      listener.listening?.(listening);
    },
    async close() {
      running = false;
      stop();
      wake?.();
      reader.disconnect(); // ends a blocked XREADGROUP at once
      await loop;
      // Gone from the group unless it still holds pending entries (a handling that failed): those another gateway claims.
      const pending = (await Promise.race([writer.xpending(stream, group, '-', '+', 1, consumer), giveUp(1_000).then(() => [1])]).catch(() => [1])) as unknown[];
      if (pending.length === 0) await Promise.race([writer.xgroup('DELCONSUMER', stream, group, consumer), giveUp(1_000)]).catch(() => undefined);
      setListening(false);
      writer.disconnect();
      subscriber.disconnect();
    },
  };
}
