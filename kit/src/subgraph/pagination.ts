import { Cursor, ReferenceKind, type EntityMetadata, type EntityName, type EntityProperty, type FilterQuery, type FindByCursorOptions } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Max, Min } from 'class-validator';
import { ArgsType, Directive, Field, Int, ObjectType } from 'type-graphql';
import { badInput } from '../errors';
import { isUuid } from '../ids';
import { PageInfo } from './graphql-types';
import { findReadOnly } from './read-only';

/** `first`: the page size of a Relay-style list, 1 to 100, 20 unless given. */
export function PageSize(): PropertyDecorator {
  return (target, key) => {
    Field(() => Int, { defaultValue: 20, description: 'Page size, 1 to 100' })(target, key);
    Min(1)(target, key);
    Max(100)(target, key);
  };
}

/** `after`: where a Relay-style list goes on from (the previous page's endCursor). */
export function PageAfter(): PropertyDecorator {
  return Field(() => String, { nullable: true, description: 'The endCursor of the previous page' });
}

/**
 * `first` / `after` of every Relay-style list. Arguments that must come before them (a
 * contract's order) declare their own class with `@PageSize()` and `@PageAfter()`.
 */
@ArgsType()
export class PageArgs {
  @PageSize()
  first!: number;

  @PageAfter()
  after?: string | null;
}

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: PageInfo;
  /** A number, or a promise of one that is only made when a client selects the field. */
  totalCount: number | Promise<number>;
}

type ClassType<T> = new (...args: never[]) => T;

/**
 * Declares `<Name>Connection` and `<Name>Edge` object types for `node`:
 * `@ObjectType() class WorkspaceConnection extends connectionType(Workspace, 'Workspace') {}`.
 * Their fields are read as properties (`simple`: no type-graphql wrapper per value, see
 * `readEntityFieldsAsProperties` in federation.ts) but `totalCount`, whose value is a
 * promise (counted only when asked): a field without a resolver is not awaited by the
 * compiled executor (graphql-jit), so a promise-valued field keeps its resolver.
 */
export function connectionType<T>(node: ClassType<T>, name: string) {
  // Wrappers take their cache hint from the field that returns them (the connection's).
  @Directive('@cacheControl(inheritMaxAge: true)')
  @ObjectType(`${name}Edge`)
  class Edge {
    @Field({ simple: true })
    cursor!: string;

    @Field(() => node, { simple: true })
    node!: T;
  }

  // Decorated so subclasses inherit its fields; never emitted itself (not reachable).
  @ObjectType()
  abstract class ConnectionBase implements Connection<T> {
    @Field(() => [Edge], { simple: true })
    edges!: Edge[];

    @Field(() => PageInfo, { simple: true })
    pageInfo!: PageInfo;

    @Field(() => Int, { description: 'All matching items, across pages' })
    totalCount!: number;
  }
  return ConnectionBase;
}

/** What a connection is made of: a MikroORM `Cursor`, or the same read lazily (see `findPage`). */
export interface PageOf<T> {
  items: T[];
  hasNextPage?: boolean | null;
  from(node: T): string;
  readonly endCursor: string | null;
  totalCount?: number;
}

/**
 * Turns a MikroORM keyset-pagination `Cursor` (from `em.findByCursor`) into a connection.
 * With `count`, `totalCount` is computed only if a client reads it; cursors too.
 */
export function toConnection<T extends object>(cursor: PageOf<T>, count?: () => Promise<number>): Connection<T> {
  // Cursors are encoded only when read (getters): most pages are asked for their nodes alone,
  // and encoding one (a JSON array, then base64url) per edge was paid for every row.
  const connection = {
    edges: cursor.items.map((node) => ({
      node,
      get cursor() {
        return cursor.from(node);
      },
    })),
    pageInfo: {
      hasNextPage: cursor.hasNextPage ?? false,
      get endCursor() {
        return cursor.endCursor;
      },
    },
  } as Connection<T>;
  let counted: Promise<number> | undefined;
  // A getter: GraphQL reads the property only when `totalCount` is in the selection.
  Object.defineProperty(connection, 'totalCount', {
    enumerable: true,
    get: () => (count ? (counted ??= count()) : (cursor.totalCount ?? cursor.items.length)),
  });
  return connection;
}

/**
 * One page of `entity` matching `where`, keyset-paginated, as a connection whose
 * `totalCount` costs a COUNT statement only when a client asks for it (most list queries
 * don't: the page alone is one statement).
 */
export async function findPage<T extends object>(
  em: EntityManager,
  entity: EntityName<T>,
  where: FilterQuery<T>,
  options: {
    first: number;
    after?: string;
    orderBy: FindByCursorOptions<T>['orderBy'];
    /**
     * The page's entities are only returned, never changed nor loaded from again: read them
     * with `findReadOnly` (the same SQL, no identity map or change tracking).
     */
    readOnly?: boolean;
    /**
     * With `readOnly`: the properties the answer reads (`nodeFields`, selection.ts). When
     * each is a property of the entity, only their columns are selected (with the keys and
     * the order's); otherwise, every column.
     */
    fields?: readonly string[];
  },
): Promise<Connection<T>> {
  const { readOnly, fields, ...page } = options;
  if (page.after != null) {
    const properties = em.getMetadata().get(entity).properties as Record<string, EntityProperty>;
    const columns = Object.keys(page.orderBy as object).map((key) => properties[key]);
    checkCursorFor(page.after, columns);
  }
  let cursor: PageOf<T>;
  if (readOnly) {
    // What `em.findByCursor` does (one row more than the page tells whether there is a next
    // one), read-only; MikroORM's `Cursor` (its order definition worked out per page) is only
    // made when a cursor is read.
    const columns = fields && selectedColumns(em.getMetadata().get(entity), fields, Object.keys(page.orderBy as object));
    const items = await findReadOnly(em, entity, where, { ...page, overfetch: true, ...(columns && { fields: columns }) } as never);
    const hasNextPage = items.length > page.first;
    if (hasNextPage) items.pop();
    let mikroCursor: PageOf<T> | undefined;
    const cursorOfPage = () => (mikroCursor ??= new Cursor(items as never[], undefined as never, page as never, em.getMetadata().get(entity)) as unknown as PageOf<T>);
    cursor = {
      items,
      hasNextPage,
      from: (node) => cursorOfPage().from(node),
      get endCursor() {
        return cursorOfPage().endCursor;
      },
    };
  } else {
    cursor = (await em.findByCursor(entity, where, { ...page, includeCount: false } as never)) as unknown as PageOf<T>;
  }
  return toConnection(cursor, () => em.count(entity, where));
}

/**
 * The properties a partial page selects: `fields`, the primary key and the order's
 * properties, sorted (one statement shape per set); undefined — every column — when one of
 * `fields` is not a column property of the entity (a getter, an unlisted field resolver).
 */
function selectedColumns(meta: EntityMetadata, fields: readonly string[], order: readonly string[]): string[] | undefined {
  const columns = new Set<string>([...meta.primaryKeys, ...order]);
  for (const name of fields) {
    const prop = meta.properties[name as never] as EntityProperty | undefined;
    if (!prop || prop.persist === false || prop.kind === ReferenceKind.ONE_TO_MANY || prop.kind === ReferenceKind.MANY_TO_MANY || prop.kind === ReferenceKind.EMBEDDED) return undefined;
    columns.add(name);
  }
  return [...columns].sort();
}

/** Validates an opaque `after` cursor up front, so a forged one is BAD_USER_INPUT, not a 500. */
export function checkCursor(after: string | null | undefined): string | undefined {
  if (after == null) return undefined;
  try {
    const decoded = Cursor.decode(after);
    if (Array.isArray(decoded) && decoded.length > 0) return after;
  } catch {
    // fall through
  }
  throw badInput('after', 'is not a cursor returned by this list');
}

/** The kind of value a cursor holds for a column it orders by. */
export type CursorColumn = Pick<EntityProperty, 'runtimeType' | 'type' | 'columnTypes'> | undefined;

/** What MikroORM's cursor decoder turns into a Date, whatever column it was meant for. */
const DECODED_AS_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}/;

const fits = (value: unknown, column: CursorColumn): boolean => {
  if (!column) return false;
  if (column.type === 'uuid' || column.columnTypes?.[0] === 'uuid') return isUuid(value);
  switch (column.runtimeType) {
    case 'Date':
      // As MikroORM encodes a Date (`toJSON`).
      return typeof value === 'string' && DECODED_AS_DATE.test(value) && value.endsWith('Z') && !Number.isNaN(Date.parse(value));
    case 'string':
      // A timestamp here is another list's cursor: decoded as a Date, it would compare a name with an instant.
      return typeof value === 'string' && !DECODED_AS_DATE.test(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    default:
      return false;
  }
};

/**
 * Checks an `after` cursor against the columns its list orders by, before any SQL: one
 * value per column, each of that column's kind. A cursor of another list (its values are
 * other columns': a name where a timestamp belongs) or a forged one is BAD_USER_INPUT — not
 * a driver error, logged with the SQL, and a 500; nor, worse, a page of the wrong rows.
 */
export function checkCursorFor(after: string, columns: CursorColumn[]): void {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(after, 'base64url').toString('utf8'));
  } catch {
    values = undefined;
  }
  if (!Array.isArray(values) || values.length !== columns.length || !values.every((value, i) => fits(value, columns[i]))) {
    throw badInput('after', 'is not a cursor returned by this list');
  }
}
