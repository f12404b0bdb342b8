import { Reference, ReferenceKind, type EntityData, type EntityMetadata, type EntityName, type FilterQuery, type FindOptions } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { cachedStatement, type ReadOptions } from './read-statements';

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
  const rows = (await readRows(em, meta, where, options)) as EntityData<T>[];
  const references = new Map<string, object>();
  const reference = (prop: PropertyPlan, id: string) => {
    const key = `${prop.reference}:${id}`;
    let found = references.get(key);
    if (!found) references.set(key, (found = em.getReference(prop.reference!, id)));
    return prop.wrapped ? Reference.create(found) : found;
  };
  const plan = planOf(meta);
  const platform = em.getPlatform();
  return rows.map((row) => {
    // The driver's row already holds the properties by name: convert what needs it in place,
    // then give it the entity's class. Its own data properties shadow the accessors MikroORM
    // puts on the entity's prototype (change tracking, per property and row: the cost this
    // path avoids); getters, methods and `instanceof` come from the class.
    const target = row as Record<string, unknown>;
    for (const prop of plan) {
      const value = target[prop.name];
      if (value === undefined || value === null) continue;
      if (prop.reference) {
        // A many-to-one becomes its reference when first read: making one (an entity of the
        // em's identity map) cost more than the rest of the row, and most answers never ask.
        Object.defineProperty(target, prop.name, {
          configurable: true,
          enumerable: true,
          get: () => reference(prop, value as string),
          set(next: unknown) {
            Object.defineProperty(this, prop.name, { value: next, configurable: true, enumerable: true, writable: true });
          },
        });
      } else if (prop.customType) target[prop.name] = prop.customType.convertToJSValue(value, platform);
    }
    return Object.setPrototypeOf(target, meta.prototype) as T;
  });
}

/**
 * The rows of the find, mapped to property names: by the statement cached for its shape
 * (read-statements.ts) when there is one, else by the driver's `find` as `em.find` would.
 */
async function readRows(em: EntityManager, meta: EntityMetadata, where: unknown, options: object): Promise<unknown[]> {
  const driver = em.getDriver();
  const cached = await cachedStatement(em, meta, where, options as ReadOptions & Record<string, unknown>);
  if (!cached) {
    const processed = await (em as unknown as WhereProcessing).processWhere(meta.className, where, options, 'read');
    return driver.find(meta.className, processed as never, { ...options, populate: [], ctx: em.getTransactionContext(), em } as never);
  }
  // As the driver's QueryBuilder executes a select: its connection, context and logging, then each row mapped.
  const type = (options as { connectionType?: 'read' | 'write' }).connectionType ?? (em.config.get('preferReadReplicas') ? 'read' : 'write');
  try {
    const rows = await driver.getConnection(type).execute<EntityData<object>[]>(cached.statement.sql, cached.params, 'all', em.getTransactionContext(), { id: em.id } as object);
    return rows.map((row) => driver.mapResult(row, meta));
  } catch (err) {
    throw driver.convertException(err as Error);
  }
}

interface PropertyPlan {
  name: string;
  /** The entity a many-to-one or one-to-one points to, whose reference stands for the key read. */
  reference?: string;
  /** A `Ref<…>` (`ref: true`) rather than the bare reference. */
  wrapped: boolean;
  customType?: { convertToJSValue(value: unknown, platform: unknown): unknown };
}

const plans = new WeakMap<object, PropertyPlan[]>();

/** What to do with each property of an entity's rows, worked out once per entity. */
function planOf(meta: EntityMetadata): PropertyPlan[] {
  let plan = plans.get(meta);
  if (!plan) {
    plan = meta.props.map((prop) => ({
      name: prop.name,
      reference: prop.kind === ReferenceKind.MANY_TO_ONE || prop.kind === ReferenceKind.ONE_TO_ONE ? prop.type : undefined,
      wrapped: !!prop.ref,
      customType: prop.customType as PropertyPlan['customType'],
    }));
    plans.set(meta, plan);
  }
  return plan;
}
