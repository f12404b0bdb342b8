import { Reference, ReferenceKind, type EntityData, type EntityMetadata, type EntityName, type FilterQuery, type FindOptions } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';

/** The part of MikroORM's `EntityManager` a read-only find needs that it does not publish. */
interface WhereProcessing {
  processWhere(entityName: string, where: unknown, options: object, type: 'read'): Promise<unknown>;
}

/**
 * Entities of `entity` matching `where`, read for answering only: the same SQL as `em.find`
 * (the same `where` processing, cursor options, ordering and limit), each row made an object
 * of the entity's class — its getters and methods work, its custom types are converted, a
 * many-to-one is the same reference `em.find` would give — but neither registered in the
 * identity map nor snapshotted for change tracking, and without MikroORM's per-entity
 * property accessors: on a list page those were most of a request's CPU (docs/benchmarks.md,
 * "Issue 14"). For request paths that only return what they read: the objects are not
 * managed, so a change made to one is never flushed, and `populate` is not supported.
 */
export async function findReadOnly<T extends object>(
  em: EntityManager,
  entity: EntityName<T>,
  where: FilterQuery<T>,
  options: FindOptions<T> & { first?: number; after?: string; overfetch?: boolean } = {},
): Promise<T[]> {
  const meta = em.getMetadata().get<T>(entity as string);
  const processed = await (em as unknown as WhereProcessing).processWhere(meta.className, where, options, 'read');
  const rows = (await em.getDriver().find(meta.className, processed as never, { ...options, populate: [], ctx: em.getTransactionContext(), em } as never)) as EntityData<T>[];
  return rows.map((row) => readOnlyEntity(em, meta, row));
}

/** One row (property names, as the driver maps it) as an unmanaged object of the entity's class. */
function readOnlyEntity<T extends object>(em: EntityManager, meta: EntityMetadata<T>, row: EntityData<T>): T {
  const platform = em.getPlatform();
  const target = Object.create(meta.prototype) as Record<string, unknown>;
  for (const prop of meta.props) {
    const value = (row as Record<string, unknown>)[prop.name];
    if (value === undefined) continue;
    if (value !== null && (prop.kind === ReferenceKind.MANY_TO_ONE || prop.kind === ReferenceKind.ONE_TO_ONE)) {
      const ref = em.getReference(prop.type, value as string);
      target[prop.name] = prop.ref ? Reference.create(ref) : ref;
    } else if (value !== null && prop.customType) {
      target[prop.name] = prop.customType.convertToJSValue(value, platform);
    } else {
      target[prop.name] = value;
    }
  }
  return target as T;
}
