import { Reference, ReferenceKind, type EntityData, type EntityMetadata, type EntityName, type FilterQuery, type FindOptions } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { cachedStatement, driverFind, type ReadOptions } from './read-statements';

/**
 * Entities of `entity` matching `where`, read for answering only: the same SQL as `em.find`
 * (the same `where` processing, cursor options, ordering and limit), each row made an object
 * of the entity's class — its getters and methods work, its custom types are converted, a
 * many-to-one is the same reference `em.find` would give — but neither registered in the
 * identity map nor snapshotted for change tracking, and without MikroORM's per-entity
 * property accessors: on a list page those were most of a request's CPU (docs/benchmarks.md,
 * "Issue 14"). For request paths that only return what they read: the objects are not
 * managed, so a change made to one is never flushed, and `populate` is not supported.
 * With `fields` (property names; the primary key is always read) only those columns are
 * selected, and reading any other property of a row throws.
 */
export async function findReadOnly<T extends object>(
  em: EntityManager,
  entity: EntityName<T>,
  where: FilterQuery<T>,
  options: Omit<FindOptions<T>, 'fields'> & { first?: number; after?: string; overfetch?: boolean; fields?: readonly string[] } = {},
): Promise<T[]> {
  const meta = em.getMetadata().get<T>(entity as string);
  const rows = (await readRows(em, meta, where, options)) as EntityData<T>[];
  const references = new Map<string, object>();
  const page: PageReferences = (relation, id) => {
    const key = `${relation.reference}:${id}`;
    let found = references.get(key);
    if (!found) references.set(key, (found = em.getReference(relation.reference, id)));
    return relation.wrapped ? Reference.create(found) : found;
  };
  const Row = rowClassOf(meta, options.fields);
  const platform = em.getPlatform();
  return rows.map((row) => new Row(row as Record<string, unknown>, page, platform) as T);
}

/**
 * The rows of the find, mapped to property names: by the statement cached for its shape
 * (read-statements.ts) when there is one, else by the driver's `find` as `em.find` would.
 */
async function readRows(em: EntityManager, meta: EntityMetadata, where: unknown, options: object): Promise<unknown[]> {
  const driver = em.getDriver();
  const cached = await cachedStatement(em, meta, where, options as ReadOptions & Record<string, unknown>);
  if (!cached) return driverFind(em, meta, where, options);
  const type = (options as { connectionType?: 'read' | 'write' }).connectionType ?? (em.config.get('preferReadReplicas') ? 'read' : 'write');
  try {
    const rows = await select(em, driver.getConnection(type), cached.statement.sql, cached.params);
    return rows.map((row) => driver.mapResult(row, meta));
  } catch (err) {
    throw driver.convertException(err as Error);
  }
}

/** The part of knex's client a select on one of its pool's connections uses. */
interface KnexClient {
  acquireConnection(): Promise<{ __knexUid?: string; query(sql: string): Promise<{ rows: EntityData<object>[] }> }>;
  releaseConnection(connection: unknown): Promise<void>;
  emit(event: 'query', data: { sql: string; bindings: unknown[]; __knexUid?: string }): boolean;
}

/**
 * The rows of a cached statement, sent as MikroORM's QueryBuilder would send it — the same
 * text (its `onQuery` hook and parameter formatting), the same 'query' event of knex
 * (`countStatements` hears it) — but outside a transaction straight on a connection of
 * knex's pool, without knex's runner and MikroORM's query wrapper around it (a list page's
 * CPU 0.95× on catalog (a), 0.87× on identity (c): docs/benchmarks.md, "Issue 14", lever
 * 11). Inside a transaction, through the transaction's connection as usual.
 */
async function select(em: EntityManager, connection: ReturnType<ReturnType<EntityManager['getDriver']>['getConnection']>, sql: string, params: unknown[]): Promise<EntityData<object>[]> {
  const ctx = em.getTransactionContext();
  if (ctx) return connection.execute<EntityData<object>[]>(sql, params, 'all', ctx, { id: em.id } as object);
  const text = em.getPlatform().formatQuery(em.config.get('onQuery')(sql, params), params);
  const client = connection.getKnex().client as unknown as KnexClient;
  const pg = await client.acquireConnection();
  try {
    client.emit('query', { sql: text, bindings: [], __knexUid: pg.__knexUid });
    return (await pg.query(text)).rows;
  } finally {
    await client.releaseConnection(pg);
  }
}

/** A many-to-one or one-to-one of a read-only row: the entity it points to, and where the row keeps its key. */
interface Relation {
  name: string;
  reference: string;
  /** A `Ref<…>` (`ref: true`) rather than the bare reference. */
  wrapped: boolean;
  key: symbol;
}

/** The references of one page: each made (in the em's identity map) when first read, once per entity. */
type PageReferences = (relation: Relation, id: string) => object;

/** Where a read-only row keeps its page's references. */
const PAGE = Symbol('page references');

type RowClass = new (row: Record<string, unknown>, page: PageReferences, platform: unknown) => object;

/** Each entity's row classes: one for whole rows (key '*'), one per set of selected fields. */
const rowClasses = new WeakMap<object, Map<string, RowClass>>();

/** Thrown when a row of a partial read is asked for a property it was not read with: a bug in a `reads` declaration (selection.ts). */
export class UnselectedProperty extends Error {
  override name = 'UnselectedProperty';
}

/**
 * The class of an entity's read-only rows, made once per entity (and per set of selected
 * fields): a prototype between the entity's and each row that holds a plain writable slot
 * for every property (so that setting one in the constructor makes an own data property, not
 * a call of the change-tracking setter MikroORM puts on the entity's prototype) and a getter
 * for every many-to-one, which makes its reference when first read — making one (an entity
 * of the em's identity map) cost more than the rest of the row, and most answers never ask.
 * A property left out of `fields` is a getter that throws {@link UnselectedProperty}. Rows
 * of one class share one shape (the same properties in the same order), which keeps
 * GraphQL's reads of them fast; getters, methods and `instanceof` come from the entity's class.
 */
function rowClassOf(meta: EntityMetadata, fields?: readonly string[]): RowClass {
  const key = fields ? fields.join(',') : '*';
  let classes = rowClasses.get(meta);
  if (!classes) rowClasses.set(meta, (classes = new Map()));
  let Row = classes.get(key);
  if (Row) return Row;
  const selected = fields && new Set([...fields, ...meta.primaryKeys]);
  const plain: { name: string; customType?: { convertToJSValue(value: unknown, platform: unknown): unknown } }[] = [];
  const relations: Relation[] = [];
  const unselected: string[] = [];
  for (const prop of meta.props) {
    // Collections are no columns: as on whole rows, an empty slot.
    const column = prop.kind !== ReferenceKind.ONE_TO_MANY && prop.kind !== ReferenceKind.MANY_TO_MANY;
    if (selected && column && !selected.has(prop.name)) unselected.push(prop.name);
    else if (prop.kind === ReferenceKind.MANY_TO_ONE || prop.kind === ReferenceKind.ONE_TO_ONE) {
      relations.push({ name: prop.name, reference: prop.type, wrapped: !!prop.ref, key: Symbol(prop.name) });
    } else plain.push({ name: prop.name, customType: prop.customType as (typeof plain)[number]['customType'] });
  }
  const prototype = Object.create(meta.prototype) as object;
  for (const { name } of plain) Object.defineProperty(prototype, name, { value: undefined, writable: true, configurable: true });
  for (const name of unselected) {
    Object.defineProperty(prototype, name, {
      configurable: true,
      get() {
        throw new UnselectedProperty(`${meta.className}.${name} was not read: add it to the fields this read selects`);
      },
    });
  }
  for (const relation of relations) {
    Object.defineProperty(prototype, relation.name, {
      configurable: true,
      get(this: Record<PropertyKey, unknown>) {
        const id = this[relation.key];
        return id == null ? id : (this[PAGE] as PageReferences)(relation, id as string);
      },
      set(this: object, value: unknown) {
        Object.defineProperty(this, relation.name, { value, writable: true, enumerable: true, configurable: true });
      },
    });
  }
  Row = function Row(this: Record<PropertyKey, unknown>, row: Record<string, unknown>, page: PageReferences, platform: unknown) {
    for (const { name, customType } of plain) {
      const value = row[name];
      this[name] = customType && value != null ? customType.convertToJSValue(value, platform) : value;
    }
    for (const relation of relations) this[relation.key] = row[relation.name];
    this[PAGE] = page;
  } as unknown as RowClass;
  Row.prototype = prototype;
  classes.set(key, Row);
  return Row;
}
