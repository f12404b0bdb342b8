import DataLoader from 'dataloader';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { Caller } from '../auth/caller';
import type { PubSub } from '../pubsub';
import type { Redis } from '../redis';
import { createRecorder, type EventRecorder } from './events/recorder';
import type { Jobs } from './jobs';

/** What every resolver receives: built fresh for each request by `createSubgraph`. */
export interface Context {
  /** A fork of the entity manager: its identity map lives and dies with the request. */
  em: EntityManager;
  /** The verified caller, or null for an anonymous request. */
  caller: Caller | null;
  requestId: string;
  log: Logger;
  /** Per-request DataLoaders, created on first use by `loader()`. */
  loaders: Map<string, DataLoader<string, unknown>>;
  /** Domain events of this request, into the outbox of `em` (see events/recorder.ts). */
  events: EventRecorder;
  jobs: Jobs;
  /**
   * Live events (Redis pub/sub): `@Subscription`s subscribe through it, so that building a
   * schema needs no Redis (see `buildFederatedSchema`).
   */
  pubSub: PubSub;
}

/** What `createSubgraph` has started, for a subgraph to build its services on (see `SubgraphOptions.context`). */
export interface SubgraphResources {
  orm: MikroORM;
  redis: Redis;
  pubSub: PubSub;
  jobs: Jobs;
  log: Logger;
}

/** A request's context — an HTTP request's, or one subscription's over the WebSocket. */
export type ContextFactory = (caller: Caller | null, requestId: string) => Context;

/**
 * Builds each request's context: a fresh `em.fork()`, its event recorder (the request id is
 * the events' correlation id), a logger carrying the request id, then `extend` adds the
 * subgraph's own fields.
 */
export function createContextFactory(options: { name: string; orm: MikroORM; log: Logger; jobs: Jobs; pubSub: PubSub; extend?: (base: Context) => Context }): ContextFactory {
  const { name, orm, log, jobs, pubSub, extend } = options;
  return (caller, requestId) => {
    const em = orm.em.fork();
    const events = createRecorder(em, { producer: name, correlationId: requestId, actorId: caller?.userId ?? null });
    const base: Context = { em, caller, requestId, log: log.child({ requestId }), loaders: new Map(), events, jobs, pubSub };
    return extend ? extend(base) : base;
  };
}

/**
 * A per-request DataLoader for `key`: every `load(id)` in one tick becomes one call of
 * `batch(ids)` — how `__resolveReference` and nested list fields avoid N+1 queries.
 * `batch` returns rows in any order; they are matched back to the ids by `id`.
 */
export function loader<T extends { id: string }>(
  ctx: Context,
  key: string,
  batch: (ids: readonly string[], ctx: Context) => Promise<T[]>,
): DataLoader<string, T | null> {
  let found = ctx.loaders.get(key) as DataLoader<string, T | null> | undefined;
  if (!found) {
    found = new DataLoader<string, T | null>(async (ids) => {
      const rows = await batch(ids, ctx);
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    });
    ctx.loaders.set(key, found as DataLoader<string, unknown>);
  }
  return found;
}

/** A function that loads many entities of one type by id, for `__resolveReference`. */
export type ReferenceBatch = (ids: readonly string[], ctx: Context) => Promise<{ id: string }[]>;

/** Builds `{ Type: { __resolveReference } }` resolvers that batch through `loader()`. */
export function referenceResolvers(references: Record<string, ReferenceBatch>) {
  return Object.fromEntries(
    Object.entries(references).map(([typeName, batch]) => [
      typeName,
      { __resolveReference: (ref: { id: string }, ctx: Context) => loader(ctx, `ref:${typeName}`, batch).load(ref.id) },
    ]),
  );
}
