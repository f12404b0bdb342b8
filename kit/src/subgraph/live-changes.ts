import { ChangeSetType, type EntityClass, type EventSubscriber, type FlushEventArgs } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { PubSub, Topic } from '../pubsub';

/** One flushed change of an entity: a new row, or the properties an update changed. */
export interface EntityChange<E> {
  type: 'create' | 'update';
  entity: E;
  /** The properties written (all of them for a create). */
  changed: Partial<Record<keyof E, unknown>>;
}

/**
 * An entity whose committed changes are live events. Declared by a subgraph in
 * `createSubgraph({ live })`, it catches every change of the entity wherever it happens —
 * a mutation, an event handler, a job — because every one goes through a flush.
 */
export interface LiveEntity<E extends object = any, T = any> {
  entity: EntityClass<E>;
  topic: Topic<T>;
  /** Whether a change is news (a created row, a new status…); every create and update when absent. */
  publishes?: (change: EntityChange<E>) => boolean;
  /**
   * What subscribers receive: the row as it is at this flush (a snapshot, so two changes in
   * quick succession arrive as two states). Plain JSON: it crosses Redis.
   */
  payload: (entity: E) => T;
}

/** The same live entity with its types checked against each other, for a subgraph's declaration. */
export const liveEntity = <E extends object, T>(source: LiveEntity<E, T>): LiveEntity<E, T> => source;

/**
 * A MikroORM subscriber that turns flushed changes of `sources` into live events, each
 * published only once its transaction commits (`publishAfterCommit`): a rolled-back change
 * is never announced. Payloads are taken at the flush, in change-set order.
 */
export function liveChanges(pubSub: PubSub, sources: LiveEntity[], log: Logger): EventSubscriber {
  return {
    afterFlush({ em, uow }: FlushEventArgs): void {
      for (const cs of uow.getChangeSets()) {
        const type = cs.type === ChangeSetType.CREATE ? 'create' : cs.type === ChangeSetType.UPDATE ? 'update' : null;
        if (!type) continue;
        for (const source of sources) {
          if (!(cs.entity instanceof source.entity)) continue;
          try {
            const change: EntityChange<object> = { type, entity: cs.entity, changed: cs.payload as Record<string, unknown> };
            if (source.publishes && !source.publishes(change)) continue;
            pubSub.publishAfterCommit(em as EntityManager, source.topic, source.payload(cs.entity)).catch((err) => log.error({ err, topic: source.topic.name }, 'live event not scheduled'));
          } catch (err) {
            // Announcing a change must never undo it: the flush has happened.
            log.error({ err, topic: source.topic.name }, 'live event not built');
          }
        }
      }
    },
  };
}
