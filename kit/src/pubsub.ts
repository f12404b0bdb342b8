import type { EntityManager } from '@mikro-orm/postgresql';
import { RedisPubSub } from 'graphql-redis-subscriptions';
import type { Logger } from 'pino';
import { afterCommit } from './after-commit';
import { connectRedis, type Redis } from './redis';

/**
 * A live topic and the type of what travels on it (the type exists for the compiler only).
 * Live events feed GraphQL subscriptions: at most once, to whoever listens right now — unlike
 * domain events (events/), which are durable and replayable.
 */
export interface Topic<T> {
  readonly name: string;
  /** Never set: carries `T`. */
  readonly __payload?: T;
}

export const topic = <T>(name: string): Topic<T> => ({ name });

/** One open subscription to a topic: an async iterator of its events, in publication order. */
export interface LiveStream<T> extends AsyncIterableIterator<T> {
  /** Resolves once Redis has confirmed the subscription: whatever is published from then on arrives. */
  readonly ready: Promise<void>;
  /** Unsubscribes; a pending `next()` resolves done. */
  return(): Promise<IteratorResult<T>>;
}

/** Live events over Redis pub/sub, shared by every instance of every service on the same Redis and prefix. */
export interface PubSub {
  publish<T>(topic: Topic<T>, payload: T): Promise<void>;
  /**
   * Publishes once the transaction `em` is in commits, and never for a change that rolls
   * back (see `afterCommit`). Fire and forget: a Redis outage never fails or delays the
   * change itself, and one failed publication is only logged.
   */
  publishAfterCommit<T>(em: EntityManager, topic: Topic<T>, payload: T): Promise<void>;
  /**
   * Subscribes at once (not at the first `next()`), so nothing published after `ready` is
   * missed. `filter` runs as each event arrives (the subscriber's row rules), so refused
   * events are never queued. `return()` unsubscribes.
   */
  subscribe<T>(topic: Topic<T>, filter?: (payload: T) => boolean): LiveStream<T>;
  /** Ends every open stream, then closes both Redis connections. */
  close(): Promise<void>;
}

export interface PubSubOptions {
  redisUrl: string;
  /** Namespaces every channel (`<prefix>:<topic>`): parallel test supergraphs never hear each other. */
  prefix: string;
  log: Logger;
  /** Names the Redis connections (CLIENT LIST), e.g. the service's name. */
  name?: string;
}

/**
 * graphql-redis-subscriptions' RedisPubSub (one publisher and one subscriber connection,
 * one Redis SUBSCRIBE per channel shared by every local listener, JSON payloads) behind
 * Atrium's typed topics. Its own `asyncIterableIterator` is not used: it subscribes on the
 * first `next()`, so an event published between a subscription starting and its first pull
 * would be lost, and nobody could tell when a subscription is live.
 */
export async function createPubSub(options: PubSubOptions): Promise<PubSub> {
  const { redisUrl, prefix, log } = options;
  const name = options.name ?? 'pubsub';
  const publisher = await connectRedis(redisUrl, `${name}:publisher`);
  let subscriber: Redis;
  try {
    subscriber = await connectRedis(redisUrl, `${name}:subscriber`);
  } catch (err) {
    publisher.disconnect();
    throw err;
  }
  // ioredis reconnects (and resubscribes) by itself; without a listener it would print each error.
  for (const connection of [publisher, subscriber]) connection.on('error', (err) => log.warn({ err }, 'pub/sub Redis connection error'));
  const engine = new RedisPubSub({ publisher, subscriber });
  const channel = (t: Topic<unknown>) => `${prefix}:${t.name}`;
  const open = new Set<RedisLiveStream<unknown>>();
  let closed = false;

  const pubSub: PubSub = {
    publish: (t, payload) => engine.publish(channel(t), payload),
    publishAfterCommit: (em, t, payload) =>
      afterCommit(em, () => {
        void engine.publish(channel(t), payload).catch((err) => log.warn({ err, topic: t.name }, 'live event not published'));
      }),
    subscribe<T>(t: Topic<T>, filter?: (payload: T) => boolean): LiveStream<T> {
      if (closed) throw new Error('pub/sub is closed');
      const stream = new RedisLiveStream<T>(engine, channel(t), filter, () => open.delete(stream as RedisLiveStream<unknown>));
      open.add(stream as RedisLiveStream<unknown>);
      return stream;
    },
    async close() {
      if (closed) return;
      closed = true;
      // Unsubscribing first queues each UNSUBSCRIBE ahead of the QUIT on the same connection.
      await Promise.all([...open].map((s) => s.return()));
      await engine.close().catch(() => undefined);
    },
  };
  return pubSub;
}

/** An eager, filtered subscription to one channel with its own unbounded queue (graphql-ws pulls as fast as the socket takes it). */
class RedisLiveStream<T> implements LiveStream<T> {
  readonly ready: Promise<void>;
  private readonly queue: T[] = [];
  private readonly waiting: ((result: IteratorResult<T>) => void)[] = [];
  private readonly id: Promise<number>;
  private done = false;

  constructor(
    private readonly engine: RedisPubSub,
    channel: string,
    private readonly filter: ((payload: T) => boolean) | undefined,
    private readonly onEnd: () => void,
  ) {
    this.id = engine.subscribe<T>(channel, (payload) => this.push(payload));
    this.ready = this.id.then(() => undefined);
    // A subscription Redis refused ends the stream (the caller sees it through `ready`).
    this.id.catch(() => void this.return());
  }

  private push(payload: T): void {
    if (this.done) return;
    let wanted: boolean;
    try {
      wanted = this.filter ? this.filter(payload) : true;
    } catch {
      wanted = false; // a payload the filter cannot read is not one the subscriber may see
    }
    if (!wanted) return;
    const waiter = this.waiting.shift();
    if (waiter) waiter({ value: payload, done: false });
    else this.queue.push(payload);
  }

  async next(): Promise<IteratorResult<T>> {
    if (this.queue.length) return { value: this.queue.shift()!, done: false };
    if (this.done) return { value: undefined, done: true };
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  async return(): Promise<IteratorResult<T>> {
    if (!this.done) {
      this.done = true;
      this.queue.length = 0;
      for (const resolve of this.waiting.splice(0)) resolve({ value: undefined, done: true });
      this.onEnd();
      await this.id.then((id) => this.engine.unsubscribe(id)).catch(() => undefined);
    }
    return { value: undefined, done: true };
  }

  async throw(err: unknown): Promise<IteratorResult<T>> {
    await this.return();
    throw err;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
